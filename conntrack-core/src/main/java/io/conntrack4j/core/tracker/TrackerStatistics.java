package io.conntrack4j.core.tracker;

/**
 * A snapshot of a tracker's counters, with the names {@code conntrack -S} prints, plus counters
 * Linux does not have (ignored packets, expiries, deletions). Meanings in this tracker:
 * <ul>
 * <li>{@code found}: packets that found their connection;</li>
 * <li>{@code invalid}: packets with verdict INVALID (any reason);</li>
 * <li>{@code insert}: connections created (from packets or from {@link ConnectionTracker#apply});</li>
 * <li>{@code insert_failed}: new connections refused because their reply tuple was taken or their
 *     probe sequence too long;</li>
 * <li>{@code drop}: new connections refused for a full table or zone;</li>
 * <li>{@code early_drop}: unassured connections removed to make room;</li>
 * <li>{@code error}: ICMP errors whose quoted packet could not be used;</li>
 * <li>{@code search_restart}: lookups repeated after a TCP connection was re-opened by a SYN;</li>
 * <li>{@code chaintoolong}: insertions that failed on the probe-length bound (hash flooding guard);</li>
 * <li>{@code expect_new}, {@code expect_create}, {@code expect_delete}: connections that matched an
 *     expectation, expectations created, expectations removed (matched, replaced, timed out or
 *     with their master), as in {@code conntrack -S expect}.</li>
 * </ul>
 *
 * <pre>{@code
 * System.out.println(tracker.statistics().toConntrackLine(0));
 * }</pre>
 */
public final class TrackerStatistics {

    static final int FOUND = 0;
    static final int INVALID = 1;
    static final int INSERT = 2;
    static final int INSERT_FAILED = 3;
    static final int DROP = 4;
    static final int EARLY_DROP = 5;
    static final int ERROR = 6;
    static final int SEARCH_RESTART = 7;
    static final int CHAIN_TOO_LONG = 8;
    static final int IGNORE = 9;
    static final int EXPIRED = 10;
    static final int DELETED = 11;
    static final int EXPECT_NEW = 12;
    static final int EXPECT_CREATE = 13;
    static final int EXPECT_DELETE = 14;
    static final int COUNT = 15;

    private final long[] values;
    private final int connections;

    TrackerStatistics(long[] values, int connections) {
        this.values = values.clone();
        this.connections = connections;
    }

    /** @return packets that found their connection */
    public long found() {
        return values[FOUND];
    }

    /** @return packets judged INVALID */
    public long invalid() {
        return values[INVALID];
    }

    /** @return connections created */
    public long insert() {
        return values[INSERT];
    }

    /** @return connections refused at insertion (tuple taken, probe too long) */
    public long insertFailed() {
        return values[INSERT_FAILED];
    }

    /** @return new connections refused because the table or the zone was full */
    public long drop() {
        return values[DROP];
    }

    /** @return unassured connections removed to admit new ones */
    public long earlyDrop() {
        return values[EARLY_DROP];
    }

    /** @return ICMP errors that could not be related */
    public long error() {
        return values[ERROR];
    }

    /** @return lookups repeated after a re-open */
    public long searchRestart() {
        return values[SEARCH_RESTART];
    }

    /** @return insertions refused by the probe-length bound */
    public long chainTooLong() {
        return values[CHAIN_TOO_LONG];
    }

    /** @return TCP packets passed without updating their connection */
    public long ignore() {
        return values[IGNORE];
    }

    /** @return connections removed because their timeout ran out */
    public long expired() {
        return values[EXPIRED];
    }

    /** @return connections removed by delete, flush, RST or re-open */
    public long deleted() {
        return values[DELETED];
    }

    /** @return new connections that matched an expectation ({@code expect_new}) */
    public long expectNew() {
        return values[EXPECT_NEW];
    }

    /** @return expectations created by helpers ({@code expect_create}) */
    public long expectCreate() {
        return values[EXPECT_CREATE];
    }

    /** @return expectations removed ({@code expect_delete}) */
    public long expectDelete() {
        return values[EXPECT_DELETE];
    }

    /** @return connections in the table when the snapshot was taken ({@code conntrack -C}) */
    public int connections() {
        return connections;
    }

    /**
     * The line {@code conntrack -S} prints for one CPU, here for one tracker (shard).
     *
     * @param cpu the number to print after {@code cpu=}
     * @return the line, without a newline
     */
    public String toConntrackLine(int cpu) {
        return String.format("cpu=%-3d \tfound=%d invalid=%d insert=%d insert_failed=%d drop=%d early_drop=%d error=%d"
                        + " search_restart=%d clash_resolve=0 chaintoolong=%d ",
                cpu, found(), invalid(), insert(), insertFailed(), drop(), earlyDrop(), error(), searchRestart(),
                chainTooLong());
    }

    @Override
    public String toString() {
        return toConntrackLine(0).trim() + " ignore=" + ignore() + " expired=" + expired() + " deleted=" + deleted()
                + " connections=" + connections;
    }
}

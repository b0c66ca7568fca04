package io.conntrack4j.core.reassembly;

/**
 * Live counters of one address family, named after Linux's {@code /proc/net/snmp} and
 * {@code /proc/net/netstat} (IpExt) fields, plus one count per {@link DropReason}. Read them from the
 * reassembler's thread, or accept slightly stale values from another.
 *
 * <p>They count as Linux's IPv4 reassembly counts ({@code ip_fragment.c}) for both families. Linux's
 * conntrack IPv6 reassembly ({@code nf_conntrack_reasm.c}) itself only counts time-outs (into
 * {@code Ip6ReasmFails} and {@code Ip6ReasmTimeout}); the IPv6 counters here count more.
 *
 * <pre>{@code
 * ReassemblyStatistics v4 = reassembler.ipv4Statistics();
 * System.out.println(v4.reasmReqds() + " fragments, " + v4.reasmOks() + " datagrams");
 * }</pre>
 */
public final class ReassemblyStatistics {

    private static final DropReason[] REASONS = DropReason.values();

    private long reasmReqds;
    private long reasmOks;
    private long reasmFails;
    private long reasmTimeout;
    private long reasmOverlaps;
    private long queueRestarts;
    private final long[] drops = new long[REASONS.length];

    ReassemblyStatistics() {
    }

    /**
     * Fragments received ({@code ReasmReqds}).
     *
     * @return the count
     */
    public long reasmReqds() {
        return reasmReqds;
    }

    /**
     * Datagrams reassembled ({@code ReasmOKs}).
     *
     * @return the count
     */
    public long reasmOks() {
        return reasmOks;
    }

    /**
     * Reassembly failures ({@code ReasmFails}): queues discarded, timed out or restarted, and fragments
     * refused for memory.
     *
     * @return the count
     */
    public long reasmFails() {
        return reasmFails;
    }

    /**
     * Queues that timed out ({@code ReasmTimeout}).
     *
     * @return the count
     */
    public long reasmTimeout() {
        return reasmTimeout;
    }

    /**
     * Queues discarded for an overlapping fragment ({@code ReasmOverlaps}).
     *
     * @return the count
     */
    public long reasmOverlaps() {
        return reasmOverlaps;
    }

    /**
     * IPv4 queues emptied and restarted because more than {@link ReassemblyLimits#maxDistance()}
     * fragments from the same source arrived between two of their fragments ({@code ip_frag_too_far()};
     * each also counts in {@link #reasmFails()}).
     *
     * @return the count
     */
    public long queueRestarts() {
        return queueRestarts;
    }

    /**
     * Packets dropped for one reason.
     *
     * @param reason the reason
     * @return the count
     */
    public long drops(DropReason reason) {
        return drops[reason.ordinal()];
    }

    /**
     * Packets dropped for any reason.
     *
     * @return the sum of {@link #drops(DropReason)}
     */
    public long totalDrops() {
        long sum = 0;
        for (long d : drops) {
            sum += d;
        }
        return sum;
    }

    void request() {
        reasmReqds++;
    }

    void ok() {
        reasmOks++;
    }

    void fail() {
        reasmFails++;
    }

    void timeout() {
        reasmFails++;
        reasmTimeout++;
    }

    void overlap() {
        reasmOverlaps++;
    }

    void restart() {
        reasmFails++;
        queueRestarts++;
    }

    void drop(DropReason reason) {
        drops[reason.ordinal()]++;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("ReasmReqds=").append(reasmReqds).append(" ReasmOKs=").append(reasmOks)
                .append(" ReasmFails=").append(reasmFails).append(" ReasmTimeout=").append(reasmTimeout)
                .append(" ReasmOverlaps=").append(reasmOverlaps).append(" restarts=").append(queueRestarts);
        for (DropReason r : REASONS) {
            if (drops[r.ordinal()] != 0) {
                sb.append(' ').append(r).append('=').append(drops[r.ordinal()]);
            }
        }
        return sb.toString();
    }
}

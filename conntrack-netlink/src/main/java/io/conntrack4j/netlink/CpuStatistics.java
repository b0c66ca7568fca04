package io.conntrack4j.netlink;

import java.util.List;

/**
 * The conntrack counters of one CPU in one network namespace, as {@code conntrack -S} shows them.
 * {@link #toString()} prints the same line as conntrack(8).
 *
 * <pre>{@code
 * for (CpuStatistics cpu : table.cpuStatistics()) {
 *     System.out.println(cpu);   // cpu=0   	found=0 invalid=0 insert=5 ...
 * }
 * }</pre>
 *
 * @param cpu the CPU number
 * @param found lookups that found an entry
 * @param invalid packets that could not be tracked
 * @param insert entries inserted
 * @param insertFailed inserts that lost a race
 * @param drop packets dropped because tracking failed
 * @param earlyDrop entries evicted because the table was full
 * @param error ICMP errors with a bad or unknown inner packet
 * @param searchRestart lookups restarted because entries moved between hash chains
 * @param clashResolve insert clashes that were resolved
 * @param chainTooLong inserts refused because a hash chain was too long
 */
public record CpuStatistics(int cpu, long found, long invalid, long insert, long insertFailed, long drop,
        long earlyDrop, long error, long searchRestart, long clashResolve, long chainTooLong) {

    /** The counter names in the order and spelling of {@code conntrack -S}. */
    public static final List<String> FIELD_NAMES = List.of("found", "invalid", "insert", "insert_failed", "drop",
            "early_drop", "error", "search_restart", "clash_resolve", "chaintoolong");

    /**
     * The counters in the order of {@link #FIELD_NAMES}.
     *
     * @return ten values
     */
    public long[] values() {
        return new long[] {found, invalid, insert, insertFailed, drop, earlyDrop, error, searchRestart, clashResolve,
            chainTooLong};
    }

    /** The line {@code conntrack -S} prints for this CPU (without the newline). */
    @Override
    public String toString() {
        StringBuilder line = new StringBuilder(String.format("cpu=%-4d\t", cpu));
        long[] values = values();
        for (int i = 0; i < values.length; i++) {
            line.append(FIELD_NAMES.get(i)).append('=').append(values[i]).append(' ');
        }
        return line.toString();
    }
}

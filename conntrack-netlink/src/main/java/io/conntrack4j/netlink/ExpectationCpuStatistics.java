package io.conntrack4j.netlink;

/**
 * The expectation counters of one CPU in one network namespace ({@code CTA_STATS_EXP_*}), as
 * {@code conntrack -S expect} shows them. {@link #toString()} prints the same line as conntrack(8).
 *
 * <pre>{@code
 * for (ExpectationCpuStatistics cpu : expectations.cpuStatistics()) {
 *     System.out.println(cpu);   // cpu=0   	expect_new=1 expect_create=1 expect_delete=0
 * }
 * }</pre>
 *
 * @param cpu the CPU number
 * @param expectNew expected connections that arrived (CTA_STATS_EXP_NEW)
 * @param expectCreate expectations created (CTA_STATS_EXP_CREATE)
 * @param expectDelete expectations removed (CTA_STATS_EXP_DELETE)
 */
public record ExpectationCpuStatistics(int cpu, long expectNew, long expectCreate, long expectDelete) {

    /** The line {@code conntrack -S expect} prints for this CPU (without the newline). */
    @Override
    public String toString() {
        return String.format("cpu=%-4d\texpect_new=%d expect_create=%d expect_delete=%d ", cpu, expectNew,
                expectCreate, expectDelete);
    }
}

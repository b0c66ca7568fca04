package io.conntrack4j.bench.tracker;

import io.conntrack4j.core.tracker.ConnectionTracker;
import io.conntrack4j.core.tracker.TrackerConfig;
import io.conntrack4j.core.tracker.Verdict;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

/**
 * The work of {@link ConnectionLifecycleBenchmark}, timed in thread CPU time, for a loaded machine
 * where wall-clock throughput mostly measures the neighbours: rounds of a fixed number of
 * connections, the median CPU nanoseconds per connection printed per pool size.
 * Run: {@code java -cp conntrack-bench/target/benchmarks.jar io.conntrack4j.bench.tracker.LifecycleCpu 65536 1024}.
 */
public final class LifecycleCpu {

    private static final int ROUNDS = 15;
    private static final int PER_ROUND = 1 << 20;

    private final int pool;
    private final ConnectionTracker tracker;
    private final TcpFlows flows = new TcpFlows();
    private final LifecycleBatches batches;
    private long now = 1_000_000_000L;
    private int next;
    private int isn;

    private LifecycleCpu(int pool) {
        this.pool = pool;
        this.tracker = new ConnectionTracker(TrackerConfig.builder().maxConnections(pool).seed(1)
                .maxIpv6Connections(1024).clock(() -> now).build());
        this.batches = new LifecycleBatches(pool);
    }

    private Verdict batch() {
        now += 1000 * LifecycleBatches.WIDTH;
        return batches.connections(tracker, now);
    }

    private Verdict connection() {
        int i = next;
        next = (i + 1) & (pool - 1);
        int c = isn += 100_000;
        now += 1000;
        return flows.lifecycle(tracker, i, c, now);
    }

    /**
     * @param args pool sizes (powers of two), default 65536
     */
    public static void main(String[] args) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        int[] pools = args.length == 0 ? new int[] {1 << 16} : Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
        for (int pool : pools) {
            for (boolean batched : new boolean[] {false, true}) {
                LifecycleCpu run = new LifecycleCpu(pool);
                int per = batched ? LifecycleBatches.WIDTH : 1;
                int sink = 0;
                for (int i = 0; i < 4 * PER_ROUND / per; i++) {
                    sink += (batched ? run.batch() : run.connection()).ordinal();
                }
                double[] ns = new double[ROUNDS];
                for (int r = 0; r < ROUNDS; r++) {
                    long t0 = mx.getCurrentThreadCpuTime();
                    for (int i = 0; i < PER_ROUND / per; i++) {
                        sink += (batched ? run.batch() : run.connection()).ordinal();
                    }
                    ns[r] = (double) (mx.getCurrentThreadCpuTime() - t0) / PER_ROUND;
                }
                Arrays.sort(ns);
                double median = ns[ROUNDS / 2];
                System.out.printf("pool=%d %s cpu ns/connection median=%.1f (min %.1f, max %.1f) = %.2fM connections/s"
                        + " of CPU; %s [sink %d]%n", pool, batched ? "batched" : "single ", median, ns[0],
                        ns[ROUNDS - 1], 1000 / median, run.tracker.statistics(), sink & 1);
            }
        }
    }
}

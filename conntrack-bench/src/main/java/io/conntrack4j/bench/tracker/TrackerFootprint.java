package io.conntrack4j.bench.tracker;

import io.conntrack4j.core.tracker.ConnectionTracker;
import io.conntrack4j.core.tracker.TrackerConfig;

/**
 * Bytes per IPv4 connection, two ways: the tracker's own accounting of its arrays, and the heap
 * growth measured around building a tracker and filling it with established TCP connections.
 * Run: {@code java -Xmx4g -cp conntrack-bench/target/benchmarks.jar io.conntrack4j.bench.tracker.TrackerFootprint 1000000}.
 */
public final class TrackerFootprint {

    private TrackerFootprint() {
    }

    /**
     * @param args the number of connections (default 1000000)
     */
    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        long before = usedAfterGc();
        ConnectionTracker tracker = new ConnectionTracker(TrackerConfig.builder().maxConnections(n)
                .maxIpv6Connections(1024).clock(() -> 0L).seed(3).build());
        TcpFlows flows = new TcpFlows();
        for (int i = 0; i < n; i++) {
            flows.open(tracker, i, 1_000_000_000L);
        }
        long after = usedAfterGc();
        System.out.printf("connections=%d accounted=%.1f B/conn (ipv4 index + connection arrays), total accounted=%d B"
                        + " (%.1f B/conn incl. fixed IPv6 index and zone arrays), heap growth=%.1f B/conn%n",
                tracker.count(), tracker.ipv4BytesPerConnection(), tracker.memoryBytes(),
                (double) tracker.memoryBytes() / n, (double) (after - before) / n);
    }

    private static long usedAfterGc() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return rt.totalMemory() - rt.freeMemory();
    }
}

package io.conntrack4j.bench.tracker;

import io.conntrack4j.core.tracker.ConnectionTracker;
import io.conntrack4j.core.tracker.TrackerConfig;
import io.conntrack4j.core.tracker.Verdict;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A whole TCP connection per operation: SYN, SYN/ACK, ACK, FIN, ACK, FIN, ACK (7 packets, parse
 * included), over a pool of 65536 tuples; each SYN finds the previous incarnation in TIME_WAIT,
 * destroys it and creates a new one (Linux's re-open). ops/s = connections set up and torn down per
 * second. Run with {@code -prof gc}: 0 B/op.
 *
 * <p>What it measures: the table holds 65536 connections (about 10 MiB of index and records,
 * more than the L2 caches), and each connection's two index slots are at random places in it,
 * so the SYN and the SYN/ACK each start with a cache miss, as a new flow does in a large real
 * table; the other five packets hit. {@link #connection()} takes packets one at a time;
 * {@link #batched()} takes {@value LifecycleBatches#WIDTH} connections at a time through the batch
 * API (all their SYNs in one batch, then all SYN/ACKs, ...), where those misses overlap.
 * {@code LifecycleCpu} runs the same work timed in thread CPU time, for loaded machines.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ConnectionLifecycleBenchmark {

    private static final int POOL = 1 << 16;

    private ConnectionTracker tracker;
    private TcpFlows flows;
    private LifecycleBatches batches;
    private long now = 1_000_000_000L;
    private int next;
    private int isn;

    /** An empty tracker sized for the pool. */
    @Setup
    public void setUp() {
        tracker = new ConnectionTracker(TrackerConfig.builder().maxConnections(POOL).seed(1).maxIpv6Connections(1024)
                .clock(() -> now).build());
        flows = new TcpFlows();
        batches = new LifecycleBatches(POOL);
    }

    /** @return the last verdict of {@value LifecycleBatches#WIDTH} connections' lifecycles, in 7 batches */
    @Benchmark
    @OperationsPerInvocation(LifecycleBatches.WIDTH)
    public Verdict batched() {
        now += 1000 * LifecycleBatches.WIDTH;
        return batches.connections(tracker, now);
    }

    /** @return the last verdict */
    @Benchmark
    public Verdict connection() {
        int i = next;
        next = (i + 1) & (POOL - 1);
        int c = isn += 100_000;
        now += 1000;
        return flows.lifecycle(tracker, i, c, now);
    }
}

package io.conntrack4j.bench.tracker;

import io.conntrack4j.core.packet.PacketView;
import io.conntrack4j.core.tracker.ConnectionTracker;
import io.conntrack4j.core.tracker.ProcessResult;
import io.conntrack4j.core.tracker.TrackerConfig;
import io.conntrack4j.core.tracker.Verdict;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One established-flow TCP data packet (64 bytes of payload): parse ({@code PacketView}) plus track
 * (lookup, TCP state table, window tracking in STRICT mode, timeout refresh) on one of N established
 * connections. Flows are visited in rounds, each round in a fixed pseudo-random order (a
 * multiplicative permutation), so every packet is the next in-window segment of its flow and the
 * benchmark keeps no per-flow state of its own (no extra cache miss). ns/op is ns/packet;
 * Mpps = 1000 / (ns/op). Run with {@code -prof gc}: 0 B/op.
 *
 * <p>What is timed besides the tracker: writing each packet's addresses, ports and sequence numbers
 * into a reused buffer and parsing it ({@code PacketView}, which a real receive path also does).
 * {@link #buildOnlyBatch} times that harness part alone (parse included) so that it can be reported
 * next to the tracker's figures; the flow order is advanced by addition, not by a 64-bit division
 * per packet, so that the harness stays small. The tracker does all of its work on every packet:
 * lookup, STRICT window tracking (SACK option walk included: both sides negotiate SACK) and the
 * timeout refresh.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms3g", "-Xmx3g", "-XX:+UseTransparentHugePages"})
public class EstablishedFlowBenchmark {

    @Param({"10000", "100000", "1000000", "4000000"})
    public int connections;

    private ConnectionTracker tracker;
    private TcpFlows flows;
    private static final int BATCH = 32;

    private final TcpFlows[] batchFlows = new TcpFlows[BATCH];
    private final PacketView[] batchViews = new PacketView[BATCH];
    private final ProcessResult[] batchResults = new ProcessResult[BATCH];
    private long now = 1_000_000_000L;
    private int position;
    private int round;
    private int sent;
    private int flow;
    private int step;

    /** Opens every connection. */
    @Setup(Level.Trial)
    public void setUp() {
        tracker = new ConnectionTracker(TrackerConfig.builder().maxConnections(connections).seed(1)
                .maxIpv6Connections(1024).clock(() -> now).build());
        flows = new TcpFlows();
        step = (int) (2_654_435_761L % connections);
        for (int i = 0; i < BATCH; i++) {
            batchFlows[i] = new TcpFlows();
            batchViews[i] = batchFlows[i].view;
            batchResults[i] = batchFlows[i].result;
        }
        for (int i = 0; i < connections; i++) {
            flows.open(tracker, i, now);
        }
    }

    /** @return the verdict (ESTABLISHED) */
    @Benchmark
    public Verdict dataPacket() {
        int flow = nextFlow();
        now += 100;
        return tracker.process(flows.build(flow, true, TcpFlows.CLIENT_ISN + 1 + sent, TcpFlows.SERVER_ISN + 1,
                TcpFlows.ACK | TcpFlows.PSH, TcpFlows.PAYLOAD), 0, now, flows.result);
    }

    /**
     * The same packets, 32 per call through the batch API; ns/op is still per packet.
     *
     * @return the last verdict
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Verdict dataPacketBatch() {
        for (int i = 0; i < BATCH; i++) {
            int flow = nextFlow();
            batchFlows[i].build(flow, true, TcpFlows.CLIENT_ISN + 1 + sent, TcpFlows.SERVER_ISN + 1,
                    TcpFlows.ACK | TcpFlows.PSH, TcpFlows.PAYLOAD);
        }
        now += 100 * BATCH;
        tracker.process(batchViews, BATCH, 0, now, batchResults);
        return batchResults[BATCH - 1].verdict();
    }

    /**
     * The harness alone: the same flow order and packet building (and parsing, which the tracker
     * needs) without tracking, so that its share of {@link #dataPacketBatch} can be subtracted.
     *
     * @return a parsed field, so that the work is not dead
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long buildOnlyBatch() {
        long sum = 0;
        for (int i = 0; i < BATCH; i++) {
            int flow = nextFlow();
            sum += batchFlows[i].build(flow, true, TcpFlows.CLIENT_ISN + 1 + sent, TcpFlows.SERVER_ISN + 1,
                    TcpFlows.ACK | TcpFlows.PSH, TcpFlows.PAYLOAD).tcpSequence();
        }
        now += 100 * BATCH;
        return sum;
    }

    private int nextFlow() {
        int at = position;
        sent = round * TcpFlows.PAYLOAD;
        if (++at == connections) {
            at = 0;
            round++;
            position = 0;
            flow = 0;
            return 0;
        }
        position = at;
        // 2654435761 is prime, so i -> i * it mod n visits every flow once per round; kept as a
        // running sum (flow += step mod n) because a 64-bit division per packet would cost the harness
        // more than the tracker spends on a packet
        int f = flow + step;
        if (f >= connections) {
            f -= connections;
        }
        flow = f;
        return f;
    }
}

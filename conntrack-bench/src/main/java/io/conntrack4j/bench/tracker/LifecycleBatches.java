package io.conntrack4j.bench.tracker;

import io.conntrack4j.core.packet.PacketView;
import io.conntrack4j.core.tracker.ConnectionTracker;
import io.conntrack4j.core.tracker.ProcessResult;
import io.conntrack4j.core.tracker.Verdict;

/**
 * The lifecycle of {@link ConnectionLifecycleBenchmark} for {@value #WIDTH} connections at a time
 * through the batch API: the SYNs of all of them in one batch, then all SYN/ACKs, and so on (7
 * batches), as a receive loop sees many connections interleaved. Each connection's packets stay in
 * order; the batch overlaps the cache misses of different connections.
 */
final class LifecycleBatches {

    static final int WIDTH = 32;

    private final int pool;
    private final TcpFlows[] flows = new TcpFlows[WIDTH];
    private final PacketView[] views = new PacketView[WIDTH];
    private final ProcessResult[] results = new ProcessResult[WIDTH];
    private int next;
    private int isn;

    LifecycleBatches(int pool) {
        this.pool = pool;
        for (int k = 0; k < WIDTH; k++) {
            flows[k] = new TcpFlows();
            views[k] = flows[k].view;
            results[k] = flows[k].result;
        }
    }

    /** Sets up and tears down {@value #WIDTH} connections; returns the last verdict. */
    Verdict connections(ConnectionTracker t, long now) {
        int first = next;
        next = (first + WIDTH) & (pool - 1);
        int c0 = isn;
        isn += 100_000 * WIDTH;
        step(t, now, first, c0, true, 0, 0, TcpFlows.SYN);
        step(t, now, first, c0, false, 50_000, 1, TcpFlows.SYN | TcpFlows.ACK);
        step(t, now, first, c0, true, 1, 50_001, TcpFlows.ACK);
        step(t, now, first, c0, true, 1, 50_001, TcpFlows.FIN | TcpFlows.ACK);
        step(t, now, first, c0, false, 50_001, 2, TcpFlows.ACK);
        step(t, now, first, c0, false, 50_001, 2, TcpFlows.FIN | TcpFlows.ACK);
        step(t, now, first, c0, true, 2, 50_002, TcpFlows.ACK);
        return results[WIDTH - 1].verdict();
    }

    /**
     * One batch: packet {@code k} belongs to flow {@code first + k}, whose client ISN is
     * {@code c0 + 100000 * (k + 1)} and server ISN 50000 above it; seq and ack are offsets from the
     * client ISN ({@code ack} 0: none).
     */
    private void step(ConnectionTracker t, long now, int first, int c0, boolean fromClient, int seq, int ack,
                      int flags) {
        for (int k = 0; k < WIDTH; k++) {
            int c = c0 + 100_000 * (k + 1);
            flows[k].build((first + k) & (pool - 1), fromClient, c + seq, ack == 0 ? 0 : c + ack, flags, 0);
        }
        t.process(views, WIDTH, 0, now, results);
    }
}

package io.conntrack4j.core.tracker;

import static io.conntrack4j.core.tracker.TrackerHarness.CLIENT;
import static io.conntrack4j.core.tracker.TrackerHarness.CLIENT_PORT;
import static io.conntrack4j.core.tracker.TrackerHarness.SERVER;
import static io.conntrack4j.core.tracker.TrackerHarness.SERVER_PORT;
import static io.conntrack4j.core.tracker.Wire.ACK;
import static io.conntrack4j.core.tracker.Wire.PSH;
import static io.conntrack4j.core.tracker.Wire.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.conntrack4j.core.L4Protocol;
import org.junit.jupiter.api.Test;

/**
 * SACK in window tracking, after tcp_sack() and tcp_in_window() (nf_conntrack_proto_tcp.c): when the
 * receiver of a segment negotiated SACK_PERM, the highest SACK right edge after the ACK replaces the
 * ACK in bounds III (not beyond what the receiver has sent) and IV (not an overly delayed ACK).
 * Each case here gets a different verdict or reason when the SACK blocks are not read.
 * Client ISN 1000, server ISN 5000, window 65535 unscaled.
 */
class TcpSackTest {

    private static final int WINDOW = 65535;
    /** Window scale 0 and SACK permitted, as Wire.tcp writes them. */
    private static final int OFFER_SACK = 0;
    private static final int NO_OPTIONS = -1;

    private final TrackerHarness h = new TrackerHarness();

    private Verdict client(int flags, long seq, long ack, int length) {
        return h.feed(Wire.ipv4(L4Protocol.TCP_NUMBER, CLIENT, SERVER,
                Wire.tcp(CLIENT_PORT, SERVER_PORT, seq, ack, flags, WINDOW, new byte[0], length)));
    }

    private Verdict server(int flags, long seq, long ack, byte[] options) {
        return h.feed(Wire.ipv4(L4Protocol.TCP_NUMBER, SERVER, CLIENT,
                Wire.tcp(SERVER_PORT, CLIENT_PORT, seq, ack, flags, WINDOW, options, 0)));
    }

    private void handshake(int clientOptions, byte[] serverOptions) {
        assertEquals(Verdict.NEW, h.feed(Wire.ipv4(L4Protocol.TCP_NUMBER, CLIENT, SERVER,
                Wire.tcp(CLIENT_PORT, SERVER_PORT, 1000, 0, SYN, WINDOW, clientOptions, 0))));
        assertEquals(Verdict.ESTABLISHED, server(SYN | ACK, 5000, 1001, serverOptions));
        assertEquals(Verdict.ESTABLISHED, client(ACK, 1001, 5001, 0));
    }

    /** Both sides offer SACK (and window scale 0). */
    private void sackHandshake() {
        handshake(OFFER_SACK, new byte[] {3, 3, 0, 4, 2, 1, 1, 0});
    }

    @Test
    void sackEdgeBeyondTheDataSentIsOverTheUpperBound() {
        sackHandshake();
        assertEquals(Verdict.ESTABLISHED, client(ACK | PSH, 1001, 5001, 100));  // client td_end 1101
        // the server claims to hold 1101..1201, which the client never sent: III fails on the SACK edge
        assertEquals(Verdict.INVALID, server(ACK, 5001, 1001, Wire.sackBlock(1101, 1201)));
        assertEquals(InvalidReason.TCP_ACK_OVER_UPPER_BOUND, h.result.invalidReason());
        // an edge at the end of what was sent is fine
        assertEquals(Verdict.ESTABLISHED, server(ACK, 5001, 1001, Wire.sackBlock(1051, 1101)));
        assertEquals(InvalidReason.NONE, h.result.invalidReason());
    }

    @Test
    void recentSackEdgeRescuesAStaleCumulativeAck() {
        sackHandshake();
        assertEquals(Verdict.ESTABLISHED, client(ACK | PSH, 1001, 5001, 60_000));
        assertEquals(Verdict.ESTABLISHED, server(ACK, 5001, 61_001, new byte[0]));
        assertEquals(Verdict.ESTABLISHED, client(ACK | PSH, 61_001, 5001, 60_000));  // client td_end 121001
        // ACK 1001 lies more than 66000 below the client's end: IV fails, an overly delayed ACK
        assertEquals(Verdict.ESTABLISHED, server(ACK, 5001, 1001, new byte[0]));
        assertEquals(InvalidReason.TCP_IGNORED, h.result.invalidReason());
        // the same ACK with a SACK block up to the client's end passes IV
        assertEquals(Verdict.ESTABLISHED, server(ACK, 5001, 1001, Wire.sackBlock(61_001, 121_001)));
        assertEquals(InvalidReason.NONE, h.result.invalidReason());
    }

    @Test
    void onlyTheReceiversSackPermittedCounts() {
        // the client (the receiver of the server's SACKs) never offered SACK: its blocks are not read
        handshake(NO_OPTIONS, new byte[] {4, 2, 1, 1});
        assertEquals(Verdict.ESTABLISHED, client(ACK | PSH, 1001, 5001, 100));
        assertEquals(Verdict.ESTABLISHED, server(ACK, 5001, 1001, Wire.sackBlock(1101, 1201)));
        assertEquals(InvalidReason.NONE, h.result.invalidReason());
    }

    @Test
    void theClientsSackPermittedAloneMakesTheServersBlocksCount() {
        // tcp_sack() looks at the receiver's flag only: the client offered SACK, the server did not
        handshake(OFFER_SACK, new byte[] {3, 3, 0, 1});
        assertEquals(Verdict.ESTABLISHED, client(ACK | PSH, 1001, 5001, 100));
        assertEquals(Verdict.INVALID, server(ACK, 5001, 1001, Wire.sackBlock(1101, 1201)));
        assertEquals(InvalidReason.TCP_ACK_OVER_UPPER_BOUND, h.result.invalidReason());
    }
}

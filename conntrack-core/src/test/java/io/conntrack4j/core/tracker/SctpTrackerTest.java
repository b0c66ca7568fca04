package io.conntrack4j.core.tracker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.core.L4Protocol;
import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;

/**
 * SCTP with the states, timeouts and verification-tag rules of nf_conntrack_proto_sctp.c (6.x):
 * INIT leaves the entry CLOSED (10 s) until INIT_ACK (COOKIE_WAIT, 3 s), COOKIE_ECHO (COOKIE_ECHOED),
 * COOKIE_ACK (ESTABLISHED, ASSURED, 210 s); the shutdown sequence; tags checked per packet.
 */
class SctpTrackerTest {

    private static final int A = 0x11111111; // the client's tag (INIT)
    private static final int B = 0x22222222; // the server's tag (INIT_ACK)

    private final TrackerHarness h = new TrackerHarness();

    private static byte[] chunk(int type, int flags, int... words) {
        byte[] c = new byte[4 + 4 * words.length];
        c[0] = (byte) type;
        c[1] = (byte) flags;
        Wire.put16(c, 2, c.length);
        for (int i = 0; i < words.length; i++) {
            Wire.put32(c, 4 + 4 * i, words[i]);
        }
        return c;
    }

    private static byte[] sctp(int sport, int dport, int vtag, byte[]... chunks) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] header = new byte[12];
        Wire.put16(header, 0, sport);
        Wire.put16(header, 2, dport);
        Wire.put32(header, 4, vtag);
        out.writeBytes(header);
        for (byte[] c : chunks) {
            out.writeBytes(c);
        }
        return out.toByteArray();
    }

    private Verdict client(int vtag, byte[]... chunks) {
        return h.feed(Wire.ipv4(L4Protocol.SCTP_NUMBER, "10.0.0.1", "10.0.0.2", sctp(5000, 6000, vtag, chunks)));
    }

    private Verdict server(int vtag, byte[]... chunks) {
        return h.feed(Wire.ipv4(L4Protocol.SCTP_NUMBER, "10.0.0.2", "10.0.0.1", sctp(6000, 5000, vtag, chunks)));
    }

    private static String line(int timeout, String state, boolean replied, boolean assured) {
        return "sctp     132 " + timeout + " " + state + " src=10.0.0.1 dst=10.0.0.2 sport=5000 dport=6000"
                + (replied ? "" : " [UNREPLIED]") + " src=10.0.0.2 dst=10.0.0.1 sport=6000 dport=5000"
                + (assured ? " [ASSURED]" : "") + " mark=0 use=1";
    }

    private void associate() {
        assertEquals(Verdict.NEW, client(0, chunk(SctpTracker.INIT, 0, A, 65536, 0x000a000a, 1)));
        assertEquals(line(10, "CLOSED", false, false), h.line());                      // orig init, sNO -> sCL
        assertEquals(Verdict.ESTABLISHED, server(A, chunk(SctpTracker.INIT_ACK, 0, B, 65536, 0x000a000a, 1)));
        assertEquals(line(3, "COOKIE_WAIT", true, false), h.line());                   // reply init_ack, sCL -> sCW
        assertEquals(Verdict.ESTABLISHED, client(B, chunk(SctpTracker.COOKIE_ECHO, 0, 7)));
        assertEquals(line(3, "COOKIE_ECHOED", true, false), h.line());                 // orig cookie_echo, sCW -> sCE
        assertEquals(Verdict.ESTABLISHED, server(A, chunk(SctpTracker.COOKIE_ACK, 0)));
        assertEquals(line(210, "ESTABLISHED", true, true), h.line());                  // reply cookie_ack, sCE -> sES
    }

    @Test
    void associationSetUpAndShutdown() {
        associate();
        assertEquals(Verdict.ESTABLISHED, client(B, chunk(SctpTracker.DATA, 3, 1, 0, 0, 0)));
        assertEquals(line(210, "ESTABLISHED", true, true), h.line());
        client(B, chunk(SctpTracker.SHUTDOWN, 0, 1));                                  // orig shutdown, sES -> sSS
        assertEquals(line(3, "SHUTDOWN_SENT", true, true), h.line());
        server(A, chunk(SctpTracker.SHUTDOWN_ACK, 0));                                 // reply shutdown_ack, sSS -> sSA
        assertEquals(line(3, "SHUTDOWN_ACK_SENT", true, true), h.line());
        client(B, chunk(SctpTracker.SHUTDOWN_COMPLETE, 0));                            // orig shutdown_comp, sSA -> sCL
        assertEquals(line(10, "CLOSED", true, true), h.line());
    }

    @Test
    void wrongVerificationTagIsInvalid() {
        associate();
        assertEquals(Verdict.INVALID, client(A, chunk(SctpTracker.DATA, 3, 1, 0, 0, 0)));
        assertEquals(InvalidReason.SCTP_INVALID, h.result.invalidReason());
        // ABORT with the T bit carries the peer's tag (8.5.1 B)
        assertEquals(Verdict.ESTABLISHED, client(A, chunk(SctpTracker.ABORT, 1)));
        assertEquals(line(10, "CLOSED", true, true), h.line());
    }

    @Test
    void outOfTheBlueChunksCannotCreate() {
        assertEquals(Verdict.INVALID, client(5, chunk(SctpTracker.ABORT, 0)));
        assertEquals(InvalidReason.SCTP_INVALID_NEW, h.result.invalidReason());
        assertEquals(Verdict.INVALID, client(5, chunk(SctpTracker.DATA, 3, 1, 0, 0, 0)));
        assertEquals(Verdict.INVALID, client(5, chunk(SctpTracker.COOKIE_ACK, 0)));
        assertEquals(Verdict.INVALID, client(9, chunk(SctpTracker.INIT, 0, A, 65536, 0x000a000a, 1))); // vtag must be 0
        assertEquals(Verdict.INVALID, client(0, chunk(SctpTracker.INIT, 0, A, 65536, 0x000a000a, 1),
                chunk(SctpTracker.DATA, 3, 1, 0, 0, 0)));                              // INIT must be alone
        assertEquals(0, h.tracker.count());
    }

    @Test
    void heartbeatOpensASecondaryPath() {
        assertEquals(Verdict.NEW, client(B, chunk(SctpTracker.HEARTBEAT, 0, 0x00010008, 1)));
        assertEquals(line(30, "HEARTBEAT_SENT", false, false), h.line());              // orig heartbeat, sNO -> sHS
        server(A, chunk(SctpTracker.HEARTBEAT_ACK, 0, 0x00020008, 1));                 // reply heartbeat_ack, sHS -> sES
        assertEquals(line(210, "ESTABLISHED", true, true), h.line());
        assertEquals(Verdict.ESTABLISHED, client(B, chunk(SctpTracker.DATA, 3, 1, 0, 0, 0)));
    }

    @Test
    void tableMatchesTheKernel() {
        // sctp_conntracks[][][] as the kernel writes it, rows in chunk order
        String[][] kernel = {
            {"sCL, sCL, sCW, sCE, sES, sCL, sCL, sSA, sCW", "sCL, sCL, sCW, sCE, sES, sSS, sSR, sSA, sCL",
                "sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL", "sCL, sCL, sCW, sCE, sSS, sSS, sSR, sSA, sCL",
                "sSA, sCL, sCW, sCE, sES, sSA, sSA, sSA, sSA", "sCL, sCL, sCW, sCE, sES, sSS, sSR, sSA, sCL",
                "sCL, sCL, sCE, sCE, sES, sSS, sSR, sSA, sCL", "sCL, sCL, sCW, sES, sES, sSS, sSR, sSA, sCL",
                "sCL, sCL, sCW, sCE, sES, sSS, sSR, sCL, sCL", "sHS, sCL, sCW, sCE, sES, sSS, sSR, sSA, sHS",
                "sCL, sCL, sCW, sCE, sES, sSS, sSR, sSA, sHS"},
            {"sIV, sCL, sCW, sCE, sES, sSS, sSR, sSA, sIV", "sIV, sCW, sCW, sCE, sES, sSS, sSR, sSA, sIV",
                "sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sIV", "sIV, sCL, sCW, sCE, sSR, sSS, sSR, sSA, sIV",
                "sIV, sCL, sCW, sCE, sES, sSA, sSA, sSA, sIV", "sIV, sCL, sCW, sCL, sES, sSS, sSR, sSA, sIV",
                "sIV, sCL, sCE, sCE, sES, sSS, sSR, sSA, sIV", "sIV, sCL, sCW, sES, sES, sSS, sSR, sSA, sIV",
                "sIV, sCL, sCW, sCE, sES, sSS, sSR, sCL, sIV", "sIV, sCL, sCW, sCE, sES, sSS, sSR, sSA, sHS",
                "sIV, sCL, sCW, sCE, sES, sSS, sSR, sSA, sES"},
        };
        String[] names = {"sNO", "sCL", "sCW", "sCE", "sES", "sSS", "sSR", "sSA", "sHS", "sIV"};
        int[] chunks = {SctpTracker.INIT, SctpTracker.INIT_ACK, SctpTracker.ABORT, SctpTracker.SHUTDOWN,
            SctpTracker.SHUTDOWN_ACK, SctpTracker.ERROR, SctpTracker.COOKIE_ECHO, SctpTracker.COOKIE_ACK,
            SctpTracker.SHUTDOWN_COMPLETE, SctpTracker.HEARTBEAT, SctpTracker.HEARTBEAT_ACK};
        for (int dir = 0; dir < 2; dir++) {
            for (int row = 0; row < chunks.length; row++) {
                String[] cells = kernel[dir][row].split(", ");
                for (int state = 0; state < 9; state++) {
                    assertEquals(cells[state], names[SctpTracker.next(dir, state, chunks[row])],
                            "dir " + dir + " row " + row + " state " + names[state]);
                }
            }
        }
        assertEquals(3, SctpTracker.next(0, 3, SctpTracker.DATA)); // other chunks keep the state
        assertTrue(SctpTracker.next(1, 0, SctpTracker.INIT) == SctpTracker.IV);
    }
}

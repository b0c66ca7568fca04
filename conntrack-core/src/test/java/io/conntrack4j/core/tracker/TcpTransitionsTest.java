package io.conntrack4j.core.tracker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Every cell of the transcribed table against the kernel's own text (tcp_conntracks in
 * net/netfilter/nf_conntrack_proto_tcp.c, 6.x), copied here as the kernel writes it, row by row,
 * so that a transcription slip in {@link TcpTransitions} shows as a differing cell.
 */
class TcpTransitionsTest {

    private static final String[] STATES = {"sNO", "sSS", "sSR", "sES", "sFW", "sCW", "sLA", "sTW", "sCL", "sS2",
        "sIV", "sIG"};

    private static final String[][] KERNEL = {
        {
            "sSS, sSS, sIG, sIG, sIG, sIG, sIG, sSS, sSS, sS2",
            "sIV, sIV, sSR, sIV, sIV, sIV, sIV, sIV, sIV, sSR",
            "sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV",
            "sES, sIV, sES, sES, sCW, sCW, sTW, sTW, sCL, sIV",
            "sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL",
            "sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV",
        },
        {
            "sIV, sS2, sIV, sIV, sIV, sIV, sIV, sSS, sIV, sS2",
            "sIV, sSR, sIG, sIG, sIG, sIG, sIG, sIG, sIG, sSR",
            "sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV",
            "sIV, sIG, sSR, sES, sCW, sCW, sTW, sTW, sCL, sIG",
            "sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL",
            "sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV",
        },
    };

    @Test
    void everyCellMatchesTheKernel() {
        int cells = 0;
        for (int dir = 0; dir < 2; dir++) {
            for (int cls = 0; cls < 6; cls++) {
                String[] row = KERNEL[dir][cls].split(", ");
                for (int state = 0; state < 10; state++) {
                    assertEquals(row[state], STATES[TcpTransitions.next(dir, cls, state)],
                            "dir " + dir + " class " + cls + " state " + STATES[state]);
                    cells++;
                }
            }
        }
        assertEquals(120, cells);
    }

    @Test
    void classesFollowGetConntrackIndex() {
        assertEquals(TcpTransitions.RST, TcpTransitions.classify(0x14));
        assertEquals(TcpTransitions.RST, TcpTransitions.classify(0x06));
        assertEquals(TcpTransitions.SYNACK, TcpTransitions.classify(0x12));
        assertEquals(TcpTransitions.SYN, TcpTransitions.classify(0x02));
        assertEquals(TcpTransitions.FIN, TcpTransitions.classify(0x11));
        assertEquals(TcpTransitions.ACK, TcpTransitions.classify(0x18));
        assertEquals(TcpTransitions.NONE, TcpTransitions.classify(0x08));
    }

    @Test
    void validFlagsFollowTheKernelList() {
        int valid = 0;
        for (int flags = 0; flags < 0x40; flags++) {
            if (TcpTransitions.validFlags(flags & ~0x08)) {
                valid++;
            }
        }
        assertEquals(18, valid); // 9 combinations, each with and without PSH
        assertTrue(TcpTransitions.validFlags(0x02 | 0x40 | 0x80));
        assertFalse(TcpTransitions.validFlags(0x03));
        assertFalse(TcpTransitions.validFlags(0x01));
        assertFalse(TcpTransitions.validFlags(0x00));
    }
}

package io.conntrack4j.core.tracker;

import io.conntrack4j.core.TcpState;

/**
 * Linux's TCP state table ({@code tcp_conntracks[2][6][10]} in
 * net/netfilter/nf_conntrack_proto_tcp.c, 6.x), transcribed cell for cell: the new state for a
 * packet of a class in a direction, given the current state. Rows are packet classes, columns the
 * current state. Besides the ten states, {@link #IV} (invalid) and {@link #IG} (ignore: the packet
 * may be right and the tracker out of sync, so it passes without a state change).
 */
final class TcpTransitions {

    // Packet classes (Linux's enum tcp_bit_set), in the order get_conntrack_index() picks them.
    static final int SYN = 0;
    static final int SYNACK = 1;
    static final int FIN = 2;
    static final int ACK = 3;
    static final int RST = 4;
    static final int NONE = 5;

    static final int NO = 0;
    static final int SS = 1;
    static final int SR = 2;
    static final int ES = 3;
    static final int FW = 4;
    static final int CW = 5;
    static final int LA = 6;
    static final int TW = 7;
    static final int CL = 8;
    static final int S2 = 9;
    static final int IV = 10;
    static final int IG = 11;

    static final int ORIGINAL = 0;
    static final int REPLY = 1;

    private static final byte[][][] TABLE = {
        {
            // ORIGINAL      NO  SS  SR  ES  FW  CW  LA  TW  CL  S2
            /* syn    */ row(SS, SS, IG, IG, IG, IG, IG, SS, SS, S2),
            // NO: a new connection. SS, S2: retransmitted SYN. SR..LA: a SYN inside a live connection is
            // an error the receiver answers with RST, or we hold a dead entry: ignore. TW, CL: re-open (RFC 1122).
            /* synack */ row(IV, IV, SR, IV, IV, IV, IV, IV, IV, SR),
            // S2: SYN/ACK to the peer's SYN in a simultaneous open; SR: its retransmission. A client
            // cannot send SYN then SYN/ACK, and no SYN/ACK comes from the client later.
            /* fin    */ row(IV, IV, FW, FW, LA, LA, LA, TW, CL, IV),
            // SR, ES: close starts. FW, CW: FIN both ways, wait for the last ACK. LA, TW, CL: retransmissions.
            /* ack    */ row(ES, IV, ES, ES, CW, CW, TW, TW, CL, IV),
            // NO: picked up mid-stream (loose). SS: no SYN/ACK seen yet. SR: handshake done.
            // FW: the FIN is acknowledged. LA: last ACK (unless it is an RFC 5961 challenge ACK).
            /* rst    */ row(IV, CL, CL, CL, CL, CL, CL, CL, CL, CL),
            /* none   */ row(IV, IV, IV, IV, IV, IV, IV, IV, IV, IV),
        },
        {
            // REPLY         NO  SS  SR  ES  FW  CW  LA  TW  CL  S2
            /* syn    */ row(IV, S2, IV, IV, IV, IV, IV, SS, IV, S2),
            // SS: simultaneous open. S2: its retransmission. TW: re-open with roles swapped.
            /* synack */ row(IV, SR, IG, IG, IG, IG, IG, IG, IG, SR),
            // SS: the normal handshake. S2: simultaneous open. Later: a late retransmission, or the
            // answer to a SYN we ignored: ignore.
            /* fin    */ row(IV, IV, FW, FW, LA, LA, LA, TW, CL, IV),
            /* ack    */ row(IV, IG, SR, ES, CW, CW, TW, TW, CL, IG),
            // SS, S2: maybe a half-open connection (or a challenge ACK): ignore. SR: answers a
            // retransmitted SYN. FW: the FIN is acknowledged. LA: last ACK.
            /* rst    */ row(IV, CL, CL, CL, CL, CL, CL, CL, CL, CL),
            /* none   */ row(IV, IV, IV, IV, IV, IV, IV, IV, IV, IV),
        },
    };

    private TcpTransitions() {
    }

    private static byte[] row(int... states) {
        byte[] r = new byte[states.length];
        for (int i = 0; i < states.length; i++) {
            r[i] = (byte) states[i];
        }
        return r;
    }

    /**
     * @param direction {@link #ORIGINAL} or {@link #REPLY}
     * @param packetClass {@link #SYN} ... {@link #NONE}
     * @param state the current state, {@link TcpState#number()}
     * @return the new state, {@link #IV} or {@link #IG}
     */
    static int next(int direction, int packetClass, int state) {
        return TABLE[direction][packetClass][state];
    }

    /**
     * Linux's get_conntrack_index(): RST first, then SYN (with or without ACK), FIN, ACK.
     *
     * @param flags TCP flags as {@code PacketView.tcpFlags()} gives them
     * @return the packet class
     */
    static int classify(int flags) {
        if ((flags & 0x04) != 0) {
            return RST;
        }
        if ((flags & 0x02) != 0) {
            return (flags & 0x10) != 0 ? SYNACK : SYN;
        }
        if ((flags & 0x01) != 0) {
            return FIN;
        }
        return (flags & 0x10) != 0 ? ACK : NONE;
    }

    /**
     * Linux's tcp_valid_flags[]: after masking PSH, ECE and CWR (and NS), only SYN, SYN+URG,
     * SYN+ACK, RST, RST+ACK, FIN+ACK, FIN+ACK+URG, ACK and ACK+URG are valid.
     *
     * @param flags TCP flags
     * @return whether the combination is valid
     */
    static boolean validFlags(int flags) {
        int f = flags & 0x37; // FIN SYN RST ACK URG
        return switch (f) {
            case 0x02, 0x22, 0x12, 0x04, 0x14, 0x11, 0x31, 0x10, 0x30 -> true;
            default -> false;
        };
    }
}

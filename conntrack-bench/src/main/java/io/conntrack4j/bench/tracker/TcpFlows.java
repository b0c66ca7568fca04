package io.conntrack4j.bench.tracker;

import io.conntrack4j.core.packet.PacketView;
import io.conntrack4j.core.tracker.ConnectionTracker;
import io.conntrack4j.core.tracker.ProcessResult;
import io.conntrack4j.core.tracker.Verdict;

/**
 * Builds TCP packets of many flows into one reusable IPv4 buffer: client {@code 10.0.0.0 + (i >> 6)}
 * port {@code 10000 + (i & 63)} to 192.0.2.1:443, both sides offering window scale 14.
 */
final class TcpFlows {

    static final int SYN = 0x02;
    static final int ACK = 0x10;
    static final int FIN = 0x01;
    static final int PSH = 0x08;
    static final int CLIENT_ISN = 1000;
    static final int SERVER_ISN = 5000;
    static final int PAYLOAD = 64;

    private static final int SERVER = 0xC0000201;

    final byte[] packet = new byte[20 + 28 + PAYLOAD];
    final PacketView view = new PacketView();
    final ProcessResult result = new ProcessResult();

    TcpFlows() {
        packet[0] = 0x45;
        packet[8] = 64;
        packet[9] = 6;
    }

    /** Writes one packet of flow {@code i} and parses it. */
    PacketView build(int i, boolean fromClient, long seq, long ack, int flags, int payload) {
        int client = 0x0A000000 + (i >>> 6);
        int clientPort = 10000 + (i & 63);
        boolean options = (flags & SYN) != 0;
        int tcpLength = options ? 28 : 20;
        int total = 20 + tcpLength + payload;
        put16(2, total);
        put32(12, fromClient ? client : SERVER);
        put32(16, fromClient ? SERVER : client);
        put16(20, fromClient ? clientPort : 443);
        put16(22, fromClient ? 443 : clientPort);
        put32(24, (int) seq);
        put32(28, (int) ack);
        packet[32] = (byte) (tcpLength / 4 << 4);
        packet[33] = (byte) flags;
        put16(34, 65535);
        if (options) {
            packet[40] = 3;  // window scale 14
            packet[41] = 3;
            packet[42] = 14;
            packet[43] = 4;  // SACK permitted
            packet[44] = 2;
            packet[45] = 1;
            packet[46] = 1;
            packet[47] = 0;
        }
        view.parseIp(packet, 0, total);
        return view;
    }

    /** Handshake plus the server's first scaled window, so that data can flow. */
    void open(ConnectionTracker tracker, int i, long nanos) {
        check(tracker.process(build(i, true, CLIENT_ISN, 0, SYN, 0), 0, nanos, result), Verdict.NEW, i);
        check(tracker.process(build(i, false, SERVER_ISN, CLIENT_ISN + 1, SYN | ACK, 0), 0, nanos, result),
                Verdict.ESTABLISHED, i);
        check(tracker.process(build(i, true, CLIENT_ISN + 1, SERVER_ISN + 1, ACK, 0), 0, nanos, result),
                Verdict.ESTABLISHED, i);
        check(tracker.process(build(i, false, SERVER_ISN + 1, CLIENT_ISN + 1, ACK, 0), 0, nanos, result),
                Verdict.ESTABLISHED, i);
    }

    static void check(Verdict got, Verdict expected, int flow) {
        if (got != expected) {
            throw new IllegalStateException("flow " + flow + ": " + got + ", expected " + expected);
        }
    }

    private void put16(int at, int v) {
        packet[at] = (byte) (v >>> 8);
        packet[at + 1] = (byte) v;
    }

    private void put32(int at, int v) {
        packet[at] = (byte) (v >>> 24);
        packet[at + 1] = (byte) (v >>> 16);
        packet[at + 2] = (byte) (v >>> 8);
        packet[at + 3] = (byte) v;
    }

    /**
     * One whole connection of flow {@code i}: handshake, FIN from the client, FIN from the server,
     * last ACK; a flow reused while its entry is in TIME_WAIT re-opens it.
     *
     * @param clientIsn the client's initial sequence number (the server's is 50,000 above)
     * @return the last packet's verdict
     */
    Verdict lifecycle(ConnectionTracker t, int i, int clientIsn, long now) {
        int c = clientIsn;
        int s = c + 50_000;
        t.process(build(i, true, c, 0, SYN, 0), 0, now, result);
        t.process(build(i, false, s, c + 1, SYN | ACK, 0), 0, now, result);
        t.process(build(i, true, c + 1, s + 1, ACK, 0), 0, now, result);
        t.process(build(i, true, c + 1, s + 1, FIN | ACK, 0), 0, now, result);
        t.process(build(i, false, s + 1, c + 2, ACK, 0), 0, now, result);
        t.process(build(i, false, s + 1, c + 2, FIN | ACK, 0), 0, now, result);
        return t.process(build(i, true, c + 2, s + 2, ACK, 0), 0, now, result);
    }
}

package io.conntrack4j.core.tracker;

import io.conntrack4j.core.IpAddress;
import io.conntrack4j.core.packet.PacketView;
import io.conntrack4j.core.packet.ParseResult;

/** Builds raw IP packets for tracker tests and parses them into a view. */
final class Wire {

    static final int FIN = 0x01;
    static final int SYN = 0x02;
    static final int RST = 0x04;
    static final int PSH = 0x08;
    static final int ACK = 0x10;

    private Wire() {
    }

    static PacketView view(byte[] packet) {
        PacketView v = new PacketView();
        ParseResult r = v.parseIp(packet, 0, packet.length);
        if (r != ParseResult.OK) {
            throw new AssertionError("test packet does not parse: " + r);
        }
        return v;
    }

    static byte[] ipv4(int protocol, String src, String dst, byte[] payload) {
        byte[] p = new byte[20 + payload.length];
        p[0] = 0x45;
        put16(p, 2, p.length);
        p[8] = 64;
        p[9] = (byte) protocol;
        byte[] s = IpAddress.parse(src).toBytes();
        byte[] d = IpAddress.parse(dst).toBytes();
        System.arraycopy(s, 0, p, 12, 4);
        System.arraycopy(d, 0, p, 16, 4);
        System.arraycopy(payload, 0, p, 20, payload.length);
        return p;
    }

    static byte[] ipv6(int next, String src, String dst, byte[] payload) {
        byte[] p = new byte[40 + payload.length];
        p[0] = 0x60;
        put16(p, 4, payload.length);
        p[6] = (byte) next;
        p[7] = 64;
        System.arraycopy(IpAddress.parse(src).toBytes(), 0, p, 8, 16);
        System.arraycopy(IpAddress.parse(dst).toBytes(), 0, p, 24, 16);
        System.arraycopy(payload, 0, p, 40, payload.length);
        return p;
    }

    /** TCP header; {@code wscale} >= 0 adds window-scale and SACK-permitted options. */
    static byte[] tcp(int sport, int dport, long seq, long ack, int flags, int window, int wscale, int dataLength) {
        int optionBytes = wscale >= 0 ? 8 : 0;
        byte[] t = new byte[20 + optionBytes + dataLength];
        put16(t, 0, sport);
        put16(t, 2, dport);
        put32(t, 4, seq);
        put32(t, 8, ack);
        t[12] = (byte) ((20 + optionBytes) / 4 << 4);
        t[13] = (byte) flags;
        put16(t, 14, window);
        if (wscale >= 0) {
            t[20] = 3; // window scale
            t[21] = 3;
            t[22] = (byte) wscale;
            t[23] = 4; // SACK permitted
            t[24] = 2;
            t[25] = 1; // NOP
            t[26] = 1;
            t[27] = 0; // EOL
        }
        return t;
    }

    /** TCP header with the given option bytes (a multiple of 4). */
    static byte[] tcp(int sport, int dport, long seq, long ack, int flags, int window, byte[] options, int dataLength) {
        byte[] t = new byte[20 + options.length + dataLength];
        put16(t, 0, sport);
        put16(t, 2, dport);
        put32(t, 4, seq);
        put32(t, 8, ack);
        t[12] = (byte) ((20 + options.length) / 4 << 4);
        t[13] = (byte) flags;
        put16(t, 14, window);
        System.arraycopy(options, 0, t, 20, options.length);
        return t;
    }

    /** NOP, NOP and one SACK block {@code [left, right)}: 12 option bytes. */
    static byte[] sackBlock(long left, long right) {
        byte[] o = new byte[12];
        o[0] = 1;
        o[1] = 1;
        o[2] = 5;
        o[3] = 10;
        put32(o, 4, left);
        put32(o, 8, right);
        return o;
    }

    static byte[] udp(int sport, int dport, int dataLength) {
        byte[] u = new byte[8 + dataLength];
        put16(u, 0, sport);
        put16(u, 2, dport);
        put16(u, 4, u.length);
        return u;
    }

    static byte[] icmp(int type, int code, int id, int seq, byte[] rest) {
        byte[] m = new byte[8 + rest.length];
        m[0] = (byte) type;
        m[1] = (byte) code;
        put16(m, 4, id);
        put16(m, 6, seq);
        System.arraycopy(rest, 0, m, 8, rest.length);
        return m;
    }

    static void put16(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 8);
        b[at + 1] = (byte) v;
    }

    static void put32(byte[] b, int at, long v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }
}

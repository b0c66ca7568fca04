package io.conntrack4j.core.packet;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** Builds packets byte by byte from the RFC layouts, with correct checksums, for tests. */
final class Packets {

    private Packets() {
    }

    static byte[] addr(String text) {
        try {
            return InetAddress.getByName(text).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    static void put16(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 8);
        b[at + 1] = (byte) v;
    }

    static void put32(byte[] b, int at, long v) {
        put16(b, at, (int) (v >>> 16) & 0xffff);
        put16(b, at + 2, (int) v & 0xffff);
    }

    static int sum(byte[] b, int from, int to, long start) {
        long s = start;
        for (int i = from; i < to; i += 2) {
            s += (b[i] & 0xff) << 8 | (i + 1 < to ? b[i + 1] & 0xff : 0);
        }
        while ((s >>> 16) != 0) {
            s = (s & 0xffff) + (s >>> 16);
        }
        return (int) s;
    }

    /** An IPv4 packet; {@code fragment} is the flags/offset field (0x4000 = DF). */
    static byte[] ipv4(int protocol, String src, String dst, int id, int fragment, int ttl, byte[] payload, int ihlWords) {
        int hl = ihlWords * 4;
        byte[] p = new byte[hl + payload.length];
        p[0] = (byte) (0x40 | ihlWords);
        put16(p, 2, p.length);
        put16(p, 4, id);
        put16(p, 6, fragment);
        p[8] = (byte) ttl;
        p[9] = (byte) protocol;
        System.arraycopy(addr(src), 0, p, 12, 4);
        System.arraycopy(addr(dst), 0, p, 16, 4);
        for (int i = 20; i < hl; i++) {
            p[i] = 1; // NOP options
        }
        put16(p, 10, ~sum(p, 0, hl, 0) & 0xffff);
        System.arraycopy(payload, 0, p, hl, payload.length);
        return p;
    }

    static byte[] ipv4(int protocol, String src, String dst, byte[] payload) {
        return ipv4(protocol, src, dst, 0x1234, 0x4000, 64, payload, 5);
    }

    static byte[] ipv6(int next, String src, String dst, int hopLimit, byte[] payload) {
        byte[] p = new byte[40 + payload.length];
        p[0] = 0x60;
        p[1] = 0x0a; // traffic class 0x00, flow label 0xa1234
        put16(p, 2, 0x1234);
        put16(p, 4, payload.length);
        p[6] = (byte) next;
        p[7] = (byte) hopLimit;
        System.arraycopy(addr(src), 0, p, 8, 16);
        System.arraycopy(addr(dst), 0, p, 24, 16);
        System.arraycopy(payload, 0, p, 40, payload.length);
        return p;
    }

    /** A generic extension header of {@code 8 * (lengthField + 1)} bytes. */
    static byte[] extension(int next, int lengthField) {
        byte[] h = new byte[8 * (lengthField + 1)];
        h[0] = (byte) next;
        h[1] = (byte) lengthField;
        return h;
    }

    static byte[] fragmentHeader(int next, int offsetBytes, boolean more, long id) {
        byte[] h = new byte[8];
        h[0] = (byte) next;
        put16(h, 2, offsetBytes | (more ? 1 : 0));
        put32(h, 4, id);
        return h;
    }

    static byte[] tcp(int sport, int dport, long seq, long ack, int flags, int window, byte[] options, byte[] data) {
        int hl = 20 + options.length;
        byte[] t = new byte[hl + data.length];
        put16(t, 0, sport);
        put16(t, 2, dport);
        put32(t, 4, seq);
        put32(t, 8, ack);
        put16(t, 12, (hl / 4) << 12 | flags);
        put16(t, 14, window);
        System.arraycopy(options, 0, t, 20, options.length);
        System.arraycopy(data, 0, t, hl, data.length);
        return t;
    }

    static byte[] udp(int sport, int dport, byte[] data) {
        byte[] u = new byte[8 + data.length];
        put16(u, 0, sport);
        put16(u, 2, dport);
        put16(u, 4, u.length);
        System.arraycopy(data, 0, u, 8, data.length);
        return u;
    }

    static byte[] icmp(int type, int code, int id, int seq, byte[] data) {
        byte[] m = new byte[8 + data.length];
        m[0] = (byte) type;
        m[1] = (byte) code;
        put16(m, 4, id);
        put16(m, 6, seq);
        System.arraycopy(data, 0, m, 8, data.length);
        return m;
    }

    /** Fills in the TCP/UDP checksum of an unfragmented IPv4 or IPv6 packet whose L4 starts at {@code l4}. */
    static byte[] withTransportChecksum(byte[] ip, int l4, int checksumAt) {
        boolean v4 = (ip[0] & 0xf0) == 0x40;
        int protocol = v4 ? ip[9] & 0xff : ip[6] & 0xff;
        int len = ip.length - l4;
        long pseudo = protocol + len;
        pseudo += v4 ? sum(ip, 12, 20, 0) : sum(ip, 8, 40, 0);
        ip[l4 + checksumAt] = 0;
        ip[l4 + checksumAt + 1] = 0;
        put16(ip, l4 + checksumAt, ~sum(ip, l4, ip.length, pseudo) & 0xffff);
        return ip;
    }

    /** An Ethernet frame; each tag is {@code tpid << 16 | tci}. */
    static byte[] ethernet(int etherType, byte[] payload, int... tags) {
        byte[] f = new byte[14 + 4 * tags.length + payload.length];
        for (int i = 0; i < 12; i++) {
            f[i] = (byte) (i + 1);
        }
        int at = 12;
        for (int tag : tags) {
            put16(f, at, tag >>> 16);
            put16(f, at + 2, tag & 0xffff);
            at += 4;
        }
        put16(f, at, etherType);
        System.arraycopy(payload, 0, f, at + 2, payload.length);
        return f;
    }
}

package io.conntrack4j.core.reassembly;

import java.util.Arrays;
import java.util.SplittableRandom;

/** Builds IPv4 and IPv6 datagrams and cuts them into fragments the way a sender would. */
final class Fragments {

    private Fragments() {
    }

    /** An IPv4 datagram: 20-byte header (checksum set), protocol, addresses, id, TOS, DF, payload. */
    static byte[] ipv4(int protocol, int id, int tos, boolean df, byte[] payload) {
        byte[] d = new byte[20 + payload.length];
        d[0] = 0x45;
        d[1] = (byte) tos;
        put16(d, 2, d.length);
        put16(d, 4, id);
        put16(d, 6, df ? 0x4000 : 0);
        d[8] = 64;
        d[9] = (byte) protocol;
        d[12] = 10;
        d[15] = 1;
        d[16] = 10;
        d[19] = 2;
        System.arraycopy(payload, 0, d, 20, payload.length);
        checksum(d, 20);
        return d;
    }

    /** One IPv4 fragment of {@code datagram}: its data bytes [offset, offset + length). */
    static byte[] ipv4Fragment(byte[] datagram, int offset, int length, boolean more) {
        int ihl = (datagram[0] & 15) * 4;
        byte[] f = new byte[ihl + length];
        System.arraycopy(datagram, 0, f, 0, ihl);
        System.arraycopy(datagram, ihl + offset, f, ihl, length);
        put16(f, 2, f.length);
        int df = ((datagram[6] & 0xff) << 8) & 0x4000;
        put16(f, 6, df | (more ? 0x2000 : 0) | offset >> 3);
        checksum(f, ihl);
        return f;
    }

    /** Cuts an IPv4 datagram into fragments of at most {@code size} data bytes (a multiple of 8). */
    static byte[][] ipv4Split(byte[] datagram, int size) {
        int data = datagram.length - (datagram[0] & 15) * 4;
        int n = (data + size - 1) / size;
        byte[][] out = new byte[n][];
        for (int i = 0; i < n; i++) {
            int off = i * size;
            out[i] = ipv4Fragment(datagram, off, Math.min(size, data - off), i < n - 1);
        }
        return out;
    }

    static void checksum(byte[] h, int ihl) {
        h[10] = 0;
        h[11] = 0;
        int sum = 0;
        for (int i = 0; i < ihl; i += 2) {
            sum += (h[i] & 0xff) << 8 | h[i + 1] & 0xff;
        }
        while (sum >>> 16 != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        put16(h, 10, ~sum & 0xffff);
    }

    /**
     * An IPv6 packet: header (traffic class, next header) followed by {@code rest} (extension headers
     * and upper-layer data), payload length set.
     */
    static byte[] ipv6(int trafficClass, int nextHeader, byte[] rest) {
        byte[] d = new byte[40 + rest.length];
        d[0] = (byte) (0x60 | trafficClass >>> 4);
        d[1] = (byte) (trafficClass << 4);
        put16(d, 4, rest.length);
        d[6] = (byte) nextHeader;
        d[7] = 64;
        d[8] = 0x20;
        d[9] = 0x01;
        d[10] = 0x0d;
        d[11] = (byte) 0xb8;
        d[23] = 1;
        System.arraycopy(d, 8, d, 24, 8);
        d[39] = 2;
        System.arraycopy(rest, 0, d, 40, rest.length);
        return d;
    }

    /**
     * One IPv6 fragment of {@code datagram}, whose first {@code unfragmentable} bytes (header and
     * extension headers, the last of which names the next header at {@code nhOffset}) are copied and
     * followed by a Fragment header and fragmentable bytes [offset, offset + length).
     */
    static byte[] ipv6Fragment(byte[] datagram, int unfragmentable, int nhOffset, int id, int offset, int length,
                               boolean more) {
        byte[] f = new byte[unfragmentable + 8 + length];
        System.arraycopy(datagram, 0, f, 0, unfragmentable);
        f[nhOffset] = 44;
        f[unfragmentable] = datagram[nhOffset];
        put16(f, unfragmentable + 2, offset | (more ? 1 : 0));
        put16(f, unfragmentable + 4, id >>> 16);
        put16(f, unfragmentable + 6, id);
        System.arraycopy(datagram, unfragmentable + offset, f, unfragmentable + 8, length);
        put16(f, 4, f.length - 40);
        return f;
    }

    /** Cuts an IPv6 datagram with no extension headers into fragments of at most {@code size} bytes. */
    static byte[][] ipv6Split(byte[] datagram, int id, int size) {
        int data = datagram.length - 40;
        int n = (data + size - 1) / size;
        byte[][] out = new byte[n][];
        for (int i = 0; i < n; i++) {
            int off = i * size;
            out[i] = ipv6Fragment(datagram, 40, 6, id, off, Math.min(size, data - off), i < n - 1);
        }
        return out;
    }

    static byte[] udp(int length, long seed) {
        byte[] u = new byte[length];
        new SplittableRandom(seed).nextBytes(u);
        put16(u, 0, 1234);
        put16(u, 2, 5678);
        put16(u, 4, length);
        return u;
    }

    static void put16(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 8);
        b[at + 1] = (byte) v;
    }

    static byte[] result(Reassembler r) {
        return Arrays.copyOf(r.datagram(), r.datagramLength());
    }
}

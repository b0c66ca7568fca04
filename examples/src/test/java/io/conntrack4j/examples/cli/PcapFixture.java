package io.conntrack4j.examples.cli;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Writes tiny little-endian microsecond pcap files of raw IPv4 UDP and TCP packets, for tests. */
final class PcapFixture {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    PcapFixture() {
        ByteBuffer header = le(24);
        header.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535)
                .putInt(101); // LINKTYPE_RAW
        out.writeBytes(header.array());
    }

    PcapFixture udp(long micros, String source, int sourcePort, String destination, int destinationPort, byte[] payload) {
        ByteBuffer p = be(28 + payload.length);
        ip(p, 17, 28 + payload.length, source, destination);
        p.putShort((short) sourcePort).putShort((short) destinationPort).putShort((short) (8 + payload.length))
                .putShort((short) 0).put(payload);
        return record(micros, p.array());
    }

    PcapFixture tcp(long micros, String source, int sourcePort, String destination, int destinationPort, long sequence,
            int flags, byte[] payload) {
        ByteBuffer p = be(40 + payload.length);
        ip(p, 6, 40 + payload.length, source, destination);
        p.putShort((short) sourcePort).putShort((short) destinationPort).putInt((int) sequence).putInt(0)
                .put((byte) 0x50).put((byte) flags).putShort((short) 65535).putInt(0).put(payload);
        return record(micros, p.array());
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    private PcapFixture record(long micros, byte[] packet) {
        ByteBuffer r = le(16);
        r.putInt((int) (micros / 1_000_000)).putInt((int) (micros % 1_000_000)).putInt(packet.length)
                .putInt(packet.length);
        out.writeBytes(r.array());
        out.writeBytes(packet);
        return this;
    }

    private static void ip(ByteBuffer p, int protocol, int total, String source, String destination) {
        p.put((byte) 0x45).put((byte) 0).putShort((short) total).putInt(0).put((byte) 64).put((byte) protocol)
                .putShort((short) 0).put(address(source)).put(address(destination));
    }

    private static byte[] address(String dotted) {
        String[] parts = dotted.split("\\.");
        byte[] a = new byte[4];
        for (int i = 0; i < 4; i++) {
            a[i] = (byte) Integer.parseInt(parts[i]);
        }
        return a;
    }

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static ByteBuffer be(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.BIG_ENDIAN);
    }
}

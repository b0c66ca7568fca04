package io.conntrack4j.core.capture;

import java.io.ByteArrayOutputStream;
import java.util.List;

/** Writes pcap and pcapng files from the file-format specifications, for tests. */
final class CaptureFiles {

    /** One packet to write. */
    record Packet(long nanos, int iface, byte[] bytes) {
    }

    /** One pcapng interface: link type and if_tsresol byte (-1 for none, i.e. microseconds). */
    record Interface(int linkType, int tsresol) {
    }

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final boolean bigEndian;

    CaptureFiles(boolean bigEndian) {
        this.bigEndian = bigEndian;
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    CaptureFiles i32(long v) {
        int x = (int) v;
        if (!bigEndian) {
            x = Integer.reverseBytes(x);
        }
        out.write(x >>> 24);
        out.write(x >>> 16);
        out.write(x >>> 8);
        out.write(x);
        return this;
    }

    CaptureFiles i16(int v) {
        if (bigEndian) {
            out.write(v >>> 8);
            out.write(v);
        } else {
            out.write(v);
            out.write(v >>> 8);
        }
        return this;
    }

    CaptureFiles raw(byte[] b) {
        out.writeBytes(b);
        return this;
    }

    static byte[] pcap(boolean bigEndian, boolean nanos, int linkType, List<Packet> packets) {
        CaptureFiles f = new CaptureFiles(bigEndian);
        f.i32(nanos ? 0xa1b23c4d : 0xa1b2c3d4).i16(2).i16(4).i32(0).i32(0).i32(262144).i32(linkType);
        for (Packet p : packets) {
            long seconds = p.nanos() / 1_000_000_000L;
            long fraction = p.nanos() % 1_000_000_000L;
            f.i32(seconds).i32(nanos ? fraction : fraction / 1000).i32(p.bytes().length).i32(p.bytes().length)
                    .raw(p.bytes());
        }
        return f.bytes();
    }

    /** A Section Header Block, the interfaces, an unknown block, then Enhanced Packet Blocks. */
    static byte[] pcapng(boolean bigEndian, List<Interface> interfaces, List<Packet> packets) {
        CaptureFiles f = new CaptureFiles(bigEndian);
        f.sectionHeader();
        for (Interface i : interfaces) {
            f.interfaceDescription(i.linkType(), i.tsresol());
        }
        f.block(0x0bad, new byte[10]); // unknown block type: skipped
        for (Packet p : packets) {
            f.enhancedPacket(p, interfaces.get(p.iface()).tsresol());
        }
        return f.bytes();
    }

    CaptureFiles sectionHeader() {
        out.write(0x0a);
        out.write(0x0d);
        out.write(0x0d);
        out.write(0x0a);
        return i32(28).i32(0x1a2b3c4d).i16(1).i16(0).i32(-1).i32(-1).i32(28);
    }

    CaptureFiles interfaceDescription(int linkType, int tsresol) {
        if (tsresol < 0) {
            return i32(1).i32(20).i16(linkType).i16(0).i32(262144).i32(20);
        }
        // option if_tsresol (9), length 1, padded to 4; then opt_endofopt
        return i32(1).i32(32).i16(linkType).i16(0).i32(262144)
                .i16(9).i16(1).raw(new byte[] {(byte) tsresol, 0, 0, 0}).i16(0).i16(0).i32(32);
    }

    CaptureFiles block(int type, byte[] body) {
        int padded = body.length + 3 & ~3;
        int total = 12 + padded;
        i32(type).i32(total).raw(body).raw(new byte[padded - body.length]).i32(total);
        return this;
    }

    CaptureFiles enhancedPacket(Packet p, int tsresol) {
        long ticks;
        if (tsresol < 0) {
            ticks = p.nanos() / 1000;
        } else if ((tsresol & 0x80) != 0) {
            int shift = tsresol & 0x7f;
            ticks = (p.nanos() / 1_000_000_000L << shift) + ((p.nanos() % 1_000_000_000L) << shift) / 1_000_000_000L;
        } else {
            long perSecond = (long) Math.pow(10, tsresol);
            ticks = p.nanos() / 1_000_000_000L * perSecond
                    + (p.nanos() % 1_000_000_000L) * perSecond / 1_000_000_000L;
        }
        int len = p.bytes().length;
        int padded = len + 3 & ~3;
        int total = 32 + padded;
        i32(6).i32(total).i32(p.iface()).i32(ticks >>> 32).i32(ticks).i32(len).i32(len).raw(p.bytes())
                .raw(new byte[padded - len]).i32(total);
        return this;
    }

    CaptureFiles simplePacket(byte[] data) {
        int padded = data.length + 3 & ~3;
        int total = 16 + padded;
        i32(3).i32(total).i32(data.length).raw(data).raw(new byte[padded - data.length]).i32(total);
        return this;
    }
}

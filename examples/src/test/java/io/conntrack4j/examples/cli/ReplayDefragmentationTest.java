package io.conntrack4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ct4j replay} reassembles fragments before tracking, as Linux's nf_defrag does in front of
 * conntrack: hand-built captures of a UDP datagram cut into fragments (IPv4 and IPv6, in and out of
 * order, complete and not).
 */
class ReplayDefragmentationTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    /** A raw-IP pcap (LINKTYPE_RAW, microseconds) built record by record. */
    private static final class Capture {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private int second = 100;

        Capture() {
            ByteBuffer h = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
            h.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(101);
            bytes.writeBytes(h.array());
        }

        Capture packet(byte[] ip) {
            ByteBuffer r = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            r.putInt(second++).putInt(0).putInt(ip.length).putInt(ip.length);
            bytes.writeBytes(r.array());
            bytes.writeBytes(ip);
            return this;
        }
    }

    /** UDP 10.0.0.1:5000 -> 10.0.0.2:53 with {@code payload} bytes, as a whole IP datagram's payload. */
    private static byte[] udp(int payload) {
        ByteBuffer u = ByteBuffer.allocate(8 + payload);
        u.putShort((short) 5000).putShort((short) 53).putShort((short) (8 + payload)).putShort((short) 0);
        return u.array();
    }

    /** One IPv4 fragment of {@code transport}: bytes {@code from} to {@code to}, MF unless it ends the datagram. */
    private static byte[] ipv4Fragment(byte[] transport, int from, int to) {
        ByteBuffer p = ByteBuffer.allocate(20 + to - from);
        int flags = to < transport.length ? 0x2000 : 0;
        p.put((byte) 0x45).put((byte) 0).putShort((short) (20 + to - from)).putShort((short) 0x1234)
                .putShort((short) (flags | from / 8)).put((byte) 64).put((byte) 17).putShort((short) 0)
                .put(new byte[] {10, 0, 0, 1}).put(new byte[] {10, 0, 0, 2}).put(transport, from, to - from);
        return p.array();
    }

    /** One IPv6 fragment (fd00::1 -> fd00::2, Fragment header, identification 0x1234) of {@code transport}. */
    private static byte[] ipv6Fragment(byte[] transport, int from, int to) {
        ByteBuffer p = ByteBuffer.allocate(48 + to - from);
        p.putInt(0x60000000).putShort((short) (8 + to - from)).put((byte) 44).put((byte) 64);
        p.put(address6(1)).put(address6(2));
        int more = to < transport.length ? 1 : 0;
        p.put((byte) 17).put((byte) 0).putShort((short) (from | more)).putInt(0x1234);
        p.put(transport, from, to - from);
        return p.array();
    }

    private static byte[] address6(int last) {
        byte[] a = new byte[16];
        a[0] = (byte) 0xfd;
        a[15] = (byte) last;
        return a;
    }

    private String replay(Capture capture, String... options) throws IOException {
        Path file = dir.resolve("capture-" + System.nanoTime() + ".pcap");
        Files.write(file, capture.bytes.toByteArray());
        String[] args = new String[options.length + 2];
        args[0] = "replay";
        args[1] = file.toString();
        System.arraycopy(options, 0, args, 2, options.length);
        out.reset();
        assertEquals(0, Ct4j.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)), err.toString(StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void threeIpv4FragmentsMakeOneTrackedDatagram() throws IOException {
        byte[] datagram = udp(3000);
        Capture capture = new Capture()
                .packet(ipv4Fragment(datagram, 0, 1256))
                .packet(ipv4Fragment(datagram, 1256, 2512))
                .packet(ipv4Fragment(datagram, 2512, datagram.length));
        // Linux: one [NEW] when the last fragment completes the datagram, none for the others.
        assertEquals("    [NEW] udp      17 30 src=10.0.0.1 dst=10.0.0.2 sport=5000 dport=53 [UNREPLIED]"
                + " src=10.0.0.2 dst=10.0.0.1 sport=53 dport=5000\n", replay(capture, "--events"));
        assertEquals("udp      17 30 src=10.0.0.1 dst=10.0.0.2 sport=5000 dport=53 [UNREPLIED]"
                + " src=10.0.0.2 dst=10.0.0.1 sport=53 dport=5000 mark=0 use=1\n", replay(capture));
    }

    @Test
    void fragmentsOutOfOrderAreReassembledWhenTheLastOneArrives() throws IOException {
        byte[] datagram = udp(2000);
        Capture capture = new Capture()
                .packet(ipv4Fragment(datagram, 1000, datagram.length))
                .packet(ipv4Fragment(datagram, 0, 1000));
        assertEquals(1, replay(capture, "--events").lines().filter(l -> l.contains("[NEW] udp")).count());
    }

    @Test
    void anIncompleteDatagramIsNeverTracked() throws IOException {
        byte[] datagram = udp(3000);
        Capture capture = new Capture()
                .packet(ipv4Fragment(datagram, 0, 1256))
                .packet(ipv4Fragment(datagram, 2512, datagram.length))
                .packet(ipv6Fragment(datagram, 0, 1256));
        assertEquals("", replay(capture, "--events"));
        assertEquals("", replay(capture));
    }

    @Test
    void ipv6FragmentsMakeOneTrackedDatagram() throws IOException {
        byte[] datagram = udp(3000);
        Capture capture = new Capture()
                .packet(ipv6Fragment(datagram, 0, 1232))
                .packet(ipv6Fragment(datagram, 1232, 2464))
                .packet(ipv6Fragment(datagram, 2464, datagram.length));
        assertEquals("    [NEW] udp      17 30 src=fd00::1 dst=fd00::2 sport=5000 dport=53 [UNREPLIED]"
                + " src=fd00::2 dst=fd00::1 sport=53 dport=5000\n", replay(capture, "--events"));
    }
}

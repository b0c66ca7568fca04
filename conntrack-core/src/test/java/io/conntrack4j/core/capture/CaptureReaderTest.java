package io.conntrack4j.core.capture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.core.capture.CaptureFiles.Interface;
import io.conntrack4j.core.capture.CaptureFiles.Packet;
import io.conntrack4j.core.packet.LinkType;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaptureReaderTest {

    /** A packet as delivered: copied out of the reader's buffer. */
    record Seen(long nanos, int linkType, byte[] bytes, int originalLength, int iface) {
    }

    static List<Seen> readAll(byte[] file) throws IOException {
        List<Seen> seen = new ArrayList<>();
        try (CaptureReader reader = new CaptureReader(new ByteArrayInputStream(file), "test.cap")) {
            long n = reader.readAll((nanos, linkType, bytes, offset, length, original, iface) ->
                    seen.add(new Seen(nanos, linkType, Arrays.copyOfRange(bytes, offset, offset + length), original, iface)));
            assertEquals(seen.size(), n);
        }
        return seen;
    }

    private static final List<Packet> PACKETS = List.of(
            new Packet(1_700_000_000_123_456_789L, 0, new byte[] {0x45, 1, 2}),
            new Packet(1_700_000_001_000_000_001L, 0, new byte[1500]),
            new Packet(1_700_000_002_999_999_999L, 0, new byte[0]));

    @Test
    void pcapInBothByteOrdersAndResolutions() throws IOException {
        for (boolean bigEndian : new boolean[] {true, false}) {
            for (boolean nanos : new boolean[] {true, false}) {
                List<Seen> seen = readAll(CaptureFiles.pcap(bigEndian, nanos, LinkType.LINUX_SLL2, PACKETS));
                assertEquals(3, seen.size());
                for (int i = 0; i < 3; i++) {
                    long expected = nanos ? PACKETS.get(i).nanos() : PACKETS.get(i).nanos() / 1000 * 1000;
                    assertEquals(expected, seen.get(i).nanos(), "order " + bigEndian + " nanos " + nanos);
                    assertEquals(LinkType.LINUX_SLL2, seen.get(i).linkType());
                    assertArrayEquals(PACKETS.get(i).bytes(), seen.get(i).bytes());
                    assertEquals(PACKETS.get(i).bytes().length, seen.get(i).originalLength());
                }
            }
        }
    }

    @Test
    void pcapngWithInterfacesOfDifferentResolutionsAndLinkTypes() throws IOException {
        List<Interface> interfaces = List.of(new Interface(LinkType.ETHERNET, -1), new Interface(LinkType.RAW, 9),
                new Interface(LinkType.LINUX_SLL, 0x80 | 30));
        List<Packet> packets = List.of(new Packet(1_700_000_000_123_456_789L, 0, new byte[] {1}),
                new Packet(1_700_000_000_123_456_789L, 1, new byte[] {2, 3, 4, 5, 6}),
                new Packet(1_700_000_000_123_456_789L, 2, new byte[] {7, 8}));
        for (boolean bigEndian : new boolean[] {true, false}) {
            List<Seen> seen = readAll(CaptureFiles.pcapng(bigEndian, interfaces, packets));
            assertEquals(3, seen.size());
            assertEquals(1_700_000_000_123_456_000L, seen.get(0).nanos());
            assertEquals(LinkType.ETHERNET, seen.get(0).linkType());
            assertEquals(1_700_000_000_123_456_789L, seen.get(1).nanos());
            assertEquals(LinkType.RAW, seen.get(1).linkType());
            assertEquals(1, seen.get(1).iface());
            assertArrayEquals(new byte[] {2, 3, 4, 5, 6}, seen.get(1).bytes());
            // 2^-30 s ticks: within two nanoseconds of the truth
            assertTrue(Math.abs(seen.get(2).nanos() - 1_700_000_000_123_456_789L) <= 2, seen.get(2).nanos() + "");
            assertEquals(LinkType.LINUX_SLL, seen.get(2).linkType());
        }
    }

    @Test
    void simplePacketsAndASecondSection() throws IOException {
        CaptureFiles f = new CaptureFiles(false);
        f.sectionHeader().interfaceDescription(LinkType.IPV4, -1).simplePacket(new byte[] {0x45, 0, 0});
        CaptureFiles g = new CaptureFiles(true);
        g.sectionHeader().interfaceDescription(LinkType.IPV6, 9)
                .enhancedPacket(new Packet(5_000_000_007L, 0, new byte[] {0x60}), 9);
        byte[] file = new byte[f.bytes().length + g.bytes().length];
        System.arraycopy(f.bytes(), 0, file, 0, f.bytes().length);
        System.arraycopy(g.bytes(), 0, file, f.bytes().length, g.bytes().length);
        List<Seen> seen = readAll(file);
        assertEquals(2, seen.size());
        assertEquals(LinkType.IPV4, seen.get(0).linkType());
        assertArrayEquals(new byte[] {0x45, 0, 0}, seen.get(0).bytes());
        assertEquals(LinkType.IPV6, seen.get(1).linkType());
        assertEquals(5_000_000_007L, seen.get(1).nanos());
    }

    @Test
    void truncatedFilesNameTheOffset() {
        byte[] file = CaptureFiles.pcap(false, false, 1, PACKETS);
        byte[] cut = Arrays.copyOf(file, 24 + 16 + 2);
        CaptureFormatException e = assertThrows(CaptureFormatException.class, () -> readAll(cut));
        assertEquals(42, e.offset()); // where the bytes run out, inside the first record
        assertTrue(e.getMessage().startsWith("test.cap: file ends inside a pcap packet"), e.getMessage());

        byte[] ng = CaptureFiles.pcapng(true, List.of(new Interface(1, -1)), List.of(PACKETS.get(0)));
        for (int n = 1; n < ng.length; n++) {
            byte[] part = Arrays.copyOf(ng, n);
            boolean atBoundary = n == 28 || n == 48 || n == 48 + 24;
            if (atBoundary) {
                assertTrue(assertDoesNotThrowCount(part) == 0);
            } else {
                assertThrows(CaptureFormatException.class, () -> readAll(part), "cut at " + n);
            }
        }
    }

    private static int assertDoesNotThrowCount(byte[] file) {
        try {
            return readAll(file).size();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void hugeOrCorruptLengthsAreRefused() {
        byte[] file = CaptureFiles.pcap(true, false, 1, PACKETS);
        file[24 + 8] = 0x7f; // incl_len of the first record: ~2 GiB
        CaptureFormatException e = assertThrows(CaptureFormatException.class, () -> readAll(file));
        assertTrue(e.getMessage().contains("exceeds the limit"), e.getMessage());
        assertEquals(32, e.offset());

        byte[] ng = CaptureFiles.pcapng(false, List.of(new Interface(1, -1)), List.of(PACKETS.get(0)));
        ng[ng.length - 1] = 9; // trailing length differs
        e = assertThrows(CaptureFormatException.class, () -> readAll(ng));
        assertTrue(e.getMessage().contains("trailing length"), e.getMessage());

        byte[] notCapture = "hello, world".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        e = assertThrows(CaptureFormatException.class, () -> readAll(notCapture));
        assertTrue(e.getMessage().contains("unknown magic number 0x68656c6c"), e.getMessage());
        assertThrows(CaptureFormatException.class, () -> readAll(new byte[0]));
    }

    @Test
    void readsFromAPath(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("x.pcap");
        Files.write(file, CaptureFiles.pcap(false, true, LinkType.RAW, PACKETS));
        int[] count = {0};
        try (CaptureReader reader = CaptureReader.open(file)) {
            while (reader.next((t, l, b, o, n, w, i) -> count[0]++)) {
                assertEquals(count[0], reader.packetCount());
            }
            assertEquals(file.toFile().length(), reader.position());
        }
        assertEquals(3, count[0]);
    }
}

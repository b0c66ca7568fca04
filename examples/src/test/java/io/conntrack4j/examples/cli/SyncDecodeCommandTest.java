package io.conntrack4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.core.format.ConntrackFormat;
import io.conntrack4j.sync.ConntrackCodec;
import io.conntrack4j.sync.MessageFlags;
import io.conntrack4j.sync.MessageHeader;
import io.conntrack4j.sync.MessageType;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyncDecodeCommandTest {
    static final String FLOW = "tcp      6 ESTABLISHED src=10.1.1.1 dst=10.2.2.2 sport=1111 dport=80 [ASSURED] mark=66";
    static final String FLOW_LINE = "tcp      6 300 ESTABLISHED src=10.1.1.1 dst=10.2.2.2 sport=1111 dport=80 "
            + "src=10.2.2.2 dst=10.1.1.1 sport=80 dport=1111 [ASSURED] mark=66 use=1";
    static final int SYN = 0x02;
    static final int ACK = 0x10;
    static final int FIN = 0x01;

    @TempDir
    Path dir;

    static byte[] ctNew(int sequence) {
        UnsafeBuffer buffer = new UnsafeBuffer(new byte[ConntrackCodec.MAX_MESSAGE_LENGTH]);
        int length = new ConntrackCodec().encode(buffer, 0, MessageType.CT_NEW, 0, sequence,
                ConntrackFormat.builder().build().parse(FLOW_LINE));
        return Arrays.copyOf(buffer.byteArray(), length);
    }

    static byte[] control(int flags, int sequence, int from, int to) {
        UnsafeBuffer buffer = new UnsafeBuffer(new byte[16]);
        MessageHeader.writeControl(buffer, 0, flags, sequence, from, to);
        return buffer.byteArray();
    }

    static byte[] alive(int sequence) {
        UnsafeBuffer buffer = new UnsafeBuffer(new byte[8]);
        MessageHeader.writeAlive(buffer, 0, 0, sequence);
        return buffer.byteArray();
    }

    /** UDP: a CT_NEW, an ACK, an ALIVE, a 5-byte datagram; TCP: a CT_NEW split in two, resent, then FIN. */
    static byte[] fixture() {
        byte[] message = ctNew(7);
        byte[] head = Arrays.copyOf(message, 10);
        byte[] tail = Arrays.copyOfRange(message, 10, message.length);
        return new PcapFixture()
                .udp(1_700_000_000_000_001L, "10.231.0.1", 3780, "10.231.0.2", 3780, message)
                .udp(1_700_000_000_500_000L, "10.231.0.2", 3780, "10.231.0.1", 3780,
                        control(MessageFlags.ACK, 3, 5, 7))
                .udp(1_700_000_001_000_000L, "10.231.0.1", 3780, "10.231.0.2", 3780, alive(8))
                .udp(1_700_000_002_000_000L, "10.231.0.1", 3780, "10.231.0.2", 3780, new byte[] {0x10, 0, 0, 8, 0})
                .udp(1_700_000_002_000_001L, "10.231.0.1", 53, "10.231.0.2", 53, alive(9))
                .tcp(1_700_000_003_000_000L, "10.231.0.1", 40000, "10.231.0.2", 3780, 1000, SYN, new byte[0])
                .tcp(1_700_000_003_100_000L, "10.231.0.1", 40000, "10.231.0.2", 3780, 1001, ACK, head)
                .tcp(1_700_000_003_200_000L, "10.231.0.1", 40000, "10.231.0.2", 3780, 1001, ACK, head)
                .tcp(1_700_000_003_300_000L, "10.231.0.1", 40000, "10.231.0.2", 3780, 1011, ACK, tail)
                .tcp(1_700_000_003_400_000L, "10.231.0.1", 40000, "10.231.0.2", 3780, 1011 + tail.length, FIN | ACK,
                        new byte[0])
                .bytes();
    }

    static int run(Path file, StringBuilder stdout, StringBuilder stderr, String... extra) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] args = new String[extra.length + 2];
        args[0] = "sync-decode";
        args[1] = file.toString();
        System.arraycopy(extra, 0, args, 2, extra.length);
        int code = Ct4j.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        stdout.append(out.toString(StandardCharsets.UTF_8));
        stderr.append(err.toString(StandardCharsets.UTF_8));
        return code;
    }

    @Test
    void printsEveryMessageRejectionNoteAndTheSummary() throws Exception {
        Path file = dir.resolve("sync.pcap");
        Files.write(file, fixture());
        StringBuilder out = new StringBuilder();
        StringBuilder err = new StringBuilder();
        assertEquals(0, run(file, out, err, "--port", "3780"), err.toString());
        assertEquals(List.of(
                "1700000000.000001 10.231.0.1:3780 > 10.231.0.2:3780 udp CT_NEW flags=- seq=7 flow: " + FLOW,
                "1700000000.500000 10.231.0.2:3780 > 10.231.0.1:3780 udp ACK flags=ACK seq=3 from=5 to=7",
                "1700000001.000000 10.231.0.1:3780 > 10.231.0.2:3780 udp ALIVE flags=ALIVE seq=8",
                "1700000002.000000 10.231.0.1:3780 > 10.231.0.2:3780 udp REJECT counter=truncated count=1 "
                        + "reason=\"truncated: 5 bytes left at offset 0\"",
                "1700000003.200000 10.231.0.1:40000 > 10.231.0.2:3780 tcp NOTE skipped: retransmission tcpseq=1001 len=10",
                "1700000003.300000 10.231.0.1:40000 > 10.231.0.2:3780 tcp CT_NEW flags=- seq=7 flow: " + FLOW,
                "SUMMARY packets=10 syncPackets=7 messages=4 undecodable=0 notes=1 malformed=1 wrongVersion=0 "
                        + "malformedHeader=0 malformedPayload=0 badType=0 truncated=1 badSize=0"),
                out.toString().lines().toList());
    }

    @Test
    void withoutPortEveryUdpPortIsDecoded() throws Exception {
        Path file = dir.resolve("sync.pcap");
        Files.write(file, fixture());
        StringBuilder out = new StringBuilder();
        assertEquals(0, run(file, out, new StringBuilder()));
        assertTrue(out.toString().contains("10.231.0.1:53 > 10.231.0.2:53 udp ALIVE flags=ALIVE seq=9\n"), out.toString());
    }

    @Test
    void aFileThatIsNotACaptureExitsOneNamingFileAndOffset() throws Exception {
        Path file = dir.resolve("notes.txt");
        Files.writeString(file, "hello, not a capture");
        StringBuilder out = new StringBuilder();
        StringBuilder err = new StringBuilder();
        assertEquals(1, run(file, out, err));
        assertEquals("", out.toString());
        assertTrue(err.toString().startsWith("ct4j sync-decode: " + file + ": unknown magic number 0x"), err.toString());
        assertTrue(err.toString().contains("at offset 0"), err.toString());

        StringBuilder missing = new StringBuilder();
        assertEquals(1, run(dir.resolve("absent.pcap"), new StringBuilder(), missing));
        assertEquals("ct4j sync-decode: " + dir.resolve("absent.pcap") + ": no such file\n", missing.toString());
    }

    @Test
    void aCaptureCutShortExitsOneAfterPrintingWhatItRead() throws Exception {
        byte[] whole = fixture();
        Path file = dir.resolve("cut.pcap");
        Files.write(file, Arrays.copyOf(whole, whole.length - 3));
        StringBuilder out = new StringBuilder();
        StringBuilder err = new StringBuilder();
        assertEquals(1, run(file, out, err));
        assertTrue(out.toString().contains(" udp CT_NEW "), out.toString());
        assertTrue(out.toString().contains("SUMMARY packets=9 "), out.toString());
        assertTrue(err.toString().contains("file ends inside a pcap packet"), err.toString());
    }

    @Test
    void badUsageExitsTwo() {
        for (String[] args : new String[][] {{"sync-decode"}, {"sync-decode", "a", "b"}, {"sync-decode", "a", "--port"},
            {"sync-decode", "a", "--port", "70000"}, {"sync-decode", "a", "--bogus"}}) {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            assertEquals(2, Ct4j.run(args, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err)),
                    String.join(" ", args));
            assertTrue(err.toString().contains("usage: ct4j sync-decode FILE"), err.toString());
        }
    }
}

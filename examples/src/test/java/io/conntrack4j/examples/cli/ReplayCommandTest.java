package io.conntrack4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

/** {@code ct4j replay} without root: a hand-built capture, usage errors and unreadable files. */
class ReplayCommandTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Ct4j.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    /** A raw-IP (LINKTYPE_RAW) pcap of UDP 10.0.0.1:5000 -> 10.0.0.2:53, the answer 1 s later, and one more packet 3 s in. */
    private Path capture() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(24 + 3 * (16 + 28)).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(101);
        record(b, 100, "10.0.0.1", "10.0.0.2", 5000, 53);
        record(b, 101, "10.0.0.2", "10.0.0.1", 53, 5000);
        record(b, 103, "10.0.0.1", "10.0.0.2", 5000, 53);
        Path file = dir.resolve("udp.pcap");
        Files.write(file, b.array());
        return file;
    }

    private static void record(ByteBuffer b, int seconds, String src, String dst, int sport, int dport) {
        b.putInt(seconds).putInt(0).putInt(28).putInt(28);
        b.order(ByteOrder.BIG_ENDIAN);
        b.put((byte) 0x45).put((byte) 0).putShort((short) 28).putInt(0).put((byte) 64).put((byte) 17).putShort((short) 0);
        for (String address : new String[] {src, dst}) {
            for (String part : address.split("\\.")) {
                b.put((byte) Integer.parseInt(part));
            }
        }
        b.putShort((short) sport).putShort((short) dport).putShort((short) 8).putShort((short) 0);
        b.order(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void printsTheFinalTableLikeConntrackList() throws IOException {
        assertEquals(0, run("replay", capture().toString()));
        assertEquals("udp      17 120 src=10.0.0.1 dst=10.0.0.2 sport=5000 dport=53 src=10.0.0.2 dst=10.0.0.1"
                + " sport=53 dport=5000 [ASSURED] mark=0 use=1\n", out.toString(StandardCharsets.UTF_8));
        assertEquals("conntrack v1.4.7 (conntrack-tools): 1 flow entries have been shown.\n",
                err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void printsEventsLikeConntrackEvents() throws IOException {
        assertEquals(0, run("replay", capture().toString(), "--events"));
        assertEquals(String.join("\n",
                "    [NEW] udp      17 30 src=10.0.0.1 dst=10.0.0.2 sport=5000 dport=53 [UNREPLIED]"
                        + " src=10.0.0.2 dst=10.0.0.1 sport=53 dport=5000",
                " [UPDATE] udp      17 30 src=10.0.0.1 dst=10.0.0.2 sport=5000 dport=53"
                        + " src=10.0.0.2 dst=10.0.0.1 sport=53 dport=5000",
                " [UPDATE] udp      17 120 src=10.0.0.1 dst=10.0.0.2 sport=5000 dport=53"
                        + " src=10.0.0.2 dst=10.0.0.1 sport=53 dport=5000 [ASSURED]", ""),
                out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void badUsageAndUnreadableFiles() throws IOException {
        assertEquals(2, run("replay"));
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("ct4j replay: missing FILE\n"));
        assertEquals(2, run("replay", "a.pcap", "--zone", "70000"));
        assertEquals(1, run("replay", dir.resolve("absent.pcap").toString()));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("absent.pcap: No such file or directory"));
        Path text = dir.resolve("text.pcap");
        Files.writeString(text, "not a capture at all");
        assertEquals(1, run("replay", text.toString()));
        assertEquals(0, run("replay", "--help"));
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("usage: ct4j replay FILE"));
    }
}

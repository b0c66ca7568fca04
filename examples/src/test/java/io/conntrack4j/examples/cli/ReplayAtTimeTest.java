package io.conntrack4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ct4j replay --at}: the table as it stands some time after the last packet. */
class ReplayAtTimeTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        out.reset();
        err.reset();
        return Ct4j.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    /** UDP one way at 100 s (30 s unreplied timeout), and a TCP SYN at 110 s (120 s in SYN_SENT). */
    private Path capture() throws IOException {
        Path file = dir.resolve("at.pcap");
        Files.write(file, new PcapFixture()
                .udp(100_000_000L, "10.0.0.1", 5000, "10.0.0.2", 53, new byte[4])
                .tcp(110_000_000L, "10.0.0.1", 40000, "10.0.0.2", 80, 1, 0x02, new byte[0]).bytes());
        return file;
    }

    @Test
    void agesTheTableToTheGivenTime() throws IOException {
        String file = capture().toString();
        assertEquals(0, run("replay", file, "--at", "125.5"));
        // 15.5 s after the SYN, 25.5 s after the datagram: timeouts 104 and 4 (truncated, as the kernel)
        assertEquals(String.join("\n",
                "udp      17 4 src=10.0.0.1 dst=10.0.0.2 sport=5000 dport=53 [UNREPLIED] src=10.0.0.2 dst=10.0.0.1"
                        + " sport=53 dport=5000 mark=0 use=1",
                "tcp      6 104 SYN_SENT src=10.0.0.1 dst=10.0.0.2 sport=40000 dport=80 [UNREPLIED] src=10.0.0.2"
                        + " dst=10.0.0.1 sport=80 dport=40000 mark=0 use=1", ""), out.toString(StandardCharsets.UTF_8));
        assertEquals(0, run("replay", file, "--at", "130.5"));
        // the datagram's entry expired at 130 s; the SYN has 99.5 s left
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("tcp      6 99 SYN_SENT "),
                out.toString(StandardCharsets.UTF_8));
        assertEquals("conntrack v1.4.7 (conntrack-tools): 1 flow entries have been shown.\n",
                err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aTimeBeforeTheLastPacketListsAtTheLastPacket() throws IOException {
        String file = capture().toString();
        assertEquals(0, run("replay", file, "--at", "1"));
        String early = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, run("replay", file));
        assertEquals(out.toString(StandardCharsets.UTF_8), early);
        assertTrue(early.contains("udp      17 20 "), early);
    }

    @Test
    void randomAndMutatedTimesAreParsedOrRejectedCleanly() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(20261125L);
        String alphabet = "0123456789.-+e ,x";
        String absent = dir.resolve("absent.pcap").toString();
        for (int i = 0; i < 400; i++) {
            StringBuilder text = new StringBuilder(i % 2 == 0 ? "1732530000.123456789" : "");
            int edits = random.nextInt(1, 6);
            for (int e = 0; e < edits; e++) {
                int at = text.length() == 0 ? 0 : random.nextInt(text.length() + 1);
                char c = alphabet.charAt(random.nextInt(alphabet.length()));
                if (random.nextBoolean() || text.length() == 0 || at == text.length()) {
                    text.insert(at, c);
                } else {
                    text.setCharAt(at, c);
                }
            }
            String time = text.toString();
            int code = run("replay", absent, "--at", time);
            boolean valid = time.matches("[0-9]{1,11}(\\.[0-9]{1,9})?");
            // a valid time gets as far as opening the (absent) file; anything else is a usage error naming it
            assertEquals(valid ? 1 : 2, code, time);
            if (!valid) {
                assertTrue(err.toString(StandardCharsets.UTF_8).contains("'" + time + "'"), time);
            }
        }
    }

    @Test
    void rejectsWhatIsNotATime() {
        for (String bad : new String[] {"soon", "-1", "1.2.3", "1.", "1.0123456789", ""}) {
            assertEquals(2, run("replay", "x.pcap", "--at", bad), bad);
            assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("ct4j replay: time '" + bad + "' is not"), bad);
        }
        assertEquals(2, run("replay", "x.pcap", "--at"));
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("ct4j replay: --at needs a time"));
    }
}

package io.conntrack4j.core.tracker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The FTP command parser on random and mutated control lines (fixed seed): it never throws, never
 * reads outside the segment it is given, and a match always names a port 1 to 65535; then the same
 * garbage through a tracker with the FTP helper never creates more than one expectation.
 */
class FtpCommandParserFuzzTest {

    private static final String[] SEEDS = {
        "PORT 10,9,0,1,156,65\r\n", "EPRT |1|10.9.0.1|40002|\r\n", "EPRT |2|fd00::1|40002|\r\n",
        "227 Entering Passive Mode (10,9,0,2,156,70).\r\n", "229 Entering Extended Passive Mode (|||40007|)\r\n",
        "port 1,2,3,4,5,6\r\n", "227 1,2,3,4,5,6\r\n", "229 (|||0|)\r\n", "EPRT ||||\r\n",
    };

    @Test
    void randomAndMutatedLinesNeverThrowOrReadOutside() {
        SplittableRandom random = new SplittableRandom(20261125);
        FtpCommandParser parser = new FtpCommandParser();
        byte[] buffer = new byte[256];
        int matches = 0;
        for (int round = 0; round < 60_000; round++) {
            byte[] line = SEEDS[random.nextInt(SEEDS.length)].getBytes(StandardCharsets.ISO_8859_1);
            int length = mutate(random, line, buffer);
            // fence bytes around the segment: a digit or delimiter outside it must not be read
            int from = 16;
            byte[] fenced = new byte[from + length + 16];
            java.util.Arrays.fill(fenced, (byte) '|');
            System.arraycopy(buffer, 0, fenced, from, length);
            byte[] exact = java.util.Arrays.copyOfRange(fenced, from, from + length);
            boolean reply = random.nextBoolean();
            boolean v6 = random.nextInt(4) == 0;
            int found = parser.parse(fenced, from, length, reply, v6);
            int foundPort = parser.port;
            // the same bytes without fences give the same answer
            int again = parser.parse(exact, 0, length, reply, v6);
            assertEquals(found, again, () -> new String(exact, StandardCharsets.ISO_8859_1));
            assertTrue(found >= -1 && found <= 1);
            if (found == FtpCommandParser.MATCH) {
                matches++;
                assertEquals(foundPort, parser.port);
                assertTrue(parser.port >= 0 && parser.port <= 0xffff);
            }
        }
        assertTrue(matches > 1000, "the mutations still reach the number parsers: " + matches);
    }

    private static int mutate(SplittableRandom random, byte[] line, byte[] out) {
        int length = random.nextInt(3) == 0 ? random.nextInt(line.length + 1) : line.length;
        System.arraycopy(line, 0, out, 0, length);
        int edits = random.nextInt(4);
        for (int i = 0; i < edits && length > 0; i++) {
            int at = random.nextInt(length);
            switch (random.nextInt(4)) {
                case 0 -> out[at] = (byte) random.nextInt(256);
                case 1 -> out[at] = (byte) ('0' + random.nextInt(10));
                case 2 -> out[at] = (byte) ",|().\r\n 9".charAt(random.nextInt(9));
                default -> {
                    if (length < out.length) {
                        System.arraycopy(out, at, out, at + 1, length - at);
                        out[at] = (byte) random.nextInt(256);
                        length++;
                    }
                }
            }
        }
        if (random.nextInt(10) == 0) {
            for (int i = 0; i < length; i++) {
                out[i] = (byte) random.nextInt(256);
            }
        }
        return length;
    }

    @Test
    void garbageThroughTheTrackerKeepsAtMostOneExpectationPerMaster() {
        ExpectationTrackerTest flow = new ExpectationTrackerTest();
        flow.handshake();
        flow.client("USER x\r\n");
        flow.server("220 hello\r\n");
        SplittableRandom random = new SplittableRandom(7);
        byte[] buffer = new byte[256];
        for (int round = 0; round < 3_000; round++) {
            byte[] line = SEEDS[random.nextInt(SEEDS.length)].getBytes(StandardCharsets.ISO_8859_1);
            int length = mutate(random, line, buffer);
            String text = new String(buffer, 0, length, StandardCharsets.ISO_8859_1);
            if (random.nextBoolean()) {
                flow.client(text);
            } else {
                flow.server(text);
            }
            assertTrue(flow.tracker.expectations().size() <= 1);
        }
        assertTrue(flow.tracker.statistics().expectCreate() > 0);
    }
}

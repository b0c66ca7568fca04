package io.conntrack4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.conntrack4j.core.IpAddress;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The byte writers ct4j -L prints with, checked against the JDK's and core's text. */
class LineBufferTest {

    @Test
    void decimalsAreWhatTheJdkPrints() {
        Random random = new Random(42);
        long[] edges = {0, 1, 9, 10, 99, 100, 999_999_999, 1_000_000_000, 1_000_000_001, Integer.MAX_VALUE,
            Integer.MAX_VALUE + 1L, 0xFFFF_FFFFL, 10_000_000_000L, 1_000_000_000_000_000_007L, Long.MAX_VALUE, -1,
            Long.MIN_VALUE};
        StringBuilder expected = new StringBuilder();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        LineBuffer out = new LineBuffer(bytes);
        for (long v : edges) {
            out.appendDecimal(v).append(' ');
            expected.append(Long.toUnsignedString(v)).append(' ');
        }
        for (int i = 0; i < 20_000; i++) {
            // values of every length: shift a random long right by a random amount
            long v = random.nextLong() >>> random.nextInt(64);
            out.appendDecimal(v).append(' ');
            expected.append(Long.toUnsignedString(v)).append(' ');
            int small = random.nextInt() >>> random.nextInt(32);
            out.appendDecimal(small).append(' ');
            expected.append(small).append(' ');
            out.flushIfFull();
        }
        out.flush();
        assertSameText(expected.toString(), bytes.toString(StandardCharsets.US_ASCII));
    }

    /** Names the first difference instead of printing megabytes. */
    private static void assertSameText(String expected, String actual) {
        int i = 0;
        while (i < Math.min(expected.length(), actual.length()) && expected.charAt(i) == actual.charAt(i)) {
            i++;
        }
        if (i < expected.length() || i < actual.length()) {
            int from = Math.max(0, i - 40);
            assertEquals(expected.substring(from, Math.min(expected.length(), i + 40)),
                    actual.substring(from, Math.min(actual.length(), i + 40)), "first difference at " + i);
        }
    }

    @Test
    void ipv4AndHexAreWhatCorePrints() {
        Random random = new Random(7);
        StringBuilder expected = new StringBuilder();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        LineBuffer out = new LineBuffer(bytes);
        for (int i = 0; i < 5_000; i++) {
            int address = i < 2 ? -i : random.nextInt();
            out.appendIpv4(address).append(' ').appendHex(address & 0xFFFF).append('\n');
            IpAddress.ofIpv4(address).appendTo(expected).append(' ').append(Integer.toHexString(address & 0xFFFF))
                    .append('\n');
        }
        out.flush();
        assertSameText(expected.toString(), bytes.toString(StandardCharsets.US_ASCII));
    }

    @Test
    void linesLongerThanTheRoomGrowTheBuffer() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        LineBuffer out = new LineBuffer(bytes);
        String helper = "h".repeat(LineBuffer.CHUNK * 2);
        out.appendUtf8(helper).appendUtf8("é");
        out.flush();
        assertSameText(helper + "é", bytes.toString(StandardCharsets.UTF_8));
    }
}

package io.conntrack4j.examples.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Output bytes gathered in one reused array and handed to the stream in big chunks: printing a
 * million lines costs a few hundred writes and no garbage. Text is ASCII except what
 * {@link #appendUtf8(CharSequence)} adds (helper names, security contexts), which conntrack prints
 * as the kernel's raw bytes.
 */
final class LineBuffer {
    /** Chunks this big keep pipes full and syscalls rare. */
    static final int CHUNK = 256 * 1024;
    /** Room one line may take before {@link #flushIfFull()} writes; longer lines grow the array. */
    private static final int LINE_ROOM = 4096;
    private static final byte[][] DECIMAL_BYTE = new byte[256][];
    /** "00" to "99", two bytes each. */
    private static final byte[] PAIRS = new byte[200];

    static {
        for (int i = 0; i < 100; i++) {
            PAIRS[2 * i] = (byte) ('0' + i / 10);
            PAIRS[2 * i + 1] = (byte) ('0' + i % 10);
        }
        for (int i = 0; i < 256; i++) {
            DECIMAL_BYTE[i] = Integer.toString(i).getBytes(StandardCharsets.US_ASCII);
        }
    }

    private final OutputStream out;
    private byte[] bytes = new byte[CHUNK + LINE_ROOM];
    private int length;

    LineBuffer(OutputStream out) {
        this.out = out;
    }

    /** @return bytes not yet written */
    int length() {
        return length;
    }

    /** Forgets everything after {@code mark} (a line that turned out to need another printer). */
    void truncate(int mark) {
        length = mark;
    }

    private void ensure(int more) {
        if (length + more > bytes.length) {
            byte[] bigger = new byte[Math.max(bytes.length * 2, length + more)];
            System.arraycopy(bytes, 0, bigger, 0, length);
            bytes = bigger;
        }
    }

    LineBuffer append(byte b) {
        ensure(1);
        bytes[length++] = b;
        return this;
    }

    LineBuffer append(char c) {
        return append((byte) c);
    }

    LineBuffer append(byte[] text) {
        ensure(text.length);
        System.arraycopy(text, 0, bytes, length, text.length);
        length += text.length;
        return this;
    }

    /** Appends ASCII text (what the tables of names hold). */
    LineBuffer appendAscii(CharSequence text) {
        int n = text.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            bytes[length++] = (byte) text.charAt(i);
        }
        return this;
    }

    /** Appends text in UTF-8, for the rare fields that carry the kernel's strings. */
    LineBuffer appendUtf8(CharSequence text) {
        return append(text.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Appends a value in 0..255 (an IPv4 octet, a type or code). */
    LineBuffer appendByteValue(int value) {
        return append(DECIMAL_BYTE[value & 0xFF]);
    }

    /** Appends a non-negative value in decimal, or an unsigned 64-bit one when negative. */
    LineBuffer appendDecimal(long value) {
        if (value >= 0 && value <= Integer.MAX_VALUE) {
            return appendDecimal((int) value);
        }
        if (value < 0) {
            return appendAscii(Long.toUnsignedString(value));
        }
        appendDecimal(value / 1_000_000_000L);
        int low = (int) (value % 1_000_000_000L);
        for (int pad = digits(low); pad < 9; pad++) {
            append((byte) '0');
        }
        return appendDecimal(low);
    }

    /** Appends an int in decimal, two digits per step (ports, timeouts, zones). */
    LineBuffer appendDecimal(int value) {
        if (value < 0) {
            return appendAscii(Integer.toString(value));
        }
        int digits = digits(value);
        ensure(digits);
        int at = length + digits;
        int v = value;
        while (v >= 100) {
            int pair = (v % 100) << 1;
            v /= 100;
            bytes[--at] = PAIRS[pair + 1];
            bytes[--at] = PAIRS[pair];
        }
        if (v >= 10) {
            bytes[--at] = PAIRS[(v << 1) + 1];
            bytes[--at] = PAIRS[v << 1];
        } else {
            bytes[--at] = (byte) ('0' + v);
        }
        length += digits;
        return this;
    }

    private static int digits(int v) {
        if (v < 100_000) {
            return v < 100 ? (v < 10 ? 1 : 2) : v < 1000 ? 3 : v < 10_000 ? 4 : 5;
        }
        return v < 10_000_000 ? (v < 1_000_000 ? 6 : 7) : v < 100_000_000 ? 8 : v < 1_000_000_000 ? 9 : 10;
    }

    /** Appends {@code value} in lower-case hex without leading zeros. */
    LineBuffer appendHex(int value) {
        return appendAscii(Integer.toHexString(value));
    }

    /** Appends an IPv4 address in dotted quad, from its 32 bits in network order. */
    LineBuffer appendIpv4(int address) {
        appendByteValue(address >>> 24).append((byte) '.');
        appendByteValue(address >>> 16).append((byte) '.');
        appendByteValue(address >>> 8).append((byte) '.');
        return appendByteValue(address);
    }

    /**
     * Writes the buffer once it holds a chunk; call between lines.
     *
     * @return whether it wrote
     */
    boolean flushIfFull() {
        if (length >= CHUNK) {
            flush();
            return true;
        }
        return false;
    }

    /** Writes what the buffer holds and flushes the stream. */
    void flush() {
        try {
            if (length > 0) {
                out.write(bytes, 0, length);
                length = 0;
            }
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

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

    static {
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
        if (value < 0) {
            return appendAscii(Long.toUnsignedString(value));
        }
        int digits = 1;
        for (long v = value; v >= 10; v /= 10) {
            digits++;
        }
        ensure(digits);
        int at = length + digits;
        long v = value;
        do {
            bytes[--at] = (byte) ('0' + (int) (v % 10));
            v /= 10;
        } while (v != 0);
        length += digits;
        return this;
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

    /** Writes the buffer once it holds a chunk; call between lines. */
    void flushIfFull() {
        if (length >= CHUNK) {
            flush();
        }
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

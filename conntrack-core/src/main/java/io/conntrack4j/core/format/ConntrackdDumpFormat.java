package io.conntrack4j.core.format;

import io.conntrack4j.core.Connection;
import io.conntrack4j.core.Expectation;
import io.conntrack4j.core.ParseException;
import io.conntrack4j.core.internal.TextCursor;

/**
 * The text cache dumps of conntrackd 1.4.7 ({@code conntrackd -i}, {@code -e}, {@code -i expect},
 * {@code -e expect}), byte for byte: conntrack(8)'s plain line without the timeout column, then
 * {@code " [active since Ns]"}. External (received) entries show the original direction only, and
 * in ALARM mode an {@code " [expires in Ns]"} before that. What conntrackd prints besides comes from
 * what its cache holds: events carry no use count, so a cached connection usually has none.
 *
 * <pre>{@code
 * Connection c = ConntrackFormat.builder().build().parse(lineFromConntrackL).toBuilder().clearTimeout()
 *         .clearUse().build();
 * ConntrackdDumpFormat.formatInternal(c, 2);
 * // tcp      6 ESTABLISHED src=... src=... [ASSURED] mark=66 [active since 2s]
 * ConntrackdDumpFormat.formatExternal(c, 2, CachedConnection.NO_EXPIRY);
 * // tcp      6 ESTABLISHED src=10.1.1.1 dst=10.2.2.2 sport=1111 dport=80 [ASSURED] mark=66 [active since 2s]
 * }</pre>
 *
 * <p>The XML variants ({@code -x}) are {@link ConntrackXmlFormat}'s {@code <flow>} elements. With
 * {@code DisableInternalCache}, {@code -i} lists the kernel table itself in {@link ConntrackFormat}'s
 * plain format.
 */
public final class ConntrackdDumpFormat {

    private static final ConntrackFormat PLAIN = ConntrackFormat.builder().build();
    private static final String ACTIVE = " [active since ";
    private static final String EXPIRES = " [expires in ";

    private ConntrackdDumpFormat() {
    }

    /**
     * A line of {@code conntrackd -i}: both directions.
     *
     * @param c the cached connection (a timeout, if any, is not printed)
     * @param activeSeconds seconds since it entered the cache
     * @return the line, without a newline
     */
    public static String formatInternal(Connection c, long activeSeconds) {
        return active(PLAIN.appendLine(new StringBuilder(256), c, false, true), activeSeconds);
    }

    /**
     * A line of {@code conntrackd -e}: the original direction only.
     *
     * @param c the received connection
     * @param activeSeconds seconds since it entered the cache
     * @param expiresInSeconds ALARM mode's seconds to expiry, or {@link CachedConnection#NO_EXPIRY}
     * @return the line, without a newline
     */
    public static String formatExternal(Connection c, long activeSeconds, long expiresInSeconds) {
        if (expiresInSeconds < CachedConnection.NO_EXPIRY) {
            throw new IllegalArgumentException("expiry " + expiresInSeconds + " negative");
        }
        StringBuilder out = PLAIN.appendLine(new StringBuilder(256), c, false, false);
        if (expiresInSeconds != CachedConnection.NO_EXPIRY) {
            out.append(EXPIRES).append(expiresInSeconds).append("s]");
        }
        return active(out, activeSeconds);
    }

    /**
     * A line of {@code conntrackd -i expect} or {@code -e expect}.
     *
     * @param e the expectation (its timeout is not printed)
     * @param activeSeconds seconds since it entered the cache
     * @return the line, without a newline
     */
    public static String formatExpectation(Expectation e, long activeSeconds) {
        return active(ExpectationFormat.appendLine(new StringBuilder(256), e, false), activeSeconds);
    }

    private static String active(StringBuilder out, long seconds) {
        if (seconds < 0) {
            throw new IllegalArgumentException("active seconds " + seconds + " negative");
        }
        return out.append(ACTIVE).append(seconds).append("s]").toString();
    }

    /**
     * Parses a connection line of {@code conntrackd -i} ({@code external} false) or {@code -e}.
     *
     * @param line the line, without a newline
     * @param external whether the line shows the original direction only
     * @return the entry
     * @throws ParseException when the line is not such a line; the message names it and the position
     */
    public static CachedConnection parseConnection(CharSequence line, boolean external) {
        if (line == null) {
            throw new ParseException(null, 0, "line expected, got null");
        }
        int activeAt = requiredSuffix(line, ACTIVE);
        long active = suffixNumber(line, activeAt + ACTIVE.length(), line.length());
        int end = activeAt;
        long expires = CachedConnection.NO_EXPIRY;
        if (external) {
            int expiresAt = lastIndexOf(line, EXPIRES, end);
            if (expiresAt >= 0) {
                expires = suffixNumber(line, expiresAt + EXPIRES.length(), end);
                end = expiresAt;
            }
        }
        Connection c = PLAIN.parseLine(new TextCursor(line, 0, end), false, !external);
        return new CachedConnection(c, active, expires);
    }

    /**
     * Parses a line of {@code conntrackd -i expect} or {@code -e expect}.
     *
     * @param line the line, without a newline
     * @return the entry
     * @throws ParseException when the line is not such a line
     */
    public static CachedExpectation parseExpectation(CharSequence line) {
        if (line == null) {
            throw new ParseException(null, 0, "line expected, got null");
        }
        int activeAt = requiredSuffix(line, ACTIVE);
        long active = suffixNumber(line, activeAt + ACTIVE.length(), line.length());
        TextCursor c = new TextCursor(line, 0, activeAt);
        Expectation e = ExpectationFormat.readLine(c, false);
        if (!c.atEnd()) {
            throw c.error("unexpected text");
        }
        return new CachedExpectation(e, active);
    }

    /** Where the last {@code marker} starts; its number and {@code "s]"} must end the line. */
    private static int requiredSuffix(CharSequence line, String marker) {
        int at = lastIndexOf(line, marker, line.length());
        if (at < 0) {
            throw new ParseException(line, line.length(), "expected the line to end with '" + marker.trim() + "Ns]'");
        }
        return at;
    }

    /** The last start of {@code marker} ending at or before {@code end}, or -1. */
    private static int lastIndexOf(CharSequence line, String marker, int end) {
        for (int i = end - marker.length(); i >= 0; i--) {
            boolean match = true;
            for (int k = 0; k < marker.length() && match; k++) {
                match = line.charAt(i + k) == marker.charAt(k);
            }
            if (match) {
                return i;
            }
        }
        return -1;
    }

    /** Reads {@code Ns]} filling {@code [from, end)} exactly. */
    private static long suffixNumber(CharSequence line, int from, int end) {
        TextCursor c = new TextCursor(line, from, end);
        long value = c.unsigned(Long.MAX_VALUE, "seconds");
        c.expect("s]");
        if (!c.atEnd()) {
            throw c.error("unexpected text after the seconds");
        }
        return value;
    }
}

package io.conntrack4j.core.format;

import io.conntrack4j.core.AddressFamily;
import io.conntrack4j.core.EventType;
import io.conntrack4j.core.Expectation;
import io.conntrack4j.core.ExpectationFlag;
import io.conntrack4j.core.L4Protocol;
import io.conntrack4j.core.ParseException;
import io.conntrack4j.core.Tuple;
import io.conntrack4j.core.internal.TextCursor;
import io.conntrack4j.core.internal.TupleText;

/**
 * The plain one-line format of {@code conntrack -L expect} and {@code conntrack -E expect}
 * (conntrack-tools 1.4.7 with libnetfilter_conntrack 1.0.9), byte for byte.
 *
 * <pre>{@code
 * ExpectationFormat f = ExpectationFormat.plain();
 * Expectation e = f.parse("298 proto=6 src=10.0.0.2 dst=10.0.0.1 sport=0 dport=1025 "
 *         + "mask-src=255.255.255.255 mask-dst=255.255.255.255 sport=0 dport=65535 "
 *         + "master-src=10.0.0.1 master-dst=10.0.0.2 sport=40000 dport=21 class=0 helper=ftp");
 * f.format(e); // the same line
 * }</pre>
 *
 * <p>The fields: {@code TIMEOUT proto=N EXPECTED-TUPLE mask-src=.. mask-dst=.. MASK-KEYS
 * master-src=.. master-dst=.. MASTER-KEYS[ FLAG,FLAG][ class=C][ helper=H]}, where the flags are
 * {@code PERMANENT}, {@code INACTIVE} and {@code USERSPACE}. conntrack prints neither the zone,
 * the id, the expectation function nor the NAT part, so parsing leaves them zero or null. The line
 * does not name the master's protocol: parsing gives the master the expected tuple's protocol
 * when the master's keys fit it (H.323 and SIP can expect UDP from a TCP master; the text is the
 * same), otherwise one whose keys have the printed shape (TCP for ports).
 */
public final class ExpectationFormat {

    private static final ExpectationFormat PLAIN = new ExpectationFormat();
    private static final long MAX_SECONDS = 253_402_300_799L;

    private ExpectationFormat() {
    }

    /**
     * The format of plain {@code conntrack -L expect} (its {@code -o} options change nothing but the
     * timestamp prefix, which {@link #formatEvent} and {@link #parseEvent} handle).
     *
     * @return the format
     */
    public static ExpectationFormat plain() {
        return PLAIN;
    }

    /**
     * The line conntrack prints for an expectation, without a newline.
     *
     * @param e the expectation
     * @return the line
     */
    public String format(Expectation e) {
        return formatTo(new StringBuilder(256), e).toString();
    }

    /**
     * Appends {@link #format(Expectation)}'s line.
     *
     * @param out where to append
     * @param e the expectation
     * @return {@code out}
     */
    public StringBuilder formatTo(StringBuilder out, Expectation e) {
        return appendLine(out, e, true);
    }

    /** Shared with conntrackd's dump, which prints the same line after unsetting the timeout. */
    static StringBuilder appendLine(StringBuilder out, Expectation e, boolean withTimeout) {
        if (withTimeout) {
            out.append(e.timeout() & 0xFFFF_FFFFL).append(' ');
        }
        out.append("proto=").append(e.tuple().protocol().number()).append(' ');
        TupleText.append(out, e.tuple());
        TupleText.append(out.append(' '), e.mask(), "mask-");
        TupleText.append(out.append(' '), e.master(), "master-");
        String delimiter = " ";
        for (ExpectationFlag flag : ExpectationFlag.values()) {
            if (e.has(flag)) {
                out.append(delimiter).append(flag.name());
                delimiter = ",";
            }
        }
        out.append(" class=").append(e.expectClass() & 0xFFFF_FFFFL);
        if (e.helper() != null) {
            out.append(" helper=").append(e.helper());
        }
        return out;
    }

    /**
     * The line {@code conntrack -E expect} prints for an event (with {@code -o timestamp} when the
     * event has a timestamp: {@code [SECONDS.MICROS]} left-aligned in 8 and 6 columns, then a tab).
     *
     * @param event the event
     * @return the line, without a newline
     */
    public String formatEvent(ExpectationEvent event) {
        StringBuilder out = new StringBuilder(300);
        if (event.hasTimestamp()) {
            out.append('[');
            leftAligned(out, Long.toString(event.timestampMicros() / 1_000_000), 8).append('.');
            leftAligned(out, Long.toString(event.timestampMicros() % 1_000_000), 6).append("]\t");
        }
        String label = event.type().label();
        out.append(" ".repeat(9 - label.length())).append(label).append(' ');
        return formatTo(out, event.expectation()).toString();
    }

    private static StringBuilder leftAligned(StringBuilder out, String digits, int width) {
        out.append(digits);
        for (int i = digits.length(); i < width; i++) {
            out.append(' ');
        }
        return out;
    }

    /**
     * Parses one line of {@code conntrack -L expect}.
     *
     * @param line the line, without a newline
     * @return the expectation
     * @throws ParseException when the line is not such a line; the message names it and the position
     */
    public Expectation parse(CharSequence line) {
        if (line == null) {
            throw new ParseException(null, 0, "line expected, got null");
        }
        TextCursor c = new TextCursor(line);
        Expectation e = readLine(c, true);
        if (!c.atEnd()) {
            throw c.error("unexpected text");
        }
        return e;
    }

    /**
     * Parses one line of {@code conntrack -E expect} (the {@code -o timestamp} prefix is recognised
     * by itself).
     *
     * @param line the line, without a newline
     * @return the event
     * @throws ParseException when the line is not such a line
     */
    public ExpectationEvent parseEvent(CharSequence line) {
        if (line == null) {
            throw new ParseException(null, 0, "line expected, got null");
        }
        TextCursor c = new TextCursor(line);
        long micros = ExpectationEvent.NO_TIMESTAMP;
        if (c.peek() == '[' && line.length() > 1 && line.charAt(1) >= '0' && line.charAt(1) <= '9') {
            c.expect("[");
            long seconds = leftAlignedNumber(c, 8, 12, "event seconds");
            if (seconds > MAX_SECONDS) {
                throw c.error("event time out of range");
            }
            c.expect(".");
            long fraction = leftAlignedNumber(c, 6, 6, "event microseconds");
            c.expect("]\t");
            micros = seconds * 1_000_000 + fraction;
        }
        EventType type = null;
        for (EventType t : EventType.values()) {
            if (c.tryConsume(" ".repeat(9 - t.label().length()) + t.label() + " ")) {
                type = t;
                break;
            }
        }
        if (type == null) {
            throw c.error("expected an event label: '    [NEW] ', ' [UPDATE] ' or '[DESTROY] '");
        }
        Expectation e = readLine(c, true);
        if (!c.atEnd()) {
            throw c.error("unexpected text");
        }
        return new ExpectationEvent(type, e, micros);
    }

    /** Reads {@code %-Nld}: digits, then spaces up to {@code width} columns. */
    private static long leftAlignedNumber(TextCursor c, int width, int maxDigits, String what) {
        int start = c.position();
        long value = 0;
        while (c.peek() >= '0' && c.peek() <= '9') {
            if (c.position() - start >= maxDigits) {
                throw c.error(start, what + " out of range");
            }
            value = value * 10 + (c.peek() - '0');
            c.position(c.position() + 1);
        }
        int digits = c.position() - start;
        if (digits == 0) {
            throw c.error("expected " + what);
        }
        if (digits > 1 && c.text().charAt(start) == '0') {
            throw c.error(start, what + " has a leading zero");
        }
        for (int i = digits; i < width; i++) {
            if (c.peek() != ' ') {
                throw c.error(what + " must be padded with spaces to " + width + " columns");
            }
            c.position(c.position() + 1);
        }
        return value;
    }

    /**
     * The master's protocol, which the line does not name: the expected tuple's when the master's
     * keys have that protocol's shape, otherwise a protocol with the shape they have (TCP for ports,
     * ICMP or ICMPv6 for type/code/id, GRE for keys, the expected one for none). conntrack 1.4.7's
     * {@code -I expect -p tcp}, for one, makes a protocol-27 expectation on a TCP master.
     */
    private static L4Protocol masterProtocol(TextCursor c, L4Protocol expected, AddressFamily family) {
        CharSequence text = c.text();
        int dst = c.position();
        String marker = " master-dst=";
        while (dst < c.end() && !c.startsWithAt(dst, marker)) {
            dst++;
        }
        int keys = dst + marker.length();
        while (keys < c.end() && text.charAt(keys) != ' ') {
            keys++;
        }
        L4Protocol.KeyKind kind = L4Protocol.KeyKind.NONE;
        if (c.startsWithAt(keys, " sport=")) {
            kind = L4Protocol.KeyKind.PORTS;
        } else if (c.startsWithAt(keys, " type=")) {
            kind = L4Protocol.KeyKind.ICMP;
        } else if (c.startsWithAt(keys, " srckey=")) {
            kind = L4Protocol.KeyKind.GRE;
        }
        if (kind == expected.keyKind()) {
            return expected;
        }
        return switch (kind) {
            case PORTS -> L4Protocol.TCP;
            case ICMP -> family == AddressFamily.IPV6 ? L4Protocol.ICMPV6 : L4Protocol.ICMP;
            case GRE -> L4Protocol.GRE;
            case NONE -> expected;
        };
    }

    /** Reads a line up to the first text it does not know; shared with conntrackd's dump. */
    static Expectation readLine(TextCursor c, boolean withTimeout) {
        int timeout = 0;
        if (withTimeout) {
            timeout = (int) c.unsigned(0xffff_ffffL, "timeout");
            c.space();
        }
        c.expect("proto=");
        L4Protocol protocol = L4Protocol.of((int) c.unsigned(255, "protocol number"));
        c.space();
        Tuple tuple = TupleText.read(c, protocol);
        c.space();
        int maskAt = c.position();
        Tuple mask = TupleText.read(c, protocol, "mask-");
        if (mask.family() != tuple.family()) {
            throw c.error(maskAt, "mask family differs from the expected tuple's");
        }
        c.space();
        int masterAt = c.position();
        Tuple master = TupleText.read(c, masterProtocol(c, protocol, tuple.family()), "master-");
        if (master.family() != tuple.family()) {
            throw c.error(masterAt, "master family differs from the expected tuple's");
        }
        int flags = 0;
        c.space();
        if (!c.startsWith("class=")) {
            ExpectationFlag previous = null;
            do {
                int flagAt = c.position();
                ExpectationFlag flag = null;
                for (ExpectationFlag f : ExpectationFlag.values()) {
                    if (c.startsWith(f.name())) {
                        flag = f;
                    }
                }
                if (flag == null) {
                    throw c.error("expected 'class=' or a flag (PERMANENT, INACTIVE, USERSPACE)");
                }
                if (previous != null && flag.ordinal() <= previous.ordinal()) {
                    throw c.error(flagAt, "flags must be listed in bit order, each once");
                }
                c.position(c.position() + flag.name().length());
                flags |= flag.mask();
                previous = flag;
            } while (c.tryConsume(","));
            c.space();
        }
        c.expect("class=");
        int expectClass = (int) c.unsigned(0xffff_ffffL, "class");
        String helper = null;
        if (c.tryConsume(" helper=")) {
            helper = c.token("helper name");
        }
        return new Expectation(master, tuple, mask, timeout, flags, expectClass, helper, null, null, 0, 0);
    }
}

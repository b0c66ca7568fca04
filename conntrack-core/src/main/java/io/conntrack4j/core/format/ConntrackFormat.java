package io.conntrack4j.core.format;

import io.conntrack4j.core.AddressFamily;
import io.conntrack4j.core.Connection;
import io.conntrack4j.core.DccpState;
import io.conntrack4j.core.EventType;
import io.conntrack4j.core.L4Protocol;
import io.conntrack4j.core.ParseException;
import io.conntrack4j.core.SctpState;
import io.conntrack4j.core.StatusBit;
import io.conntrack4j.core.TcpState;
import io.conntrack4j.core.Tuple;
import io.conntrack4j.core.internal.TextCursor;
import io.conntrack4j.core.internal.TupleText;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Objects;

/**
 * The plain one-line format of conntrack(8) (conntrack-tools 1.4.7 with libnetfilter_conntrack
 * 1.0.9), byte for byte: {@link #format(Connection)} writes what {@code conntrack -L} prints and
 * {@link #parse(CharSequence)} reads it back, so that parsing a line and formatting the result gives
 * the same line. {@link #formatEvent(ConntrackEvent)} and {@link #parseEvent(CharSequence)} do the
 * same for {@code conntrack -E}.
 *
 * <pre>{@code
 * ConntrackFormat plain = ConntrackFormat.builder().build();              // conntrack -L
 * ConntrackFormat ext = ConntrackFormat.builder().extended(true).id(true).build(); // -o extended,id
 * Connection c = plain.parse("tcp      6 431999 ESTABLISHED src=10.0.0.1 dst=10.0.0.2 sport=40000 dport=80 "
 *         + "src=10.0.0.2 dst=10.0.0.1 sport=80 dport=40000 [ASSURED] mark=0 use=1");
 * ext.format(c); // ipv4     2 tcp      6 431999 ESTABLISHED src=... [ASSURED] mark=0 use=1
 * }</pre>
 *
 * <p>The fields, in conntrack's order ({@code [..]} parts are optional and appear only when the
 * connection has them):
 * <pre>
 * [ipv4     2 ]tcp      6 [TIMEOUT ][STATE ]ORIGINAL-TUPLE[ zone-orig=Z][ packets=P bytes=B][ [UNREPLIED]]
 *  REPLY-TUPLE[ zone-reply=Z][ packets=P bytes=B][ [ASSURED]|[OFFLOAD]|[HW_OFFLOAD]][ mark=M][ secmark=S]
 * [ secctx=C][ zone=Z][ delta-time=D][ [start=CTIME]][ [stop=CTIME]][ helper=H][ use=U][ id=I][ labels=A,B]
 * </pre>
 *
 * <p>What the text cannot carry, parsing cannot restore: of the status bits only SEEN_REPLY (the
 * absence of {@code [UNREPLIED]}), ASSURED, OFFLOAD and HW_OFFLOAD are visible ({@link #VISIBLE_STATUS});
 * TCP flags, window scales and SCTP vtags, master tuple and sequence adjustment are never printed;
 * label bits without a name in the {@link LabelMap} are not printed. {@code delta-time} is relative to
 * the format's {@link Clock}: without {@code -o ktimestamp} the start time is reconstructed as
 * now minus delta, so parse and format with the same clock to get the same line back.
 *
 * <p>Parsing is strict: the options must match the line's (an {@code -o extended} line is rejected by
 * a format without {@link Builder#extended(boolean)}), tokens are separated by single spaces, and
 * numbers and addresses must be written as conntrack writes them. Every error is a
 * {@link ParseException} naming the line and the position.
 */
public final class ConntrackFormat {

    /** The status bits a line shows. */
    public static final int VISIBLE_STATUS = StatusBit.mask(StatusBit.SEEN_REPLY, StatusBit.ASSURED,
            StatusBit.OFFLOAD, StatusBit.HW_OFFLOAD);

    private static final String[] DAYS = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    private static final String[] MONTHS = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
        "Oct", "Nov", "Dec"};
    private static final long NANOS = 1_000_000_000L;
    private static final long MAX_SECONDS = 253_402_300_799L; // 9999-12-31T23:59:59Z
    private static final String USERSPACE = " [USERSPACE] portid=";

    private final boolean extended;
    private final boolean id;
    private final boolean kernelTimestamps;
    private final LabelMap labels;
    private final ZoneId zone;
    private final Clock clock;

    private ConntrackFormat(Builder b) {
        this.extended = b.extended;
        this.id = b.id;
        this.kernelTimestamps = b.kernelTimestamps;
        this.labels = b.labels;
        this.zone = b.zone;
        this.clock = b.clock;
    }

    /**
     * Options as for plain {@code conntrack -L}.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Options of a {@link ConntrackFormat}, named after conntrack's {@code -o} words. */
    public static final class Builder {
        private boolean extended;
        private boolean id;
        private boolean kernelTimestamps;
        private LabelMap labels;
        private ZoneId zone = ZoneId.systemDefault();
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        /**
         * {@code -o extended}: lines start with the layer-3 name and number ({@code ipv4     2 }).
         *
         * @param on whether to
         * @return this builder
         */
        public Builder extended(boolean on) {
            extended = on;
            return this;
        }

        /**
         * {@code -o id}: print {@code id=N} when the connection has an id.
         *
         * @param on whether to
         * @return this builder
         */
        public Builder id(boolean on) {
            id = on;
            return this;
        }

        /**
         * {@code -o ktimestamp}: print {@code [start=...]} and {@code [stop=...]} (ctime(3) in
         * {@link #timeZone(ZoneId)}) when the connection has them.
         *
         * @param on whether to
         * @return this builder
         */
        public Builder kernelTimestamps(boolean on) {
            kernelTimestamps = on;
            return this;
        }

        /**
         * {@code -o labels} with a connlabel.conf: print {@code labels=NAME,...}. Null (the default)
         * never prints labels, as conntrack does without that file.
         *
         * @param map label names, or null
         * @return this builder
         */
        public Builder labels(LabelMap map) {
            labels = map;
            return this;
        }

        /**
         * The time zone of {@code [start=...]} (conntrack uses the local one, from {@code TZ}).
         *
         * @param zone a zone; default the system's
         * @return this builder
         */
        public Builder timeZone(ZoneId zone) {
            this.zone = Objects.requireNonNull(zone, "zone");
            return this;
        }

        /**
         * The clock {@code delta-time} is measured against (conntrack uses {@code time(2)}).
         *
         * @param clock a clock; default the system clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** @return the format */
        public ConntrackFormat build() {
            return new ConntrackFormat(this);
        }
    }

    // ------------------------------------------------------------------ formatting

    /**
     * The line conntrack prints for a connection, without a newline.
     *
     * @param c the connection
     * @return the line
     */
    public String format(Connection c) {
        return formatTo(new StringBuilder(256), c).toString();
    }

    /**
     * Appends {@link #format(Connection)}'s line.
     *
     * @param out where to append
     * @param c the connection
     * @return {@code out}
     */
    public StringBuilder formatTo(StringBuilder out, Connection c) {
        return appendLine(out, c, true, true);
    }

    /**
     * The line, optionally without the timeout column and without the reply direction: conntrackd
     * prints its caches through the same libnetfilter_conntrack code after unsetting those
     * attributes, so its dump lines share this code rather than copying it.
     */
    StringBuilder appendLine(StringBuilder out, Connection c, boolean withTimeout, boolean withReply) {
        if (extended) {
            AddressFamily family = c.family();
            padded(out, family.conntrackName(), family.number());
        }
        L4Protocol protocol = c.protocol();
        padded(out, protocol.conntrackName(), protocol.number());
        if (withTimeout && c.hasTimeout()) {
            out.append(c.timeout() & 0xFFFF_FFFFL).append(' ');
        }
        if (c.hasProtocolState()) {
            String state = stateName(protocol, c.protocolState());
            if (state != null) {
                out.append(state).append(' ');
            }
        }
        TupleText.append(out, c.original());
        if (c.original().hasZone()) {
            out.append(" zone-orig=").append(c.original().zone());
        }
        if (c.hasCountersOriginal()) {
            counters(out, c.packetsOriginal(), c.bytesOriginal());
        }
        if (c.hasStatus() && !StatusBit.SEEN_REPLY.isSet(c.status())) {
            out.append(" [UNREPLIED]");
        }
        if (withReply) {
            out.append(' ');
            TupleText.append(out, c.reply());
            if (c.reply().hasZone()) {
                out.append(" zone-reply=").append(c.reply().zone());
            }
            if (c.hasCountersReply()) {
                counters(out, c.packetsReply(), c.bytesReply());
            }
        }
        if (c.hasStatus()) {
            int status = c.status();
            if (StatusBit.HW_OFFLOAD.isSet(status)) {
                out.append(" [HW_OFFLOAD]");
            } else if (StatusBit.OFFLOAD.isSet(status)) {
                out.append(" [OFFLOAD]");
            } else if (StatusBit.ASSURED.isSet(status)) {
                out.append(" [ASSURED]");
            }
        }
        if (c.hasMark()) {
            out.append(" mark=").append(c.mark() & 0xFFFF_FFFFL);
        }
        if (c.hasSecmark()) {
            out.append(" secmark=").append(c.secmark() & 0xFFFF_FFFFL);
        }
        if (c.secctx() != null) {
            out.append(" secctx=").append(c.secctx());
        }
        if (c.hasZone()) {
            out.append(" zone=").append(c.zone());
        }
        if (c.hasStart()) {
            long stop = c.hasStop() && c.stopNanos() != 0 ? c.stopNanos() / NANOS : clock.millis() / 1000;
            out.append(" delta-time=").append(Long.toUnsignedString(stop - c.startNanos() / NANOS));
        }
        if (kernelTimestamps) {
            if (c.hasStart()) {
                out.append(" [start=");
                ctime(out, c.startNanos() / NANOS).append(']');
            }
            if (c.hasStop()) {
                out.append(" [stop=");
                ctime(out, c.stopNanos() / NANOS).append(']');
            }
        }
        if (c.helper() != null) {
            out.append(" helper=").append(c.helper());
        }
        if (c.hasUse()) {
            out.append(" use=").append(c.use() & 0xFFFF_FFFFL);
        }
        if (id && c.hasId()) {
            out.append(" id=").append(c.id() & 0xFFFF_FFFFL);
        }
        if (labels != null && c.hasLabels()) {
            out.append(" labels=");
            for (int bit = 0; bit < 128; bit++) {
                String name = labels.name(bit);
                if (name != null && c.hasLabel(bit)) {
                    out.append(name).append(',');
                }
            }
            // libnetfilter_conntrack drops the last ',' or, when no set bit has a name, the '='
            out.setLength(out.length() - 1);
        }
        return out;
    }

    /**
     * The line {@code conntrack -E} prints for an event (with {@code -o timestamp} when the event
     * has a timestamp).
     *
     * @param event the event
     * @return the line, without a newline
     */
    public String formatEvent(ConntrackEvent event) {
        StringBuilder out = new StringBuilder(300);
        if (event.hasTimestamp()) {
            long seconds = event.timestampMicros() / 1_000_000;
            long micros = event.timestampMicros() % 1_000_000;
            out.append('[');
            zeroPadded(out, seconds, 8).append('.');
            zeroPadded(out, micros, 6).append("]\t");
        }
        String label = event.type().label();
        for (int i = label.length(); i < 9; i++) {
            out.append(' ');
        }
        out.append(label).append(' ');
        formatTo(out, event.connection());
        if (event.isUserspace()) {
            out.append(USERSPACE).append(event.portId());
            if (event.programName() != null) {
                out.append(" progname=").append(event.programName());
            }
        }
        return out.toString();
    }

    private static void padded(StringBuilder out, String name, int number) {
        out.append(name);
        for (int i = name.length(); i < 8; i++) {
            out.append(' ');
        }
        out.append(' ').append(number).append(' ');
    }

    private static void counters(StringBuilder out, long packets, long bytes) {
        out.append(" packets=").append(Long.toUnsignedString(packets))
                .append(" bytes=").append(Long.toUnsignedString(bytes));
    }

    private static StringBuilder zeroPadded(StringBuilder out, long value, int digits) {
        String s = Long.toString(value);
        for (int i = s.length(); i < digits; i++) {
            out.append('0');
        }
        return out.append(s);
    }

    /**
     * The state name conntrack prints; libnetfilter_conntrack prints NONE for out-of-range numbers.
     */
    private static String stateName(L4Protocol protocol, int number) {
        if (protocol == L4Protocol.TCP) {
            TcpState s = TcpState.ofNumber(number);
            return (s == null ? TcpState.NONE : s).conntrackName();
        }
        if (protocol == L4Protocol.SCTP) {
            SctpState s = SctpState.ofNumber(number);
            return (s == null ? SctpState.NONE : s).conntrackName();
        }
        if (protocol == L4Protocol.DCCP) {
            DccpState s = DccpState.ofNumber(number);
            return (s == null ? DccpState.NONE : s).conntrackName();
        }
        return null;
    }

    private static int stateNumber(L4Protocol protocol, String name) {
        if (protocol == L4Protocol.TCP) {
            TcpState s = TcpState.ofConntrackName(name);
            return s == null ? -1 : s.number();
        }
        if (protocol == L4Protocol.SCTP) {
            SctpState s = SctpState.ofConntrackName(name);
            return s == null ? -1 : s.number();
        }
        if (protocol == L4Protocol.DCCP) {
            DccpState s = DccpState.ofConntrackName(name);
            return s == null ? -1 : s.number();
        }
        return -1;
    }

    private StringBuilder ctime(StringBuilder out, long epochSeconds) {
        ZonedDateTime t = Instant.ofEpochSecond(epochSeconds).atZone(zone);
        out.append(DAYS[t.getDayOfWeek().ordinal()]).append(' ').append(MONTHS[t.getMonthValue() - 1]).append(' ');
        if (t.getDayOfMonth() < 10) {
            out.append(' ');
        }
        out.append(t.getDayOfMonth()).append(' ');
        two(out, t.getHour()).append(':');
        two(out, t.getMinute()).append(':');
        two(out, t.getSecond()).append(' ');
        return out.append(t.getYear());
    }

    private static StringBuilder two(StringBuilder out, int value) {
        return out.append(value < 10 ? "0" : "").append(value);
    }

    // ------------------------------------------------------------------ parsing

    /**
     * Parses one line of {@code conntrack -L} output printed with this format's options.
     *
     * @param line the line, without a newline
     * @return the connection
     * @throws ParseException when the line is not such a line; the message names it and the position
     */
    public Connection parse(CharSequence line) {
        if (line == null) {
            throw new ParseException(null, 0, "line expected, got null");
        }
        return parse(new TextCursor(line));
    }

    /**
     * Parses one line of {@code conntrack -E} output printed with this format's options (the
     * timestamp prefix of {@code -o timestamp} is recognised by itself).
     *
     * @param line the line, without a newline
     * @return the event
     * @throws ParseException when the line is not such a line
     */
    public ConntrackEvent parseEvent(CharSequence line) {
        if (line == null) {
            throw new ParseException(null, 0, "line expected, got null");
        }
        TextCursor c = new TextCursor(line);
        long micros = ConntrackEvent.NO_TIMESTAMP;
        if (c.peek() == '[' && line.length() > 1 && line.charAt(1) >= '0' && line.charAt(1) <= '9') {
            c.expect("[");
            int start = c.position();
            long seconds = 0;
            while (c.peek() >= '0' && c.peek() <= '9') {
                if (c.position() - start >= 12) {
                    throw c.error(start, "event time out of range");
                }
                seconds = seconds * 10 + (c.peek() - '0');
                c.position(c.position() + 1);
            }
            if (c.position() - start < 8) {
                throw c.error(start, "event seconds must have at least 8 digits");
            }
            if (c.position() - start > 8 && line.charAt(start) == '0') {
                throw c.error(start, "event seconds have a leading zero");
            }
            if (seconds > MAX_SECONDS) {
                throw c.error(start, "event time out of range");
            }
            c.expect(".");
            int microsStart = c.position();
            while (c.peek() >= '0' && c.peek() <= '9') {
                c.position(c.position() + 1);
            }
            if (c.position() - microsStart != 6) {
                throw c.error(microsStart, "expected 6 digits of microseconds");
            }
            long fraction = Long.parseLong(line.subSequence(microsStart, c.position()).toString());
            c.expect("]\t");
            micros = seconds * 1_000_000 + fraction;
        }
        EventType type = null;
        for (EventType t : EventType.values()) {
            String prefix = " ".repeat(9 - t.label().length()) + t.label() + " ";
            if (c.tryConsume(prefix)) {
                type = t;
                break;
            }
        }
        if (type == null) {
            throw c.error("expected an event label: '    [NEW] ', ' [UPDATE] ' or '[DESTROY] '");
        }
        int end = line.length();
        long portId = ConntrackEvent.NO_PORT_ID;
        String program = null;
        int suffix = lastIndexOf(line, USERSPACE, c.position());
        if (suffix >= 0) {
            TextCursor s = new TextCursor(line, suffix + USERSPACE.length(), line.length());
            portId = s.unsigned(0xffff_ffffL, "port id");
            if (s.tryConsume(" progname=")) {
                program = s.token("program name");
            }
            if (!s.atEnd()) {
                throw s.error("unexpected text after the program");
            }
            end = suffix;
        }
        TextCursor body = new TextCursor(line, c.position(), end);
        return new ConntrackEvent(type, parse(body), micros, portId, program);
    }

    private static int lastIndexOf(CharSequence text, String needle, int from) {
        for (int i = text.length() - needle.length(); i >= from; i--) {
            boolean match = true;
            for (int k = 0; k < needle.length() && match; k++) {
                match = text.charAt(i + k) == needle.charAt(k);
            }
            if (match) {
                return i;
            }
        }
        return -1;
    }

    private Connection parse(TextCursor c) {
        return parseLine(c, true, true);
    }

    /**
     * Parses a line up to the cursor's end. Without a timeout column, a number after the protocol
     * is an error; without the reply direction, the connection gets the original's inverse.
     */
    Connection parseLine(TextCursor c, boolean withTimeout, boolean withReply) {
        if (extended) {
            int at = c.position();
            String name = paddedName(c, "layer-3 protocol name");
            AddressFamily family = AddressFamily.ofConntrackName(name);
            if (family == null) {
                throw c.error(at, "unknown layer-3 protocol name '" + name + "'");
            }
            int numberAt = c.position();
            long number = c.unsigned(255, "layer-3 protocol number");
            if (number != family.number()) {
                throw c.error(numberAt, name + " is number " + family.number() + ", not " + number);
            }
            c.space();
        }
        int nameAt = c.position();
        String name = paddedName(c, "protocol name");
        int numberAt = c.position();
        int number = (int) c.unsigned(255, "protocol number");
        L4Protocol protocol = L4Protocol.of(number);
        if (!protocol.conntrackName().equals(name)) {
            throw c.error(nameAt, "protocol " + number + " is printed as '" + protocol.conntrackName()
                    + "', not '" + name + "'");
        }
        c.space();
        int timeout = -1;
        boolean hasTimeout = false;
        if (c.peek() >= '0' && c.peek() <= '9') {
            if (!withTimeout) {
                throw c.error("unexpected timeout column");
            }
            timeout = (int) c.unsigned(0xffff_ffffL, "timeout");
            hasTimeout = true;
            c.space();
        }
        int state = -1;
        if (!c.startsWith("src=")) {
            int stateAt = c.position();
            String stateName = c.token("state or 'src='");
            state = stateNumber(protocol, stateName);
            if (state < 0) {
                throw c.error(stateAt, stateName(protocol, 0) == null
                        ? "expected 'src='" : "unknown " + protocol + " state '" + stateName + "'");
            }
            c.space();
        }
        Tuple original = TupleText.read(c, protocol);
        if (nextIs(c, " zone-orig=")) {
            original = original.withZone((int) c.unsigned(0xffff, "original zone"));
        }
        long packetsOriginal = -1;
        long bytesOriginal = -1;
        boolean countersOriginal = false;
        if (nextIs(c, " packets=")) {
            packetsOriginal = c.unsigned64("packets");
            c.space();
            c.expect("bytes=");
            bytesOriginal = c.unsigned64("bytes");
            countersOriginal = true;
        }
        int status = StatusBit.SEEN_REPLY.mask();
        if (nextIs(c, " [UNREPLIED]")) {
            status = 0;
        }
        Tuple reply;
        if (withReply) {
            c.space();
            int replyAt = c.position();
            reply = TupleText.read(c, protocol);
            if (reply.family() != original.family()) {
                throw c.error(replyAt, "reply tuple's family differs from the original's");
            }
            if (nextIs(c, " zone-reply=")) {
                reply = reply.withZone((int) c.unsigned(0xffff, "reply zone"));
            }
        } else {
            if (!original.isInvertible()) {
                throw c.error("the original tuple has no inverse to stand for the reply");
            }
            reply = original.inverse();
        }
        Connection.Builder b = Connection.builder(original, reply);
        if (hasTimeout) {
            b.timeout(timeout);
        }
        if (state >= 0) {
            b.protocolState(state);
        }
        if (countersOriginal) {
            b.countersOriginal(packetsOriginal, bytesOriginal);
        }
        if (withReply && nextIs(c, " packets=")) {
            long packets = c.unsigned64("packets");
            c.space();
            c.expect("bytes=");
            b.countersReply(packets, c.unsigned64("bytes"));
        }
        if (nextIs(c, " [HW_OFFLOAD]")) {
            status |= StatusBit.HW_OFFLOAD.mask();
        } else if (nextIs(c, " [OFFLOAD]")) {
            status |= StatusBit.OFFLOAD.mask();
        } else if (nextIs(c, " [ASSURED]")) {
            status |= StatusBit.ASSURED.mask();
        }
        b.status(status);
        if (nextIs(c, " mark=")) {
            b.mark((int) c.unsigned(0xffff_ffffL, "mark"));
        }
        if (nextIs(c, " secmark=")) {
            b.secmark((int) c.unsigned(0xffff_ffffL, "secmark"));
        }
        if (nextIs(c, " secctx=")) {
            b.secctx(c.token("security context"));
        }
        if (nextIs(c, " zone=")) {
            b.zone((int) c.unsigned(0xffff, "zone"));
        }
        long delta = 0;
        int deltaAt = -1;
        if (nextIs(c, " delta-time=")) {
            deltaAt = c.position();
            delta = c.unsigned64("delta-time");
        }
        boolean start = false;
        long startSeconds = 0;
        long stopSeconds = 0;
        if (kernelTimestamps) {
            if (nextIs(c, " [start=")) {
                if (deltaAt < 0) {
                    throw c.error("[start=] without delta-time");
                }
                startSeconds = readCtime(c);
                b.start(startSeconds * NANOS);
                start = true;
            }
            if (nextIs(c, " [stop=")) {
                stopSeconds = readCtime(c);
                b.stop(stopSeconds * NANOS);
            }
        }
        if (start && stopSeconds != 0) {
            // With both times known, delta-time is no longer relative to the clock.
            long expected = stopSeconds - startSeconds;
            if (expected != delta) {
                throw c.error(deltaAt, "delta-time is not [stop=] minus [start=] (" + Long.toUnsignedString(expected) + ")");
            }
        }
        if (deltaAt >= 0 && !start && kernelTimestamps) {
            throw c.error(deltaAt, "with -o ktimestamp, delta-time comes with [start=]");
        }
        if (deltaAt >= 0 && !start) {
            long reconstructed = clock.millis() / 1000 - delta;
            if (delta < 0 || reconstructed < -MAX_SECONDS) {
                throw c.error(deltaAt, "delta-time out of range");
            }
            b.start(reconstructed * NANOS);
        }
        if (nextIs(c, " helper=")) {
            b.helper(c.token("helper name"));
        }
        if (nextIs(c, " use=")) {
            b.use((int) c.unsigned(0xffff_ffffL, "use"));
        }
        if (id && nextIs(c, " id=")) {
            b.id((int) c.unsigned(0xffff_ffffL, "id"));
        }
        if (labels != null && nextIs(c, " labels")) {
            readLabels(c, b);
        }
        if (!c.atEnd()) {
            throw c.error(c.peek() == ' ' ? "unexpected or misplaced field" : "unexpected text");
        }
        return b.build();
    }

    private void readLabels(TextCursor c, Connection.Builder b) {
        long high = 0;
        long low = 0;
        if (c.tryConsume("=")) {
            int previous = -1;
            do {
                int at = c.position();
                int stop = at;
                while (stop < c.end() && c.text().charAt(stop) != ',' && c.text().charAt(stop) != ' ') {
                    stop++;
                }
                String name = c.text().subSequence(at, stop).toString();
                int bit = name.isEmpty() ? -1 : labels.bit(name);
                if (bit < 0) {
                    throw c.error(at, name.isEmpty() ? "expected a label name" : "unknown label '" + name + "'");
                }
                if (bit <= previous) {
                    throw c.error(at, "labels must be listed in bit order, each once");
                }
                previous = bit;
                if (bit < 64) {
                    low |= 1L << bit;
                } else {
                    high |= 1L << (bit - 64);
                }
                c.position(stop);
            } while (c.tryConsume(","));
        }
        b.labels(high, low);
    }

    /** Reads {@code NAME}, spaces up to 8 columns and the separating space. */
    private static String paddedName(TextCursor c, String what) {
        int at = c.position();
        int stop = at;
        while (stop < c.end() && c.text().charAt(stop) >= 'a' && c.text().charAt(stop) <= 'z'
                || stop < c.end() && stop > at && c.text().charAt(stop) >= '0' && c.text().charAt(stop) <= '9') {
            stop++;
        }
        if (stop == at) {
            throw c.error("expected " + what);
        }
        String name = c.text().subSequence(at, stop).toString();
        c.position(stop);
        for (int i = name.length(); i < 8; i++) {
            if (c.peek() != ' ') {
                throw c.error(what + " must be padded with spaces to 8 columns");
            }
            c.position(c.position() + 1);
        }
        c.space();
        return name;
    }

    /** Consumes {@code literal} (which starts with a space) when it is next. */
    private static boolean nextIs(TextCursor c, String literal) {
        return c.tryConsume(literal);
    }

    /** Reads {@code ctime(3)} text up to and including the closing bracket; returns epoch seconds. */
    private long readCtime(TextCursor c) {
        int at = c.position();
        int close = at;
        while (close < c.end() && c.text().charAt(close) != ']') {
            close++;
        }
        if (close == c.end()) {
            throw c.error("expected ']' after the time");
        }
        String text = c.text().subSequence(at, close).toString();
        long seconds;
        try {
            // "Wed Nov 25 05:56:02 2026", day of month padded to two columns with a space
            if (text.length() < 24 || text.charAt(3) != ' ' || text.charAt(7) != ' ' || text.charAt(10) != ' '
                    || text.charAt(13) != ':' || text.charAt(16) != ':' || text.charAt(19) != ' ') {
                throw c.error(at, "expected a time like 'Wed Nov 25 05:56:02 2026'");
            }
            int month = indexOf(MONTHS, text.substring(4, 7));
            int day = Integer.parseInt(text.substring(8, 10).trim());
            int hour = Integer.parseInt(text.substring(11, 13));
            int minute = Integer.parseInt(text.substring(14, 16));
            int second = Integer.parseInt(text.substring(17, 19));
            int year = Integer.parseInt(text.substring(20));
            if (month < 0 || year < 1970 || year > 9999) {
                throw c.error(at, "expected a time like 'Wed Nov 25 05:56:02 2026'");
            }
            LocalDateTime local = LocalDateTime.of(year, month + 1, day, hour, minute, second);
            seconds = ZonedDateTime.ofLocal(local, zone, null).toEpochSecond();
        } catch (NumberFormatException | java.time.DateTimeException e) {
            throw c.error(at, "expected a time like 'Wed Nov 25 05:56:02 2026'");
        }
        if (!ctime(new StringBuilder(24), seconds).toString().equals(text)) {
            throw c.error(at, "time '" + text + "' is not as ctime(3) writes it in zone " + zone);
        }
        c.position(close + 1);
        return seconds;
    }

    private static int indexOf(String[] names, String name) {
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(name)) {
                return i;
            }
        }
        return -1;
    }
}

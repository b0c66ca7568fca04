package io.conntrack4j.core.format;

import io.conntrack4j.core.Connection;
import io.conntrack4j.core.EventType;
import io.conntrack4j.core.Expectation;
import io.conntrack4j.core.ExpectationFlag;
import io.conntrack4j.core.L4Protocol;
import io.conntrack4j.core.StatusBit;
import io.conntrack4j.core.TcpState;
import io.conntrack4j.core.Tuple;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Locale;
import java.util.Objects;

/**
 * One {@code <flow>} element of libnetfilter_conntrack 1.0.9's XML, byte for byte, as
 * {@code conntrack -L -o xml} prints it between {@code <conntrack>} and {@code </conntrack>}, and
 * as {@code conntrackd -i -x} / {@code -e -x} print it one per line (VyOS parses these).
 *
 * <pre>{@code
 * ConntrackXmlFormat xml = ConntrackXmlFormat.builder().build();
 * String line = xml.format(connection);                  // conntrack -L -o xml
 * String external = xml.formatOriginalOnly(connection);  // conntrackd -e -x
 * String event = xml.format(conntrackEvent);             // conntrack -E -o xml
 * }</pre>
 *
 * <p>The element: {@code <flow>}, a {@code <meta direction="original">} and a
 * {@code direction="reply"} one (each {@code <layer3>} with {@code <src>}/{@code <dst>},
 * {@code <layer4>} with ports or GRE keys, nothing for ICMP, then the directional {@code <zone>} and
 * {@code <counters>} when present), a {@code direction="independent"} one when the connection has
 * any of its parts ({@code <state>}, {@code <timeout>}, {@code <mark>}, with {@code -o labels}
 * {@code <labels>} holding one {@code <label>} per named set bit, {@code <secmark>},
 * {@code <secctx>}, {@code <zone>}, {@code <use>}, {@code <id>}, {@code <assured/>},
 * {@code <unreplied/>}, with {@code -o ktimestamp} {@code <timestamp>} in nanoseconds, then
 * {@code <deltatime>}), for events printed with {@code -o timestamp} a {@code <when>} in local time,
 * then {@code <helper>}. Events open with {@code <flow type="new">} ({@code update},
 * {@code destroy}). conntrackd's external cache has no reply tuple: that meta then names protocol 0,
 * {@code unknown}.
 *
 * <p>libnetfilter_conntrack prints SCTP and DCCP states through the TCP name table, by number: an
 * SCTP ESTABLISHED (4) shows as {@code FIN_WAIT}, CLOSED (1) as {@code SYN_SENT}. This format does
 * the same, since VyOS and other readers of this XML see those names from the real tools.
 *
 * <p>Expectations ({@code conntrack -L expect -o xml}, {@code conntrackd -i expect -x}) have their
 * own {@code <flow>}: {@code <layer3>} and {@code <layer4>} each hold {@code <expected>},
 * {@code <mask>} and {@code <master>}, then {@code <meta>} holds {@code <helper-name>},
 * {@code <timeout>} (not in conntrackd's dump), {@code <class>} and the flags as
 * {@code <permanent/>}, {@code <inactive/>}, {@code <userspace/>}. Checked against the real tools
 * for TCP and UDP; the ICMP and GRE keys of an expectation follow the connection element's rules.
 */
public final class ConntrackXmlFormat {

    private static final long NANOS = 1_000_000_000L;
    private static final String UNKNOWN_REPLY = "<meta direction=\"reply\"><layer3 protonum=\"0\" protoname=\"unknown\">"
            + "<src></src><dst></dst></layer3><layer4 protonum=\"0\" protoname=\"unknown\"></layer4></meta>";

    private final boolean kernelTimestamps;
    private final boolean eventTime;
    private final LabelMap labels;
    private final Clock clock;
    private final ZoneId zone;

    private ConntrackXmlFormat(Builder b) {
        this.kernelTimestamps = b.kernelTimestamps;
        this.eventTime = b.eventTime;
        this.labels = b.labels;
        this.clock = b.clock;
        this.zone = b.zone;
    }

    /**
     * Options as for plain {@code conntrack -L -o xml}.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Options of a {@link ConntrackXmlFormat}. */
    public static final class Builder {
        private boolean kernelTimestamps;
        private boolean eventTime;
        private LabelMap labels;
        private Clock clock = Clock.systemUTC();
        private ZoneId zone = ZoneId.systemDefault();

        private Builder() {
        }

        /**
         * {@code -o xml,labels} with a connlabel.conf: print {@code <labels>} with the names of the
         * set label bits. Null (the default) prints no labels, as conntrack does without that option.
         *
         * @param map names of label bits, or null
         * @return this builder
         */
        public Builder labels(LabelMap map) {
            labels = map;
            return this;
        }

        /**
         * {@code conntrack -E -o xml,timestamp}: events get a {@code <when>} element with the event's
         * receive time (or the clock's time when it has none) in the {@link #zone(ZoneId) zone}.
         *
         * @param on whether to
         * @return this builder
         */
        public Builder eventTime(boolean on) {
            eventTime = on;
            return this;
        }

        /**
         * The time zone of {@code <when>} (conntrack uses the local time zone).
         *
         * @param zone a zone; default the system's
         * @return this builder
         */
        public Builder zone(ZoneId zone) {
            this.zone = Objects.requireNonNull(zone, "zone");
            return this;
        }

        /**
         * {@code -o xml,ktimestamp}: print {@code <timestamp><start>NS</start>[<stop>NS</stop>]</timestamp>}.
         *
         * @param on whether to
         * @return this builder
         */
        public Builder kernelTimestamps(boolean on) {
            kernelTimestamps = on;
            return this;
        }

        /**
         * The clock {@code <deltatime>} is measured against (a running connection's start to now).
         *
         * @param clock a clock; default the system clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** @return the format */
        public ConntrackXmlFormat build() {
            return new ConntrackXmlFormat(this);
        }
    }

    /**
     * The {@code <flow>} element of a connection, without a newline.
     *
     * @param c the connection
     * @return the element
     */
    public String format(Connection c) {
        return appendTo(new StringBuilder(800), c, true).toString();
    }

    /**
     * The element as conntrackd's external cache prints it: the reply direction unknown.
     *
     * @param c the connection
     * @return the element
     */
    public String formatOriginalOnly(Connection c) {
        return appendTo(new StringBuilder(800), c, false).toString();
    }

    /**
     * Appends the element.
     *
     * @param out where to append
     * @param c the connection
     * @param withReply false for conntrackd's external cache, which has no reply tuple
     * @return {@code out}
     */
    public StringBuilder appendTo(StringBuilder out, Connection c, boolean withReply) {
        return appendTo(out, c, withReply, null, ConntrackEvent.NO_TIMESTAMP);
    }

    /**
     * The line of an event, as {@code conntrack -E -o xml} prints it: the element, then
     * {@code  [USERSPACE] portid=N} when a program caused it.
     *
     * @param event the event
     * @return the line, without a newline
     */
    public String format(ConntrackEvent event) {
        return appendTo(new StringBuilder(850), event).toString();
    }

    /**
     * Appends an event's element.
     *
     * @param out where to append
     * @param event the event
     * @return {@code out}
     */
    public StringBuilder appendTo(StringBuilder out, ConntrackEvent event) {
        long micros = event.hasTimestamp() ? event.timestampMicros() : clock.millis() * 1000;
        appendTo(out, event.connection(), true, event.type(), micros);
        // conntrack prints the cause after the element, as on its plain lines.
        if (event.isUserspace()) {
            out.append(" [USERSPACE] portid=").append(event.portId());
            if (event.programName() != null) {
                out.append(" progname=").append(event.programName());
            }
        }
        return out;
    }

    private StringBuilder appendTo(StringBuilder out, Connection c, boolean withReply, EventType type,
                                   long eventMicros) {
        if (type == null) {
            out.append("<flow>");
        } else {
            out.append("<flow type=\"").append(type.name().toLowerCase(Locale.ROOT)).append("\">");
        }
        direction(out, "original", c.original(), c.hasCountersOriginal(), c.packetsOriginal(), c.bytesOriginal());
        if (withReply) {
            direction(out, "reply", c.reply(), c.hasCountersReply(), c.packetsReply(), c.bytesReply());
        } else {
            out.append(UNKNOWN_REPLY);
        }
        boolean state = c.hasProtocolState() && (c.protocol() == L4Protocol.TCP || c.protocol() == L4Protocol.SCTP
                || c.protocol() == L4Protocol.DCCP);
        boolean independent = state || c.hasTimeout() || c.hasMark() || c.hasSecmark() || c.hasZone()
                || c.hasUse() || c.hasStatus() || c.hasId() || c.hasLabels() || c.hasStart() || c.hasStop();
        if (independent) {
            out.append("<meta direction=\"independent\">");
        }
        if (state) {
            // The library indexes TCP's name table with the SCTP or DCCP state number too.
            TcpState name = TcpState.ofNumber(c.protocolState());
            element(out, "state", (name == null ? TcpState.NONE : name).conntrackName());
        }
        if (c.hasTimeout()) {
            element(out, "timeout", Integer.toUnsignedString(c.timeout()));
        }
        if (c.hasMark()) {
            element(out, "mark", Integer.toUnsignedString(c.mark()));
        }
        if (labels != null && c.hasLabels()) {
            out.append("<labels>");
            for (int bit = 0; bit < 128; bit++) {
                String name = labels.name(bit);
                if (name != null && c.hasLabel(bit)) {
                    element(out, "label", escape(name));
                }
            }
            out.append("</labels>");
        }
        if (c.hasSecmark()) {
            element(out, "secmark", Integer.toUnsignedString(c.secmark()));
        }
        if (c.secctx() != null) {
            element(out, "secctx", escape(c.secctx()));
        }
        if (c.hasZone()) {
            element(out, "zone", Integer.toString(c.zone()));
        }
        if (c.hasUse()) {
            element(out, "use", Integer.toUnsignedString(c.use()));
        }
        if (c.hasId()) {
            element(out, "id", Integer.toUnsignedString(c.id()));
        }
        if (c.hasStatus()) {
            if (StatusBit.ASSURED.isSet(c.status())) {
                out.append("<assured/>");
            }
            if (!StatusBit.SEEN_REPLY.isSet(c.status())) {
                out.append("<unreplied/>");
            }
        }
        if (kernelTimestamps && (c.hasStart() || c.hasStop())) {
            out.append("<timestamp>");
            if (c.hasStart()) {
                element(out, "start", Long.toUnsignedString(c.startNanos()));
            }
            if (c.hasStop()) {
                element(out, "stop", Long.toUnsignedString(c.stopNanos()));
            }
            out.append("</timestamp>");
        }
        if (c.hasStart()) {
            long stop = c.hasStop() && c.stopNanos() != 0 ? c.stopNanos() / NANOS : clock.millis() / 1000;
            element(out, "deltatime", Long.toUnsignedString(stop - c.startNanos() / NANOS));
        }
        if (independent) {
            out.append("</meta>");
        }
        if (type != null && eventTime) {
            ZonedDateTime t = Instant.ofEpochSecond(eventMicros / 1_000_000).atZone(zone);
            out.append("<when>");
            element(out, "hour", Integer.toString(t.getHour()));
            element(out, "min", twoDigits(t.getMinute()));
            element(out, "sec", twoDigits(t.getSecond()));
            // struct tm counts weekdays from Sunday = 0; the library prints tm_wday + 1.
            element(out, "wday", Integer.toString(t.getDayOfWeek().getValue() % 7 + 1));
            element(out, "day", Integer.toString(t.getDayOfMonth()));
            element(out, "month", Integer.toString(t.getMonthValue()));
            element(out, "year", Integer.toString(t.getYear()));
            out.append("</when>");
        }
        if (c.helper() != null) {
            element(out, "helper", escape(c.helper()));
        }
        return out.append("</flow>");
    }

    private static String twoDigits(int value) {
        return value < 10 ? "0" + value : Integer.toString(value);
    }

    /**
     * The {@code <flow>} element of an expectation, as {@code conntrack -L expect -o xml} prints it.
     *
     * @param e the expectation
     * @return the element, without a newline
     */
    public String format(Expectation e) {
        return appendTo(new StringBuilder(700), e, true).toString();
    }

    /**
     * Appends an expectation's element.
     *
     * @param out where to append
     * @param e the expectation
     * @param withTimeout false for conntrackd's dump, whose cache does not keep the timeout
     * @return {@code out}
     */
    public StringBuilder appendTo(StringBuilder out, Expectation e, boolean withTimeout) {
        Tuple t = e.tuple();
        out.append("<flow><layer3 protonum=\"").append(t.family().number()).append("\" protoname=\"")
                .append(t.family().conntrackName()).append("\">");
        addresses(out, "expected", e.tuple());
        addresses(out, "mask", e.mask());
        addresses(out, "master", e.master());
        out.append("</layer3><layer4 protonum=\"").append(t.protocol().number()).append("\" protoname=\"")
                .append(t.protocol().conntrackName()).append("\">");
        keys(out.append("<expected>"), e.tuple()).append("</expected>");
        keys(out.append("<mask>"), e.mask()).append("</mask>");
        keys(out.append("<master>"), e.master()).append("</master>");
        out.append("</layer4><meta>");
        if (e.helper() != null) {
            element(out, "helper-name", escape(e.helper()));
        }
        if (withTimeout) {
            element(out, "timeout", Integer.toUnsignedString(e.timeout()));
        }
        element(out, "class", Integer.toUnsignedString(e.expectClass()));
        for (ExpectationFlag flag : ExpectationFlag.values()) {
            if (e.has(flag)) {
                out.append('<').append(flag.name().toLowerCase(Locale.ROOT)).append("/>");
            }
        }
        return out.append("</meta></flow>");
    }

    private static void addresses(StringBuilder out, String name, Tuple t) {
        out.append('<').append(name).append("><src>");
        t.source().appendTo(out).append("</src><dst>");
        t.destination().appendTo(out).append("</dst></").append(name).append('>');
    }

    private static StringBuilder keys(StringBuilder out, Tuple t) {
        switch (t.protocol().keyKind()) {
            case PORTS -> {
                element(out, "sport", Integer.toString(t.sourceKey()));
                element(out, "dport", Integer.toString(t.destinationKey()));
            }
            case GRE -> {
                element(out, "srckey", "0x" + Integer.toHexString(t.sourceKey()));
                element(out, "dstkey", "0x" + Integer.toHexString(t.destinationKey()));
            }
            case ICMP, NONE -> {
            }
        }
        return out;
    }

    private static void direction(StringBuilder out, String name, Tuple t, boolean counters, long packets,
                                  long bytes) {
        out.append("<meta direction=\"").append(name).append("\"><layer3 protonum=\"")
                .append(t.family().number()).append("\" protoname=\"").append(t.family().conntrackName())
                .append("\"><src>");
        t.source().appendTo(out).append("</src><dst>");
        t.destination().appendTo(out).append("</dst></layer3><layer4 protonum=\"")
                .append(t.protocol().number()).append("\" protoname=\"").append(t.protocol().conntrackName())
                .append("\">");
        switch (t.protocol().keyKind()) {
            case PORTS -> {
                element(out, "sport", Integer.toString(t.sourceKey()));
                element(out, "dport", Integer.toString(t.destinationKey()));
            }
            case GRE -> {
                element(out, "srckey", "0x" + Integer.toHexString(t.sourceKey()));
                element(out, "dstkey", "0x" + Integer.toHexString(t.destinationKey()));
            }
            case ICMP, NONE -> {
            }
        }
        out.append("</layer4>");
        if (t.hasZone()) {
            element(out, "zone", Integer.toString(t.zone()));
        }
        if (counters) {
            out.append("<counters>");
            element(out, "packets", Long.toUnsignedString(packets));
            element(out, "bytes", Long.toUnsignedString(bytes));
            out.append("</counters>");
        }
        out.append("</meta>");
    }

    private static void element(StringBuilder out, String name, String text) {
        out.append('<').append(name).append('>').append(text).append("</").append(name).append('>');
    }

    /** Helper names come from the kernel (at most 15 printable bytes); keep the element well formed. */
    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}

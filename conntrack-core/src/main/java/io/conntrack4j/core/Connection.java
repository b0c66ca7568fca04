package io.conntrack4j.core;

import io.conntrack4j.core.format.ConntrackFormat;
import java.util.Objects;

/**
 * An immutable snapshot of one tracked connection, with what ctnetlink and conntrack(8) report:
 * both tuples, status, protocol state, timeout, mark, zone, labels, counters, timestamps, helper,
 * master, NAT sequence adjustment and security context. Build one with {@link #builder(Tuple, Tuple)}.
 *
 * <p>Optional parts cost nothing when absent: numbers carry a presence flag ({@code hasTimeout()},
 * {@code hasMark()}, ...; their value is 0 when absent) and objects are null. A part is "present"
 * when the kernel reported it; this matters for conntrack's text, which prints only present parts
 * (a dump always has {@code mark=}, an event only when the mark is set).
 *
 * <p>NAT is visible in the tuples: a reply tuple that is not the inverse of the original one.
 * {@link #isSourceNat()} and {@link #isDestinationNat()} tell which half was rewritten.
 *
 * <p>Unsigned 32-bit kernel values (timeout, mark, secmark, id, use, SCTP vtags) are Java
 * {@code int}s holding the same bits; print them with {@link Integer#toUnsignedString(int)}.
 * Counters are unsigned 64-bit in {@code long}s.
 *
 * <pre>{@code
 * Connection c = Connection.builder(orig, orig.inverse())
 *         .status(StatusBit.mask(StatusBit.SEEN_REPLY, StatusBit.ASSURED, StatusBit.CONFIRMED))
 *         .tcpState(TcpState.ESTABLISHED).timeout(431999).mark(0).use(1)
 *         .build();
 * }</pre>
 */
public final class Connection {

    private static final int HAS_STATUS = 1;
    private static final int HAS_TIMEOUT = 1 << 1;
    private static final int HAS_MARK = 1 << 2;
    private static final int HAS_SECMARK = 1 << 3;
    private static final int HAS_ZONE = 1 << 4;
    private static final int HAS_USE = 1 << 5;
    private static final int HAS_ID = 1 << 6;
    private static final int HAS_LABELS = 1 << 7;
    private static final int HAS_COUNTERS_ORIGINAL = 1 << 8;
    private static final int HAS_COUNTERS_REPLY = 1 << 9;
    private static final int HAS_START = 1 << 10;
    private static final int HAS_STOP = 1 << 11;
    private static final int HAS_STATE = 1 << 12;
    private static final int HAS_TCP_WINDOW = 1 << 13;
    private static final int HAS_SCTP_VTAGS = 1 << 14;

    private final Tuple original;
    private final Tuple reply;
    private final int present;
    private final int status;
    private final int state;
    private final int tcpFlags;   // original << 8 | reply
    private final int tcpWscale;  // original << 8 | reply
    private final int sctpVtagOriginal;
    private final int sctpVtagReply;
    private final int timeout;
    private final int mark;
    private final int secmark;
    private final int zone;
    private final int use;
    private final int id;
    private final long labelsHigh;
    private final long labelsLow;
    private final long packetsOriginal;
    private final long bytesOriginal;
    private final long packetsReply;
    private final long bytesReply;
    private final long startNanos;
    private final long stopNanos;
    private final String helper;
    private final Tuple master;
    private final SequenceAdjustment seqAdjustOriginal;
    private final SequenceAdjustment seqAdjustReply;
    private final String secctx;

    private Connection(Builder b) {
        this.original = b.original;
        this.reply = b.reply;
        this.present = b.present;
        this.status = b.status;
        this.state = b.state;
        this.tcpFlags = b.tcpFlags;
        this.tcpWscale = b.tcpWscale;
        this.sctpVtagOriginal = b.sctpVtagOriginal;
        this.sctpVtagReply = b.sctpVtagReply;
        this.timeout = b.timeout;
        this.mark = b.mark;
        this.secmark = b.secmark;
        this.zone = b.zone;
        this.use = b.use;
        this.id = b.id;
        this.labelsHigh = b.labelsHigh;
        this.labelsLow = b.labelsLow;
        this.packetsOriginal = b.packetsOriginal;
        this.bytesOriginal = b.bytesOriginal;
        this.packetsReply = b.packetsReply;
        this.bytesReply = b.bytesReply;
        this.startNanos = b.startNanos;
        this.stopNanos = b.stopNanos;
        this.helper = b.helper;
        this.master = b.master;
        this.seqAdjustOriginal = b.seqAdjustOriginal;
        this.seqAdjustReply = b.seqAdjustReply;
        this.secctx = b.secctx;
    }

    /**
     * Starts a connection with its two tuples.
     *
     * @param original the original-direction tuple
     * @param reply the reply-direction tuple (the inverse of the original unless NAT applies)
     * @return a builder
     */
    public static Builder builder(Tuple original, Tuple reply) {
        return new Builder(original, reply);
    }

    /**
     * Starts a connection without NAT: the reply tuple is {@code original.inverse()}.
     *
     * @param original the original-direction tuple
     * @return a builder
     * @throws IllegalStateException when the original tuple cannot be inverted
     */
    public static Builder builder(Tuple original) {
        return new Builder(original, original.inverse());
    }

    /**
     * A builder holding everything of this connection.
     *
     * @return a builder
     */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** @return the original-direction tuple */
    public Tuple original() {
        return original;
    }

    /** @return the reply-direction tuple */
    public Tuple reply() {
        return reply;
    }

    /** @return the layer-4 protocol (the same in both tuples) */
    public L4Protocol protocol() {
        return original.protocol();
    }

    /** @return the address family */
    public AddressFamily family() {
        return original.family();
    }

    /** @return whether the reply tuple differs from the original's inverse */
    public boolean isNat() {
        return isSourceNat() || isDestinationNat();
    }

    /**
     * Whether source NAT applies: the reply is not sent back to the original source (address, or
     * port / GRE key / ICMP id).
     *
     * @return true for source NAT (masquerading, SNAT)
     */
    public boolean isSourceNat() {
        if (!reply.destination().equals(original.source())) {
            return true;
        }
        return switch (original.protocol().keyKind()) {
            case PORTS, GRE -> reply.destinationKey() != original.sourceKey();
            case ICMP -> reply.icmpId() != original.icmpId();
            case NONE -> false;
        };
    }

    /**
     * Whether destination NAT applies: the reply comes from somewhere other than the original
     * destination (address, or port / GRE key).
     *
     * @return true for destination NAT (port forwarding, DNAT)
     */
    public boolean isDestinationNat() {
        if (!reply.source().equals(original.destination())) {
            return true;
        }
        return switch (original.protocol().keyKind()) {
            case PORTS, GRE -> reply.sourceKey() != original.destinationKey();
            case ICMP, NONE -> false;
        };
    }

    /** @return whether a status word was reported */
    public boolean hasStatus() {
        return (present & HAS_STATUS) != 0;
    }

    /** @return the {@link StatusBit} word; 0 when absent */
    public int status() {
        return status;
    }

    /**
     * @param bit a status bit
     * @return whether it is set
     */
    public boolean hasStatusBit(StatusBit bit) {
        return bit.isSet(status);
    }

    /** @return whether a protocol state (TCP, SCTP or DCCP) was reported */
    public boolean hasProtocolState() {
        return (present & HAS_STATE) != 0;
    }

    /** @return the raw protocol state number; -1 when absent */
    public int protocolState() {
        return hasProtocolState() ? state : -1;
    }

    /** @return the TCP state, or null when this is not TCP, there is no state, or the number is unknown */
    public TcpState tcpState() {
        return hasProtocolState() && protocol() == L4Protocol.TCP ? TcpState.ofNumber(state) : null;
    }

    /** @return the SCTP state, or null when this is not SCTP or there is no state */
    public SctpState sctpState() {
        return hasProtocolState() && protocol() == L4Protocol.SCTP ? SctpState.ofNumber(state) : null;
    }

    /** @return the DCCP state, or null when this is not DCCP or there is no state */
    public DccpState dccpState() {
        return hasProtocolState() && protocol() == L4Protocol.DCCP ? DccpState.ofNumber(state) : null;
    }

    /** @return whether TCP per-direction flags and window scales were reported */
    public boolean hasTcpWindow() {
        return (present & HAS_TCP_WINDOW) != 0;
    }

    /** @return the original direction's {@link TcpFlag} byte */
    public int tcpFlagsOriginal() {
        return tcpFlags >>> 8;
    }

    /** @return the reply direction's {@link TcpFlag} byte */
    public int tcpFlagsReply() {
        return tcpFlags & 0xff;
    }

    /** @return the original direction's window scale (shift count) */
    public int tcpWindowScaleOriginal() {
        return tcpWscale >>> 8;
    }

    /** @return the reply direction's window scale (shift count) */
    public int tcpWindowScaleReply() {
        return tcpWscale & 0xff;
    }

    /** @return whether SCTP verification tags were reported */
    public boolean hasSctpVtags() {
        return (present & HAS_SCTP_VTAGS) != 0;
    }

    /** @return the original direction's verification tag (unsigned) */
    public int sctpVtagOriginal() {
        return sctpVtagOriginal;
    }

    /** @return the reply direction's verification tag (unsigned) */
    public int sctpVtagReply() {
        return sctpVtagReply;
    }

    /** @return whether a timeout was reported (offloaded entries have none) */
    public boolean hasTimeout() {
        return (present & HAS_TIMEOUT) != 0;
    }

    /** @return seconds left before the entry expires (unsigned); 0 when absent */
    public int timeout() {
        return timeout;
    }

    /** @return whether a mark was reported */
    public boolean hasMark() {
        return (present & HAS_MARK) != 0;
    }

    /** @return the connection mark (unsigned); 0 when absent */
    public int mark() {
        return mark;
    }

    /** @return whether a secmark was reported */
    public boolean hasSecmark() {
        return (present & HAS_SECMARK) != 0;
    }

    /** @return the security mark (unsigned); 0 when absent */
    public int secmark() {
        return secmark;
    }

    /** @return whether a (non-directional) zone was reported */
    public boolean hasZone() {
        return (present & HAS_ZONE) != 0;
    }

    /** @return the zone id 0 to 65535; 0 when absent (the default zone) */
    public int zone() {
        return zone;
    }

    /** @return whether a use count was reported */
    public boolean hasUse() {
        return (present & HAS_USE) != 0;
    }

    /** @return the kernel reference count; 0 when absent */
    public int use() {
        return use;
    }

    /** @return whether an id was reported */
    public boolean hasId() {
        return (present & HAS_ID) != 0;
    }

    /** @return the kernel's opaque 32-bit entry id (unsigned); 0 when absent */
    public int id() {
        return id;
    }

    /** @return whether labels were reported */
    public boolean hasLabels() {
        return (present & HAS_LABELS) != 0;
    }

    /** @return label bits 64 to 127 */
    public long labelsHigh() {
        return labelsHigh;
    }

    /** @return label bits 0 to 63 */
    public long labelsLow() {
        return labelsLow;
    }

    /**
     * @param bit 0 to 127
     * @return whether that label is set
     */
    public boolean hasLabel(int bit) {
        if (bit < 0 || bit > 127) {
            throw new IllegalArgumentException("label bit " + bit + " out of range 0..127");
        }
        return ((bit < 64 ? labelsLow : labelsHigh) >>> (bit & 63) & 1) != 0;
    }

    /** @return whether original-direction counters were reported (accounting on) */
    public boolean hasCountersOriginal() {
        return (present & HAS_COUNTERS_ORIGINAL) != 0;
    }

    /** @return whether reply-direction counters were reported */
    public boolean hasCountersReply() {
        return (present & HAS_COUNTERS_REPLY) != 0;
    }

    /** @return packets in the original direction (unsigned 64-bit) */
    public long packetsOriginal() {
        return packetsOriginal;
    }

    /** @return bytes in the original direction (unsigned 64-bit) */
    public long bytesOriginal() {
        return bytesOriginal;
    }

    /** @return packets in the reply direction (unsigned 64-bit) */
    public long packetsReply() {
        return packetsReply;
    }

    /** @return bytes in the reply direction (unsigned 64-bit) */
    public long bytesReply() {
        return bytesReply;
    }

    /** @return whether a start timestamp was reported (timestamps on) */
    public boolean hasStart() {
        return (present & HAS_START) != 0;
    }

    /** @return start time, nanoseconds since the epoch; 0 when absent */
    public long startNanos() {
        return startNanos;
    }

    /** @return whether a stop timestamp was reported (destroyed entries) */
    public boolean hasStop() {
        return (present & HAS_STOP) != 0;
    }

    /** @return stop time, nanoseconds since the epoch; 0 when absent */
    public long stopNanos() {
        return stopNanos;
    }

    /** @return the helper's name, or null */
    public String helper() {
        return helper;
    }

    /** @return the master connection's original tuple for a RELATED connection, or null */
    public Tuple master() {
        return master;
    }

    /** @return the original direction's sequence adjustment, or null */
    public SequenceAdjustment seqAdjustOriginal() {
        return seqAdjustOriginal;
    }

    /** @return the reply direction's sequence adjustment, or null */
    public SequenceAdjustment seqAdjustReply() {
        return seqAdjustReply;
    }

    /** @return the security context name, or null */
    public String secctx() {
        return secctx;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Connection c)) {
            return false;
        }
        return present == c.present && status == c.status && state == c.state && tcpFlags == c.tcpFlags
                && tcpWscale == c.tcpWscale && sctpVtagOriginal == c.sctpVtagOriginal
                && sctpVtagReply == c.sctpVtagReply && timeout == c.timeout && mark == c.mark
                && secmark == c.secmark && zone == c.zone && use == c.use && id == c.id
                && labelsHigh == c.labelsHigh && labelsLow == c.labelsLow
                && packetsOriginal == c.packetsOriginal && bytesOriginal == c.bytesOriginal
                && packetsReply == c.packetsReply && bytesReply == c.bytesReply
                && startNanos == c.startNanos && stopNanos == c.stopNanos
                && original.equals(c.original) && reply.equals(c.reply)
                && Objects.equals(helper, c.helper) && Objects.equals(master, c.master)
                && Objects.equals(seqAdjustOriginal, c.seqAdjustOriginal)
                && Objects.equals(seqAdjustReply, c.seqAdjustReply) && Objects.equals(secctx, c.secctx);
    }

    @Override
    public int hashCode() {
        int h = original.hashCode() * 31 + reply.hashCode();
        h = h * 31 + present;
        h = h * 31 + status;
        h = h * 31 + state;
        h = h * 31 + timeout;
        h = h * 31 + mark;
        h = h * 31 + zone;
        h = h * 31 + id;
        h = h * 31 + Long.hashCode(labelsHigh ^ labelsLow);
        h = h * 31 + Long.hashCode(packetsOriginal + bytesOriginal + packetsReply + bytesReply);
        return h * 31 + Long.hashCode(startNanos ^ stopNanos);
    }

    /** The entry as {@code conntrack -L -o id} prints it, plus nothing else. */
    @Override
    public String toString() {
        return ConntrackFormat.builder().id(true).build().format(this);
    }

    /** Builds a {@link Connection}. Setting an optional part marks it present. */
    public static final class Builder {
        private Tuple original;
        private Tuple reply;
        private int present;
        private int status;
        private int state;
        private int tcpFlags;
        private int tcpWscale;
        private int sctpVtagOriginal;
        private int sctpVtagReply;
        private int timeout;
        private int mark;
        private int secmark;
        private int zone;
        private int use;
        private int id;
        private long labelsHigh;
        private long labelsLow;
        private long packetsOriginal;
        private long bytesOriginal;
        private long packetsReply;
        private long bytesReply;
        private long startNanos;
        private long stopNanos;
        private String helper;
        private Tuple master;
        private SequenceAdjustment seqAdjustOriginal;
        private SequenceAdjustment seqAdjustReply;
        private String secctx;

        private Builder(Tuple original, Tuple reply) {
            tuples(original, reply);
        }

        private Builder(Connection c) {
            original = c.original;
            reply = c.reply;
            present = c.present;
            status = c.status;
            state = c.state;
            tcpFlags = c.tcpFlags;
            tcpWscale = c.tcpWscale;
            sctpVtagOriginal = c.sctpVtagOriginal;
            sctpVtagReply = c.sctpVtagReply;
            timeout = c.timeout;
            mark = c.mark;
            secmark = c.secmark;
            zone = c.zone;
            use = c.use;
            id = c.id;
            labelsHigh = c.labelsHigh;
            labelsLow = c.labelsLow;
            packetsOriginal = c.packetsOriginal;
            bytesOriginal = c.bytesOriginal;
            packetsReply = c.packetsReply;
            bytesReply = c.bytesReply;
            startNanos = c.startNanos;
            stopNanos = c.stopNanos;
            helper = c.helper;
            master = c.master;
            seqAdjustOriginal = c.seqAdjustOriginal;
            seqAdjustReply = c.seqAdjustReply;
            secctx = c.secctx;
        }

        /**
         * Replaces both tuples.
         *
         * @param original original direction
         * @param reply reply direction: same family and protocol
         * @return this builder
         */
        public Builder tuples(Tuple original, Tuple reply) {
            Objects.requireNonNull(original, "original");
            Objects.requireNonNull(reply, "reply");
            if (original.protocol() != reply.protocol()) {
                throw new IllegalArgumentException("original protocol " + original.protocol()
                        + " differs from reply protocol " + reply.protocol());
            }
            if (original.family() != reply.family()) {
                throw new IllegalArgumentException("original and reply tuples are of different families");
            }
            this.original = original;
            this.reply = reply;
            return this;
        }

        /**
         * @param status the {@link StatusBit} word
         * @return this builder
         */
        public Builder status(int status) {
            this.status = status;
            present |= HAS_STATUS;
            return this;
        }

        /**
         * Sets the raw protocol state number (for TCP, SCTP or DCCP).
         *
         * @param number 0 to 255
         * @return this builder
         */
        public Builder protocolState(int number) {
            if (number < 0 || number > 255) {
                throw new IllegalArgumentException("protocol state " + number + " out of range 0..255");
            }
            this.state = number;
            present |= HAS_STATE;
            return this;
        }

        /**
         * @param state a TCP state (the connection must be TCP)
         * @return this builder
         */
        public Builder tcpState(TcpState state) {
            requireProtocol(L4Protocol.TCP);
            return protocolState(state.number());
        }

        /**
         * @param state an SCTP state (the connection must be SCTP)
         * @return this builder
         */
        public Builder sctpState(SctpState state) {
            requireProtocol(L4Protocol.SCTP);
            return protocolState(state.number());
        }

        /**
         * @param state a DCCP state (the connection must be DCCP)
         * @return this builder
         */
        public Builder dccpState(DccpState state) {
            requireProtocol(L4Protocol.DCCP);
            return protocolState(state.number());
        }

        /**
         * Removes the protocol state.
         *
         * @return this builder
         */
        public Builder clearProtocolState() {
            state = 0;
            present &= ~HAS_STATE;
            return this;
        }

        /**
         * Sets the TCP per-direction flags and window scales.
         *
         * @param flagsOriginal {@link TcpFlag} byte of the original direction
         * @param flagsReply {@link TcpFlag} byte of the reply direction
         * @param wscaleOriginal window scale of the original direction (0 to 255)
         * @param wscaleReply window scale of the reply direction (0 to 255)
         * @return this builder
         */
        public Builder tcpWindow(int flagsOriginal, int flagsReply, int wscaleOriginal, int wscaleReply) {
            requireProtocol(L4Protocol.TCP);
            if (((flagsOriginal | flagsReply | wscaleOriginal | wscaleReply) & ~0xff) != 0) {
                throw new IllegalArgumentException("TCP flags and window scales are bytes");
            }
            tcpFlags = flagsOriginal << 8 | flagsReply;
            tcpWscale = wscaleOriginal << 8 | wscaleReply;
            present |= HAS_TCP_WINDOW;
            return this;
        }

        /**
         * Sets the SCTP verification tags.
         *
         * @param original original direction's tag (unsigned)
         * @param reply reply direction's tag (unsigned)
         * @return this builder
         */
        public Builder sctpVtags(int original, int reply) {
            requireProtocol(L4Protocol.SCTP);
            sctpVtagOriginal = original;
            sctpVtagReply = reply;
            present |= HAS_SCTP_VTAGS;
            return this;
        }

        /**
         * @param seconds seconds left (unsigned 32-bit)
         * @return this builder
         */
        public Builder timeout(int seconds) {
            timeout = seconds;
            present |= HAS_TIMEOUT;
            return this;
        }

        /**
         * Removes the timeout (offloaded entries report none).
         *
         * @return this builder
         */
        public Builder clearTimeout() {
            timeout = 0;
            present &= ~HAS_TIMEOUT;
            return this;
        }

        /**
         * @param mark connection mark (unsigned 32-bit)
         * @return this builder
         */
        public Builder mark(int mark) {
            this.mark = mark;
            present |= HAS_MARK;
            return this;
        }

        /**
         * Removes the mark.
         *
         * @return this builder
         */
        public Builder clearMark() {
            mark = 0;
            present &= ~HAS_MARK;
            return this;
        }

        /**
         * @param secmark security mark (unsigned 32-bit)
         * @return this builder
         */
        public Builder secmark(int secmark) {
            this.secmark = secmark;
            present |= HAS_SECMARK;
            return this;
        }

        /**
         * @param zone zone id 0 to 65535
         * @return this builder
         */
        public Builder zone(int zone) {
            if (zone < 0 || zone > 0xffff) {
                throw new IllegalArgumentException("zone " + zone + " out of range 0..65535");
            }
            this.zone = zone;
            present |= HAS_ZONE;
            return this;
        }

        /**
         * Removes the zone.
         *
         * @return this builder
         */
        public Builder clearZone() {
            zone = 0;
            present &= ~HAS_ZONE;
            return this;
        }

        /**
         * @param use reference count (unsigned 32-bit)
         * @return this builder
         */
        public Builder use(int use) {
            this.use = use;
            present |= HAS_USE;
            return this;
        }

        /**
         * Removes the use count.
         *
         * @return this builder
         */
        public Builder clearUse() {
            use = 0;
            present &= ~HAS_USE;
            return this;
        }

        /**
         * @param id kernel entry id (unsigned 32-bit)
         * @return this builder
         */
        public Builder id(int id) {
            this.id = id;
            present |= HAS_ID;
            return this;
        }

        /**
         * @param high label bits 64 to 127
         * @param low label bits 0 to 63
         * @return this builder
         */
        public Builder labels(long high, long low) {
            labelsHigh = high;
            labelsLow = low;
            present |= HAS_LABELS;
            return this;
        }

        /**
         * Sets the original direction's counters.
         *
         * @param packets packets (unsigned 64-bit)
         * @param bytes bytes (unsigned 64-bit)
         * @return this builder
         */
        public Builder countersOriginal(long packets, long bytes) {
            packetsOriginal = packets;
            bytesOriginal = bytes;
            present |= HAS_COUNTERS_ORIGINAL;
            return this;
        }

        /**
         * Sets the reply direction's counters.
         *
         * @param packets packets (unsigned 64-bit)
         * @param bytes bytes (unsigned 64-bit)
         * @return this builder
         */
        public Builder countersReply(long packets, long bytes) {
            packetsReply = packets;
            bytesReply = bytes;
            present |= HAS_COUNTERS_REPLY;
            return this;
        }

        /**
         * @param nanos start time in nanoseconds since the epoch
         * @return this builder
         */
        public Builder start(long nanos) {
            startNanos = nanos;
            present |= HAS_START;
            return this;
        }

        /**
         * @param nanos stop time in nanoseconds since the epoch
         * @return this builder
         */
        public Builder stop(long nanos) {
            stopNanos = nanos;
            present |= HAS_STOP;
            return this;
        }

        /**
         * @param name helper name, or null for none
         * @return this builder
         */
        public Builder helper(String name) {
            helper = name;
            return this;
        }

        /**
         * @param tuple the master's original tuple, or null
         * @return this builder
         */
        public Builder master(Tuple tuple) {
            master = tuple;
            return this;
        }

        /**
         * @param original original direction's adjustment, or null
         * @param reply reply direction's adjustment, or null
         * @return this builder
         */
        public Builder seqAdjust(SequenceAdjustment original, SequenceAdjustment reply) {
            seqAdjustOriginal = original;
            seqAdjustReply = reply;
            return this;
        }

        /**
         * @param name security context, or null
         * @return this builder
         */
        public Builder secctx(String name) {
            secctx = name;
            return this;
        }

        /** @return the connection */
        public Connection build() {
            if ((present & HAS_STATE) != 0 && protocolOf() != L4Protocol.TCP
                    && protocolOf() != L4Protocol.SCTP && protocolOf() != L4Protocol.DCCP) {
                throw new IllegalStateException("protocol " + protocolOf() + " has no protocol state");
            }
            return new Connection(this);
        }

        private L4Protocol protocolOf() {
            return original.protocol();
        }

        private void requireProtocol(L4Protocol protocol) {
            if (original.protocol() != protocol) {
                throw new IllegalStateException("connection is " + original.protocol() + ", not " + protocol);
            }
        }
    }
}

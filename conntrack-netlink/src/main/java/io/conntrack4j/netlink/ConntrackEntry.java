package io.conntrack4j.netlink;

import io.conntrack4j.core.Connection;
import io.conntrack4j.core.L4Protocol;
import io.conntrack4j.core.SequenceAdjustment;
import io.conntrack4j.core.Tuple;
import io.conntrack4j.netlink.internal.AttributeIterator;
import io.conntrack4j.netlink.internal.Cta;
import io.conntrack4j.netlink.internal.CtaCounters;
import io.conntrack4j.netlink.internal.CtaHelp;
import io.conntrack4j.netlink.internal.CtaProtoInfo;
import io.conntrack4j.netlink.internal.CtaSecCtx;
import io.conntrack4j.netlink.internal.CtaSeqAdj;
import io.conntrack4j.netlink.internal.CtaTimestamp;
import io.conntrack4j.netlink.internal.Netlink;
import java.nio.ByteBuffer;

/**
 * A conntrack entry read in place from a received netlink message (a flyweight): one instance is
 * reused for every entry of a dump, so nothing is allocated per entry, and it is valid only during
 * the {@link ConntrackVisitor} call. Absent attributes read as -1 (the kernel omits, for example,
 * the timeout and protocol state of offloaded entries).
 *
 * <p>{@link #toConnection()} copies the entry into an immutable core {@link Connection} (with every
 * attribute the kernel sent), for keeping it beyond the call or printing it like conntrack(8).
 *
 * <p>Reading never fails: attributes that are cut off or have the wrong size are skipped and
 * counted ({@link DumpSummary#malformedAttributes()}), unknown ones are ignored and counted.
 *
 * <pre>{@code
 * table.dump(entry -> {
 *     System.out.println(entry.original().sourceAddress() + " mark=" + entry.mark()
 *             + " zone=" + entry.zone() + " tcp state=" + entry.tcpState());
 *     return true;
 * });
 * }</pre>
 */
public final class ConntrackEntry {
    private static final int PROTO_NONE = -1;
    private final AttributeIterator top = new AttributeIterator();
    private final AttributeIterator nest = new AttributeIterator();
    private final AttributeIterator inner = new AttributeIterator();
    private final AttributeIterator innermost = new AttributeIterator();
    private final TupleReader tuples = new TupleReader();
    private final TupleView original = new TupleView();
    private final TupleView reply = new TupleView();
    private final TupleView master = new TupleView();
    private ByteBuffer host;
    private int family;
    private long status;
    private long timeout;
    private long mark;
    private long secmark;
    private long id;
    private long use;
    private int zone;
    private int protoInfo;
    private int protocolState;
    private int tcpWscaleOriginal;
    private int tcpWscaleReply;
    private int tcpFlagsOriginal;
    private int tcpFlagsReply;
    private long sctpVtagOriginal;
    private long sctpVtagReply;
    private boolean hasCountersOriginal;
    private boolean hasCountersReply;
    private long packetsOriginal;
    private long bytesOriginal;
    private long packetsReply;
    private long bytesReply;
    private boolean hasStart;
    private boolean hasStop;
    private long startNanos;
    private long stopNanos;
    private boolean hasLabels;
    private long labelsHigh;
    private long labelsLow;
    private int helperOffset;
    private int helperLength;
    private int secctxOffset;
    private int secctxLength;
    private final long[] seqAdjust = new long[6];
    private boolean hasSeqAdjustOriginal;
    private boolean hasSeqAdjustReply;
    private long unknown;

    ConntrackEntry() {
    }

    /**
     * Reads the message at {@code offset} (its nlmsghdr) of {@code length} bytes.
     *
     * @return false when the message is too short to be an entry (nothing is read)
     */
    boolean wrap(ByteBuffer host, ByteBuffer network, int offset, int length) {
        this.host = host;
        original.clear(host, network);
        reply.clear(host, network);
        master.clear(host, network);
        family = -1;
        status = -1;
        timeout = -1;
        mark = -1;
        secmark = -1;
        id = -1;
        use = -1;
        zone = -1;
        protoInfo = PROTO_NONE;
        protocolState = -1;
        tcpWscaleOriginal = -1;
        tcpWscaleReply = -1;
        tcpFlagsOriginal = -1;
        tcpFlagsReply = -1;
        sctpVtagOriginal = -1;
        sctpVtagReply = -1;
        hasCountersOriginal = false;
        hasCountersReply = false;
        packetsOriginal = 0;
        bytesOriginal = 0;
        packetsReply = 0;
        bytesReply = 0;
        hasStart = false;
        hasStop = false;
        startNanos = 0;
        stopNanos = 0;
        hasLabels = false;
        helperLength = -1;
        secctxLength = -1;
        hasSeqAdjustOriginal = false;
        hasSeqAdjustReply = false;
        int attributes = offset + Netlink.NLMSG_HDRLEN + Netlink.NFGENMSG_LEN;
        int end = offset + length;
        if (attributes > end) {
            return false;
        }
        family = host.get(offset + Netlink.NLMSG_HDRLEN) & 0xFF;
        top.wrap(host, network, attributes, end - attributes);
        while (top.next()) {
            switch (top.type()) {
                case Cta.TUPLE_ORIG -> readTuple(original);
                case Cta.TUPLE_REPLY -> readTuple(reply);
                case Cta.TUPLE_MASTER -> readTuple(master);
                case Cta.STATUS -> status = top.checkedU32();
                case Cta.TIMEOUT -> timeout = top.checkedU32();
                case Cta.MARK -> mark = top.checkedU32();
                case Cta.SECMARK -> secmark = top.checkedU32();
                case Cta.ID -> id = top.checkedU32();
                case Cta.USE -> use = top.checkedU32();
                case Cta.ZONE -> zone = top.checkedU16();
                case Cta.PROTOINFO -> readProtoInfo();
                case Cta.COUNTERS_ORIG -> readCounters(true);
                case Cta.COUNTERS_REPLY -> readCounters(false);
                case Cta.TIMESTAMP -> readTimestamp();
                case Cta.LABELS -> readLabels();
                case Cta.HELP -> readHelper();
                case Cta.SECCTX -> readSecctx();
                case Cta.SEQ_ADJ_ORIG -> hasSeqAdjustOriginal = readSeqAdjust(0);
                case Cta.SEQ_ADJ_REPLY -> hasSeqAdjustReply = readSeqAdjust(3);
                default -> {
                    // NAT ranges, masks, filters and SYNPROXY state are known but carry nothing the model holds
                    if (top.type() > Cta.MAX || top.type() == 0) {
                        unknown++;
                    }
                }
            }
        }
        return true;
    }

    private void readTuple(TupleView tuple) {
        tuples.read(top, tuple);
    }

    private void readProtoInfo() {
        nest.wrapNested(top);
        while (nest.next()) {
            int kind = nest.type();
            if (kind != CtaProtoInfo.TCP && kind != CtaProtoInfo.SCTP && kind != CtaProtoInfo.DCCP) {
                unknown++;
                continue;
            }
            protoInfo = kind;
            innermost.wrapNested(nest);
            while (innermost.next()) {
                int type = innermost.type();
                if (kind == CtaProtoInfo.TCP) {
                    switch (type) {
                        case CtaProtoInfo.TCP_STATE -> protocolState = innermost.checkedU8();
                        case CtaProtoInfo.TCP_WSCALE_ORIGINAL -> tcpWscaleOriginal = innermost.checkedU8();
                        case CtaProtoInfo.TCP_WSCALE_REPLY -> tcpWscaleReply = innermost.checkedU8();
                        case CtaProtoInfo.TCP_FLAGS_ORIGINAL -> tcpFlagsOriginal = tcpFlags(innermost);
                        case CtaProtoInfo.TCP_FLAGS_REPLY -> tcpFlagsReply = tcpFlags(innermost);
                        default -> unknown++;
                    }
                } else if (kind == CtaProtoInfo.SCTP) {
                    switch (type) {
                        case CtaProtoInfo.SCTP_STATE -> protocolState = innermost.checkedU8();
                        case CtaProtoInfo.SCTP_VTAG_ORIGINAL -> sctpVtagOriginal = innermost.checkedU32();
                        case CtaProtoInfo.SCTP_VTAG_REPLY -> sctpVtagReply = innermost.checkedU32();
                        default -> unknown++;
                    }
                } else {
                    switch (type) {
                        case CtaProtoInfo.DCCP_STATE -> protocolState = innermost.checkedU8();
                        case CtaProtoInfo.DCCP_ROLE, CtaProtoInfo.DCCP_HANDSHAKE_SEQ -> { }
                        default -> {
                            // type 4 is CTA_PROTOINFO_DCCP_PAD, alignment only
                            if (type != CtaProtoInfo.DCCP_HANDSHAKE_SEQ + 1) {
                                unknown++;
                            }
                        }
                    }
                }
            }
        }
    }

    /** The kernel sends {@code struct nf_ct_tcp_flags {u8 flags; u8 mask;}}; the flags byte is the state. */
    private static int tcpFlags(AttributeIterator it) {
        if (it.payloadLength() != 2) {
            it.countMalformed();
            return -1;
        }
        return it.u8At(0);
    }

    private void readCounters(boolean originalDirection) {
        long packets = -1;
        long bytes = -1;
        nest.wrapNested(top);
        while (nest.next()) {
            switch (nest.type()) {
                case CtaCounters.PACKETS -> packets = nest.checkedU64(packets);
                case CtaCounters.BYTES -> bytes = nest.checkedU64(bytes);
                case CtaCounters.PACKETS32 -> packets = nest.checkedU32();
                case CtaCounters.BYTES32 -> bytes = nest.checkedU32();
                case CtaCounters.PAD -> { }
                default -> unknown++;
            }
        }
        // -1 marks "absent" here, but it is also a legal u64; the kernel always sends both, so
        // an entry counts as having counters when it sent either
        boolean present = packets != -1 || bytes != -1;
        if (originalDirection) {
            hasCountersOriginal = present;
            packetsOriginal = packets == -1 ? 0 : packets;
            bytesOriginal = bytes == -1 ? 0 : bytes;
        } else {
            hasCountersReply = present;
            packetsReply = packets == -1 ? 0 : packets;
            bytesReply = bytes == -1 ? 0 : bytes;
        }
    }

    private void readTimestamp() {
        nest.wrapNested(top);
        while (nest.next()) {
            switch (nest.type()) {
                case CtaTimestamp.START -> {
                    if (nest.payloadLength() == 8) {
                        hasStart = true;
                        startNanos = nest.u64();
                    } else {
                        nest.countMalformed();
                    }
                }
                case CtaTimestamp.STOP -> {
                    if (nest.payloadLength() == 8) {
                        hasStop = true;
                        stopNanos = nest.u64();
                    } else {
                        nest.countMalformed();
                    }
                }
                case CtaTimestamp.PAD -> { }
                default -> unknown++;
            }
        }
    }

    /** CTA_LABELS is the kernel's {@code unsigned long bits[]} in host order: bit 0 is the low bit of word 0. */
    private void readLabels() {
        if (top.payloadLength() != 16) {
            top.countMalformed();
            return;
        }
        hasLabels = true;
        labelsLow = host.getLong(top.payloadOffset());
        labelsHigh = host.getLong(top.payloadOffset() + 8);
    }

    private void readHelper() {
        nest.wrapNested(top);
        while (nest.next()) {
            switch (nest.type()) {
                case CtaHelp.NAME -> {
                    helperOffset = nest.payloadOffset();
                    helperLength = nest.stringLength();
                }
                case CtaHelp.INFO -> { }
                default -> unknown++;
            }
        }
    }

    private void readSecctx() {
        nest.wrapNested(top);
        while (nest.next()) {
            if (nest.type() == CtaSecCtx.NAME) {
                secctxOffset = nest.payloadOffset();
                secctxLength = nest.stringLength();
            } else {
                unknown++;
            }
        }
    }

    private boolean readSeqAdjust(int at) {
        seqAdjust[at] = 0;
        seqAdjust[at + 1] = 0;
        seqAdjust[at + 2] = 0;
        boolean any = false;
        nest.wrapNested(top);
        while (nest.next()) {
            int slot = switch (nest.type()) {
                case CtaSeqAdj.CORRECTION_POS -> 0;
                case CtaSeqAdj.OFFSET_BEFORE -> 1;
                case CtaSeqAdj.OFFSET_AFTER -> 2;
                default -> -1;
            };
            if (slot < 0) {
                unknown++;
                continue;
            }
            long value = nest.checkedU32();
            if (value >= 0) {
                seqAdjust[at + slot] = value;
                any = true;
            }
        }
        return any;
    }

    /** Malformed attributes skipped since this view was created. */
    long malformedAttributes() {
        return top.malformed() + nest.malformed() + inner.malformed() + innermost.malformed() + tuples.malformed();
    }

    /** Unknown attributes ignored since this view was created. */
    long unknownAttributes() {
        return unknown + tuples.unknown();
    }

    /**
     * Copies the entry into an immutable {@link Connection} with every attribute the kernel sent
     * (allocates; the flyweight accessors do not). A missing reply tuple is taken as the inverse
     * of the original. Parts that do not fit the entry's protocol (a TCP state on a UDP entry)
     * are left out, as conntrack(8) leaves them out.
     *
     * <pre>{@code
     * List<Connection> kept = new ArrayList<>();
     * table.dump(entry -> {
     *     Connection c = entry.toConnection();
     *     if (c != null) kept.add(c);
     *     return true;
     * });
     * }</pre>
     *
     * @return the connection, or null when the original tuple is missing or unusable (no
     *     addresses of one family, or no protocol)
     */
    public Connection toConnection() {
        Tuple orig = original.toTuple();
        if (orig == null) {
            return null;
        }
        Tuple rep = reply.toTuple();
        if (rep == null || rep.protocol() != orig.protocol() || rep.family() != orig.family()) {
            if (!orig.isInvertible()) {
                return null;
            }
            rep = orig.inverse();
        }
        Connection.Builder b = Connection.builder(orig, rep);
        L4Protocol protocol = orig.protocol();
        if (status >= 0) {
            b.status((int) status);
        }
        if (protocolState >= 0 && stateBelongsTo(protocol)) {
            b.protocolState(protocolState);
        }
        if (protocol == L4Protocol.TCP && protoInfo == CtaProtoInfo.TCP && tcpFlagsOriginal >= 0
                && tcpFlagsReply >= 0 && tcpWscaleOriginal >= 0 && tcpWscaleReply >= 0) {
            b.tcpWindow(tcpFlagsOriginal, tcpFlagsReply, tcpWscaleOriginal, tcpWscaleReply);
        }
        if (protocol == L4Protocol.SCTP && sctpVtagOriginal >= 0 && sctpVtagReply >= 0) {
            b.sctpVtags((int) sctpVtagOriginal, (int) sctpVtagReply);
        }
        if (timeout >= 0) {
            b.timeout((int) timeout);
        }
        if (mark >= 0) {
            b.mark((int) mark);
        }
        if (secmark >= 0) {
            b.secmark((int) secmark);
        }
        if (zone >= 0) {
            b.zone(zone);
        }
        if (use >= 0) {
            b.use((int) use);
        }
        if (id >= 0) {
            b.id((int) id);
        }
        if (hasLabels) {
            b.labels(labelsHigh, labelsLow);
        }
        if (hasCountersOriginal) {
            b.countersOriginal(packetsOriginal, bytesOriginal);
        }
        if (hasCountersReply) {
            b.countersReply(packetsReply, bytesReply);
        }
        if (hasStart) {
            b.start(startNanos);
        }
        if (hasStop) {
            b.stop(stopNanos);
        }
        b.helper(helper());
        b.master(master.toTuple());
        b.seqAdjust(seqAdjustment(hasSeqAdjustOriginal, 0), seqAdjustment(hasSeqAdjustReply, 3));
        b.secctx(secctx());
        return b.build();
    }

    private boolean stateBelongsTo(L4Protocol protocol) {
        return protocol == L4Protocol.TCP ? protoInfo == CtaProtoInfo.TCP
                : protocol == L4Protocol.SCTP ? protoInfo == CtaProtoInfo.SCTP
                : protocol == L4Protocol.DCCP && protoInfo == CtaProtoInfo.DCCP;
    }

    private SequenceAdjustment seqAdjustment(boolean present, int at) {
        return present ? new SequenceAdjustment((int) seqAdjust[at], (int) seqAdjust[at + 1], (int) seqAdjust[at + 2])
                : null;
    }

    /**
     * The layer-3 family from the message header (2 IPv4, 10 IPv6).
     *
     * @return family
     */
    public int family() {
        return family;
    }

    /**
     * The original direction's tuple (CTA_TUPLE_ORIG).
     *
     * @return the reused view
     */
    public TupleView original() {
        return original;
    }

    /**
     * The reply direction's tuple (CTA_TUPLE_REPLY); differs from the inverted original under NAT.
     *
     * @return the reused view
     */
    public TupleView reply() {
        return reply;
    }

    /**
     * The master's tuple (CTA_TUPLE_MASTER) of an expected (RELATED) connection.
     *
     * @return the reused view; {@link TupleView#present()} is false for other connections
     */
    public TupleView master() {
        return master;
    }

    /**
     * The IPS_* status bits (0x2 SEEN_REPLY, 0x4 ASSURED, 0x8 CONFIRMED, ...).
     *
     * @return bits, or -1
     */
    public long status() {
        return status;
    }

    /**
     * Seconds until the entry expires.
     *
     * @return seconds, or -1 (offloaded entries have none)
     */
    public long timeout() {
        return timeout;
    }

    /**
     * The connection mark.
     *
     * @return mark, or -1
     */
    public long mark() {
        return mark;
    }

    /**
     * The security mark (CTA_SECMARK; current kernels no longer send it).
     *
     * @return secmark, or -1
     */
    public long secmark() {
        return secmark;
    }

    /**
     * The kernel's id for the entry (stable while it lives; what {@code conntrack -o id} prints).
     *
     * @return id, or -1
     */
    public long id() {
        return id;
    }

    /**
     * The kernel's reference count (what {@code conntrack -L} prints as use=).
     *
     * @return count, or -1
     */
    public long use() {
        return use;
    }

    /**
     * The conntrack zone (CTA_ZONE); the kernel omits zone 0.
     *
     * @return zone, or -1 when absent
     */
    public int zone() {
        return zone;
    }

    /**
     * The TCP conntrack state (0 NONE, 1 SYN_SENT, 2 SYN_RECV, 3 ESTABLISHED, 4 FIN_WAIT,
     * 5 CLOSE_WAIT, 6 LAST_ACK, 7 TIME_WAIT, 8 CLOSE, 9 SYN_SENT2).
     *
     * @return state, or -1 when not TCP or absent
     */
    public int tcpState() {
        return protoInfo == CtaProtoInfo.TCP ? protocolState : -1;
    }

    /**
     * The SCTP conntrack state (0 NONE, 1 CLOSED, 2 COOKIE_WAIT, 3 COOKIE_ECHOED, 4 ESTABLISHED,
     * 5 SHUTDOWN_SENT, 6 SHUTDOWN_RECD, 7 SHUTDOWN_ACK_SENT, 8 HEARTBEAT_SENT).
     *
     * @return state, or -1 when not SCTP or absent
     */
    public int sctpState() {
        return protoInfo == CtaProtoInfo.SCTP ? protocolState : -1;
    }

    /**
     * The DCCP conntrack state.
     *
     * @return state, or -1 when not DCCP or absent
     */
    public int dccpState() {
        return protoInfo == CtaProtoInfo.DCCP ? protocolState : -1;
    }

    /**
     * The TCP window-tracking flags of the original direction (IP_CT_TCP_FLAG_*: 0x01 window scale,
     * 0x02 SACK permitted, 0x04 close init, 0x08 be liberal, 0x10 data unacknowledged, 0x20 max ack set).
     *
     * @return flags byte, or -1
     */
    public int tcpFlagsOriginal() {
        return tcpFlagsOriginal;
    }

    /**
     * The TCP window-tracking flags of the reply direction.
     *
     * @return flags byte, or -1
     */
    public int tcpFlagsReply() {
        return tcpFlagsReply;
    }

    /**
     * The TCP window scale of the original direction.
     *
     * @return 0..14, or -1
     */
    public int tcpWindowScaleOriginal() {
        return tcpWscaleOriginal;
    }

    /**
     * The TCP window scale of the reply direction.
     *
     * @return 0..14, or -1
     */
    public int tcpWindowScaleReply() {
        return tcpWscaleReply;
    }

    /**
     * The SCTP verification tag of the original direction.
     *
     * @return tag (unsigned 32-bit), or -1
     */
    public long sctpVtagOriginal() {
        return sctpVtagOriginal;
    }

    /**
     * The SCTP verification tag of the reply direction.
     *
     * @return tag (unsigned 32-bit), or -1
     */
    public long sctpVtagReply() {
        return sctpVtagReply;
    }

    /**
     * Whether the entry carried counters (the kernel sends them only with {@code nf_conntrack_acct=1}).
     *
     * @return presence of CTA_COUNTERS_ORIG and CTA_COUNTERS_REPLY
     */
    public boolean hasCounters() {
        return hasCountersOriginal && hasCountersReply;
    }

    /**
     * Packets in the original direction.
     *
     * @return packets (unsigned 64-bit), 0 without counters
     */
    public long packetsOriginal() {
        return packetsOriginal;
    }

    /**
     * Bytes in the original direction.
     *
     * @return bytes (unsigned 64-bit), 0 without counters
     */
    public long bytesOriginal() {
        return bytesOriginal;
    }

    /**
     * Packets in the reply direction.
     *
     * @return packets (unsigned 64-bit), 0 without counters
     */
    public long packetsReply() {
        return packetsReply;
    }

    /**
     * Bytes in the reply direction.
     *
     * @return bytes (unsigned 64-bit), 0 without counters
     */
    public long bytesReply() {
        return bytesReply;
    }

    /**
     * Whether the entry carried a start time (with {@code nf_conntrack_timestamp=1}).
     *
     * @return presence of CTA_TIMESTAMP_START
     */
    public boolean hasStart() {
        return hasStart;
    }

    /**
     * When the entry was confirmed.
     *
     * @return nanoseconds since the epoch, 0 when absent
     */
    public long startNanos() {
        return startNanos;
    }

    /**
     * When the entry died (dumps of live entries carry none).
     *
     * @return nanoseconds since the epoch, 0 when absent
     */
    public long stopNanos() {
        return stopNanos;
    }

    /**
     * Whether the entry carried labels (the kernel sends them only when some bit is set).
     *
     * @return presence of CTA_LABELS
     */
    public boolean hasLabels() {
        return hasLabels;
    }

    /**
     * Label bits 0 to 63.
     *
     * @return bits, 0 when absent
     */
    public long labelsLow() {
        return hasLabels ? labelsLow : 0;
    }

    /**
     * Label bits 64 to 127.
     *
     * @return bits, 0 when absent
     */
    public long labelsHigh() {
        return hasLabels ? labelsHigh : 0;
    }

    /**
     * The helper's name (allocates).
     *
     * @return name, or null without a helper
     */
    public String helper() {
        return AttributeIterator.utf8(host, helperOffset, helperLength);
    }

    /**
     * The security context (allocates).
     *
     * @return context, or null when absent
     */
    public String secctx() {
        return AttributeIterator.utf8(host, secctxOffset, secctxLength);
    }
}

package io.conntrack4j.netlink;

import io.conntrack4j.netlink.internal.AttributeIterator;
import io.conntrack4j.netlink.internal.Cta;
import io.conntrack4j.netlink.internal.CtaIp;
import io.conntrack4j.netlink.internal.CtaProto;
import io.conntrack4j.netlink.internal.CtaProtoInfo;
import io.conntrack4j.netlink.internal.CtaTuple;
import io.conntrack4j.netlink.internal.Netlink;
import java.nio.ByteBuffer;

/**
 * A conntrack entry read in place from a received netlink message (a flyweight): one instance is
 * reused for every entry of a dump, so nothing is allocated per entry, and it is valid only during
 * the {@link ConntrackVisitor} call. Absent attributes read as -1 (the kernel omits, for example,
 * the timeout and protocol state of offloaded entries).
 *
 * <p>Reading never fails: attributes that are cut off or have the wrong size are skipped and
 * counted ({@link DumpSummary#malformedAttributes()}), unknown ones are ignored and counted.
 *
 * <pre>{@code
 * table.dump(AddressFamily.ANY, entry -> {
 *     System.out.println(entry.original().sourceAddress() + " mark=" + entry.mark()
 *             + " zone=" + entry.zone() + " tcp state=" + entry.tcpState());
 *     return true;
 * });
 * }</pre>
 */
public final class ConntrackEntry {
    private final AttributeIterator top = new AttributeIterator();
    private final AttributeIterator nest = new AttributeIterator();
    private final AttributeIterator inner = new AttributeIterator();
    private final AttributeIterator innermost = new AttributeIterator();
    private final TupleView original = new TupleView();
    private final TupleView reply = new TupleView();
    private int family;
    private long status;
    private long timeout;
    private long mark;
    private long id;
    private long use;
    private int zone;
    private int tcpState;
    private long unknown;

    ConntrackEntry() {
    }

    /**
     * Reads the message at {@code offset} (its nlmsghdr) of {@code length} bytes.
     *
     * @return false when the message is too short to be an entry (nothing is read)
     */
    boolean wrap(ByteBuffer host, ByteBuffer network, int offset, int length) {
        original.clear(host, network);
        reply.clear(host, network);
        family = -1;
        status = -1;
        timeout = -1;
        mark = -1;
        id = -1;
        use = -1;
        zone = -1;
        tcpState = -1;
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
                case Cta.STATUS -> status = u32(top);
                case Cta.TIMEOUT -> timeout = u32(top);
                case Cta.MARK -> mark = u32(top);
                case Cta.ID -> id = u32(top);
                case Cta.USE -> use = u32(top);
                case Cta.ZONE -> zone = u16(top);
                case Cta.PROTOINFO -> readProtoInfo();
                default -> {
                    if (top.type() > Cta.MAX || top.type() == 0) {
                        unknown++;
                    }
                }
            }
        }
        return true;
    }

    private void readTuple(TupleView tuple) {
        tuple.markPresent();
        nest.wrapNested(top);
        while (nest.next()) {
            switch (nest.type()) {
                case CtaTuple.IP -> readAddresses(tuple);
                case CtaTuple.PROTO -> readProtocol(tuple);
                case CtaTuple.ZONE -> tuple.zone(u16(nest));
                default -> unknown++;
            }
        }
    }

    private void readAddresses(TupleView tuple) {
        inner.wrapNested(nest);
        while (inner.next()) {
            int type = inner.type();
            int expected = type == CtaIp.V4_SRC || type == CtaIp.V4_DST ? 4
                    : type == CtaIp.V6_SRC || type == CtaIp.V6_DST ? 16 : -1;
            if (expected < 0) {
                unknown++;
            } else if (inner.payloadLength() != expected) {
                inner.countMalformed();
            } else if (type == CtaIp.V4_SRC || type == CtaIp.V6_SRC) {
                tuple.source(inner.payloadOffset(), expected);
            } else {
                tuple.destination(inner.payloadOffset(), expected);
            }
        }
    }

    private void readProtocol(TupleView tuple) {
        inner.wrapNested(nest);
        while (inner.next()) {
            switch (inner.type()) {
                case CtaProto.NUM -> tuple.protocol(u8(inner));
                case CtaProto.SRC_PORT -> tuple.sourcePort(u16(inner));
                case CtaProto.DST_PORT -> tuple.destinationPort(u16(inner));
                case CtaProto.ICMP_ID, CtaProto.ICMPV6_ID -> tuple.icmpId(u16(inner));
                case CtaProto.ICMP_TYPE, CtaProto.ICMPV6_TYPE -> tuple.icmpType(u8(inner));
                case CtaProto.ICMP_CODE, CtaProto.ICMPV6_CODE -> tuple.icmpCode(u8(inner));
                default -> unknown++;
            }
        }
    }

    private void readProtoInfo() {
        nest.wrapNested(top);
        while (nest.next()) {
            if (nest.type() != CtaProtoInfo.TCP) {
                continue;
            }
            innermost.wrapNested(nest);
            while (innermost.next()) {
                if (innermost.type() == CtaProtoInfo.TCP_STATE) {
                    tcpState = u8(innermost);
                }
            }
        }
    }

    private static int u8(AttributeIterator it) {
        int value = it.u8();
        if (value < 0) {
            it.countMalformed();
        }
        return value;
    }

    private static int u16(AttributeIterator it) {
        int value = it.u16();
        if (value < 0) {
            it.countMalformed();
        }
        return value;
    }

    private static long u32(AttributeIterator it) {
        long value = it.u32();
        if (value < 0) {
            it.countMalformed();
        }
        return value;
    }

    /** Malformed attributes skipped since this view was created. */
    long malformedAttributes() {
        return top.malformed() + nest.malformed() + inner.malformed() + innermost.malformed();
    }

    /** Unknown attributes ignored since this view was created. */
    long unknownAttributes() {
        return unknown;
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
        return tcpState;
    }
}

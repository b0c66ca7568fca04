package io.conntrack4j.netlink;

import io.conntrack4j.netlink.internal.AttributeIterator;
import io.conntrack4j.netlink.internal.CtaIp;
import io.conntrack4j.netlink.internal.CtaProto;
import io.conntrack4j.netlink.internal.CtaTuple;

/**
 * Reads a tuple nest ({@code CTA_TUPLE_*}, {@code CTA_EXPECT_*} tuples) into a {@link TupleView}
 * without allocating. Wrong-sized fields are skipped and counted as malformed, unknown ones as
 * unknown; nothing is thrown.
 */
final class TupleReader {
    private final AttributeIterator nest = new AttributeIterator();
    private final AttributeIterator inner = new AttributeIterator();
    private long unknown;

    /**
     * Reads the nest {@code parent} is positioned on.
     *
     * @param parent an iterator on a tuple nest
     * @param tuple where the fields go (already cleared)
     */
    void read(AttributeIterator parent, TupleView tuple) {
        tuple.markPresent();
        nest.wrapNested(parent);
        while (nest.next()) {
            switch (nest.type()) {
                case CtaTuple.IP -> readAddresses(tuple);
                case CtaTuple.PROTO -> readProtocol(tuple);
                case CtaTuple.ZONE -> tuple.zone(nest.checkedU16());
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
                case CtaProto.NUM -> tuple.protocol(inner.checkedU8());
                case CtaProto.SRC_PORT -> tuple.sourcePort(inner.checkedU16());
                case CtaProto.DST_PORT -> tuple.destinationPort(inner.checkedU16());
                case CtaProto.ICMP_ID, CtaProto.ICMPV6_ID -> tuple.icmpId(inner.checkedU16());
                case CtaProto.ICMP_TYPE, CtaProto.ICMPV6_TYPE -> tuple.icmpType(inner.checkedU8());
                case CtaProto.ICMP_CODE, CtaProto.ICMPV6_CODE -> tuple.icmpCode(inner.checkedU8());
                default -> unknown++;
            }
        }
    }

    /** Malformed attributes skipped inside tuples since this reader was created. */
    long malformed() {
        return nest.malformed() + inner.malformed();
    }

    /** Unknown attributes ignored inside tuples since this reader was created. */
    long unknown() {
        return unknown;
    }
}

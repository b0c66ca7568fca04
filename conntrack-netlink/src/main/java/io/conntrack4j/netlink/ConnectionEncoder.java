package io.conntrack4j.netlink;

import io.conntrack4j.core.AddressFamily;
import io.conntrack4j.core.Connection;
import io.conntrack4j.core.IpAddress;
import io.conntrack4j.core.L4Protocol;
import io.conntrack4j.core.Tuple;
import io.conntrack4j.netlink.internal.Cta;
import io.conntrack4j.netlink.internal.CtaHelp;
import io.conntrack4j.netlink.internal.CtaIp;
import io.conntrack4j.netlink.internal.CtaProto;
import io.conntrack4j.netlink.internal.CtaProtoInfo;
import io.conntrack4j.netlink.internal.CtaTuple;
import io.conntrack4j.netlink.internal.IpsStatus;
import io.conntrack4j.netlink.internal.MessageWriter;
import java.nio.charset.StandardCharsets;

/**
 * Writes core {@link Connection}s and {@link Tuple}s as ctnetlink attributes: the write side of
 * {@link ConntrackEntry}. Stateless.
 */
final class ConnectionEncoder {
    /** CTA_NAT_V4_MINIP and friends ({@code enum ctattr_nat}). */
    private static final int NAT_V4_MINIP = 1;
    private static final int NAT_V4_MAXIP = 2;
    private static final int NAT_PROTO = 3;
    private static final int NAT_V6_MINIP = 4;
    private static final int NAT_V6_MAXIP = 5;
    /** CTA_PROTONAT_PORT_MIN / MAX ({@code enum ctattr_protonat}). */
    private static final int PROTONAT_PORT_MIN = 1;
    private static final int PROTONAT_PORT_MAX = 2;
    /** Bits user space may never change; sending them different from the kernel's is EBUSY. */
    private static final int KERNEL_OWNED = IpsStatus.EXPECTED | IpsStatus.DYING;
    private static final byte[] ALL_ONES_LABELS = {
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1};

    private ConnectionEncoder() {
    }

    /** The message body of a CT_NEW that creates {@code c}. */
    static void writeCreate(MessageWriter writer, Connection c) {
        if (!c.hasTimeout()) {
            throw new IllegalArgumentException("creating a conntrack entry needs a timeout: " + c);
        }
        writeTuple(writer, Cta.TUPLE_ORIG, c.original());
        writeTuple(writer, Cta.TUPLE_REPLY, c.reply());
        // the kernel pre-sets CONFIRMED on a new entry and refuses (EBUSY) a status that clears it
        int status = (c.hasStatus() ? c.status() & ~KERNEL_OWNED : 0) | IpsStatus.CONFIRMED;
        writer.putU32(Cta.STATUS, status);
        writer.putU32(Cta.TIMEOUT, c.timeout() & 0xFFFFFFFFL);
        writeProtoInfo(writer, c);
        if (c.hasMark()) {
            writer.putU32(Cta.MARK, c.mark() & 0xFFFFFFFFL);
        }
        if (c.hasZone()) {
            writer.putU16(Cta.ZONE, c.zone());
        }
        if (c.hasLabels() && (c.labelsHigh() | c.labelsLow()) != 0) {
            writer.putBytes(Cta.LABELS, labels(c));
        }
        writeNat(writer, c);
        if (c.helper() != null) {
            int help = writer.beginNest(Cta.HELP);
            writer.putBytes(CtaHelp.NAME, cString(c.helper()));
            writer.endNest(help);
        }
    }

    /**
     * The message body of a CT_NEW that updates the entry of {@code c}'s original tuple: status,
     * timeout, protocol info, mark and labels, whichever {@code c} has.
     */
    static void writeUpdate(MessageWriter writer, Connection c) {
        writeTuple(writer, Cta.TUPLE_ORIG, c.original());
        if (c.hasZone()) {
            writer.putU16(Cta.ZONE, c.zone());
        }
        if (c.hasStatus()) {
            writer.putU32(Cta.STATUS, (c.status() & ~IpsStatus.DYING) | IpsStatus.CONFIRMED);
        }
        if (c.hasTimeout()) {
            writer.putU32(Cta.TIMEOUT, c.timeout() & 0xFFFFFFFFL);
        }
        writeProtoInfo(writer, c);
        if (c.hasMark()) {
            writer.putU32(Cta.MARK, c.mark() & 0xFFFFFFFFL);
            writer.putU32(Cta.MARK_MASK, 0xFFFFFFFFL);
        }
        if (c.hasLabels()) {
            writer.putBytes(Cta.LABELS, labels(c));
            writer.putBytes(Cta.LABELS_MASK, ALL_ONES_LABELS);
        }
    }

    /** The message body of a CT_NEW that replaces only the labels. */
    static void writeLabelUpdate(MessageWriter writer, Connection c) {
        writeTuple(writer, Cta.TUPLE_ORIG, c.original());
        if (c.hasZone()) {
            writer.putU16(Cta.ZONE, c.zone());
        }
        writer.putBytes(Cta.LABELS, labels(c));
        writer.putBytes(Cta.LABELS_MASK, ALL_ONES_LABELS);
    }

    /** The message body of a CT_NEW that changes only the mark bits under {@code mask}. */
    static void writeMarkUpdate(MessageWriter writer, Tuple original, int zone, int mark, int mask) {
        writeTuple(writer, Cta.TUPLE_ORIG, original);
        if (zone > 0) {
            writer.putU16(Cta.ZONE, zone);
        }
        writer.putU32(Cta.MARK, mark & 0xFFFFFFFFL);
        writer.putU32(Cta.MARK_MASK, mask & 0xFFFFFFFFL);
    }

    /** A lookup key: the original tuple and the zone (GET and DELETE). */
    static void writeKey(MessageWriter writer, Tuple original, int zone) {
        writeTuple(writer, Cta.TUPLE_ORIG, original);
        if (zone > 0) {
            writer.putU16(Cta.ZONE, zone);
        }
    }

    static void writeTuple(MessageWriter writer, int type, Tuple tuple) {
        boolean v4 = tuple.family() == AddressFamily.IPV4;
        int outer = writer.beginNest(type);
        int ip = writer.beginNest(CtaTuple.IP);
        // written in place: batches encode millions of tuples
        if (v4) {
            writer.putIpv4(CtaIp.V4_SRC, tuple.source().ipv4());
            writer.putIpv4(CtaIp.V4_DST, tuple.destination().ipv4());
        } else {
            writer.putIpv6(CtaIp.V6_SRC, tuple.source().high(), tuple.source().low());
            writer.putIpv6(CtaIp.V6_DST, tuple.destination().high(), tuple.destination().low());
        }
        writer.endNest(ip);
        int proto = writer.beginNest(CtaTuple.PROTO);
        writer.putU8(CtaProto.NUM, tuple.protocol().number());
        switch (tuple.protocol().keyKind()) {
            case PORTS, GRE -> {
                writer.putU16(CtaProto.SRC_PORT, tuple.sourcePort());
                writer.putU16(CtaProto.DST_PORT, tuple.destinationPort());
            }
            case ICMP -> {
                boolean icmpv6 = tuple.protocol().number() == L4Protocol.ICMPV6_NUMBER;
                writer.putU16(icmpv6 ? CtaProto.ICMPV6_ID : CtaProto.ICMP_ID, tuple.icmpId());
                writer.putU8(icmpv6 ? CtaProto.ICMPV6_TYPE : CtaProto.ICMP_TYPE, tuple.icmpType());
                writer.putU8(icmpv6 ? CtaProto.ICMPV6_CODE : CtaProto.ICMP_CODE, tuple.icmpCode());
            }
            case NONE -> { }
        }
        writer.endNest(proto);
        if (tuple.hasZone()) {
            writer.putU16(CtaTuple.ZONE, tuple.zone());
        }
        writer.endNest(outer);
    }

    private static void writeProtoInfo(MessageWriter writer, Connection c) {
        int number = c.protocol().number();
        if (number == L4Protocol.TCP_NUMBER && (c.hasProtocolState() || c.hasTcpWindow())) {
            int info = writer.beginNest(Cta.PROTOINFO);
            int tcp = writer.beginNest(CtaProtoInfo.TCP);
            if (c.hasProtocolState()) {
                writer.putU8(CtaProtoInfo.TCP_STATE, c.protocolState());
            }
            if (c.hasTcpWindow()) {
                writer.putU8(CtaProtoInfo.TCP_WSCALE_ORIGINAL, c.tcpWindowScaleOriginal());
                writer.putU8(CtaProtoInfo.TCP_WSCALE_REPLY, c.tcpWindowScaleReply());
                // struct nf_ct_tcp_flags {flags, mask}: a full mask replaces the kernel's flags
                writer.putBytes(CtaProtoInfo.TCP_FLAGS_ORIGINAL, new byte[] {(byte) c.tcpFlagsOriginal(), -1});
                writer.putBytes(CtaProtoInfo.TCP_FLAGS_REPLY, new byte[] {(byte) c.tcpFlagsReply(), -1});
            }
            writer.endNest(tcp);
            writer.endNest(info);
        } else if (number == L4Protocol.SCTP_NUMBER && (c.hasProtocolState() || c.hasSctpVtags())) {
            int info = writer.beginNest(Cta.PROTOINFO);
            int sctp = writer.beginNest(CtaProtoInfo.SCTP);
            if (c.hasProtocolState()) {
                writer.putU8(CtaProtoInfo.SCTP_STATE, c.protocolState());
            }
            if (c.hasSctpVtags()) {
                writer.putU32(CtaProtoInfo.SCTP_VTAG_ORIGINAL, c.sctpVtagOriginal() & 0xFFFFFFFFL);
                writer.putU32(CtaProtoInfo.SCTP_VTAG_REPLY, c.sctpVtagReply() & 0xFFFFFFFFL);
            }
            writer.endNest(sctp);
            writer.endNest(info);
        }
    }

    /**
     * NAT is what makes the reply tuple differ from the inverse of the original: a changed reply
     * destination is source NAT to it, a changed reply source is destination NAT to it.
     */
    private static void writeNat(MessageWriter writer, Connection c) {
        Tuple orig = c.original();
        Tuple reply = c.reply();
        boolean ports = orig.protocol().keyKind() == L4Protocol.KeyKind.PORTS;
        if (!reply.destination().equals(orig.source()) || ports && reply.destinationPort() != orig.sourcePort()) {
            writeNatRange(writer, Cta.NAT_SRC, reply.destination(), ports ? reply.destinationPort() : -1);
        }
        if (!reply.source().equals(orig.destination()) || ports && reply.sourcePort() != orig.destinationPort()) {
            writeNatRange(writer, Cta.NAT_DST, reply.source(), ports ? reply.sourcePort() : -1);
        }
    }

    private static void writeNatRange(MessageWriter writer, int type, IpAddress address, int port) {
        boolean v4 = address.isIpv4();
        int nat = writer.beginNest(type);
        writer.putBytes(v4 ? NAT_V4_MINIP : NAT_V6_MINIP, address.toBytes());
        writer.putBytes(v4 ? NAT_V4_MAXIP : NAT_V6_MAXIP, address.toBytes());
        if (port >= 0) {
            int proto = writer.beginNest(NAT_PROTO);
            writer.putU16(PROTONAT_PORT_MIN, port);
            writer.putU16(PROTONAT_PORT_MAX, port);
            writer.endNest(proto);
        }
        writer.endNest(nat);
    }

    /** CTA_LABELS is the kernel's {@code unsigned long bits[]} in host order: bit 0 is the low bit of word 0. */
    private static byte[] labels(Connection c) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(16).order(java.nio.ByteOrder.nativeOrder());
        b.putLong(0, c.labelsLow());
        b.putLong(8, c.labelsHigh());
        return b.array();
    }

    private static byte[] cString(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        byte[] withNul = new byte[bytes.length + 1];
        System.arraycopy(bytes, 0, withNul, 0, bytes.length);
        return withNul;
    }
}

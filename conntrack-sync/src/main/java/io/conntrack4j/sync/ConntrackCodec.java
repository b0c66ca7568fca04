package io.conntrack4j.sync;

import io.conntrack4j.core.Connection;
import java.nio.ByteOrder;
import org.agrona.MutableDirectBuffer;

/**
 * Converts between conntrack data messages (CT_NEW, CT_UPD, CT_DEL) and core
 * {@link Connection}s or their reusable wire form {@link SyncFlow}, the way conntrackd 1.4.7 does: the same attributes, sizes, padding, byte-order quirks and emission
 * order, so that the bytes are identical to what the real daemon sends.
 *
 * <p>Emission order: IPV4|IPV6, STATUS, L4PROTO, then per protocol (TCP: PORT, TCP_STATE,
 * [WSCALE_ORIG, WSCALE_REPL]; UDP: PORT; SCTP: PORT, SCTP_STATE, VTAG_ORIG, VTAG_REPL; DCCP: PORT,
 * DCCP_STATE, DCCP_ROLE; ICMP: ICMP_TYPE, ICMP_CODE, ICMP_ID), TIMEOUT, MARK, MASTER_*,
 * SNAT/DNAT address, SPAT_PORT, DPAT_PORT, NAT_SEQ_ADJ, HELPER_NAME, LABELS, SYNPROXY, ZONE.
 * Unlike conntrackd (quirk Q1), a PORT attribute of a flow without ports is zero-filled. Like
 * conntrackd (quirk Q2), a NAT'd ICMP flow gets zero SPAT_PORT/DPAT_PORT attributes: SPAT when
 * source NAT is done and the ICMP id is not 0, DPAT when destination NAT is done and type or code
 * is not 0 (checked against real conntrackd 1.4.7 output).
 *
 * <p>Options follow the sender's configuration and the peer: {@link #peerVersion} leaves out
 * what an older receiver would reject and switches to the pre-1.4.7 NAT IPv4 byte order;
 * {@link #sendTimeout(boolean)} mirrors "no CommitTimeout"; {@link #tcpWindowTracking(boolean)}
 * mirrors {@code TCPWindowTracking}; {@link #hostByteOrder} is the peer's CPU byte order, which
 * SPAT_PORT, DPAT_PORT and ICMP_ID follow (little-endian for x86). Encoding allocates nothing,
 * from a {@link SyncFlow} or a {@link Connection} alike: a connection goes through a
 * {@link SyncFlow} held by the codec, so a codec must not be shared between threads.
 *
 * <pre>{@code
 * ConntrackCodec codec = new ConntrackCodec().peerVersion(PeerVersion.V1_4_7);
 * UnsafeBuffer buffer = new UnsafeBuffer(new byte[ConntrackCodec.MAX_MESSAGE_LENGTH]);
 * int length = codec.encode(buffer, 0, MessageType.CT_NEW, 0, sequence, connection);
 * Connection received = codec.decode(message);
 * }</pre>
 */
public final class ConntrackCodec {
    /** conntrackd's message build buffer: no message is longer. */
    public static final int MAX_MESSAGE_LENGTH = 4096;

    private PeerVersion peer = PeerVersion.V1_4_7;
    private boolean reverseNatIpv4;
    private boolean sendTimeout = true;
    private boolean tcpWindowTracking;
    private ByteOrder hostOrder = ByteOrder.LITTLE_ENDIAN;
    private final SyncFlow scratch = new SyncFlow();

    /**
     * Sets the peer's conntrackd release (default 1.4.7). Also sets the NAT IPv4 byte order to
     * that release's (reversed before 1.4.7).
     *
     * @param version the peer's version
     * @return this
     */
    public ConntrackCodec peerVersion(PeerVersion version) {
        this.peer = version;
        this.reverseNatIpv4 = version.reversesNatIpv4();
        return this;
    }

    /**
     * Overrides the SNAT_IPV4/DNAT_IPV4 byte order.
     *
     * @param reversed true for the pre-1.4.7 x86 order (four bytes reversed)
     * @return this
     */
    public ConntrackCodec reverseNatIpv4(boolean reversed) {
        this.reverseNatIpv4 = reversed;
        return this;
    }

    /**
     * Whether TIMEOUT attributes are sent: true unless the sender has a CommitTimeout.
     *
     * @param send default true
     * @return this
     */
    public ConntrackCodec sendTimeout(boolean send) {
        this.sendTimeout = send;
        return this;
    }

    /**
     * Whether TCP window scale attributes are sent ({@code TCPWindowTracking on}).
     *
     * @param on default false
     * @return this
     */
    public ConntrackCodec tcpWindowTracking(boolean on) {
        this.tcpWindowTracking = on;
        return this;
    }

    /**
     * The byte order of SPAT_PORT, DPAT_PORT and ICMP_ID: conntrackd writes them in its host's
     * order. Little-endian (x86, arm64) by default.
     *
     * @param order the peer's host byte order
     * @return this
     */
    public ConntrackCodec hostByteOrder(ByteOrder order) {
        this.hostOrder = order;
        return this;
    }

    /**
     * Writes one conntrack message for a connection: what {@link SyncFlow#from(Connection)} keeps
     * of it, under the same rules as {@link #encode(MutableDirectBuffer, int, MessageType, int,
     * int, SyncFlow)}. The core model has no SYN proxy values, so no SYNPROXY attribute is sent
     * (conntrackd sends zeros for entries created through ctnetlink; use a {@link SyncFlow} with
     * {@link SyncFlow#synproxy} to reproduce that).
     *
     * @param buffer where to write; needs room for the message (at most
     *     {@link #MAX_MESSAGE_LENGTH})
     * @param offset where the message starts
     * @param type CT_NEW, CT_UPD or CT_DEL
     * @param flags header flags, e.g. {@link MessageFlags#HELLO} or 0
     * @param sequence the sequence number
     * @param connection the connection
     * @return the message length (also written in its header)
     * @throws IllegalArgumentException if the type is not a conntrack one or the helper name
     *     cannot be sent
     */
    public int encode(MutableDirectBuffer buffer, int offset, MessageType type, int flags, int sequence,
            Connection connection) {
        return encode(buffer, offset, type, flags, sequence, scratch.from(connection));
    }

    /**
     * Reads an accepted conntrack message into the connection a conntrackd receiver would
     * create: see {@link #decode(DataMessage, SyncFlow)} and {@link SyncFlow#toConnection()}.
     *
     * @param message an accepted CT_NEW, CT_UPD or CT_DEL message
     * @return a new connection
     * @throws IllegalArgumentException if the message is an expectation, lacks both IPV4 and
     *     IPV6, or has a helper name that is not printable ASCII
     */
    public Connection decode(DataMessage message) {
        return decode(message, scratch).toConnection();
    }

    /**
     * Writes one conntrack message.
     *
     * @param buffer where to write; needs room for the message (at most
     *     {@link #MAX_MESSAGE_LENGTH})
     * @param offset where the message starts
     * @param type CT_NEW, CT_UPD or CT_DEL
     * @param flags header flags, e.g. {@link MessageFlags#HELLO} or 0
     * @param sequence the sequence number
     * @param flow the flow
     * @return the message length (also written in its header)
     */
    public int encode(MutableDirectBuffer buffer, int offset, MessageType type, int flags, int sequence,
            SyncFlow flow) {
        if (type != MessageType.CT_NEW && type != MessageType.CT_UPD && type != MessageType.CT_DEL) {
            throw new IllegalArgumentException("not a conntrack message type: " + type);
        }
        int at = offset + MessageHeader.LENGTH;
        boolean v6 = flow.isIpv6();
        int addressLength = flow.addressLength();
        at = AttributeWriter.pair(buffer, at, v6 ? ConntrackAttribute.IPV6 : ConntrackAttribute.IPV4,
                flow.origSrcRaw(), flow.origDstRaw(), addressLength);
        at = AttributeWriter.u32(buffer, at, ConntrackAttribute.STATUS, flow.status() & 0xffffffffL);
        int protocol = flow.protocol();
        at = AttributeWriter.u8(buffer, at, ConntrackAttribute.L4PROTO, protocol);
        switch (protocol) {
            case SyncFlow.TCP -> {
                at = ports(buffer, at, flow);
                if (flow.tcpState() >= 0) {
                    at = AttributeWriter.u8(buffer, at, ConntrackAttribute.TCP_STATE, flow.tcpState());
                    if (tcpWindowTracking) {
                        at = AttributeWriter.u8(buffer, at, ConntrackAttribute.TCP_WSCALE_ORIG,
                                flow.tcpWindowScaleOriginal());
                        at = AttributeWriter.u8(buffer, at, ConntrackAttribute.TCP_WSCALE_REPL,
                                flow.tcpWindowScaleReply());
                    }
                }
            }
            case SyncFlow.UDP -> at = ports(buffer, at, flow);
            case SyncFlow.SCTP -> {
                at = ports(buffer, at, flow);
                if (flow.sctpState() >= 0) {
                    at = AttributeWriter.u8(buffer, at, ConntrackAttribute.SCTP_STATE, flow.sctpState());
                    at = AttributeWriter.u32(buffer, at, ConntrackAttribute.SCTP_VTAG_ORIG, flow.sctpVtagOriginal());
                    at = AttributeWriter.u32(buffer, at, ConntrackAttribute.SCTP_VTAG_REPL, flow.sctpVtagReply());
                }
            }
            case SyncFlow.DCCP -> {
                at = ports(buffer, at, flow);
                if (flow.dccpState() >= 0) {
                    at = AttributeWriter.u8(buffer, at, ConntrackAttribute.DCCP_STATE, flow.dccpState());
                    at = AttributeWriter.u8(buffer, at, ConntrackAttribute.DCCP_ROLE, flow.dccpRole());
                }
            }
            case SyncFlow.ICMP, SyncFlow.ICMPV6 -> {
                if (flow.icmpType() >= 0) {
                    at = AttributeWriter.u8(buffer, at, ConntrackAttribute.ICMP_TYPE, flow.icmpType());
                    at = AttributeWriter.u8(buffer, at, ConntrackAttribute.ICMP_CODE, flow.icmpCode());
                    at = AttributeWriter.u16(buffer, at, ConntrackAttribute.ICMP_ID, flow.icmpId(), hostOrder);
                }
            }
            default -> {
                // GRE, UDPLITE and the rest carry no port or key attributes in conntrackd.
            }
        }
        if (sendTimeout && flow.timeout() >= 0) {
            at = AttributeWriter.u32(buffer, at, ConntrackAttribute.TIMEOUT, flow.timeout());
        }
        if (flow.mark() >= 0) {
            at = AttributeWriter.u32(buffer, at, ConntrackAttribute.MARK, flow.mark());
        }
        if (flow.hasMaster()) {
            boolean masterV6 = flow.isMasterIpv6();
            at = AttributeWriter.pair(buffer, at, masterV6 ? ConntrackAttribute.MASTER_IPV6 : ConntrackAttribute.MASTER_IPV4,
                    flow.masterSrcRaw(), flow.masterDstRaw(), masterV6 ? 16 : 4);
            at = AttributeWriter.u8(buffer, at, ConntrackAttribute.MASTER_L4PROTO, flow.masterProtocol());
            if (flow.hasMasterPorts()) {
                at = AttributeWriter.ports(buffer, at, ConntrackAttribute.MASTER_PORT, flow.masterSourcePort(),
                        flow.masterDestinationPort());
            }
        }
        // libnetfilter_conntrack's "is SNAT/DNAT/SPAT/DPAT": a flow of unknown status counts as NATed.
        boolean srcNatDone = !flow.hasStatus() || (flow.status() & SyncFlow.STATUS_SRC_NAT_DONE) != 0;
        boolean dstNatDone = !flow.hasStatus() || (flow.status() & SyncFlow.STATUS_DST_NAT_DONE) != 0;
        boolean snat = srcNatDone && !sameAddress(flow.replyDstRaw(), flow.origSrcRaw(), addressLength);
        boolean dnat = dstNatDone && !sameAddress(flow.replySrcRaw(), flow.origDstRaw(), addressLength);
        if (!v6) {
            if (snat) {
                at = natIpv4(buffer, at, ConntrackAttribute.SNAT_IPV4, flow.replyDstRaw());
            }
            if (dnat) {
                at = natIpv4(buffer, at, ConntrackAttribute.DNAT_IPV4, flow.replySrcRaw());
            }
        } else {
            if (snat && peer.supports(ConntrackAttribute.SNAT_IPV6)) {
                at = AttributeWriter.bytes(buffer, at, ConntrackAttribute.SNAT_IPV6, flow.replyDstRaw(), 16);
            }
            if (dnat && peer.supports(ConntrackAttribute.DNAT_IPV6)) {
                at = AttributeWriter.bytes(buffer, at, ConntrackAttribute.DNAT_IPV6, flow.replySrcRaw(), 16);
            }
        }
        if (SyncFlow.hasPorts(protocol)) {
            if (srcNatDone && flow.replyDestinationPort() != flow.originSourcePort()) {
                at = AttributeWriter.u16(buffer, at, ConntrackAttribute.SPAT_PORT, flow.replyDestinationPort(), hostOrder);
            }
            if (dstNatDone && flow.replySourcePort() != flow.originDestinationPort()) {
                at = AttributeWriter.u16(buffer, at, ConntrackAttribute.DPAT_PORT, flow.replySourcePort(), hostOrder);
            }
        } else if ((protocol == SyncFlow.ICMP || protocol == SyncFlow.ICMPV6) && flow.icmpType() >= 0) {
            // Quirk Q2: the NAT port test compares the ICMP id and type/code as if they were ports,
            // against a reply tuple whose ICMP fields conntrackd sees as zero, and sends those zeros.
            if (srcNatDone && flow.icmpId() != 0) {
                at = AttributeWriter.u16(buffer, at, ConntrackAttribute.SPAT_PORT, 0, hostOrder);
            }
            if (dstNatDone && (flow.icmpType() != 0 || flow.icmpCode() != 0)) {
                at = AttributeWriter.u16(buffer, at, ConntrackAttribute.DPAT_PORT, 0, hostOrder);
            }
        }
        long[] seqAdjust = flow.seqAdjustRaw();
        if (seqAdjust != null) {
            at = AttributeWriter.u32s(buffer, at, ConntrackAttribute.NAT_SEQ_ADJ, seqAdjust);
        }
        if (flow.helper() != null) {
            at = AttributeWriter.string(buffer, at, ConntrackAttribute.HELPER_NAME, flow.helper());
        }
        if (flow.hasLabelBits() && peer.supports(ConntrackAttribute.LABELS)) {
            at = AttributeWriter.u32s(buffer, at, ConntrackAttribute.LABELS, flow.labelsRaw());
        }
        if (flow.hasSynproxy() && peer.supports(ConntrackAttribute.SYNPROXY)) {
            at = AttributeWriter.u32x3(buffer, at, ConntrackAttribute.SYNPROXY, flow.synproxyIts(), flow.synproxyIsn(),
                    flow.synproxyTsoff());
        }
        if (flow.zone() >= 0 && peer.supports(ConntrackAttribute.ZONE)) {
            at = AttributeWriter.u16(buffer, at, ConntrackAttribute.ZONE, flow.zone(), ByteOrder.BIG_ENDIAN);
        }
        int length = at - offset;
        MessageHeader.write(buffer, offset, type.wire(), flags, length, sequence);
        return length;
    }

    private static int ports(MutableDirectBuffer buffer, int at, SyncFlow flow) {
        return AttributeWriter.ports(buffer, at, ConntrackAttribute.PORT, flow.originSourcePort(),
                flow.originDestinationPort());
    }

    private int natIpv4(MutableDirectBuffer buffer, int at, int type, byte[] address) {
        int end = AttributeWriter.bytes(buffer, at, type, address, 4);
        if (reverseNatIpv4) {
            for (int i = 0; i < 4; i++) {
                buffer.putByte(at + AttributeWriter.HEADER + i, address[3 - i]);
            }
        }
        return end;
    }

    private static boolean sameAddress(byte[] a, byte[] b, int length) {
        for (int i = 0; i < length; i++) {
            if (a[i] != b[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Reads an accepted conntrack message into a flow, the way a conntrackd receiver rebuilds it:
     * the reply tuple is the inverted original with the SNAT/DNAT addresses and SPAT/DPAT ports
     * applied. Uses this codec's NAT IPv4 and host byte-order settings. Allocates only for
     * labels, helper and sequence adjustment.
     *
     * @param message an accepted CT_NEW, CT_UPD or CT_DEL message
     * @param flow the flow to overwrite
     * @return flow
     * @throws IllegalArgumentException if the message is an expectation, lacks both IPV4 and
     *     IPV6, or has a helper name that is not printable ASCII
     */
    public SyncFlow decode(DataMessage message, SyncFlow flow) {
        if (message.isExpectation()) {
            throw new IllegalArgumentException("expectation message, not a conntrack");
        }
        flow.clear();
        boolean v6 = message.has(ConntrackAttribute.IPV6) && !message.has(ConntrackAttribute.IPV4);
        int tupleType = v6 ? ConntrackAttribute.IPV6 : ConntrackAttribute.IPV4;
        if (!message.has(tupleType)) {
            throw new IllegalArgumentException("conntrack message without IPV4 or IPV6 attribute");
        }
        int addressLength = v6 ? 16 : 4;
        byte[] src = new byte[addressLength];
        byte[] dst = new byte[addressLength];
        message.getBytes(tupleType, 0, src, 0, addressLength);
        message.getBytes(tupleType, addressLength, dst, 0, addressLength);
        int sport = 0;
        int dport = 0;
        if (message.has(ConntrackAttribute.PORT)) {
            sport = message.u16At(ConntrackAttribute.PORT, 0);
            dport = message.u16At(ConntrackAttribute.PORT, 2);
        }
        flow.origin(src, dst, sport, dport);
        if (message.has(ConntrackAttribute.L4PROTO)) {
            flow.protocol(message.u8(ConntrackAttribute.L4PROTO));
        }
        if (message.has(ConntrackAttribute.STATUS)) {
            flow.status((int) message.u32(ConntrackAttribute.STATUS));
        }
        if (message.has(ConntrackAttribute.TCP_STATE)) {
            flow.tcpState(message.u8(ConntrackAttribute.TCP_STATE));
        }
        if (message.has(ConntrackAttribute.TCP_WSCALE_ORIG) || message.has(ConntrackAttribute.TCP_WSCALE_REPL)) {
            flow.tcpWindowScale(u8Or0(message, ConntrackAttribute.TCP_WSCALE_ORIG),
                    u8Or0(message, ConntrackAttribute.TCP_WSCALE_REPL));
        }
        if (message.has(ConntrackAttribute.SCTP_STATE)) {
            flow.sctp(message.u8(ConntrackAttribute.SCTP_STATE), u32Or0(message, ConntrackAttribute.SCTP_VTAG_ORIG),
                    u32Or0(message, ConntrackAttribute.SCTP_VTAG_REPL));
        }
        if (message.has(ConntrackAttribute.DCCP_STATE)) {
            flow.dccp(message.u8(ConntrackAttribute.DCCP_STATE), u8Or0(message, ConntrackAttribute.DCCP_ROLE));
        }
        if (message.has(ConntrackAttribute.ICMP_TYPE)) {
            int id = message.has(ConntrackAttribute.ICMP_ID) ? u16Host(message, ConntrackAttribute.ICMP_ID) : 0;
            flow.icmp(message.u8(ConntrackAttribute.ICMP_TYPE), u8Or0(message, ConntrackAttribute.ICMP_CODE), id);
        }
        if (message.has(ConntrackAttribute.TIMEOUT)) {
            flow.timeout(message.u32(ConntrackAttribute.TIMEOUT));
        }
        if (message.has(ConntrackAttribute.MARK)) {
            flow.mark(message.u32(ConntrackAttribute.MARK));
        }
        int masterType = message.has(ConntrackAttribute.MASTER_IPV4) ? ConntrackAttribute.MASTER_IPV4
                : message.has(ConntrackAttribute.MASTER_IPV6) ? ConntrackAttribute.MASTER_IPV6 : -1;
        if (masterType >= 0) {
            int length = masterType == ConntrackAttribute.MASTER_IPV6 ? 16 : 4;
            byte[] masterSrc = new byte[length];
            byte[] masterDst = new byte[length];
            message.getBytes(masterType, 0, masterSrc, 0, length);
            message.getBytes(masterType, length, masterDst, 0, length);
            flow.master(masterSrc, masterDst, u8Or0(message, ConntrackAttribute.MASTER_L4PROTO));
            if (message.has(ConntrackAttribute.MASTER_PORT)) {
                flow.masterPorts(message.u16At(ConntrackAttribute.MASTER_PORT, 0),
                        message.u16At(ConntrackAttribute.MASTER_PORT, 2));
            }
        }
        // The reply tuple is not on the wire: invert the original, then apply NAT.
        byte[] replySrc = dst.clone();
        byte[] replyDst = src.clone();
        int replySport = dport;
        int replyDport = sport;
        if (!v6 && message.has(ConntrackAttribute.SNAT_IPV4)) {
            readNatIpv4(message, ConntrackAttribute.SNAT_IPV4, replyDst);
        }
        if (!v6 && message.has(ConntrackAttribute.DNAT_IPV4)) {
            readNatIpv4(message, ConntrackAttribute.DNAT_IPV4, replySrc);
        }
        if (v6 && message.has(ConntrackAttribute.SNAT_IPV6)) {
            message.getBytes(ConntrackAttribute.SNAT_IPV6, 0, replyDst, 0, 16);
        }
        if (v6 && message.has(ConntrackAttribute.DNAT_IPV6)) {
            message.getBytes(ConntrackAttribute.DNAT_IPV6, 0, replySrc, 0, 16);
        }
        if (message.has(ConntrackAttribute.SPAT_PORT)) {
            replyDport = u16Host(message, ConntrackAttribute.SPAT_PORT);
        }
        if (message.has(ConntrackAttribute.DPAT_PORT)) {
            replySport = u16Host(message, ConntrackAttribute.DPAT_PORT);
        }
        flow.reply(replySrc, replyDst, replySport, replyDport);
        if (message.has(ConntrackAttribute.NAT_SEQ_ADJ)) {
            long[] values = new long[6];
            for (int i = 0; i < 6; i++) {
                values[i] = message.u32At(ConntrackAttribute.NAT_SEQ_ADJ, 4 * i);
            }
            flow.natSeqAdjust(values);
        }
        if (message.has(ConntrackAttribute.HELPER_NAME)) {
            flow.helper(message.string(ConntrackAttribute.HELPER_NAME));
        }
        if (message.has(ConntrackAttribute.LABELS) && message.valueLength(ConntrackAttribute.LABELS) >= 4) {
            int[] words = new int[message.valueLength(ConntrackAttribute.LABELS) / 4];
            for (int i = 0; i < words.length; i++) {
                words[i] = (int) message.u32At(ConntrackAttribute.LABELS, 4 * i);
            }
            flow.labels(words);
        }
        if (message.has(ConntrackAttribute.SYNPROXY)) {
            flow.synproxy(message.u32At(ConntrackAttribute.SYNPROXY, 0), message.u32At(ConntrackAttribute.SYNPROXY, 4),
                    message.u32At(ConntrackAttribute.SYNPROXY, 8));
        }
        if (message.has(ConntrackAttribute.ZONE)) {
            flow.zone(message.u16(ConntrackAttribute.ZONE));
        }
        return flow;
    }

    private void readNatIpv4(DataMessage message, int type, byte[] into) {
        message.getBytes(type, 0, into, 0, 4);
        if (reverseNatIpv4) {
            for (int i = 0; i < 2; i++) {
                byte swap = into[i];
                into[i] = into[3 - i];
                into[3 - i] = swap;
            }
        }
    }

    private int u16Host(DataMessage message, int type) {
        return hostOrder == ByteOrder.LITTLE_ENDIAN ? message.u16LittleEndian(type) : message.u16(type);
    }

    private static int u8Or0(DataMessage message, int type) {
        return message.has(type) ? message.u8(type) : 0;
    }

    private static long u32Or0(DataMessage message, int type) {
        return message.has(type) ? message.u32(type) : 0;
    }
}

package io.conntrack4j.core.packet;

import io.conntrack4j.core.IpAddress;
import io.conntrack4j.core.L4Protocol;
import io.conntrack4j.core.Tuple;
import io.conntrack4j.core.internal.TupleKeys;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A reusable, mutable, zero-copy view of one packet: link layer (Ethernet with stacked VLAN tags,
 * Linux cooked capture), IPv4 or IPv6 with extension headers, and the transport header the tracker
 * needs (TCP, UDP, UDP-Lite, SCTP, DCCP, ICMP, ICMPv6, GRE).
 *
 * <p>Create one view per worker thread and call a {@code parse} method for every packet: parsing
 * never allocates and never throws on bad input; it returns a {@link ParseResult} to count. The view
 * keeps a reference to the caller's bytes (it copies nothing), so its accessors that read payload
 * ({@link #byteAt(int)}, the SCTP chunk walk) are valid only while those bytes are unchanged.
 * Offsets returned by the accessors are relative to the first byte of the parsed range.
 *
 * <pre>{@code
 * PacketView view = new PacketView();          // one per worker, reused
 * long[] key = new long[PacketView.MAX_KEY_LONGS];
 * ParseResult r = view.parse(LinkType.ETHERNET, frame, 0, frame.length);
 * if (r == ParseResult.OK) {
 *     int n = view.writeKey(key, 0);           // 2 longs for IPv4, 5 for IPv6
 * }
 * }</pre>
 *
 * <p>For an ICMP or ICMPv6 error, {@link #parseEmbedded(PacketView)} parses the quoted packet into a
 * second view, tolerating the truncation that errors carry (only 8 bytes of the inner transport
 * header are required, as Linux requires). Not thread-safe.
 */
public final class PacketView {

    /** Most VLAN tags (802.1Q / 802.1ad / 0x9100) accepted in one frame. */
    public static final int MAX_VLAN_TAGS = 4;
    /** Most IPv6 extension headers walked before the packet counts as malformed. */
    public static final int MAX_EXTENSION_HEADERS = 8;
    /** Length a key array must have for {@link #writeKey(long[], int)}. */
    public static final int MAX_KEY_LONGS = 5;

    /** TCP FIN flag bit of {@link #tcpFlags()}. */
    public static final int TCP_FIN = 0x01;
    /** TCP SYN flag bit. */
    public static final int TCP_SYN = 0x02;
    /** TCP RST flag bit. */
    public static final int TCP_RST = 0x04;
    /** TCP PSH flag bit. */
    public static final int TCP_PSH = 0x08;
    /** TCP ACK flag bit. */
    public static final int TCP_ACK = 0x10;
    /** TCP URG flag bit. */
    public static final int TCP_URG = 0x20;
    /** TCP ECE flag bit. */
    public static final int TCP_ECE = 0x40;
    /** TCP CWR flag bit. */
    public static final int TCP_CWR = 0x80;
    /** TCP NS (nonce sum, RFC 3540) flag bit. */
    public static final int TCP_NS = 0x100;

    /** GRE protocol type of PPP, the one PPTP (GRE version 1) carries. */
    public static final int GRE_PROTOCOL_PPP = 0x880b;

    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int ETHERTYPE_IPV6 = 0x86dd;
    /** NOP, NOP, timestamp kind 8, length 10: the option word most segments carry. */
    private static final int TIMESTAMP_ONLY = 0x0101080a;
    /** Network-order reads of arrays: one bounds check and one load instead of two or four. */
    private static final VarHandle SHORT_BE = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT_BE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    private static final int DIRTY_IPV6 = 1;
    private static final int DIRTY_UDP = 1 << 1;
    private static final int DIRTY_SCTP = 1 << 2;
    private static final int DIRTY_DCCP = 1 << 3;
    private static final int DIRTY_ICMP = 1 << 4;
    private static final int DIRTY_GRE = 1 << 5;

    private byte[] array;
    private ByteBuffer buffer;
    private int base;
    private int length;
    private boolean embedded;

    private boolean checkIpv4Checksum;
    private boolean checkL4Checksums;
    private boolean acceptTruncated;
    private boolean ipTruncated;

    private ParseResult result = ParseResult.TRUNCATED_IP_HEADER;
    private int linkType;
    private int etherType;
    private int vlanCount;
    private final int[] vlanTci = new int[MAX_VLAN_TAGS];

    private int ipVersion;
    private int l3Offset;
    private int ipEnd;
    private int ttl;
    private int trafficClass;
    private int flowLabel;
    private int ipId;
    private boolean dontFragment;
    private boolean moreFragments;
    private int fragmentOffset;
    private boolean hasFragmentHeader;
    private int extensionHeaders;
    private int source4;
    private int destination4;
    private long sourceHigh;
    private long sourceLow;
    private long destinationHigh;
    private long destinationLow;

    private int protocol;
    private int l4Offset;
    private boolean l4Truncated;
    private int sourcePort;
    private int destinationPort;
    private int payloadOffset;
    private int payloadLength;
    private long tcpSequence;
    private long tcpAcknowledgement;
    private int tcpFlags;
    private int tcpWindow;
    private int tcpHeaderLength;
    private int tcpMss;
    private int tcpWindowScale;
    private boolean tcpSackPermitted;
    private int udpLength;
    private int udpliteCoverage;
    private long sctpVerificationTag;
    private int sctpFirstChunkType;
    private int sctpChunkCount;
    private int dccpType;
    private int icmpType;
    private int icmpCode;
    private int icmpId;
    private boolean icmpError;
    private int greVersion;
    private int greProtocol;
    private boolean greHasKey;
    private int greKey;
    /** Which protocol-specific field groups ({@code DIRTY_*}) the last parse may have set. */
    private int dirty = -1;

    /** A view that does not check checksums; see {@link #checkChecksums(boolean, boolean)}. */
    public PacketView() {
    }

    /**
     * Chooses which checksums parsing verifies. Linux verifies on input only, so a tracker fed from
     * an output path or a capture of outgoing packets (whose checksums the NIC fills in later)
     * must not check transport checksums.
     *
     * @param ipv4Header verify the IPv4 header checksum
     * @param transport verify TCP, UDP, UDP-Lite, ICMP and ICMPv6 checksums of unfragmented packets
     * @return this view
     */
    public PacketView checkChecksums(boolean ipv4Header, boolean transport) {
        this.checkIpv4Checksum = ipv4Header;
        this.checkL4Checksums = transport;
        return this;
    }

    /**
     * Whether a packet cut short by a capture's snapshot length (captured length below the IP
     * length) still parses, as a quoted packet does: the declared length is kept apart
     * ({@link #isTruncated()}), and the transport header needs only its first 8 bytes. Off by
     * default, so that a live tracker counts such packets as {@link ParseResult#BAD_IP_LENGTH}.
     *
     * @param accept true to accept truncated captures
     * @return this view
     */
    public PacketView acceptTruncatedCaptures(boolean accept) {
        this.acceptTruncated = accept;
        return this;
    }

    // ---------------------------------------------------------------------------------------- entry

    /**
     * Parses a packet of the given link type from an array range.
     *
     * @param linkType a {@link LinkType} value
     * @param bytes the bytes (not copied; must stay unchanged while the view is used)
     * @param offset first byte of the packet
     * @param length captured length
     * @return the result, also kept as {@link #result()}
     * @throws IndexOutOfBoundsException if the range is not inside the array (a caller's bug, not
     *     bad input: packet contents never cause an exception)
     */
    public ParseResult parse(int linkType, byte[] bytes, int offset, int length) {
        bind(bytes, null, offset, length, linkType);
        return finish(parseLink());
    }

    /**
     * Parses a packet of the given link type from a buffer's remaining bytes (heap or direct); the
     * buffer's position and limit are not changed.
     *
     * @param linkType a {@link LinkType} value
     * @param packet the packet between position and limit
     * @return the result
     */
    public ParseResult parse(int linkType, ByteBuffer packet) {
        if (packet.hasArray()) {
            bind(packet.array(), null, packet.arrayOffset() + packet.position(), packet.remaining(), linkType);
        } else {
            bind(null, packet, packet.position(), packet.remaining(), linkType);
        }
        return finish(parseLink());
    }

    /**
     * Parses a raw IPv4 or IPv6 packet.
     *
     * @param bytes the bytes
     * @param offset first byte
     * @param length length
     * @return the result
     */
    public ParseResult parseIp(byte[] bytes, int offset, int length) {
        return parse(LinkType.RAW, bytes, offset, length);
    }

    /**
     * Parses a raw IPv4 or IPv6 packet from a buffer's remaining bytes.
     *
     * @param packet the packet
     * @return the result
     */
    public ParseResult parseIp(ByteBuffer packet) {
        return parse(LinkType.RAW, packet);
    }

    /**
     * Parses an Ethernet frame (without FCS).
     *
     * @param bytes the bytes
     * @param offset first byte
     * @param length length
     * @return the result
     */
    public ParseResult parseEthernet(byte[] bytes, int offset, int length) {
        return parse(LinkType.ETHERNET, bytes, offset, length);
    }

    /**
     * Parses an Ethernet frame from a buffer's remaining bytes.
     *
     * @param frame the frame
     * @return the result
     */
    public ParseResult parseEthernet(ByteBuffer frame) {
        return parse(LinkType.ETHERNET, frame);
    }

    /**
     * Parses the packet quoted by an ICMP or ICMPv6 error that {@code outer} holds. The quoted
     * packet may be cut short: its declared length may exceed what is present, and only the first
     * 8 bytes of its transport header are required ({@link #isL4Truncated()} tells). Offsets of this
     * view are relative to the start of the quoted packet, {@link #embeddedOffset(PacketView)} in
     * the outer view's terms.
     *
     * @param outer a view whose {@link #isIcmpError()} is true
     * @return the result; {@link ParseResult#NOT_IP} if {@code outer} holds no ICMP error
     */
    public ParseResult parseEmbedded(PacketView outer) {
        if (!outer.icmpError || outer.result != ParseResult.OK) {
            bind(outer.array, outer.buffer, outer.base, 0, LinkType.RAW);
            return finish(ParseResult.NOT_IP);
        }
        int at = outer.payloadOffset;
        bind(outer.array, outer.buffer, outer.base + at, outer.ipEnd - at, LinkType.RAW);
        embedded = true;
        int expected = outer.ipVersion;
        if (length < 1) {
            return finish(ParseResult.TRUNCATED_IP_HEADER);
        }
        if (u8(0) >>> 4 != expected) {
            return finish(ParseResult.BAD_IP_VERSION);
        }
        return finish(parseIpAt(0, expected));
    }

    /**
     * Where a view's quoted packet starts within it.
     *
     * @param outer the outer view
     * @return the offset in {@code outer}'s terms of what {@link #parseEmbedded} parses
     */
    public static int embeddedOffset(PacketView outer) {
        return outer.payloadOffset;
    }

    private void bind(byte[] bytes, ByteBuffer direct, int offset, int len, int link) {
        if (direct == null && (offset < 0 || len < 0 || offset > bytes.length - len)) {
            throw new IndexOutOfBoundsException("range " + offset + "+" + len + " outside array of " + bytes.length);
        }
        array = bytes;
        buffer = direct;
        base = offset;
        length = len;
        linkType = link;
        embedded = false;
        ipTruncated = false;
        etherType = 0;
        vlanCount = 0;
        ipVersion = 0;
        l3Offset = 0;
        ipEnd = 0;
        ttl = 0;
        trafficClass = 0;
        ipId = 0;
        dontFragment = false;
        moreFragments = false;
        fragmentOffset = 0;
        source4 = 0;
        destination4 = 0;
        protocol = 0;
        l4Offset = 0;
        l4Truncated = false;
        sourcePort = 0;
        destinationPort = 0;
        payloadOffset = 0;
        payloadLength = 0;
        tcpSequence = 0;
        tcpAcknowledgement = 0;
        tcpFlags = 0;
        tcpWindow = 0;
        tcpHeaderLength = 0;
        tcpMss = 0;
        tcpWindowScale = -1;
        tcpSackPermitted = false;
        if (dirty != 0) {
            resetProtocolFields();
        }
    }

    /**
     * Clears the fields of the parse paths the previous packet took ({@link #dirty}), so that a
     * stream of one kind of packet does not pay for clearing all the others.
     */
    private void resetProtocolFields() {
        if ((dirty & DIRTY_IPV6) != 0) {
            flowLabel = 0;
            hasFragmentHeader = false;
            extensionHeaders = 0;
            sourceHigh = 0;
            sourceLow = 0;
            destinationHigh = 0;
            destinationLow = 0;
        }
        if ((dirty & DIRTY_UDP) != 0) {
            udpLength = 0;
            udpliteCoverage = 0;
        }
        if ((dirty & DIRTY_SCTP) != 0) {
            sctpVerificationTag = 0;
            sctpFirstChunkType = -1;
            sctpChunkCount = 0;
        }
        if ((dirty & DIRTY_DCCP) != 0) {
            dccpType = 0;
        }
        if ((dirty & DIRTY_ICMP) != 0) {
            icmpType = 0;
            icmpCode = 0;
            icmpId = 0;
            icmpError = false;
        }
        if ((dirty & DIRTY_GRE) != 0) {
            greVersion = 0;
            greProtocol = 0;
            greHasKey = false;
            greKey = 0;
        }
        dirty = 0;
    }

    private ParseResult finish(ParseResult r) {
        result = r;
        return r;
    }

    // ------------------------------------------------------------------------------------ reading

    private int u8(int at) {
        return (array != null ? array[base + at] : buffer.get(base + at)) & 0xff;
    }

    private int u16(int at) {
        byte[] a = array;
        if (a != null) {
            return (short) SHORT_BE.get(a, base + at) & 0xffff;
        }
        return u8(at) << 8 | u8(at + 1);
    }

    private int i32(int at) {
        byte[] a = array;
        if (a != null) {
            return (int) INT_BE.get(a, base + at);
        }
        return u16(at) << 16 | u16(at + 2);
    }

    private long i64(int at) {
        return (long) i32(at) << 32 | i32(at + 4) & 0xffff_ffffL;
    }

    /**
     * One byte of the parsed range, for callers that look further (helpers, payload inspection).
     *
     * @param offset 0 to {@link #capturedLength()} - 1
     * @return the byte, 0 to 255
     * @throws IndexOutOfBoundsException outside the parsed range
     */
    public int byteAt(int offset) {
        if (offset < 0 || offset >= length) {
            throw new IndexOutOfBoundsException("offset " + offset + " outside packet of " + length + " bytes");
        }
        return u8(offset);
    }

    // ------------------------------------------------------------------------------- link layer

    private ParseResult parseLink() {
        switch (linkType) {
            case LinkType.RAW:
                if (length < 1) {
                    return ParseResult.TRUNCATED_IP_HEADER;
                }
                int version = u8(0) >>> 4;
                if (version != 4 && version != 6) {
                    return ParseResult.BAD_IP_VERSION;
                }
                etherType = version == 4 ? ETHERTYPE_IPV4 : ETHERTYPE_IPV6;
                return parseIpAt(0, version);
            case LinkType.IPV4:
                etherType = ETHERTYPE_IPV4;
                return parseIpAt(0, 4);
            case LinkType.IPV6:
                etherType = ETHERTYPE_IPV6;
                return parseIpAt(0, 6);
            case LinkType.ETHERNET:
                if (length < 14) {
                    return ParseResult.TRUNCATED_LINK_HEADER;
                }
                return parseEtherType(12);
            case LinkType.LINUX_SLL:
                if (length < 16) {
                    return ParseResult.TRUNCATED_LINK_HEADER;
                }
                return parseEtherType(14);
            case LinkType.LINUX_SLL2:
                if (length < 20) {
                    return ParseResult.TRUNCATED_LINK_HEADER;
                }
                etherType = u16(0);
                return dispatchEtherType(20);
            default:
                return ParseResult.NOT_IP;
        }
    }

    /** Reads the EtherType at {@code at} (followed by the payload) and any VLAN tags after it. */
    private ParseResult parseEtherType(int at) {
        etherType = u16(at);
        return dispatchEtherType(at + 2);
    }

    private ParseResult dispatchEtherType(int payload) {
        int at = payload;
        while (etherType == 0x8100 || etherType == 0x88a8 || etherType == 0x9100) {
            if (vlanCount == MAX_VLAN_TAGS) {
                return ParseResult.TOO_MANY_VLAN_TAGS;
            }
            if (at + 4 > length) {
                return ParseResult.TRUNCATED_LINK_HEADER;
            }
            vlanTci[vlanCount++] = u16(at);
            etherType = u16(at + 2);
            at += 4;
        }
        if (etherType == ETHERTYPE_IPV4) {
            return parseIpAt(at, 4);
        }
        if (etherType == ETHERTYPE_IPV6) {
            return parseIpAt(at, 6);
        }
        return ParseResult.NOT_IP;
    }

    // -------------------------------------------------------------------------------------- IP

    private ParseResult parseIpAt(int at, int version) {
        l3Offset = at;
        if (at >= length) {
            return ParseResult.TRUNCATED_IP_HEADER;
        }
        if (u8(at) >>> 4 != version) {
            return ParseResult.BAD_IP_VERSION;
        }
        ipVersion = version;
        return version == 4 ? parseIpv4(at) : parseIpv6(at);
    }

    private ParseResult parseIpv4(int at) {
        if (at + 20 > length) {
            return ParseResult.TRUNCATED_IP_HEADER;
        }
        int headerLength = (u8(at) & 0x0f) * 4;
        if (headerLength < 20 || at + headerLength > length) {
            return ParseResult.BAD_IPV4_HEADER_LENGTH;
        }
        trafficClass = u8(at + 1);
        int total = u16(at + 2);
        if (total < headerLength) {
            return ParseResult.BAD_IP_LENGTH;
        }
        if (at + total > length) {
            if (!embedded && !acceptTruncated) {
                return ParseResult.BAD_IP_LENGTH;
            }
            ipTruncated = true;
            ipEnd = length;
        } else {
            ipEnd = at + total; // link-layer padding after the datagram is not part of it
        }
        ipId = u16(at + 4);
        int fragment = u16(at + 6);
        dontFragment = (fragment & 0x4000) != 0;
        moreFragments = (fragment & 0x2000) != 0;
        fragmentOffset = (fragment & 0x1fff) * 8;
        ttl = u8(at + 8);
        protocol = u8(at + 9);
        source4 = i32(at + 12);
        destination4 = i32(at + 16);
        if (checkIpv4Checksum && !embedded && checksum(at, headerLength, 0) != 0xffff) {
            return ParseResult.BAD_IPV4_CHECKSUM;
        }
        l4Offset = at + headerLength;
        if (fragmentOffset != 0) {
            return ParseResult.NON_FIRST_FRAGMENT;
        }
        return parseL4();
    }

    private ParseResult parseIpv6(int at) {
        dirty |= DIRTY_IPV6;
        if (at + 40 > length) {
            return ParseResult.TRUNCATED_IP_HEADER;
        }
        int first = i32(at);
        trafficClass = first >>> 20 & 0xff;
        flowLabel = first & 0xfffff;
        int payload = u16(at + 4);
        if (at + 40 + payload > length) {
            if (!embedded && !acceptTruncated) {
                // A zero payload length announces a jumbogram, which trackers do not see.
                return ParseResult.BAD_IP_LENGTH;
            }
            ipTruncated = true;
            ipEnd = length;
        } else {
            ipEnd = at + 40 + payload;
        }
        ttl = u8(at + 7);
        sourceHigh = i64(at + 8);
        sourceLow = i64(at + 16);
        destinationHigh = i64(at + 24);
        destinationLow = i64(at + 32);
        int next = u8(at + 6);
        int p = at + 40;
        while (true) {
            switch (next) {
                case 0, 43, 60, 51 -> {
                    if (extensionHeaders == MAX_EXTENSION_HEADERS) {
                        return ParseResult.TOO_MANY_EXTENSION_HEADERS;
                    }
                    if (p + 2 > ipEnd) {
                        return ParseResult.TRUNCATED_EXTENSION_HEADER;
                    }
                    int size = next == 51 ? (u8(p + 1) + 2) * 4 : (u8(p + 1) + 1) * 8;
                    if (p + size > ipEnd) {
                        return ParseResult.TRUNCATED_EXTENSION_HEADER;
                    }
                    next = u8(p);
                    p += size;
                    extensionHeaders++;
                }
                case 44 -> {
                    if (extensionHeaders == MAX_EXTENSION_HEADERS) {
                        return ParseResult.TOO_MANY_EXTENSION_HEADERS;
                    }
                    if (p + 8 > ipEnd) {
                        return ParseResult.TRUNCATED_EXTENSION_HEADER;
                    }
                    int field = u16(p + 2);
                    hasFragmentHeader = true;
                    fragmentOffset = field & 0xfff8;
                    moreFragments = (field & 1) != 0;
                    ipId = i32(p + 4);
                    next = u8(p);
                    p += 8;
                    extensionHeaders++;
                    if (fragmentOffset != 0) {
                        protocol = next;
                        l4Offset = p;
                        return ParseResult.NON_FIRST_FRAGMENT;
                    }
                }
                default -> {
                    // Also ESP (50) and No Next Header (59): nothing past them can be read.
                    protocol = next;
                    l4Offset = p;
                    return parseL4();
                }
            }
        }
    }

    // ------------------------------------------------------------------------------- transport

    private ParseResult parseL4() {
        payloadOffset = l4Offset;
        payloadLength = ipEnd - l4Offset;
        return switch (protocol) {
            case L4Protocol.TCP_NUMBER -> parseTcp();
            case L4Protocol.UDP_NUMBER, L4Protocol.UDPLITE_NUMBER -> parseUdp();
            case L4Protocol.SCTP_NUMBER -> parseSctp();
            case L4Protocol.DCCP_NUMBER -> parseDccp();
            case L4Protocol.ICMP_NUMBER -> ipVersion == 4 ? parseIcmp() : ParseResult.OK;
            case L4Protocol.ICMPV6_NUMBER -> ipVersion == 6 ? parseIcmp() : ParseResult.OK;
            case L4Protocol.GRE_NUMBER -> parseGre();
            default -> ParseResult.OK;
        };
    }

    private int available() {
        return ipEnd - l4Offset;
    }

    /**
     * Whether a truncated packet stops after the 8 bytes that identify its flow: then the fields
     * read so far stand and the rest stay zero.
     */
    private boolean cutAfterEight(int fullHeader) {
        if (lenient() && available() < fullHeader) {
            l4Truncated = true;
            payloadOffset = ipEnd;
            payloadLength = 0;
            return true;
        }
        return false;
    }

    private ParseResult parseTcp() {
        int at = l4Offset;
        if (available() < (lenient() ? 8 : 20)) {
            return ParseResult.TRUNCATED_L4_HEADER;
        }
        sourcePort = u16(at);
        destinationPort = u16(at + 2);
        tcpSequence = i32(at + 4) & 0xffff_ffffL;
        if (cutAfterEight(20)) {
            return ParseResult.OK;
        }
        tcpAcknowledgement = i32(at + 8) & 0xffff_ffffL;
        int offsetAndFlags = u16(at + 12);
        tcpHeaderLength = (offsetAndFlags >>> 12) * 4;
        tcpFlags = offsetAndFlags & 0x1ff;
        tcpWindow = u16(at + 14);
        if (tcpHeaderLength < 20 || tcpHeaderLength > available()) {
            if (lenient()) {
                l4Truncated = true;
                payloadOffset = ipEnd;
                payloadLength = 0;
                return ParseResult.OK;
            }
            return ParseResult.BAD_TCP_DATA_OFFSET;
        }
        parseTcpOptions(at + 20, at + tcpHeaderLength);
        payloadOffset = at + tcpHeaderLength;
        payloadLength = ipEnd - payloadOffset;
        if (needsL4Checksum() && transportChecksum(available()) != 0xffff) {
            return ParseResult.BAD_L4_CHECKSUM;
        }
        return ParseResult.OK;
    }

    /** Like Linux's tcp_options(): a malformed option ends the walk, it does not spoil the packet. */
    private void parseTcpOptions(int from, int to) {
        int p = from;
        while (p < to) {
            int kind = u8(p);
            if (kind == 0) {
                return;
            }
            if (kind == 1) {
                p++;
                continue;
            }
            if (p + 2 > to) {
                return;
            }
            int size = u8(p + 1);
            if (size < 2 || p + size > to) {
                return;
            }
            if (kind == 2 && size == 4) {
                tcpMss = u16(p + 2);
            } else if (kind == 3 && size == 3) {
                tcpWindowScale = Math.min(u8(p + 2), 14);
            } else if (kind == 4 && size == 2) {
                tcpSackPermitted = true;
            }
            p += size;
        }
    }

    private ParseResult parseUdp() {
        dirty |= DIRTY_UDP;
        int at = l4Offset;
        if (available() < 8) {
            return ParseResult.TRUNCATED_L4_HEADER;
        }
        sourcePort = u16(at);
        destinationPort = u16(at + 2);
        int declared = u16(at + 4);
        if (protocol == L4Protocol.UDPLITE_NUMBER) {
            // UDP-Lite reuses the length field as checksum coverage; 0 means the whole datagram.
            udpliteCoverage = declared;
            udpLength = available();
            if (!lenient() && declared != 0 && (declared < 8 || declared > available())) {
                return ParseResult.BAD_UDP_LENGTH;
            }
        } else {
            udpLength = declared;
            if (!lenient() && (declared < 8 || declared > available())) {
                return ParseResult.BAD_UDP_LENGTH;
            }
        }
        payloadOffset = at + 8;
        payloadLength = lenient() ? Math.max(0, ipEnd - payloadOffset) : udpLength - 8;
        if (needsL4Checksum()) {
            int checksum = u16(at + 6);
            boolean absent = checksum == 0 && ipVersion == 4 && protocol == L4Protocol.UDP_NUMBER;
            int covered = protocol == L4Protocol.UDPLITE_NUMBER
                    ? (udpliteCoverage == 0 ? available() : udpliteCoverage) : udpLength;
            if (!absent && transportChecksum(covered) != 0xffff) {
                return ParseResult.BAD_L4_CHECKSUM;
            }
        }
        return ParseResult.OK;
    }

    private ParseResult parseSctp() {
        dirty |= DIRTY_SCTP;
        int at = l4Offset;
        if (available() < (lenient() ? 8 : 12)) {
            return ParseResult.TRUNCATED_L4_HEADER;
        }
        sourcePort = u16(at);
        destinationPort = u16(at + 2);
        sctpVerificationTag = i32(at + 4) & 0xffff_ffffL;
        if (cutAfterEight(16)) {
            return ParseResult.OK;
        }
        payloadOffset = at + 12;
        payloadLength = ipEnd - payloadOffset;
        int chunk = at + 12;
        while (chunk < ipEnd) {
            if (chunk + 4 > ipEnd) {
                return ParseResult.BAD_SCTP_CHUNK;
            }
            int size = u16(chunk + 2);
            if (size < 4 || chunk + size > ipEnd) {
                return ParseResult.BAD_SCTP_CHUNK;
            }
            if (sctpChunkCount == 0) {
                sctpFirstChunkType = u8(chunk);
            }
            sctpChunkCount++;
            chunk += size + 3 & ~3;
        }
        if (sctpChunkCount == 0) {
            return ParseResult.BAD_SCTP_CHUNK;
        }
        return ParseResult.OK;
    }

    private ParseResult parseDccp() {
        dirty |= DIRTY_DCCP;
        int at = l4Offset;
        if (available() < (lenient() ? 8 : 12)) {
            return ParseResult.TRUNCATED_L4_HEADER;
        }
        sourcePort = u16(at);
        destinationPort = u16(at + 2);
        if (cutAfterEight(12)) {
            return ParseResult.OK;
        }
        int doff = u8(at + 4) * 4;
        dccpType = u8(at + 8) >>> 1 & 0x0f;
        boolean extendedSequence = (u8(at + 8) & 1) != 0;
        int minimum = extendedSequence ? 16 : 12;
        if (doff < minimum || doff > available()) {
            return ParseResult.BAD_DCCP_HEADER;
        }
        payloadOffset = at + doff;
        payloadLength = ipEnd - payloadOffset;
        return ParseResult.OK;
    }

    private ParseResult parseIcmp() {
        dirty |= DIRTY_ICMP;
        int at = l4Offset;
        if (available() < 8) {
            return ParseResult.TRUNCATED_L4_HEADER;
        }
        icmpType = u8(at);
        icmpCode = u8(at + 1);
        icmpId = u16(at + 4);
        icmpError = ipVersion == 4
                ? icmpType == 3 || icmpType == 4 || icmpType == 5 || icmpType == 11 || icmpType == 12
                : icmpType < 128;
        payloadOffset = at + 8;
        payloadLength = ipEnd - payloadOffset;
        if (needsL4Checksum()) {
            // ICMPv6 sums a pseudo-header as TCP and UDP do; ICMP for IPv4 sums the message alone.
            int sum = ipVersion == 4 ? checksum(at, available(), 0) : transportChecksum(available());
            if (sum != 0xffff) {
                return ParseResult.BAD_L4_CHECKSUM;
            }
        }
        return ParseResult.OK;
    }

    private ParseResult parseGre() {
        dirty |= DIRTY_GRE;
        int at = l4Offset;
        if (available() < 4) {
            return ParseResult.TRUNCATED_L4_HEADER;
        }
        int flags = u16(at);
        greVersion = flags & 7;
        greProtocol = u16(at + 2);
        if (greVersion == 1 && greProtocol != GRE_PROTOCOL_PPP) {
            return ParseResult.UNSUPPORTED_GRE_PROTOCOL;
        }
        int p = at + 4;
        if ((flags & 0x8000) != 0) {
            p += 4; // checksum and reserved
        }
        if ((flags & 0x2000) != 0) {
            if (p + 4 > ipEnd) {
                return ParseResult.TRUNCATED_L4_HEADER;
            }
            greHasKey = true;
            greKey = i32(p);
            p += 4;
        }
        if ((flags & 0x1000) != 0) {
            p += 4; // sequence number
        }
        if (greVersion == 1 && (flags & 0x0080) != 0) {
            p += 4; // acknowledgement number of enhanced GRE
        }
        if (p > ipEnd) {
            if (lenient()) {
                l4Truncated = true;
                p = ipEnd;
            } else {
                return ParseResult.TRUNCATED_L4_HEADER;
            }
        }
        payloadOffset = p;
        payloadLength = ipEnd - p;
        return ParseResult.OK;
    }

    /** Quoted packets, and captures cut short when so configured, need only 8 transport bytes. */
    private boolean lenient() {
        return embedded || ipTruncated;
    }

    private boolean needsL4Checksum() {
        return checkL4Checksums && !embedded && !ipTruncated && !isFragment();
    }

    /** Internet checksum of the transport segment plus the pseudo-header; 0xffff when it is correct. */
    private int transportChecksum(int covered) {
        long sum = protocol + (long) available();
        if (ipVersion == 4) {
            sum += (source4 >>> 16) + (source4 & 0xffff) + (destination4 >>> 16) + (destination4 & 0xffff);
        } else {
            sum += words(sourceHigh) + words(sourceLow) + words(destinationHigh) + words(destinationLow);
        }
        return checksum(l4Offset, Math.min(covered, available()), sum);
    }

    private static long words(long v) {
        return (v >>> 48) + (v >>> 32 & 0xffff) + (v >>> 16 & 0xffff) + (v & 0xffff);
    }

    private int checksum(int from, int count, long initial) {
        long sum = initial;
        int end = from + count;
        int p = from;
        for (; p + 1 < end; p += 2) {
            sum += u16(p);
        }
        if (p < end) {
            sum += u8(p) << 8;
        }
        while (sum >>> 16 != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) sum;
    }

    // --------------------------------------------------------------------------------------- keys

    /**
     * The tuple key's source value as the tracker uses it (tracker.md 1.1): source port, ICMP echo
     * id, or 0 for GRE (the PPTP helper's key map supplies GRE source keys) and keyless protocols.
     *
     * @return 0 to 65535
     */
    public int sourceKey() {
        return switch (L4Protocol.keyKind(protocol)) {
            case PORTS -> sourcePort;
            case ICMP -> icmpId;
            case GRE, NONE -> 0;
        };
    }

    /**
     * The tuple key's destination value: destination port, ICMP {@code type << 8 | code}, the PPTP
     * call id of GRE version 1 carrying PPP, else 0.
     *
     * @return 0 to 65535
     */
    public int destinationKey() {
        return switch (L4Protocol.keyKind(protocol)) {
            case PORTS -> destinationPort;
            case ICMP -> icmpType << 8 | icmpCode;
            case GRE -> isPptpGre() ? greKey & 0xffff : 0;
            case NONE -> 0;
        };
    }

    /**
     * Whether the key of this packet can be formed: the parse succeeded and, for a protocol with
     * layer-4 keys, the transport header is here (not a non-first fragment).
     *
     * @return true when {@link #writeKey} writes a key
     */
    public boolean hasKey() {
        return result == ParseResult.OK;
    }

    /**
     * Writes the original-direction tuple key in the tracker's layout ({@link TupleKeys}, tracker.md
     * 6.1): IPv4 as {@code k0, k1}, IPv6 as source high, source low, destination high, destination
     * low, {@code k1}. Allocation-free.
     *
     * @param out at least {@link #MAX_KEY_LONGS} longs
     * @param zone zone 0 to 65535 to put in {@code k1}
     * @return the number of longs written: 2, 5, or 0 when {@link #hasKey()} is false
     */
    public int writeKey(long[] out, int zone) {
        if (!hasKey()) {
            return 0;
        }
        long k1 = TupleKeys.key1(sourceKey(), destinationKey(), protocol, zone);
        if (ipVersion == 4) {
            out[0] = TupleKeys.ipv4Key0(source4, destination4);
            out[1] = k1;
            return 2;
        }
        out[0] = sourceHigh;
        out[1] = sourceLow;
        out[2] = destinationHigh;
        out[3] = destinationLow;
        out[4] = k1;
        return 5;
    }

    /**
     * The original-direction tuple as an object, for tools and tests (allocates).
     *
     * @return the tuple, without zone
     * @throws IllegalStateException when {@link #hasKey()} is false
     */
    public Tuple toTuple() {
        if (!hasKey()) {
            throw new IllegalStateException("no tuple for a packet parsed as " + result);
        }
        return new Tuple(sourceAddress(), destinationAddress(), L4Protocol.of(protocol),
                sourceKey(), destinationKey(), Tuple.NO_ZONE);
    }

    /**
     * The source address as an object (allocates).
     *
     * @return the address
     */
    public IpAddress sourceAddress() {
        return ipVersion == 4 ? IpAddress.ofIpv4(source4) : IpAddress.ofIpv6(sourceHigh, sourceLow);
    }

    /**
     * The destination address as an object (allocates).
     *
     * @return the address
     */
    public IpAddress destinationAddress() {
        return ipVersion == 4 ? IpAddress.ofIpv4(destination4) : IpAddress.ofIpv6(destinationHigh, destinationLow);
    }

    // ----------------------------------------------------------------------------------- SCTP walk

    /**
     * The first SCTP chunk, to walk chunks with {@link #nextSctpChunk(int)}.
     *
     * <pre>{@code
     * for (int c = view.firstSctpChunk(); c >= 0; c = view.nextSctpChunk(c)) {
     *     int type = view.sctpChunkType(c);
     * }
     * }</pre>
     *
     * @return the chunk's offset, or -1 when there is none (not SCTP, or truncated)
     */
    public int firstSctpChunk() {
        return protocol == L4Protocol.SCTP_NUMBER && result == ParseResult.OK && sctpChunkCount > 0
                ? l4Offset + 12 : -1;
    }

    /**
     * The chunk after one: parsing validated all chunk lengths, so the walk is bounded.
     *
     * @param chunk a chunk offset from {@link #firstSctpChunk()} or this method
     * @return the next chunk's offset, or -1 after the last
     */
    public int nextSctpChunk(int chunk) {
        int next = chunk + (sctpChunkLength(chunk) + 3 & ~3);
        return next + 4 <= ipEnd && next > chunk ? next : -1;
    }

    /**
     * @param chunk a chunk offset
     * @return the chunk type
     */
    public int sctpChunkType(int chunk) {
        return byteAt(chunk);
    }

    /**
     * @param chunk a chunk offset
     * @return the chunk flags
     */
    public int sctpChunkFlags(int chunk) {
        return byteAt(chunk + 1);
    }

    /**
     * @param chunk a chunk offset
     * @return the chunk length field (without padding)
     */
    public int sctpChunkLength(int chunk) {
        return byteAt(chunk + 2) << 8 | byteAt(chunk + 3);
    }

    // ---------------------------------------------------------------------------------- accessors

    /** @return the result of the last parse */
    public ParseResult result() {
        return result;
    }

    /** @return the link type of the last parse */
    public int linkType() {
        return linkType;
    }

    /** @return bytes in the parsed range (the captured length) */
    public int capturedLength() {
        return length;
    }

    /** @return the EtherType of the network layer (after VLAN tags), 0 when unknown */
    public int etherType() {
        return etherType;
    }

    /** @return the number of VLAN tags, outermost first */
    public int vlanCount() {
        return vlanCount;
    }

    /**
     * @param index 0 (outermost) to {@link #vlanCount()} - 1
     * @return the tag control information (PCP, DEI and VLAN id)
     */
    public int vlanTci(int index) {
        if (index < 0 || index >= vlanCount) {
            throw new IndexOutOfBoundsException("VLAN tag " + index + " of " + vlanCount);
        }
        return vlanTci[index];
    }

    /**
     * @param index 0 (outermost) to {@link #vlanCount()} - 1
     * @return the 12-bit VLAN id
     */
    public int vlanId(int index) {
        return vlanTci(index) & 0xfff;
    }

    /** @return 4, 6, or 0 when no IP header was recognised */
    public int ipVersion() {
        return ipVersion;
    }

    /** @return offset of the IP header */
    public int networkOffset() {
        return l3Offset;
    }

    /** @return offset just past the IP datagram (link padding excluded; the captured end if quoted) */
    public int networkEnd() {
        return ipEnd;
    }

    /** @return IPv4 total length or IPv6 40 + payload length, as present */
    public int ipTotalLength() {
        return ipEnd - l3Offset;
    }

    /** @return IPv4 TTL or IPv6 hop limit */
    public int ttl() {
        return ttl;
    }

    /** @return IPv4 TOS byte or IPv6 traffic class */
    public int trafficClass() {
        return trafficClass;
    }

    /** @return IPv6 flow label (0 for IPv4) */
    public int flowLabel() {
        return flowLabel;
    }

    /** @return IPv4 identification (16 bits) or IPv6 Fragment header identification (32 bits) */
    public int ipId() {
        return ipId;
    }

    /** @return IPv4 DF flag */
    public boolean dontFragment() {
        return dontFragment;
    }

    /** @return IPv4 MF flag or IPv6 Fragment header M flag */
    public boolean moreFragments() {
        return moreFragments;
    }

    /** @return fragment offset in bytes */
    public int fragmentOffset() {
        return fragmentOffset;
    }

    /** @return whether this is part of a fragmented datagram (MF set or offset non-zero) */
    public boolean isFragment() {
        return moreFragments || fragmentOffset != 0;
    }

    /** @return whether an IPv6 Fragment header was seen (also for atomic fragments) */
    public boolean hasFragmentHeader() {
        return hasFragmentHeader;
    }

    /** @return number of IPv6 extension headers walked */
    public int extensionHeaderCount() {
        return extensionHeaders;
    }

    /** @return IPv4 source address bits */
    public int sourceIpv4() {
        return source4;
    }

    /** @return IPv4 destination address bits */
    public int destinationIpv4() {
        return destination4;
    }

    /** @return IPv6 source address, high 64 bits */
    public long sourceHigh() {
        return sourceHigh;
    }

    /** @return IPv6 source address, low 64 bits */
    public long sourceLow() {
        return sourceLow;
    }

    /** @return IPv6 destination address, high 64 bits */
    public long destinationHigh() {
        return destinationHigh;
    }

    /** @return IPv6 destination address, low 64 bits */
    public long destinationLow() {
        return destinationLow;
    }

    /** @return the transport protocol number (after IPv6 extension headers) */
    public int protocol() {
        return protocol;
    }

    /** @return offset of the transport header */
    public int transportOffset() {
        return l4Offset;
    }

    /** @return whether the captured bytes end before the IP length says (quoted or snap-length cut) */
    public boolean isTruncated() {
        return ipTruncated;
    }

    /** @return whether a truncated packet's transport header is cut after its first bytes */
    public boolean isL4Truncated() {
        return l4Truncated;
    }

    /** @return source port (TCP, UDP, UDP-Lite, SCTP, DCCP) */
    public int sourcePort() {
        return sourcePort;
    }

    /** @return destination port */
    public int destinationPort() {
        return destinationPort;
    }

    /** @return offset of the transport payload (after TCP options, UDP header, ICMP header, ...) */
    public int payloadOffset() {
        return payloadOffset;
    }

    /** @return transport payload length (TCP data, UDP data, ...) */
    public int payloadLength() {
        return payloadLength;
    }

    /** @return TCP sequence number, unsigned */
    public long tcpSequence() {
        return tcpSequence;
    }

    /** @return TCP acknowledgement number, unsigned */
    public long tcpAcknowledgement() {
        return tcpAcknowledgement;
    }

    /** @return TCP flags: {@link #TCP_FIN} ... {@link #TCP_NS} */
    public int tcpFlags() {
        return tcpFlags;
    }

    /** @return TCP window field (unscaled) */
    public int tcpWindow() {
        return tcpWindow;
    }

    /** @return TCP header length in bytes (data offset times 4) */
    public int tcpHeaderLength() {
        return tcpHeaderLength;
    }

    /** @return TCP MSS option, 0 when absent */
    public int tcpMss() {
        return tcpMss;
    }

    /** @return TCP window-scale shift (capped at 14 as Linux does), -1 when absent */
    public int tcpWindowScale() {
        return tcpWindowScale;
    }

    /** @return whether the TCP SACK-permitted option is present */
    public boolean tcpSackPermitted() {
        return tcpSackPermitted;
    }

    /**
     * The highest right edge of the TCP header's SACK blocks that lies after {@code ack} (in
     * sequence-number order), or {@code ack} when there is none; Linux's {@code tcp_sack()}: only
     * the first SACK option counts, an end-of-options or malformed option ends the walk, and the
     * aligned timestamp-only layout ({@code NOP, NOP, TS}) is recognised without a walk. Read on
     * demand, allocation-free.
     *
     * <pre>{@code
     * int sack = view.tcpSackEdge((int) view.tcpAcknowledgement());
     * }</pre>
     *
     * @param ack the segment's acknowledgement number
     * @return the highest SACK right edge after {@code ack}, or {@code ack}
     */
    public int tcpSackEdge(int ack) {
        int length = tcpHeaderLength - 20;
        if (protocol != L4Protocol.TCP_NUMBER || length <= 0 || l4Truncated || l4Offset + tcpHeaderLength > ipEnd) {
            return ack;
        }
        int p = l4Offset + 20;
        if (length == 12 && i32(p) == TIMESTAMP_ONLY) {
            return ack;
        }
        int sack = ack;
        while (length > 0) {
            int kind = u8(p++);
            if (kind == 0) {
                return sack;
            }
            if (kind == 1) {
                length--;
                continue;
            }
            if (length < 2) {
                return sack;
            }
            int size = u8(p++);
            if (size < 2 || size > length) {
                return sack;
            }
            if (kind == 5 && size >= 10 && (size - 2) % 8 == 0) {
                for (int block = 0; block < size - 2; block += 8) {
                    int right = i32(p + block + 4);
                    if (sack - right < 0) {
                        sack = right;
                    }
                }
                return sack;
            }
            p += size - 2;
            length -= size;
        }
        return sack;
    }

    /** @return UDP length field; for UDP-Lite the datagram length */
    public int udpLength() {
        return udpLength;
    }

    /** @return UDP-Lite checksum coverage (0 = whole datagram) */
    public int udpliteCoverage() {
        return udpliteCoverage;
    }

    /** @return SCTP verification tag, unsigned */
    public long sctpVerificationTag() {
        return sctpVerificationTag;
    }

    /** @return type of the first SCTP chunk, -1 if none */
    public int sctpFirstChunkType() {
        return sctpFirstChunkType;
    }

    /** @return number of SCTP chunks */
    public int sctpChunkCount() {
        return sctpChunkCount;
    }

    /** @return DCCP packet type (0 REQUEST ... 9 SYNCACK) */
    public int dccpType() {
        return dccpType;
    }

    /** @return ICMP or ICMPv6 type */
    public int icmpType() {
        return icmpType;
    }

    /** @return ICMP or ICMPv6 code */
    public int icmpCode() {
        return icmpCode;
    }

    /** @return ICMP echo identifier (bytes 4 and 5 of the header, as Linux takes them) */
    public int icmpId() {
        return icmpId;
    }

    /** @return whether this ICMP message is an error that quotes a packet ({@link #parseEmbedded}) */
    public boolean isIcmpError() {
        return icmpError;
    }

    /** @return GRE version (0 or 1) */
    public int greVersion() {
        return greVersion;
    }

    /** @return GRE protocol type */
    public int greProtocol() {
        return greProtocol;
    }

    /** @return whether the GRE key field is present */
    public boolean greHasKey() {
        return greHasKey;
    }

    /** @return GRE key field (version 1: payload length in the high 16 bits, call id in the low) */
    public int greKey() {
        return greKey;
    }

    /** @return whether this is PPTP's enhanced GRE (version 1, PPP) */
    public boolean isPptpGre() {
        return protocol == L4Protocol.GRE_NUMBER && greVersion == 1 && greProtocol == GRE_PROTOCOL_PPP && greHasKey;
    }

    /** @return PPTP call id of GRE version 1 (low 16 bits of the key), else 0 */
    public int greCallId() {
        return isPptpGre() ? greKey & 0xffff : 0;
    }
}

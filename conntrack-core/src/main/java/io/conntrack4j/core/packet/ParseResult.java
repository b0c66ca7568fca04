package io.conntrack4j.core.packet;

/**
 * What {@link PacketView} made of a packet: {@link #OK}, a non-error special case, or the reason the
 * packet is malformed. The enum is small and stable so that callers can count by {@link #ordinal()}.
 *
 * <pre>{@code
 * long[] drops = new long[ParseResult.values().length];
 * ParseResult r = view.parseIp(packet, 0, packet.length);
 * if (r.isError()) {
 *     drops[r.ordinal()]++;
 * }
 * }</pre>
 */
public enum ParseResult {
    /** Parsed in full: network and transport headers are valid. */
    OK(false),
    /**
     * A non-first fragment: the network header is valid but the transport header is elsewhere
     * (Linux reassembles before tracking; tracker.md 1.8).
     */
    NON_FIRST_FRAGMENT(false),
    /** The link-layer header is cut short. */
    TRUNCATED_LINK_HEADER(true),
    /** The link type or EtherType is not IPv4 or IPv6 (ARP, LLDP, ...). */
    NOT_IP(true),
    /** More stacked VLAN tags than {@link PacketView#MAX_VLAN_TAGS}. */
    TOO_MANY_VLAN_TAGS(true),
    /** Fewer bytes than the fixed IP header. */
    TRUNCATED_IP_HEADER(true),
    /** The IP version nibble is not 4 or 6, or disagrees with the link layer. */
    BAD_IP_VERSION(true),
    /** IPv4 header length below 20 bytes or beyond the packet. */
    BAD_IPV4_HEADER_LENGTH(true),
    /** IPv4 total length or IPv6 payload length disagrees with the bytes present. */
    BAD_IP_LENGTH(true),
    /** The IPv4 header checksum is wrong (only when checked). */
    BAD_IPV4_CHECKSUM(true),
    /** More IPv6 extension headers than {@link PacketView#MAX_EXTENSION_HEADERS}. */
    TOO_MANY_EXTENSION_HEADERS(true),
    /** An IPv6 extension header runs past the packet. */
    TRUNCATED_EXTENSION_HEADER(true),
    /** Fewer bytes than the transport protocol's fixed header. */
    TRUNCATED_L4_HEADER(true),
    /** TCP data offset below 5 words or beyond the segment. */
    BAD_TCP_DATA_OFFSET(true),
    /** UDP length below 8 or beyond the datagram; UDP-Lite coverage out of range. */
    BAD_UDP_LENGTH(true),
    /** An SCTP chunk length below 4 or beyond the packet, or no chunk at all. */
    BAD_SCTP_CHUNK(true),
    /** DCCP data offset too small for its header or beyond the packet. */
    BAD_DCCP_HEADER(true),
    /** The TCP, UDP, UDP-Lite, ICMP or ICMPv6 checksum is wrong (only when checked). */
    BAD_L4_CHECKSUM(true),
    /**
     * GRE version 1 (PPTP) carrying anything but PPP: Linux finds no tuple for it (its call id means
     * nothing then) and counts it invalid rather than tracking it.
     */
    UNSUPPORTED_GRE_PROTOCOL(true);

    private final boolean error;

    ParseResult(boolean error) {
        this.error = error;
    }

    /**
     * Whether the packet is malformed (to be counted as invalid).
     *
     * @return true for every reason except {@link #OK} and {@link #NON_FIRST_FRAGMENT}
     */
    public boolean isError() {
        return error;
    }
}

package io.conntrack4j.core.packet;

/**
 * The libpcap link-layer header types ({@code LINKTYPE_*}) that {@link PacketView#parse} understands,
 * as stored in pcap file headers and pcapng Interface Description Blocks.
 *
 * <pre>{@code
 * view.parse(LinkType.ETHERNET, frame, 0, frame.length);
 * }</pre>
 */
public final class LinkType {

    /** {@code LINKTYPE_ETHERNET}: an Ethernet II frame, possibly VLAN-tagged. */
    public static final int ETHERNET = 1;
    /** {@code LINKTYPE_RAW}: a raw IPv4 or IPv6 packet, the version nibble tells which. */
    public static final int RAW = 101;
    /** {@code LINKTYPE_LINUX_SLL}: Linux "cooked" capture v1 (16-byte header), {@code tcpdump -i any}. */
    public static final int LINUX_SLL = 113;
    /** {@code LINKTYPE_IPV4}: a raw IPv4 packet. */
    public static final int IPV4 = 228;
    /** {@code LINKTYPE_IPV6}: a raw IPv6 packet. */
    public static final int IPV6 = 229;
    /** {@code LINKTYPE_LINUX_SLL2}: Linux "cooked" capture v2 (20-byte header). */
    public static final int LINUX_SLL2 = 276;

    private LinkType() {
    }

    /**
     * Whether {@link PacketView#parse} understands a link type.
     *
     * @param linkType a {@code LINKTYPE_*} value
     * @return true for the constants of this class
     */
    public static boolean isSupported(int linkType) {
        return switch (linkType) {
            case ETHERNET, RAW, LINUX_SLL, IPV4, IPV6, LINUX_SLL2 -> true;
            default -> false;
        };
    }
}

package io.conntrack4j.sync;

/**
 * The attribute types of conntrack data messages (CT_NEW, CT_UPD, CT_DEL), with the
 * {@code nta_len} each must have on the wire. conntrackd 1.4.7 rejects a whole message whose
 * attribute has another length, or a type of {@link #COUNT} or more.
 *
 * <p>"Fixed" attributes must have exactly {@link #fixedLength(int)}; variable ones at most
 * {@link #maxLength(int)}. Lengths include the 4-byte attribute header and exclude padding.
 *
 * <pre>{@code
 * int len = ConntrackAttribute.fixedLength(ConntrackAttribute.L4PROTO); // 5
 * String name = ConntrackAttribute.name(ConntrackAttribute.ZONE);      // "ZONE"
 * }</pre>
 */
public final class ConntrackAttribute {
    /** Original tuple IPv4 source then destination, network order (8 bytes). */
    public static final int IPV4 = 0;
    /** Original tuple IPv6 source then destination (32 bytes). */
    public static final int IPV6 = 1;
    /** IP protocol number (u8). Always sent. */
    public static final int L4PROTO = 2;
    /** Original source then destination port, network order (4 bytes). TCP, UDP, SCTP, DCCP. */
    public static final int PORT = 3;
    /** Kernel TCP conntrack state (u8): 0 NONE ... 3 ESTABLISHED ... 9 SYN_SENT2. */
    public static final int TCP_STATE = 4;
    /** IPS_* status bits (u32 big-endian). Always sent. */
    public static final int STATUS = 5;
    /** Seconds left (u32 big-endian); absent when the sender has a CommitTimeout. */
    public static final int TIMEOUT = 6;
    /** Connection mark (u32 big-endian). */
    public static final int MARK = 7;
    /** Master conntrack's original IPv4 source and destination (8 bytes). */
    public static final int MASTER_IPV4 = 8;
    /** Master conntrack's original IPv6 source and destination (32 bytes). */
    public static final int MASTER_IPV6 = 9;
    /** Master conntrack's IP protocol (u8). */
    public static final int MASTER_L4PROTO = 10;
    /** Master conntrack's original ports, network order (4 bytes). */
    public static final int MASTER_PORT = 11;
    /** Source NAT address = reply tuple destination, network order since 1.4.7 (4 bytes). */
    public static final int SNAT_IPV4 = 12;
    /** Destination NAT address = reply tuple source, network order since 1.4.7 (4 bytes). */
    public static final int DNAT_IPV4 = 13;
    /** Source NAT port = reply tuple destination port, little-endian from x86 senders (u16). */
    public static final int SPAT_PORT = 14;
    /** Destination NAT port = reply tuple source port, little-endian from x86 senders (u16). */
    public static final int DPAT_PORT = 15;
    /** Sequence adjustment: orig pos, before, after, then reply pos, before, after (6 x u32 BE). */
    public static final int NAT_SEQ_ADJ = 16;
    /** Kernel SCTP conntrack state (u8). */
    public static final int SCTP_STATE = 17;
    /** SCTP verification tag of the original direction (u32 BE). */
    public static final int SCTP_VTAG_ORIG = 18;
    /** SCTP verification tag of the reply direction (u32 BE). */
    public static final int SCTP_VTAG_REPL = 19;
    /** Kernel DCCP conntrack state (u8). */
    public static final int DCCP_STATE = 20;
    /** DCCP role (u8). */
    public static final int DCCP_ROLE = 21;
    /** ICMP or ICMPv6 type (u8). */
    public static final int ICMP_TYPE = 22;
    /** ICMP or ICMPv6 code (u8). */
    public static final int ICMP_CODE = 23;
    /** ICMP or ICMPv6 identifier, little-endian from x86 senders (u16). */
    public static final int ICMP_ID = 24;
    /** TCP window scale of the original direction (u8); only with TCPWindowTracking. */
    public static final int TCP_WSCALE_ORIG = 25;
    /** TCP window scale of the reply direction (u8); only with TCPWindowTracking. */
    public static final int TCP_WSCALE_REPL = 26;
    /** Helper name, NUL-terminated; at most 11 characters fit the 16-byte limit. */
    public static final int HELPER_NAME = 27;
    /** Connection labels: N u32 big-endian words, bit b of word i is label 32*i+b. Since 1.4.2. */
    public static final int LABELS = 28;
    /** IPv6 source NAT address = reply tuple destination (16 bytes). Since 1.4.4. */
    public static final int SNAT_IPV6 = 29;
    /** IPv6 destination NAT address = reply tuple source (16 bytes). Since 1.4.4. */
    public static final int DNAT_IPV6 = 30;
    /** SYN proxy its, isn, tsoff (3 x u32 BE, in that order). Since 1.4.5. */
    public static final int SYNPROXY = 31;
    /** Conntrack zone (u16 big-endian). Since 1.4.7. */
    public static final int ZONE = 32;
    /** Number of attribute types conntrackd 1.4.7 knows; types from here on reject the message. */
    public static final int COUNT = 33;

    /** Longest helper name that a receiver accepts (the limit counts the 4-byte header). */
    public static final int HELPER_NAME_MAX_CHARS = 11;

    private static final String[] NAMES = {
        "IPV4", "IPV6", "L4PROTO", "PORT", "TCP_STATE", "STATUS", "TIMEOUT", "MARK", "MASTER_IPV4",
        "MASTER_IPV6", "MASTER_L4PROTO", "MASTER_PORT", "SNAT_IPV4", "DNAT_IPV4", "SPAT_PORT", "DPAT_PORT",
        "NAT_SEQ_ADJ", "SCTP_STATE", "SCTP_VTAG_ORIG", "SCTP_VTAG_REPL", "DCCP_STATE", "DCCP_ROLE",
        "ICMP_TYPE", "ICMP_CODE", "ICMP_ID", "TCP_WSCALE_ORIG", "TCP_WSCALE_REPL", "HELPER_NAME", "LABELS",
        "SNAT_IPV6", "DNAT_IPV6", "SYNPROXY", "ZONE",
    };

    // nta_len per type; 0 where the attribute is variable-sized.
    private static final int[] FIXED = {
        12, 36, 5, 8, 5, 8, 8, 8, 12,
        36, 5, 8, 8, 8, 6, 6,
        28, 5, 8, 8, 5, 5,
        5, 5, 6, 5, 5, 0, 0,
        20, 20, 16, 6,
    };

    private static final int[] MAX = new int[COUNT];

    static {
        MAX[HELPER_NAME] = 16;
        MAX[LABELS] = 1028;
    }

    private ConntrackAttribute() {
    }

    /**
     * The exact {@code nta_len} of a fixed-size attribute.
     *
     * @param type 0 to 32
     * @return the length including the 4-byte header, or 0 for a variable-size attribute or an
     *     unknown type
     */
    public static int fixedLength(int type) {
        return type >= 0 && type < COUNT ? FIXED[type] : 0;
    }

    /**
     * The largest {@code nta_len} of a variable-size attribute.
     *
     * @param type 0 to 32
     * @return the limit including the 4-byte header, or 0 for a fixed-size attribute or an
     *     unknown type
     */
    public static int maxLength(int type) {
        return type >= 0 && type < COUNT ? MAX[type] : 0;
    }

    /**
     * The attribute's name without the {@code NTA_} prefix.
     *
     * @param type the attribute type
     * @return the name, or {@code "UNKNOWN"} outside 0 to 32
     */
    public static String name(int type) {
        return type >= 0 && type < COUNT ? NAMES[type] : "UNKNOWN";
    }
}

package io.conntrack4j.netlink.internal;

/**
 * Inside CTA_FILTER ({@code enum ctattr_filter}) and the bits of its flag words
 * ({@code CTA_FILTER_F_*}): which fields of the partial CTA_TUPLE_ORIG / CTA_TUPLE_REPLY sent with
 * the request an entry must equal. The kernel parses this nest strictly (NLA_F_NESTED required)
 * and wants a family of IPv4 or IPv6 (EOPNOTSUPP otherwise); port and ICMP bits need
 * {@link #PROTO_NUM} (EINVAL otherwise). Ports are compared only for TCP and UDP entries, ICMP
 * fields only for ICMP and ICMPv6 entries. Dumps since 5.8, flushes since 6.12.
 */
public final class CtaFilter {
    /** CTA_FILTER_ORIG_FLAGS: u32 in host byte order, the bits for CTA_TUPLE_ORIG. */
    public static final int ORIG_FLAGS = 1;
    /** CTA_FILTER_REPLY_FLAGS: u32 in host byte order, the bits for CTA_TUPLE_REPLY. */
    public static final int REPLY_FLAGS = 2;

    /** CTA_FILTER_F_CTA_IP_SRC: the source address (inverted for IPv6 by a kernel bug since 5.8). */
    public static final int IP_SRC = 1;
    /** CTA_FILTER_F_CTA_IP_DST: the destination address (inverted for IPv6 likewise). */
    public static final int IP_DST = 1 << 1;
    /** CTA_FILTER_F_CTA_TUPLE_ZONE: the direction's zone. */
    public static final int TUPLE_ZONE = 1 << 2;
    /** CTA_FILTER_F_CTA_PROTO_NUM: the layer-4 protocol number. */
    public static final int PROTO_NUM = 1 << 3;
    /** CTA_FILTER_F_CTA_PROTO_SRC_PORT: the source port (TCP and UDP entries only). */
    public static final int PROTO_SRC_PORT = 1 << 4;
    /** CTA_FILTER_F_CTA_PROTO_DST_PORT: the destination port (TCP and UDP entries only). */
    public static final int PROTO_DST_PORT = 1 << 5;
    /** CTA_FILTER_F_CTA_PROTO_ICMP_TYPE. */
    public static final int PROTO_ICMP_TYPE = 1 << 6;
    /** CTA_FILTER_F_CTA_PROTO_ICMP_CODE. */
    public static final int PROTO_ICMP_CODE = 1 << 7;
    /** CTA_FILTER_F_CTA_PROTO_ICMP_ID. */
    public static final int PROTO_ICMP_ID = 1 << 8;
    /** CTA_FILTER_F_CTA_PROTO_ICMPV6_TYPE. */
    public static final int PROTO_ICMPV6_TYPE = 1 << 9;
    /** CTA_FILTER_F_CTA_PROTO_ICMPV6_CODE. */
    public static final int PROTO_ICMPV6_CODE = 1 << 10;
    /** CTA_FILTER_F_CTA_PROTO_ICMPV6_ID. */
    public static final int PROTO_ICMPV6_ID = 1 << 11;

    private CtaFilter() {
    }
}

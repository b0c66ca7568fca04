package io.conntrack4j.netlink.internal;

/** Attributes inside a tuple's protocol nest ({@code enum ctattr_l4proto}). */
public final class CtaProto {
    /** CTA_PROTO_NUM: u8, the IP protocol number (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6...). */
    public static final int NUM = 1;
    /** CTA_PROTO_SRC_PORT: u16, source port (TCP, UDP, UDP-Lite, SCTP, DCCP; GRE key). */
    public static final int SRC_PORT = 2;
    /** CTA_PROTO_DST_PORT: u16, destination port. */
    public static final int DST_PORT = 3;
    /** CTA_PROTO_ICMP_ID: u16, ICMP echo identifier. */
    public static final int ICMP_ID = 4;
    /** CTA_PROTO_ICMP_TYPE: u8, ICMP type. */
    public static final int ICMP_TYPE = 5;
    /** CTA_PROTO_ICMP_CODE: u8, ICMP code. */
    public static final int ICMP_CODE = 6;
    /** CTA_PROTO_ICMPV6_ID: u16, ICMPv6 echo identifier. */
    public static final int ICMPV6_ID = 7;
    /** CTA_PROTO_ICMPV6_TYPE: u8, ICMPv6 type. */
    public static final int ICMPV6_TYPE = 8;
    /** CTA_PROTO_ICMPV6_CODE: u8, ICMPv6 code. */
    public static final int ICMPV6_CODE = 9;

    private CtaProto() {
    }
}

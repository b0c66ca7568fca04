package io.conntrack4j.netlink.internal;

/** Attributes inside a tuple's IP nest ({@code enum ctattr_ip}); addresses in network order. */
public final class CtaIp {
    /** CTA_IP_V4_SRC: 4 bytes, IPv4 source address. */
    public static final int V4_SRC = 1;
    /** CTA_IP_V4_DST: 4 bytes, IPv4 destination address. */
    public static final int V4_DST = 2;
    /** CTA_IP_V6_SRC: 16 bytes, IPv6 source address. */
    public static final int V6_SRC = 3;
    /** CTA_IP_V6_DST: 16 bytes, IPv6 destination address. */
    public static final int V6_DST = 4;

    private CtaIp() {
    }
}

package io.conntrack4j.netlink.internal;

/** Attributes inside a tuple nest ({@code enum ctattr_tuple}). */
public final class CtaTuple {
    /** CTA_TUPLE_IP: nest ({@link CtaIp}), the addresses. */
    public static final int IP = 1;
    /** CTA_TUPLE_PROTO: nest ({@link CtaProto}), the layer-4 protocol and its ports or ICMP fields. */
    public static final int PROTO = 2;
    /** CTA_TUPLE_ZONE: u16, the zone of this direction only. */
    public static final int ZONE = 3;

    private CtaTuple() {
    }
}

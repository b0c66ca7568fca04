package io.conntrack4j.netlink.internal;

/** Attributes inside CTA_SYNPROXY ({@code enum ctattr_synproxy}); u32 each. */
public final class CtaSynproxy {
    /** CTA_SYNPROXY_ISN: the initial sequence number the proxy chose. */
    public static final int ISN = 1;
    /** CTA_SYNPROXY_ITS: the initial timestamp. */
    public static final int ITS = 2;
    /** CTA_SYNPROXY_TSOFF: the timestamp offset. */
    public static final int TSOFF = 3;

    private CtaSynproxy() {
    }
}

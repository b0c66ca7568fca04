package io.conntrack4j.netlink.internal;

/** Attributes inside CTA_TIMESTAMP ({@code enum ctattr_tstamp}); wall-clock nanoseconds. */
public final class CtaTimestamp {
    /** CTA_TIMESTAMP_START: u64, when the entry was confirmed. */
    public static final int START = 1;
    /** CTA_TIMESTAMP_STOP: u64, when it died (0 or absent while alive). */
    public static final int STOP = 2;
    /** CTA_TIMESTAMP_PAD: padding; no value. */
    public static final int PAD = 3;

    private CtaTimestamp() {
    }
}

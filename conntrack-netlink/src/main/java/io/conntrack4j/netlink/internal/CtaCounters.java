package io.conntrack4j.netlink.internal;

/** Attributes inside CTA_COUNTERS_ORIG and CTA_COUNTERS_REPLY ({@code enum ctattr_counters}). */
public final class CtaCounters {
    /** CTA_COUNTERS_PACKETS: u64, packets seen in the direction. */
    public static final int PACKETS = 1;
    /** CTA_COUNTERS_BYTES: u64, bytes seen in the direction. */
    public static final int BYTES = 2;
    /** CTA_COUNTERS32_PACKETS: u32, packets (old kernels; current ones send the u64). */
    public static final int PACKETS32 = 3;
    /** CTA_COUNTERS32_BYTES: u32, bytes (old kernels). */
    public static final int BYTES32 = 4;
    /** CTA_COUNTERS_PAD: padding that aligns the u64s; no value. */
    public static final int PAD = 5;

    private CtaCounters() {
    }
}

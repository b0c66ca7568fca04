package io.conntrack4j.netlink.internal;

/**
 * Expectation attributes ({@code enum ctattr_expect}), the body of every message of the
 * expectation subsystem ({@link ExpMessageType}). Payloads are big-endian unless noted.
 */
public final class CtaExpect {
    /**
     * CTA_EXPECT_MASTER: tuple nest ({@link CtaTuple}), the master connection's original tuple. In
     * a create it names the master (looked up in {@link #ZONE}); in a dump request it restricts the
     * dump to that master's expectations; in a get it is a lookup key when {@link #TUPLE} is absent.
     */
    public static final int MASTER = 1;
    /** CTA_EXPECT_TUPLE: tuple nest, the expected connection's original tuple; the key of get and delete. */
    public static final int TUPLE = 2;
    /**
     * CTA_EXPECT_MASK: tuple-shaped nest, which bits of {@link #TUPLE} must match: the addresses and
     * the source key are the mask, the protocol number is the expected tuple's, and the kernel
     * always sends an all-ones destination key (only the source key may be wildcarded).
     */
    public static final int MASK = 3;
    /** CTA_EXPECT_TIMEOUT: u32, seconds left; the only thing an update (EXP_NEW without CREATE) may change. */
    public static final int TIMEOUT = 4;
    /** CTA_EXPECT_ID: u32, opaque id (a hash of the expectation); a get or delete with it must match. */
    public static final int ID = 5;
    /**
     * CTA_EXPECT_HELP_NAME: NUL-terminated string, the master's helper. In a delete without a tuple
     * it deletes every expectation of that helper; in a create it chooses the helper whose
     * expectation classes {@link #CLASS} counts in.
     */
    public static final int HELP_NAME = 6;
    /** CTA_EXPECT_ZONE: u16, the zone the master is looked up in (requests only). */
    public static final int ZONE = 7;
    /** CTA_EXPECT_FLAGS: u32, NF_CT_EXPECT_* bits: PERMANENT 1, INACTIVE 2, USERSPACE 4 (set by the kernel). */
    public static final int FLAGS = 8;
    /** CTA_EXPECT_CLASS: u32, the helper's expectation class (at most its expect_class_max). */
    public static final int CLASS = 9;
    /** CTA_EXPECT_NAT: nest ({@link #NAT_DIR}, {@link #NAT_TUPLE}), where the expected connection is NATed to. */
    public static final int NAT = 10;
    /** CTA_EXPECT_FN: NUL-terminated string, the name of the helper function run on the expected connection. */
    public static final int FN = 11;
    /** The highest top-level expectation attribute this library knows. */
    public static final int MAX = FN;

    /** CTA_EXPECT_NAT_DIR: u32, the direction the NAT applies to (0 original, 1 reply). */
    public static final int NAT_DIR = 1;
    /** CTA_EXPECT_NAT_TUPLE: tuple nest; its source address and source key are the saved NAT address and key. */
    public static final int NAT_TUPLE = 2;

    /** CTA_STATS_EXP_NEW: u32, per CPU, expected connections that arrived. */
    public static final int STATS_NEW = 1;
    /** CTA_STATS_EXP_CREATE: u32, per CPU, expectations created. */
    public static final int STATS_CREATE = 2;
    /** CTA_STATS_EXP_DELETE: u32, per CPU, expectations removed. */
    public static final int STATS_DELETE = 3;

    private CtaExpect() {
    }
}

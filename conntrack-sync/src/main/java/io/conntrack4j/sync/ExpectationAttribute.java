package io.conntrack4j.sync;

/**
 * The attribute types of expectation data messages (EXP_NEW, EXP_UPD, EXP_DEL), a numbering
 * separate from {@link ConntrackAttribute}, with the {@code nta_len} conntrackd 1.4.7 enforces.
 *
 * <pre>{@code
 * int len = ExpectationAttribute.fixedLength(ExpectationAttribute.EXPECT_PORT); // 8
 * int max = ExpectationAttribute.maxLength(ExpectationAttribute.FN);            // 32
 * }</pre>
 */
public final class ExpectationAttribute {
    /** Master conntrack's original IPv4 source and destination (8 bytes). */
    public static final int MASTER_IPV4 = 0;
    /** Master conntrack's original IPv6 source and destination (32 bytes). */
    public static final int MASTER_IPV6 = 1;
    /** Master conntrack's IP protocol (u8). Always sent. */
    public static final int MASTER_L4PROTO = 2;
    /** Master conntrack's ports, network order (4 bytes); only for TCP, UDP, SCTP, DCCP masters. */
    public static final int MASTER_PORT = 3;
    /** Expected tuple IPv4 source and destination (8 bytes). */
    public static final int EXPECT_IPV4 = 4;
    /** Expected tuple IPv6 source and destination (32 bytes). */
    public static final int EXPECT_IPV6 = 5;
    /** Expected tuple IP protocol (u8). Always sent. */
    public static final int EXPECT_L4PROTO = 6;
    /** Expected tuple ports, network order (4 bytes); the source port is usually 0. */
    public static final int EXPECT_PORT = 7;
    /** Mask IPv4 source and destination (8 bytes). */
    public static final int MASK_IPV4 = 8;
    /** Mask IPv6 source and destination (32 bytes). */
    public static final int MASK_IPV6 = 9;
    /** Mask IP protocol (u8). Always sent. */
    public static final int MASK_L4PROTO = 10;
    /** Mask ports, network order (4 bytes), e.g. 0x0000 and 0xffff. */
    public static final int MASK_PORT = 11;
    /** Seconds left (u32 BE); absent when the sender has a CommitTimeout. */
    public static final int TIMEOUT = 12;
    /** Expectation flags (u32 BE): 1 PERMANENT, 2 INACTIVE, 4 USERSPACE. Always sent. */
    public static final int FLAGS = 13;
    /** Expectation class (u32 BE). */
    public static final int CLASS = 14;
    /** NAT tuple IPv4 source and destination (8 bytes). */
    public static final int NAT_IPV4 = 15;
    /** NAT tuple ports (4 bytes). */
    public static final int NAT_PORT = 16;
    /** NAT tuple IP protocol (u8). */
    public static final int NAT_L4PROTO = 17;
    /** NAT direction (u32 BE). */
    public static final int NAT_DIR = 18;
    /** Helper name, NUL-terminated; at most 11 characters. */
    public static final int HELPER_NAME = 19;
    /** Expectation function name, NUL-terminated; at most 27 characters. */
    public static final int FN = 20;
    /** Number of expectation attribute types; types from here on reject the message. */
    public static final int COUNT = 21;

    private static final String[] NAMES = {
        "MASTER_IPV4", "MASTER_IPV6", "MASTER_L4PROTO", "MASTER_PORT", "EXPECT_IPV4", "EXPECT_IPV6",
        "EXPECT_L4PROTO", "EXPECT_PORT", "MASK_IPV4", "MASK_IPV6", "MASK_L4PROTO", "MASK_PORT", "TIMEOUT",
        "FLAGS", "CLASS", "NAT_IPV4", "NAT_PORT", "NAT_L4PROTO", "NAT_DIR", "HELPER_NAME", "FN",
    };

    private static final int[] FIXED = {
        12, 36, 5, 8, 12, 36,
        5, 8, 12, 36, 5, 8, 8,
        8, 8, 12, 8, 5, 8, 0, 0,
    };

    private static final int[] MAX = new int[COUNT];

    static {
        MAX[HELPER_NAME] = 16;
        MAX[FN] = 32;
    }

    private ExpectationAttribute() {
    }

    /**
     * The exact {@code nta_len} of a fixed-size attribute.
     *
     * @param type 0 to 20
     * @return the length including the 4-byte header, or 0 for a variable-size or unknown type
     */
    public static int fixedLength(int type) {
        return type >= 0 && type < COUNT ? FIXED[type] : 0;
    }

    /**
     * The largest {@code nta_len} of a variable-size attribute.
     *
     * @param type 0 to 20
     * @return the limit including the 4-byte header, or 0 for a fixed-size or unknown type
     */
    public static int maxLength(int type) {
        return type >= 0 && type < COUNT ? MAX[type] : 0;
    }

    /**
     * The attribute's name without the {@code NTA_EXP_} prefix.
     *
     * @param type the attribute type
     * @return the name, or {@code "UNKNOWN"} outside 0 to 20
     */
    public static String name(int type) {
        return type >= 0 && type < COUNT ? NAMES[type] : "UNKNOWN";
    }
}

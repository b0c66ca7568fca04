package io.conntrack4j.core;

/**
 * DCCP connection-tracking states with the kernel's numbers ({@code CTA_PROTOINFO_DCCP_STATE}) and
 * the names libnetfilter_conntrack has for them. DCCP tracking is gone from current kernels; the
 * states remain for old peers and conntrackd messages.
 */
public enum DccpState {
    /** 0. */
    NONE,
    /** 1. */
    REQUEST,
    /** 2. */
    RESPOND,
    /** 3. */
    PARTOPEN,
    /** 4. */
    OPEN,
    /** 5. */
    CLOSEREQ,
    /** 6. */
    CLOSING,
    /** 7. */
    TIMEWAIT,
    /** 8. */
    IGNORE,
    /** 9. */
    INVALID;

    private static final DccpState[] VALUES = values();

    /**
     * The kernel number.
     *
     * @return 0 to 9
     */
    public int number() {
        return ordinal();
    }

    /**
     * The name conntrack(8) prints.
     *
     * @return the name
     */
    public String conntrackName() {
        return name();
    }

    /**
     * The state with a kernel number.
     *
     * @param number 0 to 9
     * @return the state, or null
     */
    public static DccpState ofNumber(int number) {
        return number >= 0 && number < VALUES.length ? VALUES[number] : null;
    }

    /**
     * The state with a printed name.
     *
     * @param name e.g. {@code OPEN}
     * @return the state, or null
     */
    public static DccpState ofConntrackName(String name) {
        for (DccpState s : VALUES) {
            if (s.name().equals(name)) {
                return s;
            }
        }
        return null;
    }
}

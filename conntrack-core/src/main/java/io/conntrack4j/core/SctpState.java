package io.conntrack4j.core;

/**
 * SCTP connection-tracking states with the kernel's numbers ({@code CTA_PROTOINFO_SCTP_STATE}) and
 * the names conntrack(8) prints.
 */
public enum SctpState {
    /** 0. */
    NONE,
    /** 1. */
    CLOSED,
    /** 2: INIT seen. */
    COOKIE_WAIT,
    /** 3: COOKIE ECHO seen. */
    COOKIE_ECHOED,
    /** 4. */
    ESTABLISHED,
    /** 5. */
    SHUTDOWN_SENT,
    /** 6. */
    SHUTDOWN_RECD,
    /** 7. */
    SHUTDOWN_ACK_SENT,
    /** 8: a secondary path of a multihomed association. */
    HEARTBEAT_SENT,
    /** 9: defined but unused by current kernels. */
    HEARTBEAT_ACKED;

    private static final SctpState[] VALUES = values();

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
    public static SctpState ofNumber(int number) {
        return number >= 0 && number < VALUES.length ? VALUES[number] : null;
    }

    /**
     * The state conntrack prints under a name.
     *
     * @param name e.g. {@code ESTABLISHED}
     * @return the state, or null
     */
    public static SctpState ofConntrackName(String name) {
        for (SctpState s : VALUES) {
            if (s.name().equals(name)) {
                return s;
            }
        }
        return null;
    }
}

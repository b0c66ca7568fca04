package io.conntrack4j.core;

/**
 * TCP connection-tracking states with the kernel's numbers ({@code CTA_PROTOINFO_TCP_STATE}) and
 * the names conntrack(8) prints.
 */
public enum TcpState {
    /** 0: no state (also printed for unknown numbers). */
    NONE,
    /** 1: SYN seen from the originator. */
    SYN_SENT,
    /** 2: SYN/ACK seen. */
    SYN_RECV,
    /** 3: handshake completed. */
    ESTABLISHED,
    /** 4: FIN seen. */
    FIN_WAIT,
    /** 5: FIN acknowledged, the other side has not closed. */
    CLOSE_WAIT,
    /** 6: FIN seen both ways, last ACK outstanding. */
    LAST_ACK,
    /** 7: both FINs acknowledged. */
    TIME_WAIT,
    /** 8: closed (also after an accepted RST). */
    CLOSE,
    /** 9: SYN seen from the reply side too (simultaneous open; formerly LISTEN). */
    SYN_SENT2;

    private static final TcpState[] VALUES = values();

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
     * @return the name, e.g. {@code ESTABLISHED}
     */
    public String conntrackName() {
        return name();
    }

    /**
     * The state with a kernel number.
     *
     * @param number 0 to 9
     * @return the state, or null for other numbers
     */
    public static TcpState ofNumber(int number) {
        return number >= 0 && number < VALUES.length ? VALUES[number] : null;
    }

    /**
     * The state conntrack prints under a name.
     *
     * @param name e.g. {@code TIME_WAIT}
     * @return the state, or null
     */
    public static TcpState ofConntrackName(String name) {
        for (TcpState s : VALUES) {
            if (s.name().equals(name)) {
                return s;
            }
        }
        return null;
    }
}

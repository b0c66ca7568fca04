package io.conntrack4j.core;

import java.util.EnumSet;
import java.util.Set;

/**
 * Per-direction TCP tracking flags ({@code IP_CT_TCP_FLAG_*}, {@code CTA_PROTOINFO_TCP_FLAGS_*}),
 * one byte per direction.
 */
public enum TcpFlag {
    /** 0x01: the side sent the window-scale option. */
    WINDOW_SCALE(0x01),
    /** 0x02: the side sent SACK-permitted. */
    SACK_PERM(0x02),
    /** 0x04: this side closed first. */
    CLOSE_INIT(0x04),
    /** 0x08: window checks are liberal for this side. */
    BE_LIBERAL(0x08),
    /** 0x10: this side has unacknowledged data. */
    DATA_UNACKNOWLEDGED(0x10),
    /** 0x20: the highest ACK from this side has been recorded. */
    MAXACK_SET(0x20),
    /** 0x40: a challenge ACK was seen (RFC 5961). */
    CHALLENGE_ACK(0x40),
    /** 0x80: simultaneous open. */
    SIMULTANEOUS_OPEN(0x80);

    private static final TcpFlag[] VALUES = values();

    private final int mask;

    TcpFlag(int mask) {
        this.mask = mask;
    }

    /**
     * The flag's bit.
     *
     * @return the mask
     */
    public int mask() {
        return mask;
    }

    /**
     * Whether the flag is set in a flag byte.
     *
     * @param flags a flag byte
     * @return true when set
     */
    public boolean isSet(int flags) {
        return (flags & mask) != 0;
    }

    /**
     * The mask of some flags.
     *
     * @param flags flags
     * @return their OR
     */
    public static int mask(TcpFlag... flags) {
        int m = 0;
        for (TcpFlag f : flags) {
            m |= f.mask;
        }
        return m;
    }

    /**
     * The flags set in a byte.
     *
     * @param flags a flag byte
     * @return a new set
     */
    public static Set<TcpFlag> toSet(int flags) {
        EnumSet<TcpFlag> set = EnumSet.noneOf(TcpFlag.class);
        for (TcpFlag f : VALUES) {
            if ((flags & f.mask) != 0) {
                set.add(f);
            }
        }
        return set;
    }
}

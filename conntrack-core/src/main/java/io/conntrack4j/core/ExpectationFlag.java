package io.conntrack4j.core;

/** Flags of an expectation ({@code CTA_EXPECT_FLAGS}, {@code NF_CT_EXPECT_*}). */
public enum ExpectationFlag {
    /** 1: stays after it has been matched. */
    PERMANENT(1),
    /** 2: not yet active. */
    INACTIVE(2),
    /** 4: created by a user-space helper. */
    USERSPACE(4);

    private final int mask;

    ExpectationFlag(int mask) {
        this.mask = mask;
    }

    /**
     * The flag's bit.
     *
     * @return 1, 2 or 4
     */
    public int mask() {
        return mask;
    }

    /**
     * Whether the flag is set in a flag word.
     *
     * @param flags a flag word
     * @return true when set
     */
    public boolean isSet(int flags) {
        return (flags & mask) != 0;
    }
}

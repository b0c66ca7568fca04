package io.conntrack4j.core;

import java.util.EnumSet;
import java.util.Set;

/**
 * The kernel's connection status bits ({@code enum ip_conntrack_status}, {@code CTA_STATUS}), with
 * static helpers on the plain {@code int} mask that a connection carries.
 *
 * <pre>{@code
 * int status = StatusBit.mask(StatusBit.SEEN_REPLY, StatusBit.ASSURED, StatusBit.CONFIRMED); // 0xe
 * StatusBit.ASSURED.isSet(status);  // true
 * StatusBit.toString(status);       // SEEN_REPLY|ASSURED|CONFIRMED
 * }</pre>
 */
public enum StatusBit {
    /** 0x1: created from an expectation (a RELATED connection); never changes. */
    EXPECTED(0),
    /** 0x2: traffic seen in both directions; set once. */
    SEEN_REPLY(1),
    /** 0x4: protected from early drop. */
    ASSURED(2),
    /** 0x8: the first packet left the box; the entry is in the table. */
    CONFIRMED(3),
    /** 0x10: source NAT applies. */
    SRC_NAT(4),
    /** 0x20: destination NAT applies. */
    DST_NAT(5),
    /** 0x40: TCP sequence numbers are adjusted (helpers that rewrite payload). */
    SEQ_ADJUST(6),
    /** 0x80: source NAT set up. */
    SRC_NAT_DONE(7),
    /** 0x100: destination NAT set up. */
    DST_NAT_DONE(8),
    /** 0x200: being removed. */
    DYING(9),
    /** 0x400: packets do not refresh the timeout. */
    FIXED_TIMEOUT(10),
    /** 0x800: a rule-attached template, not a real connection. */
    TEMPLATE(11),
    /** 0x1000: obsolete UNTRACKED bit, reused in-kernel as NAT_CLASH. */
    UNTRACKED(12),
    /** 0x2000: a helper was attached explicitly. */
    HELPER(13),
    /** 0x4000: moved to a flowtable (software offload). */
    OFFLOAD(14),
    /** 0x8000: offloaded to hardware. */
    HW_OFFLOAD(15);

    /** Bits user space may not change: NAT, NAT_DONE, EXPECTED, CONFIRMED, DYING, SEQ_ADJUST, TEMPLATE, UNTRACKED, OFFLOAD, HW_OFFLOAD. */
    public static final int UNCHANGEABLE_MASK = 0x1 | 0x8 | 0x10 | 0x20 | 0x40 | 0x80 | 0x100 | 0x200
            | 0x800 | 0x1000 | 0x4000 | 0x8000;
    /** Every defined bit. */
    public static final int ALL_MASK = 0xffff;

    private static final StatusBit[] VALUES = values();

    private final int bit;
    private final int mask;

    StatusBit(int bit) {
        this.bit = bit;
        this.mask = 1 << bit;
    }

    /**
     * The bit number.
     *
     * @return 0 to 15
     */
    public int bit() {
        return bit;
    }

    /**
     * The bit as a mask.
     *
     * @return {@code 1 << bit()}
     */
    public int mask() {
        return mask;
    }

    /**
     * Whether this bit is set in a status word.
     *
     * @param status a status word
     * @return true when set
     */
    public boolean isSet(int status) {
        return (status & mask) != 0;
    }

    /**
     * The mask of some bits.
     *
     * @param bits bits
     * @return their OR
     */
    public static int mask(StatusBit... bits) {
        int m = 0;
        for (StatusBit b : bits) {
            m |= b.mask;
        }
        return m;
    }

    /**
     * The bits set in a status word (undefined bits above 15 are ignored).
     *
     * @param status a status word
     * @return a new set
     */
    public static Set<StatusBit> toSet(int status) {
        EnumSet<StatusBit> set = EnumSet.noneOf(StatusBit.class);
        for (StatusBit b : VALUES) {
            if ((status & b.mask) != 0) {
                set.add(b);
            }
        }
        return set;
    }

    /**
     * The mask of a set of bits.
     *
     * @param bits bits
     * @return their OR
     */
    public static int mask(Set<StatusBit> bits) {
        int m = 0;
        for (StatusBit b : bits) {
            m |= b.mask;
        }
        return m;
    }

    /**
     * The bit names joined with {@code |}, lowest first; undefined bits as hex; {@code 0} when empty.
     *
     * @param status a status word
     * @return e.g. {@code SEEN_REPLY|ASSURED|CONFIRMED}
     */
    public static String toString(int status) {
        if (status == 0) {
            return "0";
        }
        StringBuilder out = new StringBuilder();
        for (StatusBit b : VALUES) {
            if ((status & b.mask) != 0) {
                out.append(out.length() == 0 ? "" : "|").append(b.name());
            }
        }
        int rest = status & ~ALL_MASK;
        if (rest != 0) {
            out.append(out.length() == 0 ? "" : "|").append("0x").append(Integer.toHexString(rest));
        }
        return out.toString();
    }
}

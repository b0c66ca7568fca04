package io.conntrack4j.core;

import java.util.Objects;

/**
 * An expectation: a connection that a helper (FTP, SIP, ...) expects to be opened because of a
 * master connection, and that will be tracked as RELATED ({@code CTA_EXPECT_*}).
 *
 * @param master the master connection's original tuple
 * @param tuple the expected tuple
 * @param mask which bits of {@code tuple} must match: a tuple-shaped mask (all-ones address and key
 *     bits for an exact match, zeros for a wildcard)
 * @param timeout seconds left (unsigned 32-bit)
 * @param flags {@link ExpectationFlag} bits
 * @param expectClass the helper's expectation class
 * @param helper helper name, or null
 * @param function the helper's expectation function name ({@code CTA_EXPECT_FN}), or null
 * @param nat where the expected connection is NATed to, or null
 * @param zone zone id 0 to 65535
 * @param id the kernel's opaque id (unsigned 32-bit)
 */
public record Expectation(Tuple master, Tuple tuple, Tuple mask, int timeout, int flags, int expectClass,
                          String helper, String function, Nat nat, int zone, int id) {

    /**
     * The NAT part of an expectation ({@code CTA_EXPECT_NAT}).
     *
     * @param direction 0 original, 1 reply
     * @param tuple the NAT tuple
     */
    public record Nat(int direction, Tuple tuple) {
        /** Validates. */
        public Nat {
            Objects.requireNonNull(tuple, "tuple");
            if (direction != 0 && direction != 1) {
                throw new IllegalArgumentException("direction is 0 (original) or 1 (reply), not " + direction);
            }
        }
    }

    /** Validates. */
    public Expectation {
        Objects.requireNonNull(master, "master");
        Objects.requireNonNull(tuple, "tuple");
        Objects.requireNonNull(mask, "mask");
        if (zone < 0 || zone > 0xffff) {
            throw new IllegalArgumentException("zone " + zone + " out of range 0..65535");
        }
    }

    /**
     * Whether a flag is set.
     *
     * @param flag a flag
     * @return true when set
     */
    public boolean has(ExpectationFlag flag) {
        return flag.isSet(flags);
    }

    /**
     * Whether a tuple matches this expectation: equal to {@link #tuple()} on every bit the
     * {@link #mask()} sets (addresses and layer-4 keys), with the same protocol.
     *
     * @param candidate a new connection's original tuple
     * @return true when it is the expected connection
     */
    public boolean matches(Tuple candidate) {
        if (candidate.protocol() != tuple.protocol() || candidate.family() != tuple.family()) {
            return false;
        }
        return masked(candidate.source(), tuple.source(), mask.source())
                && masked(candidate.destination(), tuple.destination(), mask.destination())
                && ((candidate.sourceKey() ^ tuple.sourceKey()) & mask.sourceKey()) == 0
                && ((candidate.destinationKey() ^ tuple.destinationKey()) & mask.destinationKey()) == 0;
    }

    private static boolean masked(IpAddress a, IpAddress b, IpAddress m) {
        if (m.family() != a.family()) {
            return a.equals(b);
        }
        return ((a.high() ^ b.high()) & m.high()) == 0 && ((a.low() ^ b.low()) & m.low()) == 0;
    }
}

package io.conntrack4j.core.internal;

import io.conntrack4j.core.IcmpTypes;
import io.conntrack4j.core.L4Protocol;
import io.conntrack4j.core.Tuple;

/**
 * Allocation-free encoding of tuples into fixed-width primitive keys, and keyed hashes over them,
 * for the tracker's hash index. Not API.
 *
 * <p>Layout (tracker.md 6.1): an IPv4 tuple is two longs, {@code k0 = src << 32 | dst} and
 * {@code k1 = srcKey << 48 | dstKey << 32 | protocol << 16 | zone}; an IPv6 tuple is its four
 * address halves plus the same {@code k1}. {@code srcKey}/{@code dstKey} follow {@link Tuple}: ports,
 * ICMP id and {@code type << 8 | code}, or GRE keys.
 */
public final class TupleKeys {

    private static final long M1 = 0xbf58476d1ce4e5b9L;
    private static final long M2 = 0x94d049bb133111ebL;
    private static final long GOLDEN = 0x9e3779b97f4a7c15L;

    private TupleKeys() {
    }

    /**
     * @param source source address bits
     * @param destination destination address bits
     * @return {@code k0} of an IPv4 tuple
     */
    public static long ipv4Key0(int source, int destination) {
        return (source & 0xffff_ffffL) << 32 | (destination & 0xffff_ffffL);
    }

    /**
     * @param sourceKey 16-bit source key
     * @param destinationKey 16-bit destination key
     * @param protocol layer-4 protocol number
     * @param zone zone id (16 bits)
     * @return {@code k1}
     */
    public static long key1(int sourceKey, int destinationKey, int protocol, int zone) {
        return (long) (sourceKey & 0xffff) << 48 | (long) (destinationKey & 0xffff) << 32
                | (long) (protocol & 0xff) << 16 | (zone & 0xffff);
    }

    /**
     * @param t an IPv4 tuple
     * @return its {@code k0}
     */
    public static long ipv4Key0(Tuple t) {
        return ipv4Key0(t.source().ipv4(), t.destination().ipv4());
    }

    /**
     * @param t a tuple
     * @param zone the zone to key it in
     * @return its {@code k1}
     */
    public static long key1(Tuple t, int zone) {
        return key1(t.sourceKey(), t.destinationKey(), t.protocol().number(), zone);
    }

    /** @param k0 an IPv4 k0 @return the source address bits */
    public static int source(long k0) {
        return (int) (k0 >>> 32);
    }

    /** @param k0 an IPv4 k0 @return the destination address bits */
    public static int destination(long k0) {
        return (int) k0;
    }

    /** @param k1 a k1 @return the source key */
    public static int sourceKey(long k1) {
        return (int) (k1 >>> 48);
    }

    /** @param k1 a k1 @return the destination key */
    public static int destinationKey(long k1) {
        return (int) (k1 >>> 32) & 0xffff;
    }

    /** @param k1 a k1 @return the protocol number */
    public static int protocol(long k1) {
        return (int) (k1 >>> 16) & 0xff;
    }

    /** @param k1 a k1 @return the zone */
    public static int zone(long k1) {
        return (int) k1 & 0xffff;
    }

    /**
     * The inverse of an IPv4 {@code k0}: addresses swapped.
     *
     * @param k0 a k0
     * @return the reply direction's k0
     */
    public static long invertIpv4Key0(long k0) {
        return k0 << 32 | k0 >>> 32;
    }

    /**
     * The inverse of a {@code k1} as {@link Tuple#inverse()} computes it.
     *
     * @param k1 a k1
     * @return the reply direction's k1, or {@code -1} for an ICMP type without a pair (a valid k1
     *     never is -1: its protocol byte would be 255 with keys 0xffff)
     */
    public static long invertKey1(long k1) {
        int protocol = protocol(k1);
        int sourceKey = sourceKey(k1);
        int destinationKey = destinationKey(k1);
        return switch (L4Protocol.keyKind(protocol)) {
            case PORTS, GRE -> key1(destinationKey, sourceKey, protocol, zone(k1));
            case NONE -> k1;
            case ICMP -> {
                int type = IcmpTypes.invert(protocol, destinationKey >>> 8);
                yield type == IcmpTypes.NO_INVERSE ? -1L
                        : key1(sourceKey, type << 8 | destinationKey & 0xff, protocol, zone(k1));
            }
        };
    }

    /**
     * A keyed 64-bit hash of an IPv4 tuple key (SplitMix64-style mixing, seeded per table so that
     * an attacker who does not know the seed cannot aim for one bucket).
     *
     * @param seed secret per-table seed
     * @param k0 the k0
     * @param k1 the k1
     * @return the hash
     */
    public static long hash(long seed, long k0, long k1) {
        long h = mix(seed ^ k0);
        return mix(h ^ (k1 + GOLDEN));
    }

    /**
     * A keyed 64-bit hash of an IPv6 tuple key.
     *
     * @param seed secret per-table seed
     * @param sourceHigh first half of the source
     * @param sourceLow second half of the source
     * @param destinationHigh first half of the destination
     * @param destinationLow second half of the destination
     * @param k1 the k1
     * @return the hash
     */
    public static long hashIpv6(long seed, long sourceHigh, long sourceLow, long destinationHigh, long destinationLow,
                                long k1) {
        long h = mix(seed ^ sourceHigh);
        h = mix(h ^ (sourceLow + GOLDEN));
        h = mix(h ^ (destinationHigh + 2 * GOLDEN));
        h = mix(h ^ (destinationLow + 3 * GOLDEN));
        return mix(h ^ (k1 + 4 * GOLDEN));
    }

    /**
     * A hash that is the same for both directions of a flow without NAT (for sharding): the two
     * (address, key) ends are combined in an order-independent way.
     *
     * @param seed per-tracker seed
     * @param k0 an IPv4 k0
     * @param k1 its k1
     * @return the hash
     */
    public static long symmetricHashIpv4(long seed, long k0, long k1) {
        long a = (k0 >>> 32) << 16 | sourceKey(k1);
        long b = (k0 & 0xffff_ffffL) << 16 | destinationKey(k1);
        if (protocol(k1) == L4Protocol.ICMP_NUMBER || protocol(k1) == L4Protocol.ICMPV6_NUMBER) {
            a = k0 >>> 32;
            b = k0 & 0xffff_ffffL;
        }
        long low = Math.min(a, b);
        long high = Math.max(a, b);
        return mix(mix(seed ^ low) ^ (high + GOLDEN) ^ (long) protocol(k1) << 56);
    }

    /**
     * The SplitMix64 finaliser.
     *
     * @param z a value
     * @return it, mixed
     */
    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * M1;
        z = (z ^ (z >>> 27)) * M2;
        return z ^ (z >>> 31);
    }
}

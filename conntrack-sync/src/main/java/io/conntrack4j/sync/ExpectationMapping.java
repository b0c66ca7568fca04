package io.conntrack4j.sync;

import io.conntrack4j.core.Expectation;
import io.conntrack4j.core.IpAddress;
import io.conntrack4j.core.L4Protocol;
import io.conntrack4j.core.Tuple;

/**
 * Maps a core {@link Expectation} to and from the {@link SyncExpectation} the codec works on.
 * Which attributes go on the wire stays in {@link ExpectationCodec} (spec 2.8). Expectations are
 * rare next to conntrack updates, so this mapping allocates freely.
 */
final class ExpectationMapping {
    private static final IpAddress NO_ADDRESS = IpAddress.ofIpv4(0);

    private ExpectationMapping() {
    }

    static SyncExpectation toSync(Expectation expectation, SyncExpectation into) {
        into.clear();
        put(into, SyncExpectation.MASTER, expectation.master());
        put(into, SyncExpectation.EXPECTED, expectation.tuple());
        put(into, SyncExpectation.MASK, expectation.mask());
        into.timeout(Integer.toUnsignedLong(expectation.timeout()))
                .flags(Integer.toUnsignedLong(expectation.flags()))
                .expectationClass(Integer.toUnsignedLong(expectation.expectClass()))
                .helper(expectation.helper())
                .function(expectation.function());
        Expectation.Nat nat = expectation.nat();
        if (nat != null) {
            Tuple tuple = nat.tuple();
            // The wire has room for an IPv4 NAT address only (NAT_IPV4); an IPv6 one is not sent.
            boolean v4 = tuple.source().isIpv4();
            into.tuple(SyncExpectation.NAT, v4 ? tuple.source().toBytes() : null,
                    v4 ? tuple.destination().toBytes() : null, tuple.protocol().number(), tuple.sourceKey(),
                    tuple.destinationKey());
            into.natDirection(nat.direction());
        }
        return into;
    }

    private static void put(SyncExpectation into, int which, Tuple tuple) {
        into.tuple(which, tuple.source().toBytes(), tuple.destination().toBytes(), tuple.protocol().number(),
                tuple.sourceKey(), tuple.destinationKey());
    }

    static Expectation toExpectation(SyncExpectation from) {
        Expectation.Nat nat = null;
        if (from.hasTuple(SyncExpectation.NAT)) {
            int direction = (int) Math.min(from.natDirection(), Integer.MAX_VALUE);
            if (direction != 0 && direction != 1) {
                throw new IllegalArgumentException("expectation NAT direction " + from.natDirection()
                        + " is neither 0 (original) nor 1 (reply)");
            }
            nat = new Expectation.Nat(direction, tuple(from, SyncExpectation.NAT));
        }
        return new Expectation(tuple(from, SyncExpectation.MASTER), tuple(from, SyncExpectation.EXPECTED),
                tuple(from, SyncExpectation.MASK), from.timeout() < 0 ? 0 : (int) from.timeout(), (int) from.flags(),
                from.expectationClass() < 0 ? 0 : (int) from.expectationClass(), from.helper(), from.function(), nat,
                0, 0);
    }

    private static Tuple tuple(SyncExpectation from, int which) {
        IpAddress source = from.hasAddresses(which) ? IpAddress.ofBytes(from.source(which)) : NO_ADDRESS;
        IpAddress destination = from.hasAddresses(which) ? IpAddress.ofBytes(from.destination(which)) : NO_ADDRESS;
        L4Protocol protocol = L4Protocol.of(from.protocol(which));
        // A protocol without keys cannot hold the PORT values some masters' messages carry.
        boolean keys = protocol.keyKind() != L4Protocol.KeyKind.NONE;
        return new Tuple(source, destination, protocol, keys ? from.sourcePort(which) : 0,
                keys ? from.destinationPort(which) : 0, Tuple.NO_ZONE);
    }
}

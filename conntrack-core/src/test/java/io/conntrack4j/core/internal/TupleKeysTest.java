package io.conntrack4j.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.core.IpAddress;
import io.conntrack4j.core.L4Protocol;
import io.conntrack4j.core.Tuple;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TupleKeysTest {

    @Test
    void encodesAndDecodes() {
        Tuple t = Tuple.ofPorts(IpAddress.parse("255.1.2.3"), IpAddress.parse("10.0.0.2"), L4Protocol.SCTP, 65535, 80);
        long k0 = TupleKeys.ipv4Key0(t);
        long k1 = TupleKeys.key1(t, 65535);
        assertEquals(0xff010203, TupleKeys.source(k0));
        assertEquals(0x0a000002, TupleKeys.destination(k0));
        assertEquals(65535, TupleKeys.sourceKey(k1));
        assertEquals(80, TupleKeys.destinationKey(k1));
        assertEquals(132, TupleKeys.protocol(k1));
        assertEquals(65535, TupleKeys.zone(k1));
    }

    @Test
    void inversionMatchesTuple() {
        Random r = new Random(7);
        for (int i = 0; i < 2000; i++) {
            IpAddress a = IpAddress.ofIpv4(r.nextInt());
            IpAddress b = IpAddress.ofIpv4(r.nextInt());
            Tuple t = switch (i % 4) {
                case 0 -> Tuple.ofPorts(a, b, L4Protocol.UDP, r.nextInt(65536), r.nextInt(65536));
                case 1 -> Tuple.ofGre(a, b, r.nextInt(65536), r.nextInt(65536));
                case 2 -> Tuple.ofIcmp(a, b, r.nextInt(20), r.nextInt(3), r.nextInt(65536));
                default -> Tuple.ofAddresses(a, b, L4Protocol.of(50));
            };
            long k1 = TupleKeys.key1(t, 3);
            if (!t.isInvertible()) {
                assertEquals(-1L, TupleKeys.invertKey1(k1), t.toString());
                continue;
            }
            Tuple inv = t.inverse();
            assertEquals(TupleKeys.ipv4Key0(inv), TupleKeys.invertIpv4Key0(TupleKeys.ipv4Key0(t)));
            assertEquals(TupleKeys.key1(inv, 3), TupleKeys.invertKey1(k1), t.toString());
            if (i % 4 != 1) { // GRE keys are not symmetric by design of the hash (ports are swapped too)
                assertEquals(TupleKeys.symmetricHashIpv4(9, TupleKeys.ipv4Key0(t), k1),
                        TupleKeys.symmetricHashIpv4(9, TupleKeys.ipv4Key0(inv), TupleKeys.key1(inv, 3)), t.toString());
            }
        }
    }

    @Test
    void hashesAreSeededAndSpread() {
        long k1 = TupleKeys.key1(1, 80, 6, 0);
        assertNotEquals(TupleKeys.hash(1, 5, k1), TupleKeys.hash(2, 5, k1));
        assertNotEquals(TupleKeys.hashIpv6(1, 0, 1, 0, 2, k1), TupleKeys.hashIpv6(1, 0, 2, 0, 1, k1));
        Set<Long> buckets = new HashSet<>();
        for (int port = 0; port < 4096; port++) {
            buckets.add(TupleKeys.hash(42, TupleKeys.ipv4Key0(0x0a000001, 0x0a000002), TupleKeys.key1(port, 80, 6, 0))
                    & 1023);
        }
        // Random placement leaves about 1024 * e^-4 = 19 of 1024 buckets empty.
        assertTrue(buckets.size() > 980, "4096 sequential ports reached only " + buckets.size() + " buckets");
    }
}

package io.conntrack4j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class TupleTest {

    static final IpAddress A = IpAddress.parse("10.0.0.1");
    static final IpAddress B = IpAddress.parse("10.0.0.2");
    static final IpAddress A6 = IpAddress.parse("2001:db8::1");
    static final IpAddress B6 = IpAddress.parse("2001:db8::2");

    @Test
    void portsInvertAndPrint() {
        Tuple t = Tuple.ofPorts(A, B, L4Protocol.TCP, 40000, 80);
        assertEquals("src=10.0.0.1 dst=10.0.0.2 sport=40000 dport=80", t.toString());
        assertEquals("src=10.0.0.2 dst=10.0.0.1 sport=80 dport=40000", t.inverse().toString());
        assertEquals(t, t.inverse().inverse());
        assertEquals(t, Tuple.parse(L4Protocol.TCP, t.toString()));
        assertEquals(t.withZone(7), Tuple.parse(L4Protocol.TCP, t + " zone=7"));
        assertEquals("src=10.0.0.1 dst=10.0.0.2 sport=40000 dport=80 zone=7", t.withZone(7).toString());
    }

    @Test
    void icmpInversionFollowsLinuxPairs() {
        int[][] v4 = {{8, 0}, {0, 8}, {13, 14}, {14, 13}, {15, 16}, {16, 15}, {17, 18}, {18, 17}};
        for (int[] pair : v4) {
            Tuple t = Tuple.ofIcmp(A, B, pair[0], 0, 1234);
            Tuple inv = t.inverse();
            assertEquals(pair[1], inv.icmpType());
            assertEquals(1234, inv.icmpId());
            assertEquals(B, inv.source());
        }
        int[][] v6 = {{128, 129}, {129, 128}, {139, 140}, {140, 139}};
        for (int[] pair : v6) {
            Tuple t = Tuple.ofIcmp(A6, B6, pair[0], 3, 5);
            assertEquals(L4Protocol.ICMPV6, t.protocol());
            assertEquals(pair[1], t.inverse().icmpType());
            assertEquals(3, t.inverse().icmpCode());
        }
        Tuple unreachable = Tuple.ofIcmp(A, B, 3, 1, 0);
        assertFalse(unreachable.isInvertible());
        IllegalStateException e = assertThrows(IllegalStateException.class, unreachable::inverse);
        assertTrue(e.getMessage().contains("type 3"), e.getMessage());
        assertFalse(Tuple.ofIcmp(A6, B6, 8, 0, 0).isInvertible()); // 8 is echo in ICMP, not ICMPv6
        assertEquals("src=10.0.0.1 dst=10.0.0.2 type=8 code=0 id=1234", Tuple.ofIcmp(A, B, 8, 0, 1234).toString());
    }

    @Test
    void greAndGeneric() {
        Tuple gre = Tuple.ofGre(A, B, 1, 0xabcd);
        assertEquals("src=10.0.0.1 dst=10.0.0.2 srckey=0x1 dstkey=0xabcd", gre.toString());
        assertEquals("src=10.0.0.2 dst=10.0.0.1 srckey=0xabcd dstkey=0x1", gre.inverse().toString());
        assertEquals(gre, Tuple.parse(L4Protocol.GRE, gre.toString()));
        Tuple esp = Tuple.ofAddresses(A6, B6, L4Protocol.of(50));
        assertEquals("src=2001:db8::1 dst=2001:db8::2", esp.toString());
        assertEquals(esp.inverse(), Tuple.parse(L4Protocol.of(50), "src=2001:db8::2 dst=2001:db8::1"));
        assertThrows(IllegalArgumentException.class, () -> new Tuple(A, B, L4Protocol.of(50), 1, 0, -1));
    }

    @Test
    void validation() {
        assertThrows(IllegalArgumentException.class, () -> Tuple.ofPorts(A, B6, L4Protocol.UDP, 1, 2));
        assertThrows(IllegalArgumentException.class, () -> Tuple.ofPorts(A, B, L4Protocol.UDP, 65536, 2));
        assertThrows(IllegalArgumentException.class, () -> Tuple.ofPorts(A, B, L4Protocol.GRE, 1, 2));
        assertThrows(IllegalArgumentException.class, () -> Tuple.ofIcmp(A, B, 256, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> Tuple.ofPorts(A, B, L4Protocol.UDP, 1, 2).withZone(65536));
    }

    @Test
    void equalityOrderAndSameFlow() {
        Tuple t = Tuple.ofPorts(A, B, L4Protocol.UDP, 1, 2);
        assertEquals(t, Tuple.ofPorts(IpAddress.parse("10.0.0.1"), B, L4Protocol.UDP, 1, 2));
        assertNotEquals(t, Tuple.ofPorts(A, B, L4Protocol.UDPLITE, 1, 2));
        assertNotEquals(t, t.withZone(1));
        assertTrue(t.sameFlow(t.withZone(1)));
        List<Tuple> list = new ArrayList<>(List.of(t.withZone(3), Tuple.ofPorts(A6, B6, L4Protocol.UDP, 1, 2),
                t, Tuple.ofPorts(A, B, L4Protocol.TCP, 9, 9), t.inverse()));
        Collections.sort(list);
        assertEquals(List.of(Tuple.ofPorts(A, B, L4Protocol.TCP, 9, 9), t, t.withZone(3), t.inverse(),
                Tuple.ofPorts(A6, B6, L4Protocol.UDP, 1, 2)), list);
    }

    @Test
    void parseErrorsNamePosition() {
        ParseException e = assertThrows(ParseException.class,
                () -> Tuple.parse(L4Protocol.TCP, "src=1.2.3.4 dst=5.6.7.8 sport=1 dport=65536"));
        assertEquals(38, e.position());
        e = assertThrows(ParseException.class,
                () -> Tuple.parse(L4Protocol.TCP, "src=1.2.3.4 dst=5.6.7.8 sport=1"));
        assertEquals(31, e.position());
        e = assertThrows(ParseException.class, () -> Tuple.parse(L4Protocol.UDP, "src=1.2.3.4 dst=::1 sport=1 dport=2"));
        assertEquals(16, e.position());
        e = assertThrows(ParseException.class, () -> Tuple.parse(L4Protocol.UDP, "src=1.2.3.4  dst=1.2.3.4"));
        assertEquals(12, e.position());
        e = assertThrows(ParseException.class, () -> Tuple.parse(L4Protocol.GRE, "src=1.2.3.4 dst=1.2.3.4 srckey=0x01 dstkey=0x1"));
        assertEquals(33, e.position());
        e = assertThrows(ParseException.class, () -> Tuple.parse(L4Protocol.UDP, "src=2001:DB8::1 dst=::1 sport=1 dport=2"));
        assertTrue(e.getMessage().contains("2001:db8::1"), e.getMessage());
    }
}

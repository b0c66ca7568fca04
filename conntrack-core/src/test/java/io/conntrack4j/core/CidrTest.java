package io.conntrack4j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CidrTest {

    @Test
    void parsesAndContains() {
        Cidr ten = Cidr.parse("10.0.0.0/8");
        assertTrue(ten.contains(IpAddress.parse("10.255.1.2")));
        assertFalse(ten.contains(IpAddress.parse("11.0.0.0")));
        assertFalse(ten.contains(IpAddress.parse("::a00:1")));
        assertEquals("10.0.0.0/8", ten.toString());
        assertEquals("10.0.0.0/8", Cidr.parse("10.1.2.3/8").toString());
        assertEquals("0.0.0.0/0", Cidr.parse("1.2.3.4/0").toString());
        assertTrue(Cidr.parse("0.0.0.0/0").contains(IpAddress.parse("1.2.3.4")));
        assertEquals(Cidr.parse("1.2.3.4/32"), Cidr.parse("1.2.3.4"));
        Cidr v6 = Cidr.parse("2001:db8::/32");
        assertTrue(v6.contains(IpAddress.parse("2001:db8:ffff::1")));
        assertFalse(v6.contains(IpAddress.parse("2001:db9::1")));
        assertEquals("2001:db8:8000::/33", Cidr.parse("2001:db8:ffff::/33").toString());
        assertTrue(Cidr.parse("2001:db8::1:0/112").contains(IpAddress.parse("2001:db8::1:ffff")));
        assertTrue(Cidr.parse("::/0").contains(IpAddress.parse("ffff::")));
        assertTrue(ten.contains(Cidr.parse("10.1.0.0/16")));
        assertFalse(Cidr.parse("10.1.0.0/16").contains(ten));
    }

    @Test
    void allocationFreeHelpers() {
        assertTrue(Cidr.containsIpv4(0xc0a80000, 16, 0xc0a80701));
        assertFalse(Cidr.containsIpv4(0xc0a80000, 17, 0xc0a88001));
        assertTrue(Cidr.containsIpv4(0, 0, -1));
        assertTrue(Cidr.containsIpv6(0x20010db800000000L, 0, 32, 0x20010db8ffffffffL, 5));
        assertFalse(Cidr.containsIpv6(0, 0, 128, 0, 1));
    }

    @Test
    void errorsNamePosition() {
        ParseException e = assertThrows(ParseException.class, () -> Cidr.parse("10.0.0.0/33"));
        assertEquals(9, e.position());
        assertTrue(e.getMessage().contains("\"10.0.0.0/33\""), e.getMessage());
        e = assertThrows(ParseException.class, () -> Cidr.parse("10.0.0.0/"));
        assertEquals(9, e.position());
        e = assertThrows(ParseException.class, () -> Cidr.parse("10.0.0.0/08"));
        assertEquals(9, e.position());
        e = assertThrows(ParseException.class, () -> Cidr.parse("::/129"));
        assertEquals(3, e.position());
        e = assertThrows(ParseException.class, () -> Cidr.parse("10.0.0/8"));
        assertEquals(6, e.position());
        assertThrows(IllegalArgumentException.class, () -> new Cidr(IpAddress.parse("::"), 129));
    }
}

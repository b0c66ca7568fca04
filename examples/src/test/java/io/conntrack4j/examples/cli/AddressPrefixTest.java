package io.conntrack4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.core.IpAddress;
import org.junit.jupiter.api.Test;

/**
 * The {@code ADDRESS/PREFIX} reading of conntrack's {@code -s}/{@code -d} without a kernel (the
 * kernel tests compare whole listings with conntrack's): strtol's rules for the prefix, the masks
 * it builds, and where a prefix is refused.
 */
class AddressPrefixTest {

    @Test
    void prefixesAreReadLikeStrtolThatMustConsumeEverything() {
        assertEquals(24, ConntrackOptions.prefixLength("24"));
        assertEquals(24, ConntrackOptions.prefixLength(" +024"));
        assertEquals(0, ConntrackOptions.prefixLength(""));
        assertEquals(0, ConntrackOptions.prefixLength("-0"));
        assertEquals(-2, ConntrackOptions.prefixLength(" "));
        assertEquals(-2, ConntrackOptions.prefixLength("x"));
        assertEquals(-2, ConntrackOptions.prefixLength("24x"));
        assertEquals(-2, ConntrackOptions.prefixLength("-1"));
        // strtol saturates at LONG_MAX, which conntrack cuts to the int -1
        assertEquals(-2, ConntrackOptions.prefixLength("99999999999999999999"));
        // 2^32 + 8 cut to an int is 8
        assertEquals(8, ConntrackOptions.prefixLength("4294967304"));
    }

    @Test
    void aPrefixBecomesTheMaskOptionAndAFullOneIsThePlainAddress() throws CommandLineException {
        ConntrackOptions o = ConntrackOptions.parse(new String[] {"-L", "-s", "10.1.2.3/16", "-d", "10.0.0.1/32"});
        assertEquals(IpAddress.parse("10.1.2.3"), o.source());
        assertEquals(IpAddress.parse("255.255.0.0"), o.maskSource());
        assertNull(o.maskDestination());
        assertTrue(AddressMask.matches(IpAddress.parse("10.1.99.1"), o.source(), o.maskSource()));
        assertFalse(AddressMask.matches(IpAddress.parse("10.2.0.1"), o.source(), o.maskSource()));
        assertFalse(AddressMask.matches(IpAddress.parse("::1"), o.source(), o.maskSource()));
        ConntrackOptions v6 = ConntrackOptions.parse(new String[] {"-D", "-s", "2001:db8::/33"});
        assertEquals(IpAddress.parse("ffff:ffff:8000::"), v6.maskSource());
        assertTrue(AddressMask.matches(IpAddress.parse("2001:db8:7fff::1"), v6.source(), v6.maskSource()));
        assertFalse(AddressMask.matches(IpAddress.parse("2001:db8:8000::1"), v6.source(), v6.maskSource()));
    }

    @Test
    void ipv4AddressesAreReadLikeInetAton() {
        assertEquals(IpAddress.parse("0.0.0.1"), InetAton.parse("1"));
        assertEquals(IpAddress.parse("10.0.1.1"), InetAton.parse("10.257"));
        assertEquals(IpAddress.parse("10.0.0.1"), InetAton.parse("0x0a.1"));
        assertEquals(IpAddress.parse("8.1.1.1"), InetAton.parse("010.1.1.1"));
        assertEquals(IpAddress.parse("1.2.3.4"), InetAton.parse("1.2.3.4 anything"));
        assertEquals(IpAddress.parse("255.255.255.255"), InetAton.parse("4294967295"));
        for (String bad : new String[] {"08.1.1.1", "1.2.3.4x", "256.1.1.1", "1.2.3.256", "4294967296", "1.16777216",
            "0x", "1..2", ".1", "1.", "", " 1", "1.2.3.4.5", "::1"}) {
            assertNull(InetAton.parse(bad), bad);
        }
    }

    @Test
    void prefixesAreRefusedWhereConntrackRefusesThem() {
        assertEquals("CIDR notation unavailable for `--reply-src'", refusal("-L", "-r", "10.0.0.1/32"));
        assertEquals("CIDR notation unavailable for `--any-nat'", refusal("-L", "-j", "10.0.0.0/8"));
        assertEquals("Invalid netmask", refusal("-L", "-s", "::/129"));
        assertEquals("Invalid IP address `foo/8'", refusal("-L", "-s", "foo/8"));
        assertEquals("Illegal option `--mask-src' with this command",
                refusal("-G", "-p", "udp", "-s", "1.0.0.0/8", "-d", "2.2.2.2", "--sport", "1", "--dport", "2"));
        assertEquals("Can't use --mask-dst without --dst", refusal("-E", "--mask-dst", "255.0.0.0"));
        assertEquals("Can't do that command with tables `dying' and `unconfirmed'", refusal("-F", "dy"));
    }

    private static String refusal(String... args) {
        return assertThrows(CommandLineException.class, () -> ConntrackOptions.parse(args)).getMessage();
    }
}

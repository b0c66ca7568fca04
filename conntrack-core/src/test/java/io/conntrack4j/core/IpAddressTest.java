package io.conntrack4j.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class IpAddressTest {

    static List<String> resource(String name) throws IOException {
        try (var in = IpAddressTest.class.getResourceAsStream(name);
             var reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            return reader.lines().filter(l -> !l.startsWith("#")).toList();
        }
    }

    @Test
    void ipv6IsPrintedExactlyAsGlibcInetNtop() throws IOException {
        List<String> lines = resource("inet_ntop6.txt");
        assertTrue(lines.size() > 3000);
        for (String line : lines) {
            String[] parts = line.split(" ");
            IpAddress a = IpAddress.ofBytes(HexFormat.of().parseHex(parts[0]));
            assertEquals(parts[1], a.toString(), parts[0]);
            assertEquals(a, IpAddress.parse(parts[1]), parts[1]);
        }
    }

    @Test
    void acceptsExactlyWhatGlibcInetPtonAccepts() throws IOException {
        List<String> lines = resource("inet_pton.txt");
        assertTrue(lines.size() > 5000);
        for (String line : lines) {
            String[] parts = line.split("\t", -1);
            String text = parts[0];
            if (parts[1].equals("-")) {
                ParseException e = assertThrows(ParseException.class, () -> IpAddress.parse(text), text);
                assertTrue(e.getMessage().contains("\"" + text + "\"") && e.getMessage().contains("position"),
                        e.getMessage());
                assertTrue(e.position() >= 0 && e.position() <= text.length(), e.getMessage());
            } else {
                IpAddress a;
                try {
                    a = IpAddress.parse(text);
                } catch (ParseException e) {
                    fail("glibc accepts " + text + ": " + e.getMessage());
                    return;
                }
                assertEquals(parts[1].equals("4") ? AddressFamily.IPV4 : AddressFamily.IPV6, a.family(), text);
                assertArrayEquals(HexFormat.of().parseHex(parts[2]), a.toBytes(), text);
            }
        }
    }

    @Test
    void ipv4BitsAndText() {
        IpAddress a = IpAddress.parse("10.0.0.1");
        assertEquals(0x0a000001, a.ipv4());
        assertEquals("10.0.0.1", a.toString());
        assertEquals("255.255.255.255", IpAddress.ofIpv4(-1).toString());
        assertEquals(0xc0a80101, IpAddress.parseIpv4("x192.168.1.1y", 1, 12));
        assertTrue(a.isIpv4());
        assertEquals(a, IpAddress.of(a.toInetAddress()));
    }

    @Test
    void errorsNameTextAndPosition() {
        ParseException e = assertThrows(ParseException.class, () -> IpAddress.parse("10.0.0.256"));
        assertEquals(7, e.position());
        assertEquals("cannot parse \"10.0.0.256\" at position 7: octet greater than 255", e.getMessage());
        e = assertThrows(ParseException.class, () -> IpAddress.parse("2001:db8::1::2"));
        assertEquals(12, e.position());
        e = assertThrows(ParseException.class, () -> IpAddress.parse("fe80::1%eth0"));
        assertEquals(7, e.position());
        e = assertThrows(ParseException.class, () -> IpAddress.parse(""));
        assertEquals(0, e.position());
        assertThrows(ParseException.class, () -> IpAddress.parse(null));
        e = assertThrows(ParseException.class, () -> IpAddress.parse("1.2.3.04"));
        assertEquals(6, e.position());
    }

    @Test
    void orderEqualityAndHalves() {
        IpAddress v6 = IpAddress.parse("2001:db8::ff");
        assertEquals(0x20010db800000000L, v6.high());
        assertEquals(0xffL, v6.low());
        assertTrue(IpAddress.parse("255.255.255.255").compareTo(IpAddress.parse("::")) < 0);
        assertTrue(IpAddress.parse("8000::").compareTo(IpAddress.parse("7fff::")) > 0);
        assertFalse(IpAddress.parse("0.0.0.1").equals(IpAddress.parse("::1")));
        assertEquals(IpAddress.parse("::1").hashCode(), IpAddress.parse("0::1").hashCode());
        assertThrows(IllegalStateException.class, v6::ipv4);
    }

    @Test
    void masks() {
        assertEquals(0, IpAddress.ipv4Mask(0));
        assertEquals(0xffffff00, IpAddress.ipv4Mask(24));
        assertEquals(-1, IpAddress.ipv4Mask(32));
        assertEquals(-1L, IpAddress.ipv6Mask(64, true));
        assertEquals(0L, IpAddress.ipv6Mask(64, false));
        assertEquals(0xffff_0000_0000_0000L, IpAddress.ipv6Mask(80, false));
        assertEquals(-1L, IpAddress.ipv6Mask(128, false));
    }
}

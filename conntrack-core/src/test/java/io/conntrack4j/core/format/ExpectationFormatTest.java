package io.conntrack4j.core.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.core.EventType;
import io.conntrack4j.core.Expectation;
import io.conntrack4j.core.ExpectationFlag;
import io.conntrack4j.core.IpAddress;
import io.conntrack4j.core.L4Protocol;
import io.conntrack4j.core.ParseException;
import io.conntrack4j.core.Tuple;
import org.junit.jupiter.api.Test;

/**
 * {@link ExpectationFormat} against lines recorded from the real conntrack 1.4.7 on kernel 6.18
 * (FTP and SIP helpers in a namespace; {@link ExpectationFormatKernelTest} re-checks them live).
 */
public class ExpectationFormatTest {

    /** Recorded {@code conntrack -L expect} lines. */
    public static String[] lines() {
        return new String[] {
            "298 proto=6 src=10.77.0.2 dst=10.77.0.1 sport=0 dport=1025 mask-src=255.255.255.255 "
                    + "mask-dst=255.255.255.255 sport=0 dport=65535 master-src=10.77.0.1 master-dst=10.77.0.2 "
                    + "sport=54246 dport=21 class=0 helper=ftp",
            "179 proto=17 src=10.77.0.2 dst=10.77.0.1 sport=0 dport=5060 mask-src=255.255.255.255 "
                    + "mask-dst=255.255.255.255 sport=0 dport=65535 master-src=10.77.0.1 master-dst=10.77.0.2 "
                    + "sport=5060 dport=5060 PERMANENT,INACTIVE class=0 helper=sip",
            "179 proto=17 src=10.77.0.2 dst=10.77.0.1 sport=0 dport=7000 mask-src=255.255.0.0 "
                    + "mask-dst=255.255.255.255 sport=0 dport=65535 master-src=10.77.0.1 master-dst=10.77.0.2 "
                    + "sport=5060 dport=5060 class=0 helper=sip",
        };
    }

    /** Recorded {@code conntrack -E expect} lines, with and without {@code -o timestamp}. */
    public static String[] eventLines() {
        return new String[] {
            "    [NEW] 300 proto=6 src=10.77.0.2 dst=10.77.0.1 sport=0 dport=1026 mask-src=255.255.255.255 "
                    + "mask-dst=255.255.255.255 sport=0 dport=65535 master-src=10.77.0.1 master-dst=10.77.0.2 "
                    + "sport=34106 dport=21 class=0 helper=ftp",
            "[1795587477.572691]\t    [NEW] 300 proto=6 src=fd77::2 dst=fd77::1 sport=0 dport=1028 "
                    + "mask-src=ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff mask-dst=ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff "
                    + "sport=0 dport=65535 master-src=fd77::1 master-dst=fd77::2 sport=40308 dport=21 class=0 helper=ftp",
            // -E expect -o timestamp prints "%-8ld.%-6ld" (left-aligned: a 5-digit microsecond part
            // ends in a space), unlike connection events; conntrack -I expect -p tcp made these
            // protocol-27 expectations on a TCP (FTP) master
            "[1795588386.17675 ]\t    [NEW] 300 proto=27 src=10.77.0.2 dst=10.77.0.1 mask-src=255.255.255.255 "
                    + "mask-dst=255.255.255.255 master-src=10.77.0.1 master-dst=10.77.0.2 sport=45112 dport=21 class=0 "
                    + "helper=ftp",
            "[1795588386.26761 ]\t[DESTROY] 299 proto=27 src=10.77.0.2 dst=10.77.0.1 mask-src=255.255.255.255 "
                    + "mask-dst=255.255.255.255 master-src=10.77.0.1 master-dst=10.77.0.2 sport=45112 dport=21 class=0 "
                    + "helper=ftp",
        };
    }

    static final ExpectationFormat F = ExpectationFormat.plain();

    static IpAddress ip(String s) {
        return IpAddress.parse(s);
    }

    @Test
    void recordedLinesRoundTrip() {
        for (String line : lines()) {
            assertEquals(line, F.format(F.parse(line)));
        }
        for (String line : eventLines()) {
            assertEquals(line, F.formatEvent(F.parseEvent(line)));
        }
    }

    @Test
    void ftpLineFields() {
        Expectation e = F.parse(lines()[0]);
        assertEquals(298, e.timeout());
        assertEquals(Tuple.ofPorts(ip("10.77.0.2"), ip("10.77.0.1"), L4Protocol.TCP, 0, 1025), e.tuple());
        assertEquals(Tuple.ofPorts(ip("255.255.255.255"), ip("255.255.255.255"), L4Protocol.TCP, 0, 65535), e.mask());
        assertEquals(Tuple.ofPorts(ip("10.77.0.1"), ip("10.77.0.2"), L4Protocol.TCP, 54246, 21), e.master());
        assertEquals(0, e.flags());
        assertEquals("ftp", e.helper());
        assertNull(e.function());
        assertTrue(e.matches(Tuple.ofPorts(ip("10.77.0.2"), ip("10.77.0.1"), L4Protocol.TCP, 20, 1025)));
        Expectation odd = F.parseEvent(eventLines()[3]).expectation();
        assertEquals(L4Protocol.of(27), odd.tuple().protocol());
        assertEquals(L4Protocol.TCP, odd.master().protocol());
        assertEquals(45112, odd.master().sourcePort());
        Expectation sip = F.parse(lines()[1]);
        assertEquals(ExpectationFlag.PERMANENT.mask() | ExpectationFlag.INACTIVE.mask(), sip.flags());
        assertEquals(L4Protocol.UDP, sip.tuple().protocol());
    }

    @Test
    void builtExpectationPrintsLikeConntrack() {
        Tuple tuple = Tuple.ofPorts(ip("10.77.0.2"), ip("10.77.0.1"), L4Protocol.TCP, 0, 1025);
        Tuple mask = Tuple.ofPorts(ip("255.255.255.255"), ip("255.255.255.255"), L4Protocol.TCP, 0, 65535);
        Tuple master = Tuple.ofPorts(ip("10.77.0.1"), ip("10.77.0.2"), L4Protocol.TCP, 54246, 21);
        assertEquals(lines()[0], F.format(new Expectation(master, tuple, mask, 298, 0, 0, "ftp", null, null, 0, 0)));
        String all = F.format(new Expectation(master, tuple, mask, 1, 7, 3, null, "fn", null, 9, 5));
        assertTrue(all.endsWith(" sport=54246 dport=21 PERMANENT,INACTIVE,USERSPACE class=3"), all);
        Expectation e = new Expectation(master, tuple, mask, 300, 0, 0, "ftp", null, null, 0, 0);
        String event = F.formatEvent(new ExpectationEvent(EventType.DESTROY, e, 1_000_005));
        assertTrue(event.startsWith("[1       .5     ]\t[DESTROY] 300 proto=6 src="), event);
    }

    @Test
    void badLinesAreNamedErrors() {
        String good = lines()[1];
        for (String bad : new String[] {"", "298", "298 proto=6", good.replace("PERMANENT,INACTIVE", "INACTIVE,PERMANENT"),
            good.replace("PERMANENT,", "PERMANENT,PERMANENT,"), good.replace(" class=0", ""),
            good.replace("mask-src=255.255.255.255", "mask-src=::1"), good + " ", good.replace("proto=17", "proto=017"),
            good.replace("179", "4294967296")}) {
            ParseException e = assertThrows(ParseException.class, () -> F.parse(bad), bad);
            assertTrue(e.getMessage().contains("position"), e.getMessage());
        }
        assertThrows(ParseException.class, () -> F.parseEvent("[12.5]\t    [NEW] " + lines()[0]));
        assertThrows(ParseException.class, () -> F.parseEvent("[12345678.5      ]\t    [NEW] " + lines()[0]));
        assertThrows(ParseException.class, () -> F.parseEvent("   [NEW] " + lines()[0]));
        assertThrows(ParseException.class, () -> F.parse(null));
    }

    /** Recorded {@code conntrack -L expect -o xml} flows with their plain lines. */
    static final String[][] XML = {
        {"<flow><layer3 protonum=\"2\" protoname=\"ipv4\"><expected><src>10.77.0.2</src><dst>10.77.0.1</dst></expected><mask><src>255.255.255.255</src><dst>255.255.255.255</dst></mask><master><src>10.77.0.1</src><dst>10.77.0.2</dst></master></layer3><layer4 protonum=\"17\" protoname=\"udp\"><expected><sport>0</sport><dport>5060</dport></expected><mask><sport>0</sport><dport>65535</dport></mask><master><sport>5062</sport><dport>5060</dport></master></layer4><meta><helper-name>sip</helper-name><timeout>179</timeout><class>0</class><permanent/><inactive/></meta></flow>",
            "179 proto=17 src=10.77.0.2 dst=10.77.0.1 sport=0 dport=5060 mask-src=255.255.255.255 mask-dst=255.255.255.255 sport=0 dport=65535 master-src=10.77.0.1 master-dst=10.77.0.2 sport=5062 dport=5060 PERMANENT,INACTIVE class=0 helper=sip"},
        {"<flow><layer3 protonum=\"2\" protoname=\"ipv4\"><expected><src>10.77.0.2</src><dst>10.77.0.1</dst></expected><mask><src>255.255.0.0</src><dst>255.255.255.255</dst></mask><master><src>10.77.0.1</src><dst>10.77.0.2</dst></master></layer3><layer4 protonum=\"17\" protoname=\"udp\"><expected><sport>0</sport><dport>7000</dport></expected><mask><sport>0</sport><dport>65535</dport></mask><master><sport>5060</sport><dport>5060</dport></master></layer4><meta><helper-name>sip</helper-name><timeout>86</timeout><class>0</class></meta></flow>",
            "86 proto=17 src=10.77.0.2 dst=10.77.0.1 sport=0 dport=7000 mask-src=255.255.0.0 mask-dst=255.255.255.255 sport=0 dport=65535 master-src=10.77.0.1 master-dst=10.77.0.2 sport=5060 dport=5060 class=0 helper=sip"},
    };

    /** A recorded {@code conntrackd -i expect -x} line (no timeout) and the {@code -i expect} line. */
    static final String[] CONNTRACKD_XML = {
        "<flow><layer3 protonum=\"2\" protoname=\"ipv4\"><expected><src>10.78.0.2</src><dst>10.78.0.1</dst></expected><mask><src>255.255.255.255</src><dst>255.255.255.255</dst></mask><master><src>10.78.0.1</src><dst>10.78.0.2</dst></master></layer3><layer4 protonum=\"6\" protoname=\"tcp\"><expected><sport>0</sport><dport>1036</dport></expected><mask><sport>0</sport><dport>65535</dport></mask><master><sport>56118</sport><dport>21</dport></master></layer4><meta><helper-name>ftp</helper-name><class>0</class></meta></flow>",
        "proto=6 src=10.78.0.2 dst=10.78.0.1 sport=0 dport=1036 mask-src=255.255.255.255 mask-dst=255.255.255.255 sport=0 dport=65535 master-src=10.78.0.1 master-dst=10.78.0.2 sport=56118 dport=21 class=0 helper=ftp [active since 1s]",
    };

    @Test
    void xmlOfExpectations() {
        ConntrackXmlFormat xml = ConntrackXmlFormat.builder().build();
        for (String[] pair : XML) {
            assertEquals(pair[0], xml.format(F.parse(pair[1])));
        }
        Expectation cached = ConntrackdDumpFormat.parseExpectation(CONNTRACKD_XML[1]).expectation();
        assertEquals(CONNTRACKD_XML[0], xml.appendTo(new StringBuilder(), cached, false).toString());
        Expectation user = new Expectation(cached.master(), cached.tuple(), cached.mask(), 5,
                ExpectationFlag.USERSPACE.mask(), 1, null, null, null, 0, 0);
        assertTrue(xml.format(user).endsWith("<meta><timeout>5</timeout><class>1</class><userspace/></meta></flow>"),
                xml.format(user));
    }
}

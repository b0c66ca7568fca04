package io.conntrack4j.core.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.core.Connection;
import io.conntrack4j.core.IpAddress;
import io.conntrack4j.core.L4Protocol;
import io.conntrack4j.core.ParseException;
import io.conntrack4j.core.StatusBit;
import io.conntrack4j.core.TcpState;
import io.conntrack4j.core.Tuple;
import org.junit.jupiter.api.Test;

/**
 * {@link ConntrackdDumpFormat} and {@link ConntrackXmlFormat} against lines recorded from the real
 * conntrackd 1.4.7 and conntrack 1.4.7 (NOTRACK over UDP between two namespaces; entries made with
 * {@code conntrack -I}); {@link ConntrackdDumpKernelTest} re-checks them live.
 */
public class ConntrackdDumpFormatTest {

    /** Recorded {@code conntrackd -i} lines. */
    public static String[] internalLines() {
        return new String[] {
            "tcp      6 SYN_SENT src=2001:db8::1 dst=2001:db8::2 sport=1 dport=2 [UNREPLIED] src=2001:db8::2 "
                    + "dst=2001:db8::1 sport=2 dport=1 mark=0 [active since 1s]",
            "udp      17 src=10.3.3.3 dst=10.4.4.4 sport=5353 dport=53 [UNREPLIED] src=10.4.4.4 dst=10.3.3.3 sport=53 "
                    + "dport=5353 mark=7 zone=5 [active since 1s]",
            "tcp      6 ESTABLISHED src=10.7.7.7 dst=10.8.8.8 sport=3000 dport=22 src=10.9.9.9 dst=10.7.7.7 sport=2222 "
                    + "dport=3000 mark=0 [active since 1s]",
            "icmp     1 src=10.5.5.5 dst=10.6.6.6 type=8 code=0 id=77 [UNREPLIED] src=10.6.6.6 dst=10.5.5.5 type=0 "
                    + "code=0 id=77 mark=0 [active since 1s]",
            "tcp      6 ESTABLISHED src=10.1.1.1 dst=10.2.2.2 sport=1111 dport=80 src=10.2.2.2 dst=10.1.1.1 sport=80 "
                    + "dport=1111 [ASSURED] mark=66 [active since 2s]",
        };
    }

    /** Recorded {@code conntrackd -e} lines, and the ALARM one from the specification (section 5.6). */
    public static String[] externalLines() {
        return new String[] {
            "tcp      6 SYN_SENT src=2001:db8::1 dst=2001:db8::2 sport=1 dport=2 [UNREPLIED] mark=0 [active since 1s]",
            "udp      17 src=10.3.3.3 dst=10.4.4.4 sport=5353 dport=53 [UNREPLIED] mark=7 zone=5 [active since 1s]",
            "tcp      6 ESTABLISHED src=10.7.7.7 dst=10.8.8.8 sport=3000 dport=22 mark=0 [active since 1s]",
            "icmp     1 src=10.5.5.5 dst=10.6.6.6 type=8 code=0 id=77 [UNREPLIED] mark=0 [active since 1s]",
            "tcp      6 ESTABLISHED src=10.1.1.1 dst=10.2.2.2 sport=1111 dport=80 [ASSURED] mark=66 [active since 1s]",
            "tcp      6 ESTABLISHED src=10.30.0.1 dst=10.31.0.1 sport=5555 dport=80 [ASSURED] mark=0 [expires in 8s] "
                    + "[active since 4s]",
        };
    }

    /** The {@code conntrackd -i expect} line of the specification (section 5.6). */
    public static String[] expectationLines() {
        return new String[] {
            "proto=6 src=10.50.0.1 dst=10.50.0.2 sport=0 dport=41739 mask-src=255.255.255.255 mask-dst=255.255.255.255 "
                    + "sport=0 dport=65535 master-src=10.50.0.1 master-dst=10.50.0.2 sport=43741 dport=21 class=0 "
                    + "helper=ftp [active since 2s]",
        };
    }

    static IpAddress ip(String s) {
        return IpAddress.parse(s);
    }

    @Test
    void recordedLinesRoundTrip() {
        for (String line : internalLines()) {
            CachedConnection e = ConntrackdDumpFormat.parseConnection(line, false);
            assertEquals(line, ConntrackdDumpFormat.formatInternal(e.connection(), e.activeSeconds()));
        }
        for (String line : externalLines()) {
            CachedConnection e = ConntrackdDumpFormat.parseConnection(line, true);
            assertEquals(line, ConntrackdDumpFormat.formatExternal(e.connection(), e.activeSeconds(),
                    e.expiresInSeconds()));
        }
        for (String line : expectationLines()) {
            CachedExpectation e = ConntrackdDumpFormat.parseExpectation(line);
            assertEquals(line, ConntrackdDumpFormat.formatExpectation(e.expectation(), e.activeSeconds()));
        }
    }

    @Test
    void fieldsOfParsedLines() {
        CachedConnection nat = ConntrackdDumpFormat.parseConnection(internalLines()[2], false);
        assertEquals(1, nat.activeSeconds());
        assertEquals(CachedConnection.NO_EXPIRY, nat.expiresInSeconds());
        assertTrue(nat.connection().isNat());
        assertEquals(TcpState.ESTABLISHED, nat.connection().tcpState());
        CachedConnection alarm = ConntrackdDumpFormat.parseConnection(externalLines()[5], true);
        assertEquals(8, alarm.expiresInSeconds());
        assertEquals(4, alarm.activeSeconds());
        assertTrue(alarm.connection().hasStatusBit(StatusBit.ASSURED));
        assertEquals(alarm.connection().original().inverse(), alarm.connection().reply());
        assertEquals(41739, ConntrackdDumpFormat.parseExpectation(expectationLines()[0]).expectation().tuple()
                .destinationPort());
    }

    @Test
    void sameConnectionInternalAndExternal() {
        Connection c = Connection.builder(Tuple.ofPorts(ip("10.1.1.1"), ip("10.2.2.2"), L4Protocol.TCP, 1111, 80))
                .tcpState(TcpState.ESTABLISHED).status(StatusBit.mask(StatusBit.SEEN_REPLY, StatusBit.ASSURED))
                .mark(66).timeout(431999).build();
        assertEquals(internalLines()[4], ConntrackdDumpFormat.formatInternal(c, 2));
        assertEquals(externalLines()[4], ConntrackdDumpFormat.formatExternal(c, 1, CachedConnection.NO_EXPIRY));
    }

    @Test
    void badLinesAreNamedErrors() {
        String good = internalLines()[1];
        for (String bad : new String[] {"", "[active since 1s]", good.replace(" [active since 1s]", ""),
            good.replace("1s]", "1 s]"), good.replace("1s]", "s]"), good + " ", good.replace("udp      17 ", "udp      17 30 "),
            good.replace("1s]", "99999999999999999999s]")}) {
            ParseException e = assertThrows(ParseException.class, () -> ConntrackdDumpFormat.parseConnection(bad, false),
                    bad);
            assertTrue(e.getMessage().contains("position"), e.getMessage());
        }
        // an internal line is not an external one and vice versa
        assertThrows(ParseException.class, () -> ConntrackdDumpFormat.parseConnection(internalLines()[0], true));
        assertThrows(ParseException.class, () -> ConntrackdDumpFormat.parseConnection(externalLines()[0], false));
        assertThrows(ParseException.class, () -> ConntrackdDumpFormat.parseConnection(externalLines()[5], false));
        assertThrows(ParseException.class, () -> ConntrackdDumpFormat.parseExpectation("298 " + expectationLines()[0]));
    }

    // ------------------------------------------------------------------ XML

    /** Recorded {@code conntrackd -i -x} lines and their {@code -i} twins (same order as {@link #internalLines()}). */
    static final String[] INTERNAL_XML = {
        "<flow><meta direction=\"original\"><layer3 protonum=\"10\" protoname=\"ipv6\"><src>2001:db8::1</src><dst>2001:db8::2</dst></layer3><layer4 protonum=\"6\" protoname=\"tcp\"><sport>1</sport><dport>2</dport></layer4></meta><meta direction=\"reply\"><layer3 protonum=\"10\" protoname=\"ipv6\"><src>2001:db8::2</src><dst>2001:db8::1</dst></layer3><layer4 protonum=\"6\" protoname=\"tcp\"><sport>2</sport><dport>1</dport></layer4></meta><meta direction=\"independent\"><state>SYN_SENT</state><mark>0</mark><id>1331999291</id><unreplied/></meta></flow>",
        "<flow><meta direction=\"original\"><layer3 protonum=\"2\" protoname=\"ipv4\"><src>10.3.3.3</src><dst>10.4.4.4</dst></layer3><layer4 protonum=\"17\" protoname=\"udp\"><sport>5353</sport><dport>53</dport></layer4></meta><meta direction=\"reply\"><layer3 protonum=\"2\" protoname=\"ipv4\"><src>10.4.4.4</src><dst>10.3.3.3</dst></layer3><layer4 protonum=\"17\" protoname=\"udp\"><sport>53</sport><dport>5353</dport></layer4></meta><meta direction=\"independent\"><mark>7</mark><zone>5</zone><id>3410310144</id><unreplied/></meta></flow>",
        "<flow><meta direction=\"original\"><layer3 protonum=\"2\" protoname=\"ipv4\"><src>10.7.7.7</src><dst>10.8.8.8</dst></layer3><layer4 protonum=\"6\" protoname=\"tcp\"><sport>3000</sport><dport>22</dport></layer4></meta><meta direction=\"reply\"><layer3 protonum=\"2\" protoname=\"ipv4\"><src>10.9.9.9</src><dst>10.7.7.7</dst></layer3><layer4 protonum=\"6\" protoname=\"tcp\"><sport>2222</sport><dport>3000</dport></layer4></meta><meta direction=\"independent\"><state>ESTABLISHED</state><mark>0</mark><id>2744115318</id></meta></flow>",
        "<flow><meta direction=\"original\"><layer3 protonum=\"2\" protoname=\"ipv4\"><src>10.5.5.5</src><dst>10.6.6.6</dst></layer3><layer4 protonum=\"1\" protoname=\"icmp\"></layer4></meta><meta direction=\"reply\"><layer3 protonum=\"2\" protoname=\"ipv4\"><src>10.6.6.6</src><dst>10.5.5.5</dst></layer3><layer4 protonum=\"1\" protoname=\"icmp\"></layer4></meta><meta direction=\"independent\"><mark>0</mark><id>3179544187</id><unreplied/></meta></flow>",
        "<flow><meta direction=\"original\"><layer3 protonum=\"2\" protoname=\"ipv4\"><src>10.1.1.1</src><dst>10.2.2.2</dst></layer3><layer4 protonum=\"6\" protoname=\"tcp\"><sport>1111</sport><dport>80</dport></layer4></meta><meta direction=\"reply\"><layer3 protonum=\"2\" protoname=\"ipv4\"><src>10.2.2.2</src><dst>10.1.1.1</dst></layer3><layer4 protonum=\"6\" protoname=\"tcp\"><sport>80</sport><dport>1111</dport></layer4></meta><meta direction=\"independent\"><state>ESTABLISHED</state><mark>66</mark><id>3953378346</id><assured/></meta></flow>",
    };
    static final int[] IDS = {1331999291, (int) 3410310144L, (int) 2744115318L, (int) 3179544187L, (int) 3953378346L};

    /** The spec's external-cache XML line (section 5.6), which VyOS parses. */
    static final String EXTERNAL_XML = "<flow><meta direction=\"original\"><layer3 protonum=\"2\" protoname=\"ipv4\"><src>10.11.0.1</src><dst>10.12.0.1</dst></layer3><layer4 protonum=\"6\" protoname=\"tcp\"><sport>3333</sport><dport>22</dport></layer4></meta><meta direction=\"reply\"><layer3 protonum=\"0\" protoname=\"unknown\"><src></src><dst></dst></layer3><layer4 protonum=\"0\" protoname=\"unknown\"></layer4></meta><meta direction=\"independent\"><state>ESTABLISHED</state><mark>0</mark><assured/></meta></flow>";

    /** Recorded {@code conntrack -L -o xml} flows (accounting and timestamps on), with the plain line of each. */
    static final String[][] CONNTRACK_XML = {
        {"<flow><meta direction=\"original\"><layer3 protonum=\"2\" protoname=\"ipv4\"><src>10.66.0.1</src><dst>10.66.0.2</dst></layer3><layer4 protonum=\"47\" protoname=\"gre\"><srckey>0x1</srckey><dstkey>0x2</dstkey></layer4><counters><packets>0</packets><bytes>0</bytes></counters></meta><meta direction=\"reply\"><layer3 protonum=\"2\" protoname=\"ipv4\"><src>10.66.0.2</src><dst>10.66.0.1</dst></layer3><layer4 protonum=\"47\" protoname=\"gre\"><srckey>0x2</srckey><dstkey>0x1</dstkey></layer4><counters><packets>0</packets><bytes>0</bytes></counters></meta><meta direction=\"independent\"><timeout>99</timeout><mark>0</mark><use>1</use><id>967046650</id><unreplied/><deltatime>0</deltatime></meta></flow>",
            "gre      47 99 src=10.66.0.1 dst=10.66.0.2 srckey=0x1 dstkey=0x2 packets=0 bytes=0 [UNREPLIED] src=10.66.0.2 dst=10.66.0.1 srckey=0x2 dstkey=0x1 packets=0 bytes=0 mark=0 delta-time=0 use=1 id=967046650"},
        {"<flow><meta direction=\"original\"><layer3 protonum=\"2\" protoname=\"ipv4\"><src>10.66.0.1</src><dst>10.66.0.2</dst></layer3><layer4 protonum=\"6\" protoname=\"tcp\"><sport>1</sport><dport>2</dport></layer4><counters><packets>0</packets><bytes>0</bytes></counters></meta><meta direction=\"reply\"><layer3 protonum=\"2\" protoname=\"ipv4\"><src>10.66.0.2</src><dst>10.66.0.1</dst></layer3><layer4 protonum=\"6\" protoname=\"tcp\"><sport>2</sport><dport>1</dport></layer4><counters><packets>0</packets><bytes>0</bytes></counters></meta><meta direction=\"independent\"><state>ESTABLISHED</state><timeout>99</timeout><mark>9</mark><zone>7</zone><use>1</use><id>2479454677</id><unreplied/><deltatime>0</deltatime></meta></flow>",
            "tcp      6 99 ESTABLISHED src=10.66.0.1 dst=10.66.0.2 sport=1 dport=2 packets=0 bytes=0 [UNREPLIED] src=10.66.0.2 dst=10.66.0.1 sport=2 dport=1 packets=0 bytes=0 mark=9 zone=7 delta-time=0 use=1 id=2479454677"},
        {"<flow><meta direction=\"original\"><layer3 protonum=\"2\" protoname=\"ipv4\"><src>10.77.0.1</src><dst>10.77.0.2</dst></layer3><layer4 protonum=\"17\" protoname=\"udp\"><sport>5060</sport><dport>5060</dport></layer4></meta><meta direction=\"reply\"><layer3 protonum=\"2\" protoname=\"ipv4\"><src>10.77.0.2</src><dst>10.77.0.1</dst></layer3><layer4 protonum=\"17\" protoname=\"udp\"><sport>5060</sport><dport>5060</dport></layer4></meta><meta direction=\"independent\"><timeout>3503</timeout><mark>0</mark><use>1</use><id>1063418203</id><unreplied/></meta><helper>sip</helper></flow>",
            "udp      17 3503 src=10.77.0.1 dst=10.77.0.2 sport=5060 dport=5060 [UNREPLIED] src=10.77.0.2 dst=10.77.0.1 sport=5060 dport=5060 mark=0 helper=sip use=1 id=1063418203"},
    };

    static final ConntrackXmlFormat XML = ConntrackXmlFormat.builder().clock(ConntrackFormatTest.NOW).build();

    @Test
    void xmlOfTheSameConnectionsAsConntrackd() {
        for (int i = 0; i < INTERNAL_XML.length; i++) {
            Connection c = ConntrackdDumpFormat.parseConnection(internalLines()[i], false).connection().toBuilder()
                    .id(IDS[i]).build();
            assertEquals(INTERNAL_XML[i], XML.format(c));
        }
        Connection external = ConntrackdDumpFormat.parseConnection("tcp      6 ESTABLISHED src=10.11.0.1 dst=10.12.0.1 "
                + "sport=3333 dport=22 [ASSURED] mark=0 [active since 1s]", true).connection();
        assertEquals(EXTERNAL_XML, XML.formatOriginalOnly(external));
    }

    @Test
    void xmlOfConntrackListings() {
        ConntrackFormat idFormat = ConntrackFormat.builder().id(true).clock(ConntrackFormatTest.NOW).build();
        for (String[] pair : CONNTRACK_XML) {
            assertEquals(pair[0], XML.format(idFormat.parse(pair[1])));
        }
    }
}

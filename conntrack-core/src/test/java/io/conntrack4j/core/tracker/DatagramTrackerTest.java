package io.conntrack4j.core.tracker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.core.L4Protocol;
import io.conntrack4j.core.StatusBit;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * UDP (6.x stream rule: ASSURED and 120 s only for a replied flow seen more than 2 s after it
 * began, nf_conntrack_proto_udp.c), ICMP/ICMPv6 (request/reply pairing, errors RELATED,
 * nf_conntrack_proto_icmp.c), GRE (30 s, 180 s once replied) and generic (600 s).
 */
class DatagramTrackerTest {

    private final TrackerHarness h = new TrackerHarness();

    private Verdict udp(String src, String dst, int sport, int dport) {
        return h.feed(Wire.ipv4(L4Protocol.UDP_NUMBER, src, dst, Wire.udp(sport, dport, 20)));
    }

    @Test
    void udpIsUnrepliedThenStreamOnlyAfterTwoSeconds() {
        assertEquals(Verdict.NEW, udp("10.0.0.1", "10.0.0.2", 5000, 53));
        assertEquals("udp      17 30 src=10.0.0.1 dst=10.0.0.2 sport=5000 dport=53 [UNREPLIED]"
                + " src=10.0.0.2 dst=10.0.0.1 sport=53 dport=5000 mark=0 use=1", h.line());
        h.advanceSeconds(1);
        assertEquals(Verdict.ESTABLISHED, udp("10.0.0.2", "10.0.0.1", 53, 5000));
        assertTrue(h.result.isReply());
        // a quick answer stays short-lived and evictable
        assertEquals("udp      17 30 src=10.0.0.1 dst=10.0.0.2 sport=5000 dport=53"
                + " src=10.0.0.2 dst=10.0.0.1 sport=53 dport=5000 mark=0 use=1", h.line());
        h.advanceSeconds(1.5);
        assertEquals(Verdict.ESTABLISHED, udp("10.0.0.1", "10.0.0.2", 5000, 53));
        assertEquals("udp      17 120 src=10.0.0.1 dst=10.0.0.2 sport=5000 dport=53"
                + " src=10.0.0.2 dst=10.0.0.1 sport=53 dport=5000 [ASSURED] mark=0 use=1", h.line());
    }

    @Test
    void udpLiteBecomesAStreamOnTheFirstPacketAfterTheReply() {
        assertEquals(Verdict.NEW, h.feed(Wire.ipv4(136, "10.0.0.1", "10.0.0.2", Wire.udp(5000, 7000, 20))));
        h.feed(Wire.ipv4(136, "10.0.0.2", "10.0.0.1", Wire.udp(7000, 5000, 20)));
        assertFalse(h.tracker.find(h.result.handle()).hasStatus(StatusBit.ASSURED));
        h.feed(Wire.ipv4(136, "10.0.0.1", "10.0.0.2", Wire.udp(5000, 7000, 20)));
        assertEquals("udplite  136 120 src=10.0.0.1 dst=10.0.0.2 sport=5000 dport=7000"
                + " src=10.0.0.2 dst=10.0.0.1 sport=7000 dport=5000 [ASSURED] mark=0 use=1", h.line());
    }

    @Test
    void udpExpiresAfterThirtySecondsUnreplied() {
        udp("10.0.0.1", "10.0.0.2", 5000, 53);
        h.advanceSeconds(29.9);
        assertEquals(1, h.tracker.list(io.conntrack4j.core.Filter.all()).size());
        h.advanceSeconds(0.2);
        assertEquals(1, h.tracker.sweep(h.now[0], 1000));
        assertEquals(0, h.tracker.count());
        assertTrue(h.events.get(h.events.size() - 1).startsWith("[DESTROY] udp      17 src=10.0.0.1"), h.events.toString());
    }

    @Test
    void icmpEchoPairsRequestAndReply() {
        assertEquals(Verdict.NEW, h.feed(Wire.ipv4(1, "10.0.0.1", "10.0.0.2", Wire.icmp(8, 0, 77, 1, new byte[8]))));
        assertEquals(Verdict.ESTABLISHED, h.feed(Wire.ipv4(1, "10.0.0.2", "10.0.0.1", Wire.icmp(0, 0, 77, 1, new byte[8]))));
        assertTrue(h.result.isReply());
        assertEquals("icmp     1 30 src=10.0.0.1 dst=10.0.0.2 type=8 code=0 id=77"
                + " src=10.0.0.2 dst=10.0.0.1 type=0 code=0 id=77 mark=0 use=1", h.line());
    }

    @Test
    void icmpReplyWithoutRequestIsInvalid() {
        assertEquals(Verdict.INVALID, h.feed(Wire.ipv4(1, "10.0.0.2", "10.0.0.1", Wire.icmp(0, 0, 77, 1, new byte[8]))));
        assertEquals(InvalidReason.ICMP_INVALID_NEW, h.result.invalidReason());
        assertEquals(Verdict.INVALID, h.feed(Wire.ipv4(1, "10.0.0.2", "10.0.0.1", Wire.icmp(9, 0, 0, 0, new byte[8]))));
        assertEquals(0, h.tracker.count());
    }

    @Test
    void icmpErrorIsRelatedToTheQuotedConnection() {
        udp("10.0.0.1", "10.0.0.2", 5000, 53);
        long conn = h.result.handle();
        byte[] quoted = Arrays.copyOf(Wire.ipv4(L4Protocol.UDP_NUMBER, "10.0.0.1", "10.0.0.2", Wire.udp(5000, 53, 20)), 28);
        assertEquals(Verdict.RELATED, h.feed(Wire.ipv4(1, "10.0.0.2", "10.0.0.1", Wire.icmp(3, 3, 0, 0, quoted))));
        assertTrue(h.result.isReply());
        assertEquals(conn, h.result.handle());
        // the same error sent to somebody else is not related (forged errors)
        assertEquals(Verdict.INVALID, h.feed(Wire.ipv4(1, "10.0.0.2", "10.0.0.9", Wire.icmp(3, 3, 0, 0, quoted))));
        assertEquals(InvalidReason.ICMP_ERROR_NO_CONNECTION, h.result.invalidReason());
        byte[] unknown = Arrays.copyOf(Wire.ipv4(L4Protocol.UDP_NUMBER, "10.0.0.1", "10.0.0.2", Wire.udp(5001, 53, 20)), 28);
        assertEquals(Verdict.INVALID, h.feed(Wire.ipv4(1, "10.0.0.2", "10.0.0.1", Wire.icmp(3, 3, 0, 0, unknown))));
        assertEquals(Verdict.INVALID, h.feed(Wire.ipv4(1, "10.0.0.2", "10.0.0.1", Wire.icmp(3, 3, 0, 0, new byte[3]))));
        assertEquals(InvalidReason.ICMP_ERROR_MALFORMED, h.result.invalidReason());
        assertEquals(3, h.tracker.statistics().error());
    }

    @Test
    void icmpv6EchoIsTrackedAndNeighbourDiscoveryIsNot() {
        byte[] echo = Wire.icmp(128, 0, 9, 1, new byte[4]);
        assertEquals(Verdict.NEW, h.feed(Wire.ipv6(58, "2001:db8::1", "2001:db8::2", echo)));
        byte[] reply = Wire.icmp(129, 0, 9, 1, new byte[4]);
        assertEquals(Verdict.ESTABLISHED, h.feed(Wire.ipv6(58, "2001:db8::2", "2001:db8::1", reply)));
        assertEquals("icmpv6   58 30 src=2001:db8::1 dst=2001:db8::2 type=128 code=0 id=9"
                + " src=2001:db8::2 dst=2001:db8::1 type=129 code=0 id=9 mark=0 use=1", h.line());
        assertEquals(Verdict.UNTRACKED, h.feed(Wire.ipv6(58, "fe80::1", "ff02::1", Wire.icmp(135, 0, 0, 0, new byte[16]))));
    }

    @Test
    void udpOverIpv6() {
        assertEquals(Verdict.NEW, h.feed(Wire.ipv6(17, "2001:db8::1", "2001:db8::2", Wire.udp(1, 2, 0))));
        assertEquals(Verdict.ESTABLISHED, h.feed(Wire.ipv6(17, "2001:db8::2", "2001:db8::1", Wire.udp(2, 1, 0))));
        assertEquals("udp      17 30 src=2001:db8::1 dst=2001:db8::2 sport=1 dport=2"
                + " src=2001:db8::2 dst=2001:db8::1 sport=2 dport=1 mark=0 use=1", h.line());
    }

    @Test
    void greIsAssuredOnceReplied() {
        byte[] gre = {0, 0, 0x08, 0x00};
        assertEquals(Verdict.NEW, h.feed(Wire.ipv4(47, "10.0.0.1", "10.0.0.2", gre)));
        assertEquals(Verdict.ESTABLISHED, h.feed(Wire.ipv4(47, "10.0.0.2", "10.0.0.1", gre)));
        // gre_packet() looks at SEEN_REPLY before the first reply sets it
        assertFalse(h.tracker.find(h.result.handle()).hasStatus(StatusBit.ASSURED));
        assertEquals(Verdict.ESTABLISHED, h.feed(Wire.ipv4(47, "10.0.0.1", "10.0.0.2", gre)));
        TrackedConnection c = h.tracker.find(h.result.handle());
        assertTrue(c.hasStatus(StatusBit.ASSURED));
        assertEquals(180_000, c.remainingMillis());
    }

    @Test
    void otherProtocolsAreGenericWithTenMinutes() {
        assertEquals(Verdict.NEW, h.feed(Wire.ipv4(89, "10.0.0.1", "224.0.0.5", new byte[20])));
        assertEquals("unknown  89 600 src=10.0.0.1 dst=224.0.0.5 [UNREPLIED] src=224.0.0.5 dst=10.0.0.1"
                + " mark=0 use=1", h.line());
    }

    @Test
    void fragmentsAreInvalid() {
        byte[] p = Wire.ipv4(L4Protocol.UDP_NUMBER, "10.0.0.1", "10.0.0.2", Wire.udp(1, 2, 20));
        p[6] = 0x20; // more fragments, offset 0
        assertEquals(Verdict.INVALID, h.feed(p));
        assertEquals(InvalidReason.FRAGMENT, h.result.invalidReason());
        assertFalse(h.tracker.count() > 0);
    }
}

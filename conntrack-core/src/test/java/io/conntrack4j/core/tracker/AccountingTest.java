package io.conntrack4j.core.tracker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.core.L4Protocol;
import org.junit.jupiter.api.Test;

/**
 * Per-direction packet and byte counters, as Linux keeps them with {@code nf_conntrack_acct=1}:
 * {@code nf_ct_refresh_acct()} counts the IP length of each accepted packet (nf_conntrack_core.c
 * {@code __nf_ct_refresh_acct}), {@code nf_ct_kill_acct()} the packet that kills an entry; TCP
 * packets judged invalid or ignored are not counted (they leave {@code nf_conntrack_tcp_packet()}
 * before the refresh); {@code conntrack -L} shows the counters of both directions and
 * {@code conntrack -E} only in DESTROY events ({@code ctnetlink_conntrack_event()}).
 */
class AccountingTest {

    private final TrackerHarness h = new TrackerHarness(TrackerConfig.builder().maxConnections(1024).accounting(true));

    @Test
    void countsTheIpLengthOfEachDirection() {
        h.feed(Wire.ipv4(L4Protocol.UDP_NUMBER, "10.0.0.1", "10.0.0.2", Wire.udp(5000, 53, 20)));
        assertEquals("udp      17 30 src=10.0.0.1 dst=10.0.0.2 sport=5000 dport=53 packets=1 bytes=48 [UNREPLIED]"
                + " src=10.0.0.2 dst=10.0.0.1 sport=53 dport=5000 packets=0 bytes=0 mark=0 use=1", h.line());
        h.feed(Wire.ipv4(L4Protocol.UDP_NUMBER, "10.0.0.2", "10.0.0.1", Wire.udp(53, 5000, 100)));
        h.feed(Wire.ipv4(L4Protocol.UDP_NUMBER, "10.0.0.1", "10.0.0.2", Wire.udp(5000, 53, 0)));
        assertEquals("udp      17 30 src=10.0.0.1 dst=10.0.0.2 sport=5000 dport=53 packets=2 bytes=76"
                + " src=10.0.0.2 dst=10.0.0.1 sport=53 dport=5000 packets=1 bytes=128 mark=0 use=1", h.line());
        // events carry the counters in DESTROY only
        assertTrue(h.events.stream().noneMatch(e -> e.contains("packets=") && !e.contains("[DESTROY]")), h.events.toString());
        h.advanceSeconds(31);
        h.tracker.sweep(h.now[0], 100);
        assertEquals("[DESTROY] udp      17 src=10.0.0.1 dst=10.0.0.2 sport=5000 dport=53 packets=2 bytes=76"
                + " src=10.0.0.2 dst=10.0.0.1 sport=53 dport=5000 packets=1 bytes=128",
                h.events.get(h.events.size() - 1).strip());
    }

    @Test
    void invalidTcpPacketsAreNotCounted() {
        h.client(PacketViewFlags.SYN, 1000, 0, 0);
        h.server(PacketViewFlags.SYN | PacketViewFlags.ACK, 5000, 1001, 0);
        h.client(PacketViewFlags.ACK, 1001, 5001, 0);
        // far outside the window: INVALID, not counted
        assertEquals(Verdict.INVALID, h.client(PacketViewFlags.ACK, 1001 + 0x40000000L, 5001, 10));
        String line = h.line();
        assertTrue(line.contains("dport=80 packets=2 bytes=80 src=") && line.contains("dport=40000 packets=1 bytes=40 "),
                line);
    }

    @Test
    void withoutAccountingNothingIsShown() {
        TrackerHarness plain = new TrackerHarness();
        plain.feed(Wire.ipv4(L4Protocol.UDP_NUMBER, "10.0.0.1", "10.0.0.2", Wire.udp(5000, 53, 20)));
        assertTrue(!plain.line().contains("packets="), plain.line());
    }

    /** TCP flag bits as on the wire. */
    private static final class PacketViewFlags {
        static final int SYN = io.conntrack4j.core.packet.PacketView.TCP_SYN;
        static final int ACK = io.conntrack4j.core.packet.PacketView.TCP_ACK;
    }
}

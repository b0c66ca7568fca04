package io.conntrack4j.core.tracker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.core.Connection;
import io.conntrack4j.core.EventType;
import io.conntrack4j.core.Filter;
import io.conntrack4j.core.IpAddress;
import io.conntrack4j.core.L4Protocol;
import io.conntrack4j.core.StatusBit;
import io.conntrack4j.core.TcpState;
import io.conntrack4j.core.Tuple;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The table: limits, early drop, zones, handles, expiry, events, filters, input from outside. */
class ConnectionTrackerTest {

    private static String ip(int n) {
        return "10." + (n >>> 16 & 255) + "." + (n >>> 8 & 255) + "." + (n & 255);
    }

    private static Verdict udp(TrackerHarness h, int n, int zone) {
        return h.tracker.process(Wire.view(Wire.ipv4(17, ip(n), "192.168.0.1", Wire.udp(1000, 53, 0))), zone, h.result);
    }

    private static Verdict udpReply(TrackerHarness h, int n) {
        return h.feed(Wire.ipv4(17, "192.168.0.1", ip(n), Wire.udp(53, 1000, 0)));
    }

    @Test
    void fullTableDropsUnassuredEntriesEarly() {
        TrackerHarness h = new TrackerHarness(TrackerConfig.builder().maxConnections(64));
        for (int i = 0; i < 64; i++) {
            assertEquals(Verdict.NEW, udp(h, i, 0));
        }
        assertEquals(Verdict.NEW, udp(h, 1000, 0));
        assertEquals(64, h.tracker.count());
        assertEquals(1, h.tracker.statistics().earlyDrop());
    }

    @Test
    void assuredEntriesAreNeverDroppedToAdmitNewOnes() {
        TrackerHarness h = new TrackerHarness(TrackerConfig.builder().maxConnections(64));
        for (int i = 0; i < 64; i++) {
            udp(h, i, 0);
            udpReply(h, i);
        }
        h.advanceSeconds(3);
        for (int i = 0; i < 64; i++) {
            udp(h, i, 0); // replied and older than 2 s: ASSURED
        }
        assertEquals(Verdict.INVALID, udp(h, 1000, 0));
        assertEquals(InvalidReason.TABLE_FULL, h.result.invalidReason());
        assertEquals(64, h.tracker.count());
        assertEquals(1, h.tracker.statistics().drop());
        assertEquals(0, h.tracker.statistics().earlyDrop());
        assertEquals(64, h.tracker.list(Filter.builder().status(StatusBit.ASSURED.mask(), StatusBit.ASSURED.mask())
                .build()).size());
    }

    @Test
    void zonesSeparateEqualTuplesAndHaveLimits() {
        TrackerHarness h = new TrackerHarness(TrackerConfig.builder().zoneLimit(7, 2));
        assertEquals(Verdict.NEW, udp(h, 1, 0));
        assertEquals(Verdict.NEW, udp(h, 1, 7));
        assertEquals(Verdict.NEW, udp(h, 2, 7));
        assertEquals(Verdict.INVALID, udp(h, 3, 7));
        assertEquals(InvalidReason.ZONE_LIMIT, h.result.invalidReason());
        assertEquals(Verdict.NEW, udp(h, 9, 0)); // other zones are not limited
        assertEquals(Verdict.NEW, udp(h, 9, 0)); // still no reply: still NEW
        assertEquals(2, h.tracker.list(Filter.builder().zone(7).build()).size());
        assertTrue(h.tracker.list(Filter.builder().zone(7).build()).get(0).zone() == 7);
    }

    @Test
    void handlesDetectRecycledIds() {
        TrackerHarness h = new TrackerHarness();
        udp(h, 1, 0);
        long first = h.result.handle();
        assertTrue(h.tracker.delete(first));
        assertNull(h.tracker.find(first));
        udp(h, 2, 0);
        long second = h.result.handle();
        assertEquals((int) first, (int) second); // same id, new generation
        assertNull(h.tracker.find(first));
        assertNotNull(h.tracker.find(second));
        assertFalse(h.tracker.delete(first));
    }

    @Test
    void lazyExpiryAndIncrementalSweep() {
        TrackerHarness h = new TrackerHarness();
        for (int i = 0; i < 100; i++) {
            udp(h, i, 0);
        }
        h.advanceSeconds(31);
        assertEquals(0, h.tracker.list(Filter.all()).size()); // expired entries are not listed
        assertEquals(100, h.tracker.count());                 // but still take room until swept
        int removed = 0;
        for (int slice = 0; slice < 10; slice++) {
            removed += h.tracker.sweep(h.now[0], 10);
        }
        assertEquals(100, removed);
        assertEquals(0, h.tracker.count());
        assertEquals(100, h.tracker.statistics().expired());
    }

    @Test
    void marksAndLabelsAreSettableWithMasks() {
        TrackerHarness h = new TrackerHarness();
        udp(h, 1, 0);
        long c = h.result.handle();
        h.events.clear();
        assertTrue(h.tracker.setMark(c, 0x12, 0xff));
        assertTrue(h.tracker.setMark(c, 0x300, 0xf00));
        assertEquals(0x312, h.tracker.find(c).mark());
        assertTrue(h.tracker.setLabels(c, 0, 0b101, 0, -1L));
        assertEquals(0b101, h.tracker.find(c).labelsLow());
        assertEquals(3, h.events.size());
        assertTrue(h.events.get(0).endsWith("mark=18"), h.events.get(0));
        assertEquals(1, h.tracker.list(Filter.builder().mark(0x312, -1).build()).size());
    }

    @Test
    void deleteByFilterAndFlush() {
        TrackerHarness h = new TrackerHarness();
        for (int i = 0; i < 10; i++) {
            udp(h, i, 0);
        }
        h.feed(Wire.ipv4(1, "10.0.0.1", "10.0.0.2", Wire.icmp(8, 0, 1, 1, new byte[0])));
        assertEquals(1, h.tracker.delete(Filter.builder().acceptProtocols(L4Protocol.ICMP).build()));
        assertEquals(10, h.tracker.flush());
        assertEquals(0, h.tracker.count());
        assertEquals(11, h.tracker.statistics().deleted());
    }

    @Test
    void connectionsFromOutsideSkipThePacketStateMachine() {
        TrackerHarness h = new TrackerHarness();
        Tuple orig = Tuple.ofPorts(IpAddress.parse("10.1.1.1"), IpAddress.parse("10.2.2.2"), L4Protocol.TCP, 1234, 22);
        Connection c = Connection.builder(orig, orig.inverse())
                .status(StatusBit.mask(StatusBit.SEEN_REPLY, StatusBit.ASSURED))
                .tcpState(TcpState.ESTABLISHED).timeout(3000).mark(5).build();
        long handle = h.tracker.apply(EventType.NEW, c);
        assertEquals("tcp      6 3000 ESTABLISHED src=10.1.1.1 dst=10.2.2.2 sport=1234 dport=22"
                + " src=10.2.2.2 dst=10.1.1.1 sport=22 dport=1234 [ASSURED] mark=5 use=1", h.line());
        assertTrue(h.tracker.find(handle).isExternal());
        // a mid-stream packet of that connection is ESTABLISHED, not NEW, and keeps the state
        assertEquals(Verdict.ESTABLISHED, h.feed(Wire.ipv4(6, "10.1.1.1", "10.2.2.2",
                Wire.tcp(1234, 22, 777, 888, Wire.ACK, 1000, -1, 10))));
        assertEquals(Verdict.ESTABLISHED, h.feed(Wire.ipv4(6, "10.2.2.2", "10.1.1.1",
                Wire.tcp(22, 1234, 888, 787, Wire.ACK, 1000, -1, 0))));
        h.tracker.apply(EventType.UPDATE, c.toBuilder().tcpState(TcpState.FIN_WAIT).timeout(100).build());
        assertEquals(TcpState.FIN_WAIT, h.tracker.find(handle).tcpState());
        h.tracker.apply(EventType.DESTROY, c);
        assertEquals(0, h.tracker.count());
        assertEquals(List.of("[NEW]", "[UPDATE]", "[DESTROY]"), h.events.stream()
                .map(e -> e.trim().substring(0, e.trim().indexOf(']') + 1)).toList());
    }

    @Test
    void natReplyTupleFromOutsideIsFoundFromBothSides() {
        TrackerHarness h = new TrackerHarness();
        Tuple orig = Tuple.ofPorts(IpAddress.parse("192.168.1.5"), IpAddress.parse("8.8.8.8"), L4Protocol.UDP, 5000, 53);
        Tuple reply = Tuple.ofPorts(IpAddress.parse("8.8.8.8"), IpAddress.parse("203.0.113.1"), L4Protocol.UDP, 53, 61000);
        h.tracker.apply(EventType.NEW, Connection.builder(orig, reply).status(StatusBit.SRC_NAT.mask()).timeout(30).build());
        assertEquals(Verdict.ESTABLISHED, h.feed(Wire.ipv4(17, "8.8.8.8", "203.0.113.1", Wire.udp(53, 61000, 0))));
        assertTrue(h.result.isReply());
        assertNotNull(h.tracker.find(reply, 0));
        assertNotNull(h.tracker.find(orig, 0));
    }

    @Test
    void forEachVisitsEachLiveConnectionOnceAndMayDelete() {
        TrackerHarness h = new TrackerHarness();
        for (int i = 0; i < 50; i++) {
            udp(h, i, 0);
        }
        List<Long> seen = new ArrayList<>();
        h.tracker.forEach(c -> {
            seen.add(c.handle());
            if (c.id() % 2 == 0) {
                h.tracker.delete(c.handle());
            }
        });
        assertEquals(50, seen.size());
        assertEquals(25, h.tracker.count());
    }

    @Test
    void statisticsPrintLikeConntrackS() {
        TrackerHarness h = new TrackerHarness();
        udp(h, 1, 0);
        udpReply(h, 1);
        assertEquals("cpu=0   \tfound=1 invalid=0 insert=1 insert_failed=0 drop=0 early_drop=0 error=0"
                + " search_restart=0 clash_resolve=0 chaintoolong=0 ", h.tracker.statistics().toConntrackLine(0));
    }

    @Test
    void batchGivesTheSameVerdictsAsOneByOne() {
        TrackerHarness single = new TrackerHarness();
        TrackerHarness batched = new TrackerHarness();
        List<byte[]> packets = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            String client = ip(i);
            packets.add(Wire.ipv4(6, client, "192.168.0.1", Wire.tcp(2000 + i, 80, 100, 0, Wire.SYN, 1000, 7, 0)));
            packets.add(Wire.ipv4(6, "192.168.0.1", client, Wire.tcp(80, 2000 + i, 900, 101, Wire.SYN | Wire.ACK, 1000, 7, 0)));
            packets.add(Wire.ipv4(6, client, "192.168.0.1", Wire.tcp(2000 + i, 80, 101, 901, Wire.ACK, 1000, -1, 0)));
            packets.add(Wire.ipv4(6, client, "192.168.0.1", Wire.tcp(2000 + i, 80, 101, 999_999, Wire.ACK, 1000, -1, 0)));
            packets.add(Wire.ipv6(17, "2001:db8::" + (i + 1), "2001:db8::ff", Wire.udp(1, 2, 0)));
        }
        List<String> one = new ArrayList<>();
        for (byte[] p : packets) {
            one.add(single.feed(p) + " " + single.result.invalidReason());
        }
        io.conntrack4j.core.packet.PacketView[] views = new io.conntrack4j.core.packet.PacketView[packets.size()];
        ProcessResult[] results = new ProcessResult[packets.size()];
        for (int i = 0; i < views.length; i++) {
            views[i] = Wire.view(packets.get(i));
            results[i] = new ProcessResult();
        }
        batched.tracker.process(views, views.length, 0, batched.now[0], results);
        List<String> many = new ArrayList<>();
        for (ProcessResult r : results) {
            many.add(r.verdict() + " " + r.invalidReason());
        }
        assertEquals(one, many);
        assertTrue(one.contains("INVALID TCP_ACK_OVER_UPPER_BOUND"), one.toString());
        assertEquals(single.tracker.list(Filter.all()).toString(), batched.tracker.list(Filter.all()).toString());
    }

    @Test
    void batchOverEstablishedFlowsGivesTheSameVerdictsAndTableAsOneByOne() {
        TrackerHarness single = new TrackerHarness();
        TrackerHarness batched = new TrackerHarness();
        int flows = 40;
        for (int i = 0; i < flows; i++) {
            for (TrackerHarness h : List.of(single, batched)) {
                h.feed(Wire.ipv4(6, ip(i), "192.168.0.1", Wire.tcp(2000 + i, 80, 100, 0, Wire.SYN, 1000, 7, 0)));
                h.feed(Wire.ipv4(6, "192.168.0.1", ip(i), Wire.tcp(80, 2000 + i, 900, 101, Wire.SYN | Wire.ACK, 1000, 7, 0)));
                h.feed(Wire.ipv4(6, ip(i), "192.168.0.1", Wire.tcp(2000 + i, 80, 101, 901, Wire.ACK, 1000, -1, 0)));
            }
        }
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        long[] sent = new long[flows + 10];
        List<byte[]> packets = new ArrayList<>();
        for (int k = 0; k < 300; k++) {
            int i = random.nextInt(flows + 10);  // the last ten are unknown flows: created mid-batch
            int kind = random.nextInt(20);
            int flags = kind == 0 ? Wire.RST | Wire.ACK : kind == 1 ? Wire.SYN : Wire.ACK | Wire.PSH;
            long seq = 101 + sent[i] + (kind == 2 ? 50_000_000 : 0);  // kind 2: far outside the window
            packets.add(Wire.ipv4(6, ip(i), "192.168.0.1", Wire.tcp(2000 + i, 80, seq, 901, flags, 1000, -1, 10)));
            sent[i] += 10;
        }
        List<String> one = new ArrayList<>();
        for (byte[] p : packets) {
            one.add(single.feed(p) + " " + single.result.invalidReason() + " " + single.result.isReply());
        }
        List<String> many = new ArrayList<>();
        for (int from = 0; from < packets.size(); from += 50) {
            int n = Math.min(50, packets.size() - from);
            io.conntrack4j.core.packet.PacketView[] views = new io.conntrack4j.core.packet.PacketView[n];
            ProcessResult[] results = new ProcessResult[n];
            for (int i = 0; i < n; i++) {
                views[i] = Wire.view(packets.get(from + i));
                results[i] = new ProcessResult();
            }
            batched.tracker.process(views, n, 0, batched.now[0], results);
            for (ProcessResult r : results) {
                many.add(r.verdict() + " " + r.invalidReason() + " " + r.isReply());
            }
        }
        assertEquals(one, many);
        assertTrue(one.contains("INVALID TCP_SEQ_OVER_UPPER_BOUND false"), one.toString());
        assertTrue(one.contains("NEW NONE false"), one.toString());
        assertEquals(single.tracker.list(Filter.all()).toString(), batched.tracker.list(Filter.all()).toString());
        assertEquals(single.tracker.statistics().toConntrackLine(0), batched.tracker.statistics().toConntrackLine(0));
        assertEquals(single.events, batched.events);
    }

    @Test
    void shardIsTheSameForBothDirections() {
        for (int i = 0; i < 200; i++) {
            var out = Wire.view(Wire.ipv4(6, ip(i), "172.16.0.1", Wire.tcp(1000 + i, 443, 1, 0, Wire.SYN, 100, -1, 0)));
            var back = Wire.view(Wire.ipv4(6, "172.16.0.1", ip(i), Wire.tcp(443, 1000 + i, 1, 2, Wire.ACK, 100, -1, 0)));
            assertEquals(ConnectionTracker.shardOf(out, 4, 99), ConnectionTracker.shardOf(back, 4, 99));
        }
    }
}

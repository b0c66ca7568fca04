package io.conntrack4j.core.reassembly;

import static io.conntrack4j.core.reassembly.Fragments.ipv6;
import static io.conntrack4j.core.reassembly.Fragments.ipv6Fragment;
import static io.conntrack4j.core.reassembly.Fragments.ipv6Split;
import static io.conntrack4j.core.reassembly.Fragments.result;
import static io.conntrack4j.core.reassembly.Fragments.udp;
import static io.conntrack4j.core.reassembly.ReassemblyVerdict.DROPPED;
import static io.conntrack4j.core.reassembly.ReassemblyVerdict.NOT_FRAGMENT;
import static io.conntrack4j.core.reassembly.ReassemblyVerdict.QUEUED;
import static io.conntrack4j.core.reassembly.ReassemblyVerdict.REASSEMBLED;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** IPv6 reassembly, one rule of Linux's net/ipv6/netfilter/nf_conntrack_reasm.c per test. */
class Ipv6ReassemblyTest {

    private static final long SECOND = 1_000_000_000L;

    private final Reassembler r = new Reassembler();

    private ReassemblyVerdict offer(byte[] packet, long now) {
        return r.offer(packet, 0, packet.length, now);
    }

    private ReassemblyStatistics stats() {
        return r.ipv6Statistics();
    }

    @Test
    void fragmentsGiveBackThePacketWithoutItsFragmentHeader() {
        byte[] d = ipv6(0, 17, udp(3000, 1));
        byte[][] f = ipv6Split(d, 0xabcdef01, 1232);
        assertEquals(3, f.length);
        assertEquals(QUEUED, offer(f[1], 0));
        assertEquals(QUEUED, offer(f[2], 0));
        assertEquals(REASSEMBLED, offer(f[0], 0));
        assertArrayEquals(d, result(r));
        assertEquals(1, stats().reasmOks());
        assertEquals(3, stats().reasmReqds());
        assertEquals(0, r.memoryInUse(6));
    }

    @Test
    void extensionHeadersBeforeTheFragmentHeaderStayAndTheLastOneNamesTheUpperLayer() {
        // Hop-by-hop (8 bytes) then destination options (16 bytes), then UDP.
        byte[] udp = udp(200, 2);
        byte[] rest = new byte[24 + udp.length];
        rest[0] = 60;
        rest[8] = 17;
        rest[9] = 1;
        System.arraycopy(udp, 0, rest, 24, udp.length);
        byte[] d = ipv6(0, 0, rest);
        int unfragmentable = 40 + 24;
        byte[] first = ipv6Fragment(d, unfragmentable, 48, 5, 0, 104, true);
        byte[] second = ipv6Fragment(d, unfragmentable, 48, 5, 104, udp.length - 104, false);
        assertEquals(44, first[48]);
        assertEquals(QUEUED, offer(second, 0));
        assertEquals(REASSEMBLED, offer(first, 0));
        assertArrayEquals(d, result(r));
    }

    @Test
    void anAtomicFragmentComesOutAtOnceWithoutItsFragmentHeader() {
        byte[] d = ipv6(0, 58, udp(64, 3));
        byte[] atomic = ipv6Fragment(d, 40, 6, 9, 0, 64, false);
        assertEquals(REASSEMBLED, offer(atomic, 0));
        assertArrayEquals(d, result(r));
        assertEquals(0, r.queueCount(6));
    }

    @Test
    void anAtomicFragmentMeetsAQueueWithTheSameId() {
        // nf_conntrack_reasm has no atomic-fragment special case: the atomic fragment joins the queue.
        byte[] d = ipv6(0, 17, udp(64, 4));
        assertEquals(QUEUED, offer(ipv6Fragment(d, 40, 6, 9, 32, 32, false), 0));
        assertEquals(DROPPED, offer(ipv6Fragment(d, 40, 6, 9, 0, 24, false), 0));
        assertEquals(DropReason.BAD_LAST_FRAGMENT, r.dropReason());
        assertEquals(1, r.queueCount(6)); // IPv6 keeps the queue
        assertEquals(REASSEMBLED, offer(ipv6Fragment(d, 40, 6, 9, 0, 32, true), 0));
        assertArrayEquals(d, result(r));
    }

    @Test
    void aNonLastFragmentNotAMultipleOfEightKillsTheQueue() {
        byte[] d = ipv6(0, 17, udp(64, 5));
        assertEquals(QUEUED, offer(ipv6Fragment(d, 40, 6, 1, 32, 32, false), 0));
        assertEquals(DROPPED, offer(ipv6Fragment(d, 40, 6, 1, 0, 20, true), 0));
        assertEquals(DropReason.NOT_MULTIPLE_OF_8, r.dropReason());
        assertEquals(0, r.queueCount(6));
        assertEquals(1, stats().reasmFails());
    }

    @Test
    void aFirstFragmentWithoutTheWholeUpperLayerHeaderIsDropped() {
        byte[] tcp = udp(64, 6);
        byte[] d = ipv6(0, 6, tcp);
        // 16 bytes of a 20-byte TCP header.
        assertEquals(DROPPED, offer(ipv6Fragment(d, 40, 6, 2, 0, 16, true), 0));
        assertEquals(DropReason.INCOMPLETE_FIRST_FRAGMENT, r.dropReason());
        assertEquals(0, stats().reasmReqds());
        assertEquals(QUEUED, offer(ipv6Fragment(d, 40, 6, 2, 0, 24, true), 0));
        // A later fragment needs no upper-layer header.
        assertEquals(REASSEMBLED, offer(ipv6Fragment(d, 40, 6, 2, 24, 40, false), 0));
        assertArrayEquals(d, result(r));
    }

    @Test
    void anOverlapDiscardsTheQueueButOtherBadFragmentsLeaveIt() {
        byte[] d = ipv6(0, 17, udp(64, 7));
        assertEquals(QUEUED, offer(ipv6Fragment(d, 40, 6, 3, 32, 16, false), 0)); // claims the end is 48
        assertEquals(DROPPED, offer(ipv6Fragment(d, 40, 6, 3, 40, 24, true), 0));
        assertEquals(DropReason.BEYOND_LAST_FRAGMENT, r.dropReason());
        assertEquals(DROPPED, offer(ipv6Fragment(d, 40, 6, 3, 32, 24, false), 0));
        assertEquals(DropReason.BAD_LAST_FRAGMENT, r.dropReason());
        assertEquals(DROPPED, offer(ipv6Fragment(d, 40, 6, 3, 40, 0, true), 0));
        assertEquals(DropReason.EMPTY_FRAGMENT, r.dropReason());
        assertEquals(1, r.queueCount(6));
        assertEquals(0, stats().reasmFails());
        assertEquals(DROPPED, offer(ipv6Fragment(d, 40, 6, 3, 24, 16, true), 0));
        assertEquals(DropReason.OVERLAP, r.dropReason());
        assertEquals(0, r.queueCount(6));
        assertEquals(1, stats().reasmOverlaps());
    }

    @Test
    void aFragmentEndingPast65535IsDroppedAndItsQueueKept() {
        byte[] d = ipv6(0, 17, udp(64, 8));
        byte[] far = ipv6Fragment(d, 40, 6, 4, 0, 64, true);
        Fragments.put16(far, 42, 65528 | 1); // offset 65528, 64 bytes: ends at 65592
        assertEquals(DROPPED, offer(far, 0));
        assertEquals(DropReason.TOO_LARGE, r.dropReason());
        assertEquals(1, r.queueCount(6)); // created by the lookup, left empty until it times out
        assertEquals(1, r.expire(60 * SECOND));
    }

    @Test
    void queuesTimeOutAfterSixtySeconds() {
        byte[] d = ipv6(0, 17, udp(64, 9));
        byte[][] f = ipv6Split(d, 10, 32);
        assertEquals(QUEUED, offer(f[0], 0));
        assertEquals(QUEUED, offer(f[1], 60 * SECOND));
        assertEquals(1, stats().reasmTimeout());
        assertEquals(REASSEMBLED, offer(f[0], 119 * SECOND));
    }

    @Test
    void theArrivalInterfaceAndZoneSeparateQueues() {
        byte[] d = ipv6(0, 17, udp(64, 10));
        byte[][] f = ipv6Split(d, 11, 32);
        assertEquals(QUEUED, r.offer(f[0], 0, f[0].length, 0, 0, 2));
        assertEquals(QUEUED, r.offer(f[1], 0, f[1].length, 0, 0, 3));
        assertEquals(QUEUED, r.offer(f[1], 0, f[1].length, 0, 7, 2));
        assertEquals(REASSEMBLED, r.offer(f[1], 0, f[1].length, 0, 0, 2));
        assertArrayEquals(d, result(r));
    }

    @Test
    void ecnIsCombinedInTheTrafficClass() {
        byte[] d = ipv6(0xb9, 17, udp(64, 11)); // DSCP 0x2e, ECT(1)
        byte[][] f = ipv6Split(d, 12, 32);
        f[1][1] = (byte) ((f[1][1] & 0x0f) | 0x30); // CE in the second fragment
        offer(f[0], 0);
        assertEquals(REASSEMBLED, offer(f[1], 0));
        byte[] expected = d.clone();
        expected[1] |= 0x30;
        assertArrayEquals(expected, result(r));

        byte[] e = ipv6(0x00, 17, udp(64, 12));
        byte[][] g = ipv6Split(e, 13, 32);
        g[1][1] = (byte) 0x20; // ECT(0) after Not-ECT
        offer(g[0], 0);
        assertEquals(DROPPED, offer(g[1], 0));
        assertEquals(DropReason.BAD_ECN, r.dropReason());
    }

    @Test
    void theFirstFragmentsHopLimitAndFlowLabelAreKept() {
        byte[] d = ipv6(0, 17, udp(64, 15));
        d[3] = 0x42; // flow label
        byte[][] f = ipv6Split(d, 15, 32);
        f[1][7] = 3; // a later fragment's hop limit does not matter
        f[1][3] = 0x11;
        offer(f[1], 0);
        assertEquals(REASSEMBLED, offer(f[0], 0));
        assertArrayEquals(d, result(r));
    }

    @Test
    void packetsWithoutAFragmentHeaderPass() {
        assertEquals(NOT_FRAGMENT, offer(ipv6(0, 17, udp(64, 13)), 0));
        byte[] jumbo = ipv6(0, 44, new byte[16]);
        Fragments.put16(jumbo, 4, 0);
        assertEquals(NOT_FRAGMENT, offer(jumbo, 0));
        byte[] none = ipv6(0, 59, new byte[0]);
        assertEquals(NOT_FRAGMENT, offer(none, 0));
        assertEquals(0, stats().reasmReqds());
    }

    @Test
    void truncatedPacketsAreDropped() {
        byte[] d = ipv6(0, 17, udp(64, 14));
        byte[] f = ipv6Split(d, 14, 32)[0];
        assertEquals(DROPPED, r.offer(f, 0, f.length - 1, 0));
        assertEquals(DropReason.TRUNCATED, r.dropReason());
        byte[] shortFragmentHeader = Arrays.copyOf(f, 44);
        Fragments.put16(shortFragmentHeader, 4, 4);
        Fragments.put16(shortFragmentHeader, 42, 8 | 1); // not a first fragment, so not "incomplete"
        assertEquals(DROPPED, offer(shortFragmentHeader, 0));
        assertEquals(DropReason.TRUNCATED, r.dropReason());
        // The same cut first fragment lacks its upper-layer header, which is checked first.
        Fragments.put16(shortFragmentHeader, 42, 1);
        assertEquals(DROPPED, offer(shortFragmentHeader, 0));
        assertEquals(DropReason.INCOMPLETE_FIRST_FRAGMENT, r.dropReason());
    }
}

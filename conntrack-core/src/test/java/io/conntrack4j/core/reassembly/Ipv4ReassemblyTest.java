package io.conntrack4j.core.reassembly;

import static io.conntrack4j.core.reassembly.Fragments.ipv4;
import static io.conntrack4j.core.reassembly.Fragments.ipv4Fragment;
import static io.conntrack4j.core.reassembly.Fragments.ipv4Split;
import static io.conntrack4j.core.reassembly.Fragments.result;
import static io.conntrack4j.core.reassembly.Fragments.udp;
import static io.conntrack4j.core.reassembly.ReassemblyVerdict.DROPPED;
import static io.conntrack4j.core.reassembly.ReassemblyVerdict.NOT_FRAGMENT;
import static io.conntrack4j.core.reassembly.ReassemblyVerdict.QUEUED;
import static io.conntrack4j.core.reassembly.ReassemblyVerdict.REASSEMBLED;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** IPv4 reassembly, one Linux rule (net/ipv4/ip_fragment.c, inet_fragment.c) per test. */
class Ipv4ReassemblyTest {

    private static final long SECOND = 1_000_000_000L;

    private final Reassembler r = new Reassembler();

    private ReassemblyVerdict offer(byte[] packet, long now) {
        return r.offer(packet, 0, packet.length, now);
    }

    private ReassemblyStatistics stats() {
        return r.ipv4Statistics();
    }

    @Test
    void anUnfragmentedPacketPassesUntouched() {
        byte[] d = ipv4(17, 1, 0, true, udp(100, 1));
        assertEquals(NOT_FRAGMENT, offer(d, 0));
        assertEquals(0, stats().reasmReqds());
        assertEquals(0, r.datagramLength());
    }

    @Test
    void twoFragmentsInOrderGiveBackTheOriginalDatagram() {
        byte[] d = ipv4(17, 0x1234, 0, false, udp(3000, 2));
        byte[][] f = ipv4Split(d, 1480);
        assertEquals(3, f.length);
        assertEquals(QUEUED, offer(f[0], 0));
        assertEquals(QUEUED, offer(f[1], 1));
        assertEquals(REASSEMBLED, offer(f[2], 2));
        assertArrayEquals(d, result(r));
        assertEquals(3, stats().reasmReqds());
        assertEquals(1, stats().reasmOks());
        assertEquals(0, stats().reasmFails());
        assertEquals(0, r.queueCount(4));
        assertEquals(0, r.memoryInUse(4));
    }

    @Test
    void anyArrivalOrderWorks() {
        byte[] d = ipv4(17, 7, 0, false, udp(5000, 3));
        byte[][] f = ipv4Split(d, 1000);
        int[][] orders = {{4, 3, 2, 1, 0}, {2, 0, 4, 1, 3}, {0, 4, 1, 3, 2}, {3, 1, 0, 2, 4}};
        for (int[] order : orders) {
            for (int i = 0; i < order.length; i++) {
                assertEquals(i < order.length - 1 ? QUEUED : REASSEMBLED, offer(f[order[i]], i), Arrays.toString(order));
            }
            assertArrayEquals(d, result(r));
        }
        assertEquals(orders.length, stats().reasmOks());
    }

    @Test
    void aByteBufferIsReadBetweenPositionAndLimit() {
        byte[] d = ipv4(17, 8, 0, false, udp(2000, 4));
        byte[][] f = ipv4Split(d, 1480);
        ByteBuffer direct = ByteBuffer.allocateDirect(3000);
        direct.position(7).put(f[0]).flip().position(7);
        assertEquals(QUEUED, r.offer(direct, 0));
        assertEquals(7, direct.position());
        ByteBuffer heap = ByteBuffer.allocate(3000);
        heap.position(3).put(f[1]).flip().position(3);
        assertEquals(REASSEMBLED, r.offer(heap, 0));
        assertArrayEquals(d, result(r));
        assertEquals(d.length, r.datagramBuffer().remaining());
    }

    @Test
    void ethernetPaddingAfterTheTotalLengthIsIgnored() {
        byte[] d = ipv4(17, 9, 0, false, udp(40, 5));
        byte[][] f = ipv4Split(d, 24);
        byte[] padded = Arrays.copyOf(f[1], f[1].length + 10);
        assertEquals(QUEUED, offer(f[0], 0));
        assertEquals(REASSEMBLED, offer(padded, 0));
        assertArrayEquals(d, result(r));
    }

    @Test
    void theQueueKeyIsAddressesIdProtocolZoneAndVrf() {
        byte[] udpDatagram = ipv4(17, 77, 0, false, udp(64, 6));
        byte[] other = ipv4(6, 77, 0, false, udp(64, 7));
        byte[][] a = ipv4Split(udpDatagram, 32);
        byte[][] b = ipv4Split(other, 32);
        assertEquals(QUEUED, offer(a[0], 0));
        assertEquals(QUEUED, offer(b[1], 0)); // same id, other protocol: another queue
        assertEquals(QUEUED, r.offer(a[1], 0, a[1].length, 0, 1, 0)); // zone 1: another queue
        assertEquals(QUEUED, r.offer(a[1], 0, a[1].length, 0, 0, 5)); // VRF 5: another queue
        assertEquals(4, r.queueCount(4));
        assertEquals(REASSEMBLED, offer(a[1], 0));
        assertArrayEquals(udpDatagram, result(r));
        assertEquals(REASSEMBLED, offer(b[0], 0));
        assertArrayEquals(other, result(r));
    }

    @Test
    void anOverlapDiscardsTheWholeDatagram() {
        byte[] d = ipv4(17, 10, 0, false, udp(64, 8));
        assertEquals(QUEUED, offer(ipv4Fragment(d, 0, 32, true), 0));
        assertEquals(DROPPED, offer(ipv4Fragment(d, 24, 40, false), 0));
        assertEquals(DropReason.OVERLAP, r.dropReason());
        assertEquals(1, stats().reasmOverlaps());
        assertEquals(1, stats().reasmFails());
        assertEquals(0, r.queueCount(4));
        // The rest of the datagram now starts a new queue and never completes on its own.
        assertEquals(QUEUED, offer(ipv4Fragment(d, 32, 32, false), 0));
    }

    @Test
    void anOverlapBeforeTheLastRunIsFoundToo() {
        byte[] d = ipv4(17, 11, 0, false, udp(96, 9));
        assertEquals(QUEUED, offer(ipv4Fragment(d, 64, 32, false), 0));
        assertEquals(QUEUED, offer(ipv4Fragment(d, 16, 16, true), 0));
        assertEquals(DROPPED, offer(ipv4Fragment(d, 8, 16, true), 0));
        assertEquals(DropReason.OVERLAP, r.dropReason());
    }

    @Test
    void duplicatesAreDroppedButTheQueueLives() {
        byte[] d = ipv4(17, 12, 0, false, udp(64, 10));
        byte[][] f = ipv4Split(d, 16);
        assertEquals(QUEUED, offer(f[0], 0));
        assertEquals(QUEUED, offer(f[1], 0)); // joins the first run: [0, 32)
        assertEquals(DROPPED, offer(f[0], 0));
        assertEquals(DropReason.DUPLICATE, r.dropReason());
        // Inside a run but spanning two of its fragments: still a duplicate.
        assertEquals(DROPPED, offer(ipv4Fragment(d, 8, 16, true), 0));
        assertEquals(DropReason.DUPLICATE, r.dropReason());
        assertEquals(0, stats().reasmFails());
        assertEquals(QUEUED, offer(f[3], 0));
        assertEquals(REASSEMBLED, offer(f[2], 0));
        assertArrayEquals(d, result(r));
        assertEquals(2, stats().drops(DropReason.DUPLICATE));
    }

    @Test
    void contiguousRangesInSeparateRunsAreAnOverlapNotADuplicate() {
        // [8,16) then [0,8) arrive out of order: two runs, so [4,12) overlaps both (inet_frag_queue_insert).
        byte[] d = ipv4(17, 13, 0, false, udp(32, 11));
        assertEquals(QUEUED, offer(ipv4Fragment(d, 8, 8, true), 0));
        assertEquals(QUEUED, offer(ipv4Fragment(d, 0, 8, true), 0));
        assertEquals(DROPPED, offer(ipv4Fragment(d, 0, 16, true), 0));
        assertEquals(DropReason.OVERLAP, r.dropReason());
    }

    @Test
    void aQueueTimesOutThirtySecondsAfterItsFirstFragment() {
        byte[] d = ipv4(17, 14, 0, false, udp(64, 12));
        byte[][] f = ipv4Split(d, 32);
        assertEquals(QUEUED, offer(f[0], 0));
        assertEquals(REASSEMBLED, offer(f[1], 30 * SECOND - 1));
        assertEquals(QUEUED, offer(f[0], 100 * SECOND));
        assertEquals(QUEUED, offer(f[1], 130 * SECOND)); // the first one expired at exactly 30 s
        assertEquals(1, stats().reasmTimeout());
        assertEquals(1, stats().reasmFails());
        assertEquals(1, r.expire(160 * SECOND));
        assertEquals(2, stats().reasmTimeout());
        assertEquals(0, r.memoryInUse(4));
    }

    @Test
    void aSecondLastFragmentWithAnotherEndDiscardsTheQueue() {
        byte[] d = ipv4(17, 15, 0, false, udp(64, 13));
        assertEquals(QUEUED, offer(ipv4Fragment(d, 32, 32, false), 0));
        assertEquals(DROPPED, offer(ipv4Fragment(d, 32, 24, false), 0));
        assertEquals(DropReason.BAD_LAST_FRAGMENT, r.dropReason());
        assertEquals(0, r.queueCount(4));
        assertEquals(1, stats().reasmFails());
    }

    @Test
    void aLastFragmentEndingBeforeReceivedDataDiscardsTheQueue() {
        byte[] d = ipv4(17, 16, 0, false, udp(64, 14));
        assertEquals(QUEUED, offer(ipv4Fragment(d, 32, 32, true), 0));
        assertEquals(DROPPED, offer(ipv4Fragment(d, 8, 16, false), 0));
        assertEquals(DropReason.BAD_LAST_FRAGMENT, r.dropReason());
        assertEquals(0, r.queueCount(4));
    }

    @Test
    void dataBeyondTheLastFragmentDiscardsTheQueue() {
        byte[] d = ipv4(17, 17, 0, false, udp(64, 15));
        assertEquals(QUEUED, offer(ipv4Fragment(d, 32, 16, false), 0));
        assertEquals(DROPPED, offer(ipv4Fragment(d, 40, 24, true), 0));
        assertEquals(DropReason.BEYOND_LAST_FRAGMENT, r.dropReason());
        assertEquals(0, r.queueCount(4));
    }

    @Test
    void aNonLastFragmentOfOddLengthIsTrimmedToEightBytes() {
        byte[] d = ipv4(17, 18, 0, false, udp(24, 16));
        assertEquals(QUEUED, offer(ipv4Fragment(d, 0, 13, true), 0)); // keeps [0, 8)
        assertEquals(REASSEMBLED, offer(ipv4Fragment(d, 8, 16, false), 0));
        assertArrayEquals(d, result(r));
    }

    @Test
    void aFragmentWithoutDataDiscardsTheQueue() {
        byte[] d = ipv4(17, 19, 0, false, udp(24, 17));
        assertEquals(QUEUED, offer(ipv4Fragment(d, 8, 16, false), 0));
        assertEquals(DROPPED, offer(ipv4Fragment(d, 0, 7, true), 0)); // trimmed to nothing
        assertEquals(DropReason.EMPTY_FRAGMENT, r.dropReason());
        assertEquals(0, r.queueCount(4));
    }

    @Test
    void aDatagramLongerThan65535BytesFailsWhenComplete() {
        byte[] d = ipv4(17, 20, 0, false, new byte[65600]); // header's total length wraps; fragments are exact
        byte[][] f = ipv4Split(d, 8184);
        for (int i = 0; i < f.length - 1; i++) {
            assertEquals(QUEUED, offer(f[i], 0));
        }
        assertEquals(DROPPED, offer(f[f.length - 1], 0));
        assertEquals(DropReason.TOO_LARGE, r.dropReason());
        assertEquals(1, stats().reasmFails());
        assertEquals(0, r.queueCount(4));
        assertEquals(0, r.memoryInUse(4));
    }

    @Test
    void theLargestDatagramReassembles() {
        byte[] d = ipv4(17, 21, 0, false, udp(65535 - 20, 18));
        byte[][] f = ipv4Split(d, 1480);
        for (int i = 0; i < f.length - 1; i++) {
            assertEquals(QUEUED, offer(f[f.length - 1 - i], 0));
        }
        assertEquals(REASSEMBLED, offer(f[0], 0));
        assertArrayEquals(d, result(r));
    }

    @Test
    void ecnCodepointsCombineAsRfc3168Says() {
        // ECT(0) and CE: the datagram is CE.
        byte[] d = ipv4(17, 22, 0x02, false, udp(32, 19));
        byte[] first = ipv4Fragment(d, 0, 16, true);
        byte[] second = ipv4Fragment(d, 16, 16, false);
        second[1] = 0x03;
        Fragments.checksum(second, 20);
        offer(first, 0);
        assertEquals(REASSEMBLED, offer(second, 0));
        assertEquals(0x03, r.datagram()[1]);
        assertHeaderChecksumValid(result(r));

        // Not-ECT with ECT(0): dropped.
        byte[] e = ipv4(17, 23, 0x00, false, udp(32, 20));
        byte[] ect = ipv4Fragment(e, 16, 16, false);
        ect[1] = 0x02;
        Fragments.checksum(ect, 20);
        offer(ipv4Fragment(e, 0, 16, true), 0);
        assertEquals(DROPPED, offer(ect, 0));
        assertEquals(DropReason.BAD_ECN, r.dropReason());
        assertEquals(0, r.queueCount(4));
    }

    @Test
    void dontFragmentIsSetOnlyWhenTheLargestFragmentHadIt() {
        byte[] d = ipv4(17, 24, 0, true, udp(64, 21));
        offer(ipv4Fragment(d, 0, 48, true), 0);
        assertEquals(REASSEMBLED, offer(ipv4Fragment(d, 48, 16, false), 0));
        assertEquals(0x40, r.datagram()[6] & 0xff);

        byte[] e = ipv4(17, 25, 0, false, udp(64, 22));
        byte[] small = ipv4Fragment(e, 48, 16, false);
        small[6] |= 0x40;
        Fragments.checksum(small, 20);
        offer(ipv4Fragment(e, 0, 48, true), 0);
        assertEquals(REASSEMBLED, offer(small, 0));
        assertEquals(0, r.datagram()[6]);
        assertArrayEquals(e, result(r));
    }

    @Test
    void theFirstFragmentsHeaderAndOptionsAreKept() {
        byte[] payload = udp(40, 23);
        byte[] d = new byte[24 + payload.length];
        d[0] = 0x46;
        d[8] = 17;
        d[9] = 17;
        d[20] = 1; // NOP options
        d[21] = 1;
        d[22] = 1;
        d[23] = 0;
        Fragments.put16(d, 2, d.length);
        Fragments.put16(d, 4, 26);
        System.arraycopy(payload, 0, d, 24, payload.length);
        Fragments.checksum(d, 24);
        byte[] later = ipv4Fragment(d, 16, 24, false);
        later[8] = 3; // another TTL in a later fragment does not matter
        Fragments.checksum(later, 24);
        offer(later, 0);
        assertEquals(REASSEMBLED, offer(ipv4Fragment(d, 0, 16, true), 0));
        assertArrayEquals(d, result(r));
    }

    @Test
    void tooManyFragmentsFromTheSameSourceRestartAQueue() {
        // ipfrag_max_dist 64: 65 fragments of other datagrams from 10.0.0.1 between two of this one.
        byte[] d = ipv4(17, 100, 0, false, udp(64, 24));
        byte[][] f = ipv4Split(d, 32);
        assertEquals(QUEUED, offer(f[0], 0));
        for (int i = 0; i < 64; i++) {
            offer(ipv4Fragment(ipv4(17, 200 + i, 0, false, udp(64, i)), 0, 32, true), 0);
        }
        // 64 others in between: distance 65 > 64.
        assertEquals(QUEUED, offer(f[1], 0));
        assertEquals(1, stats().queueRestarts());
        assertEquals(1, stats().reasmFails());
        assertEquals(REASSEMBLED, offer(f[0], 0));
        assertArrayEquals(d, result(r));

        // 63 in between is within the distance.
        byte[] e = ipv4(17, 101, 0, false, udp(64, 25));
        byte[][] g = ipv4Split(e, 32);
        assertEquals(QUEUED, offer(g[0], 0));
        for (int i = 0; i < 63; i++) {
            offer(ipv4Fragment(ipv4(17, 300 + i, 0, false, udp(64, i)), 0, 32, true), 0);
        }
        assertEquals(REASSEMBLED, offer(g[1], 0));
        assertEquals(1, stats().queueRestarts());
    }

    @Test
    void aFullBudgetRefusesEveryFragmentUntilQueuesLeave() {
        Reassembler small = new Reassembler(ReassemblyLimits.IPV4.withHighThreshold(64 * 1024), ReassemblyLimits.IPV6);
        int queued = 0;
        int refused = 0;
        for (int id = 0; id < 1000; id++) {
            byte[] first = ipv4Fragment(ipv4(17, id, 0, false, udp(2000, id)), 0, 1480, true);
            ReassemblyVerdict v = small.offer(first, 0, first.length, 0);
            if (v == QUEUED) {
                queued++;
            } else {
                assertEquals(DropReason.MEMORY_LIMIT, small.dropReason());
                refused++;
            }
            assertTrue(small.memoryInUse(4) <= 64 * 1024 + 4096, () -> "memory " + small.memoryInUse(4));
        }
        assertTrue(queued > 10 && refused > 900, queued + " queued, " + refused + " refused");
        // Even a fragment that would complete a queue is refused while memory is above the threshold.
        byte[] d = ipv4(17, 0, 0, false, udp(2000, 0));
        byte[] rest = ipv4Fragment(d, 1480, 2000 - 1480, false);
        assertEquals(DROPPED, small.offer(rest, 0, rest.length, 0));
        assertEquals(refused + 1, small.ipv4Statistics().reasmFails());
        assertEquals(queued, small.expire(30 * SECOND));
        assertEquals(0, small.memoryInUse(4));
        assertEquals(QUEUED, small.offer(rest, 0, rest.length, 30 * SECOND));
    }

    @Test
    void badHeadersAreDroppedWithAReason() {
        assertEquals(DROPPED, r.offer(new byte[0], 0, 0, 0));
        assertEquals(DropReason.TRUNCATED, r.dropReason());
        byte[] d = ipv4(17, 1, 0, false, udp(40, 26));
        byte[] f = ipv4Fragment(d, 0, 16, true);
        assertEquals(DROPPED, r.offer(f, 0, 30, 0));
        assertEquals(DropReason.TRUNCATED, r.dropReason());
        byte[] badIhl = f.clone();
        badIhl[0] = 0x44;
        assertEquals(DROPPED, offer(badIhl, 0));
        assertEquals(DropReason.BAD_HEADER, r.dropReason());
        byte[] v5 = f.clone();
        v5[0] = 0x55;
        assertEquals(DROPPED, offer(v5, 0));
        assertEquals(DropReason.BAD_HEADER, r.dropReason());
        assertEquals(QUEUED, offer(f, 0));
        assertNull(r.dropReason());
    }

    static void assertHeaderChecksumValid(byte[] d) {
        int ihl = (d[0] & 15) * 4;
        int sum = 0;
        for (int i = 0; i < ihl; i += 2) {
            sum += (d[i] & 0xff) << 8 | d[i + 1] & 0xff;
        }
        while (sum >>> 16 != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        assertEquals(0xffff, sum);
    }

    @Test
    void limitsAreChecked() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new ReassemblyLimits(-1, Duration.ofSeconds(1), 0));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new ReassemblyLimits(1, Duration.ZERO, 0));
    }
}

package io.conntrack4j.core.reassembly;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Random, mutated and flooding fragments: nothing throws, every drop is counted, memory stays under
 * the high threshold plus one fragment's worth, everything times out to zero, and valid fragments in
 * any order (with duplicates) always give back the exact datagram.
 */
class ReassemblerFuzzTest {

    private static final long SECOND = 1_000_000_000L;
    private static final long HIGH = 64 * 1024;
    /** One queue and one fragment of the largest span, in FragmentQueues' accounting. */
    private static final long OVERSHOOT = FragmentQueues.QUEUE_COST + FragmentQueues.FRAGMENT_COST
            + (FragmentQueues.MAX_PAYLOAD / FragmentQueues.PAGE_SIZE + 4L) * FragmentQueues.PAGE_SIZE;

    @Test
    void mutatedRandomAndFloodingFragmentsAreAllCountedWithinBoundedMemory() {
        SplittableRandom random = new SplittableRandom(20261125L);
        Reassembler r = new Reassembler(ReassemblyLimits.IPV4.withHighThreshold(HIGH),
                ReassemblyLimits.IPV6.withHighThreshold(HIGH));
        List<byte[]> seeds = seeds(random);
        long dropped = 0;
        long now = 0;
        for (int i = 0; i < 200_000; i++) {
            now += random.nextInt(2_000_000);
            byte[] packet = packet(random, seeds);
            int length = random.nextInt(10) == 0 ? random.nextInt(packet.length + 1) : packet.length;
            ReassemblyVerdict v = r.offer(packet, 0, length, now);
            if (v == ReassemblyVerdict.DROPPED) {
                dropped++;
            } else if (v == ReassemblyVerdict.REASSEMBLED) {
                checkHeader(r);
            }
            assertTrue(r.memoryInUse(4) <= HIGH + OVERSHOOT, () -> "IPv4 memory " + r.memoryInUse(4));
            assertTrue(r.memoryInUse(6) <= HIGH + OVERSHOOT, () -> "IPv6 memory " + r.memoryInUse(6));
        }
        assertEquals(dropped, r.ipv4Statistics().totalDrops() + r.ipv6Statistics().totalDrops());
        assertTrue(r.ipv4Statistics().reasmOks() > 0 && r.ipv6Statistics().reasmOks() > 0);
        assertTrue(r.ipv4Statistics().drops(DropReason.MEMORY_LIMIT) > 0, r.ipv4Statistics()::toString);
        assertTrue(r.ipv4Statistics().reasmOverlaps() > 0 && r.ipv6Statistics().reasmOverlaps() > 0);
        r.expire(now + 61 * SECOND);
        assertEquals(0, r.memoryInUse(4));
        assertEquals(0, r.memoryInUse(6));
        assertEquals(0, r.queueCount(4) + r.queueCount(6));
    }

    private static List<byte[]> seeds(SplittableRandom random) {
        List<byte[]> seeds = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            byte[] d4 = Fragments.ipv4(17, i, random.nextInt(4), random.nextBoolean(),
                    Fragments.udp(8 + random.nextInt(4000), i));
            seeds.addAll(Arrays.asList(Fragments.ipv4Split(d4, 8 * (1 + random.nextInt(200)))));
            byte[] d6 = Fragments.ipv6(random.nextInt(256), 17, Fragments.udp(8 + random.nextInt(4000), i));
            seeds.addAll(Arrays.asList(Fragments.ipv6Split(d6, i, 8 * (1 + random.nextInt(200)))));
        }
        return seeds;
    }

    private static byte[] packet(SplittableRandom random, List<byte[]> seeds) {
        byte[] p = seeds.get(random.nextInt(seeds.size())).clone();
        switch (random.nextInt(6)) {
            case 0 -> { // flood: a fresh identification
                if ((p[0] & 0xf0) == 0x40) {
                    Fragments.put16(p, 4, random.nextInt(65536));
                    p[12] = (byte) random.nextInt(4);
                } else if (p.length >= 48) {
                    Fragments.put16(p, 44, random.nextInt(65536));
                }
            }
            case 1 -> { // flip bytes in the headers
                for (int k = random.nextInt(1, 4); k > 0; k--) {
                    p[random.nextInt(Math.min(p.length, 64))] ^= (byte) (1 << random.nextInt(8));
                }
            }
            case 2 -> { // random fragment offset, overlaps galore
                if ((p[0] & 0xf0) == 0x40) {
                    Fragments.put16(p, 6, random.nextInt(65536) & 0x3fff);
                } else if (p.length >= 48) {
                    Fragments.put16(p, 42, random.nextInt(65536) & 0xfff9);
                }
            }
            case 3 -> {
                p = new byte[random.nextInt(100)];
                random.nextBytes(p);
                if (p.length > 0) {
                    p[0] = (byte) (random.nextBoolean() ? 0x45 : 0x60);
                }
            }
            default -> { }
        }
        return p;
    }

    private static void checkHeader(Reassembler r) {
        byte[] d = r.datagram();
        int n = r.datagramLength();
        assertTrue(n > 0 && n <= Reassembler.MAX_DATAGRAM_LENGTH);
        if ((d[0] & 0xf0) == 0x40) {
            assertEquals(n, (d[2] & 0xff) << 8 | d[3] & 0xff);
            Ipv4ReassemblyTest.assertHeaderChecksumValid(Arrays.copyOf(d, n));
        } else {
            assertEquals(n - 40, ((d[4] & 0xff) << 8 | d[5] & 0xff) + 0);
        }
    }

    @Test
    void validFragmentsInAnyOrderWithDuplicatesGiveBackTheDatagram() {
        SplittableRandom random = new SplittableRandom(7);
        Random shuffler = new Random(7);
        Reassembler r = new Reassembler();
        for (int i = 0; i < 2_000; i++) {
            boolean v4 = random.nextBoolean();
            int size = 8 * (1 + random.nextInt(300));
            byte[] d = v4 ? Fragments.ipv4(17, i, 0, false, Fragments.udp(9 + random.nextInt(9000), i))
                    : Fragments.ipv6(0, 17, Fragments.udp(9 + random.nextInt(9000), i));
            List<byte[]> fragments = new ArrayList<>(Arrays.asList(v4 ? Fragments.ipv4Split(d, size)
                    : Fragments.ipv6Split(d, i, size)));
            if (fragments.size() == 1) {
                continue; // not fragmented
            }
            for (int k = random.nextInt(3); k > 0; k--) {
                fragments.add(fragments.get(random.nextInt(fragments.size())));
            }
            Collections.shuffle(fragments, shuffler);
            int completed = 0;
            for (byte[] f : fragments) {
                ReassemblyVerdict v = r.offer(f, 0, f.length, i);
                if (v == ReassemblyVerdict.REASSEMBLED) {
                    completed++;
                    assertArrayEquals(d, Fragments.result(r), "datagram " + i);
                } else {
                    assertTrue(v == ReassemblyVerdict.QUEUED || r.dropReason() == DropReason.DUPLICATE, "datagram " + i);
                }
            }
            // Duplicates arriving after completion start a new queue, which may complete again (as in Linux).
            assertTrue(completed >= 1, "datagram " + i + " never completed");
            r.expire(i + 61 * SECOND);
        }
        assertEquals(0, r.ipv4Statistics().reasmOverlaps() + r.ipv6Statistics().reasmOverlaps());
    }
}

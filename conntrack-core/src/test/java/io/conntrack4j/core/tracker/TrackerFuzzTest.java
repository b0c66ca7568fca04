package io.conntrack4j.core.tracker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.core.Filter;
import io.conntrack4j.core.packet.LinkType;
import io.conntrack4j.core.packet.PacketView;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Random and mutated packets (truncated headers, flipped bits, ICMP errors quoting garbage) and
 * hash-flooding tuples, with fixed seeds: nothing throws, the table stays within its bounds, and
 * every packet gets exactly one verdict that the counters account for.
 */
class TrackerFuzzTest {

    private static final long[] SEEDS = {1, 2, 3};

    private static byte[][] templates() {
        byte[] quoted = Arrays.copyOf(Wire.ipv4(6, "10.0.0.1", "10.0.0.2",
                Wire.tcp(40000, 80, 1000, 0, Wire.SYN, 100, 7, 0)), 28);
        return new byte[][] {
            Wire.ipv4(6, "10.0.0.1", "10.0.0.2", Wire.tcp(40000, 80, 1000, 0, Wire.SYN, 65535, 7, 0)),
            Wire.ipv4(6, "10.0.0.2", "10.0.0.1", Wire.tcp(80, 40000, 5000, 1001, Wire.SYN | Wire.ACK, 65535, 7, 0)),
            Wire.ipv4(6, "10.0.0.1", "10.0.0.2", Wire.tcp(40000, 80, 1001, 5001, Wire.ACK | Wire.PSH, 512, -1, 40)),
            Wire.ipv4(17, "10.0.0.1", "10.0.0.2", Wire.udp(5000, 53, 30)),
            Wire.ipv4(1, "10.0.0.1", "10.0.0.2", Wire.icmp(8, 0, 1, 1, new byte[16])),
            Wire.ipv4(1, "10.0.0.2", "10.0.0.1", Wire.icmp(3, 3, 0, 0, quoted)),
            Wire.ipv6(6, "2001:db8::1", "2001:db8::2", Wire.tcp(1, 2, 3, 0, Wire.SYN, 100, 2, 0)),
            Wire.ipv6(58, "2001:db8::2", "2001:db8::1", Wire.icmp(1, 4, 0, 0,
                    Wire.ipv6(17, "2001:db8::1", "2001:db8::2", Wire.udp(7, 8, 0)))),
            Wire.ipv4(47, "10.0.0.1", "10.0.0.2", new byte[] {0x30, 0x01, (byte) 0x88, 0x0b, 0, 0, 0, 7}),
            Wire.ipv4(132, "10.0.0.1", "10.0.0.2", new byte[] {0x13, (byte) 0x88, 0x17, 0x70, 0, 0, 0, 0, 0, 0, 0, 0,
                1, 0, 0, 20, 0x11, 0x11, 0x11, 0x11, 0, 1, 0, 0, 0, 10, 0, 10, 0, 0, 0, 1}),
            Wire.ipv4(132, "10.0.0.2", "10.0.0.1", new byte[] {0x17, 0x70, 0x13, (byte) 0x88, 0x11, 0x11, 0x11, 0x11,
                0, 0, 0, 0, 2, 0, 0, 20, 0x22, 0x22, 0x22, 0x22, 0, 1, 0, 0, 0, 10, 0, 10, 0, 0, 0, 1}),
        };
    }

    @Test
    void randomAndMutatedPacketsNeverThrowAndAreCounted() {
        for (long seed : SEEDS) {
            SplittableRandom random = new SplittableRandom(seed);
            long[] now = {0};
            ConnectionTracker tracker = new ConnectionTracker(TrackerConfig.builder().maxConnections(256).seed(seed)
                    .clock(() -> now[0]).build());
            int[] events = new int[1];
            tracker.addListener((type, c) -> {
                assertNotNull(c.toEventConnection(type));
                events[0]++;
            });
            PacketView view = new PacketView().acceptTruncatedCaptures(random.nextBoolean());
            ProcessResult result = new ProcessResult();
            Map<Verdict, Integer> verdicts = new EnumMap<>(Verdict.class);
            byte[][] templates = templates();
            int packets = 30_000;
            for (int i = 0; i < packets; i++) {
                byte[] p = mutate(random, templates[random.nextInt(templates.length)]);
                int linkType = random.nextInt(10) == 0 ? LinkType.ETHERNET : LinkType.RAW;
                view.parse(linkType, p, 0, p.length);
                now[0] += random.nextLong(50_000_000L);
                Verdict v = tracker.process(view, random.nextInt(3), now[0], result);
                verdicts.merge(v, 1, Integer::sum);
                if (random.nextInt(100) == 0) {
                    tracker.sweep(now[0], 64);
                }
                assertTrue(tracker.count() <= 256);
            }
            assertEquals(packets, verdicts.values().stream().mapToInt(Integer::intValue).sum());
            assertEquals((long) verdicts.getOrDefault(Verdict.INVALID, 0), tracker.statistics().invalid());
            int[] live = new int[1];
            tracker.forEach(c -> {
                assertNotNull(c.toConnection());
                live[0]++;
            });
            assertTrue(live[0] <= tracker.count());
            int before = tracker.count();
            assertEquals(before, tracker.flush());
            assertEquals(0, tracker.count());
            assertTrue(events[0] > 0);
        }
    }

    private static byte[] mutate(SplittableRandom random, byte[] template) {
        byte[] p = template.clone();
        switch (random.nextInt(4)) {
            case 0 -> p = Arrays.copyOf(p, random.nextInt(p.length + 1)); // truncated
            case 1 -> {
                for (int k = random.nextInt(1, 4); k > 0; k--) {
                    p[random.nextInt(p.length)] ^= (byte) (1 << random.nextInt(8));
                }
            }
            case 2 -> {
                p = new byte[random.nextInt(80)];
                random.nextBytes(p);
                if (p.length > 0) {
                    p[0] = (byte) (random.nextBoolean() ? 0x45 : 0x60);
                }
            }
            default -> {
                // vary ports and addresses so that many connections are made
                p[random.nextInt(12, 20)] = (byte) random.nextInt();
            }
        }
        return p;
    }

    @Test
    void hashFloodingIsBoundedByTheProbeLimit() {
        int max = 4096;
        ConnectionTracker tracker = new ConnectionTracker(TrackerConfig.builder().maxConnections(max).maxProbe(8)
                .seed(7).clock(() -> 0L).build());
        ProcessResult result = new ProcessResult();
        SplittableRandom random = new SplittableRandom(11);
        int attempts = 3 * max;
        int created = 0;
        for (int i = 0; i < attempts; i++) {
            // same destination, random sources: what a flood of new flows looks like
            byte[] p = Wire.ipv4(17, "10." + random.nextInt(256) + "." + random.nextInt(256) + "." + random.nextInt(256),
                    "192.0.2.1", Wire.udp(random.nextInt(65536), 53, 0));
            if (tracker.process(Wire.view(p), 0, 0L, result) == Verdict.NEW) {
                created++;
            }
        }
        TrackerStatistics s = tracker.statistics();
        assertEquals(created, s.insert());
        assertEquals(attempts, s.insert() + s.insertFailed() + s.drop() + s.found());
        assertTrue(tracker.count() <= max);
        assertEquals(tracker.count(), tracker.list(Filter.all()).size());
        assertEquals(tracker.count(), tracker.flush());
    }
}

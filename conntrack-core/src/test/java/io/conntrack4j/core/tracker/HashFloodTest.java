package io.conntrack4j.core.tracker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.core.L4Protocol;
import io.conntrack4j.core.packet.PacketView;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Hash flooding with keys that really collide: an attacker who knew the seed picks many flows whose
 * original tuples share one home slot. The index must refuse what does not fit within the probe
 * bound (counted as {@code chaintoolong} and {@code insert_failed}, as Linux counts its chain
 * bound), keep every flow it did admit and every earlier flow reachable, and the same flows must
 * not collide under another seed (the seed is what makes the attack impossible in practice).
 */
class HashFloodTest {
    private static final int MAX = 4096;
    private static final int MAX_PROBE = 8;
    private static final long SEED = 7;
    private static final int FLOOD = 40;

    @Test
    void collidingFlowsAreRefusedBeyondTheProbeBoundAndNothingElseSuffers() {
        List<byte[]> flood = collidingFlows(FLOOD);
        ConnectionTracker tracker = tracker(SEED);
        ProcessResult result = new ProcessResult();
        byte[] legitimate = udp("172.16.0.1", "192.0.2.99", 4000, 123);
        assertEquals(Verdict.NEW, tracker.process(Wire.view(legitimate), 0, 0L, result));

        int admitted = 0;
        List<byte[]> admittedFlows = new ArrayList<>();
        for (byte[] p : flood) {
            if (tracker.process(Wire.view(p), 0, 0L, result) == Verdict.NEW) {
                admitted++;
                admittedFlows.add(p);
            }
        }
        TrackerStatistics s = tracker.statistics();
        // the home slot and the next MAX_PROBE - 1 hold at most MAX_PROBE of the flood's original keys
        assertTrue(admitted <= MAX_PROBE, admitted + " colliding flows admitted");
        assertTrue(admitted > 0);
        assertEquals(FLOOD - admitted, s.chainTooLong(), s.toString());
        assertEquals(FLOOD - admitted, s.insertFailed(), s.toString());
        assertEquals(admitted + 1, tracker.count());
        // the earlier flow and every admitted one are still found: a reply makes each ESTABLISHED
        assertEquals(Verdict.ESTABLISHED, tracker.process(Wire.view(udp("192.0.2.99", "172.16.0.1", 123, 4000)),
                0, 0L, result));
        for (byte[] p : admittedFlows) {
            assertEquals(Verdict.ESTABLISHED, tracker.process(Wire.view(reply(p)), 0, 0L, result));
        }

        ConnectionTracker otherSeed = tracker(SEED + 1);
        for (byte[] p : flood) {
            assertEquals(Verdict.NEW, otherSeed.process(Wire.view(p), 0, 0L, result));
        }
        assertEquals(0, otherSeed.statistics().chainTooLong());
        assertEquals(FLOOD, otherSeed.count());
    }

    private static ConnectionTracker tracker(long seed) {
        return new ConnectionTracker(TrackerConfig.builder().maxConnections(MAX).maxProbe(MAX_PROBE).seed(seed)
                .clock(() -> 0L).build());
    }

    /** Flows whose original keys share one home slot of the tracker's IPv4 index under {@link #SEED}. */
    private static List<byte[]> collidingFlows(int count) {
        // the tracker's own index geometry: both directions of MAX connections
        ConnectionIndex index = new ConnectionIndex(false, 2 * MAX, SEED, MAX_PROBE, new int[2 * MAX]);
        PacketView view = new PacketView();
        long[] key = new long[PacketView.MAX_KEY_LONGS];
        Map<Integer, List<byte[]>> byHome = new HashMap<>();
        SplittableRandom random = new SplittableRandom(11);
        while (true) {
            byte[] p = udp("10." + random.nextInt(256) + "." + random.nextInt(256) + "." + random.nextInt(256),
                    "192.0.2.1", 1024 + random.nextInt(60000), 53);
            view.parseIp(p, 0, p.length);
            view.writeKey(key, 0);
            List<byte[]> same = byHome.computeIfAbsent(index.home4(key[0], key[1]), h -> new ArrayList<>());
            same.add(p);
            if (same.size() == count) {
                return same;
            }
        }
    }

    /** The answer to a UDP packet: addresses and ports swapped. */
    private static byte[] reply(byte[] p) {
        PacketView v = Wire.view(p);
        return udp(v.destinationAddress().toString(), v.sourceAddress().toString(), v.destinationPort(), v.sourcePort());
    }

    private static byte[] udp(String src, String dst, int sport, int dport) {
        return Wire.ipv4(L4Protocol.UDP_NUMBER, src, dst, Wire.udp(sport, dport, 0));
    }
}

package io.conntrack4j.core.tracker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.core.Connection;
import io.conntrack4j.core.Filter;
import io.conntrack4j.core.L4Protocol;
import io.conntrack4j.core.format.ConntrackFormat;
import io.conntrack4j.core.packet.PacketView;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The documented concurrency model, exercised: one tracker per worker thread, packets routed by
 * {@link ConnectionTracker#shardOf}, control-plane work (here the dump) queued to the owning
 * thread. Both directions of every flow must meet in one shard, so the union of the shards' tables
 * is exactly the table one tracker builds from the same packets.
 */
class ShardingTest {
    private static final int SHARDS = 4;
    private static final long SEED = 0x5eed;
    private static final long NOW = 7_000_000_000_000L;

    @Test
    void shardsTogetherHoldWhatOneTrackerHolds() throws Exception {
        List<byte[]> packets = new ArrayList<>();
        for (int f = 0; f < 3000; f++) {
            String client = "10.20." + (f >> 8) + "." + (f & 0xff);
            String server = "192.0.2." + (1 + f % 7);
            int sport = 1024 + f;
            int dport = f % 3 == 0 ? 53 : 443;
            packets.add(Wire.ipv4(L4Protocol.UDP_NUMBER, client, server, Wire.udp(sport, dport, 10)));
            if (f % 5 != 0) { // every fifth flow stays unreplied
                packets.add(Wire.ipv4(L4Protocol.UDP_NUMBER, server, client, Wire.udp(dport, sport, 20)));
            }
            packets.add(Wire.ipv4(L4Protocol.TCP_NUMBER, client, server,
                    Wire.tcp(sport, 80, 1000, 0, Wire.SYN, 65535, -1, 0)));
            packets.add(Wire.ipv4(L4Protocol.TCP_NUMBER, server, client,
                    Wire.tcp(80, sport, 5000, 1001, Wire.SYN | Wire.ACK, 65535, -1, 0)));
        }
        List<String> single = table(tracker(), packets);

        ExecutorService[] owners = new ExecutorService[SHARDS];
        ConnectionTracker[] shards = new ConnectionTracker[SHARDS];
        try {
            for (int s = 0; s < SHARDS; s++) {
                owners[s] = Executors.newSingleThreadExecutor();
                shards[s] = tracker();
            }
            PacketView router = new PacketView();
            List<List<byte[]>> routed = new ArrayList<>();
            for (int s = 0; s < SHARDS; s++) {
                routed.add(new ArrayList<>());
            }
            for (byte[] p : packets) {
                router.parseIp(p, 0, p.length);
                routed.get(ConnectionTracker.shardOf(router, SHARDS, SEED)).add(p);
            }
            List<Future<List<String>>> dumps = new ArrayList<>();
            for (int s = 0; s < SHARDS; s++) {
                ConnectionTracker shard = shards[s];
                List<byte[]> mine = routed.get(s);
                assertTrue(mine.size() > packets.size() / SHARDS / 2, "shard " + s + " got " + mine.size());
                owners[s].submit(() -> feed(shard, mine));
                // the dump is queued behind the packets, on the same thread
                dumps.add(owners[s].submit(() -> lines(shard)));
            }
            List<String> union = new ArrayList<>();
            for (Future<List<String>> dump : dumps) {
                union.addAll(dump.get(60, TimeUnit.SECONDS));
            }
            union.sort(null);
            assertEquals(single.size(), union.size());
            assertEquals(single, union);
        } finally {
            for (ExecutorService owner : owners) {
                if (owner != null) {
                    owner.shutdownNow();
                }
            }
        }
    }

    private static ConnectionTracker tracker() {
        return new ConnectionTracker(TrackerConfig.builder().maxConnections(16_384).seed(1).clock(() -> NOW).build());
    }

    private static List<String> table(ConnectionTracker tracker, List<byte[]> packets) {
        feed(tracker, packets);
        return lines(tracker);
    }

    private static void feed(ConnectionTracker tracker, List<byte[]> packets) {
        PacketView view = new PacketView();
        ProcessResult result = new ProcessResult();
        for (byte[] p : packets) {
            view.parseIp(p, 0, p.length);
            tracker.process(view, 0, NOW, result);
        }
    }

    private static List<String> lines(ConnectionTracker tracker) {
        ConntrackFormat format = ConntrackFormat.builder().build();
        List<String> out = new ArrayList<>();
        for (Connection c : tracker.list(Filter.all(), NOW)) {
            out.add(format.format(c));
        }
        out.sort(null);
        return out;
    }
}

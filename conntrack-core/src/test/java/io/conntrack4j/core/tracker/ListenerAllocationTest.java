package io.conntrack4j.core.tracker;

import static io.conntrack4j.core.tracker.Wire.ACK;
import static io.conntrack4j.core.tracker.Wire.FIN;
import static io.conntrack4j.core.tracker.Wire.PSH;
import static io.conntrack4j.core.tracker.Wire.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.core.EventType;
import io.conntrack4j.core.L4Protocol;
import io.conntrack4j.core.packet.PacketView;
import java.lang.reflect.Method;
import org.junit.jupiter.api.Test;

/**
 * Events reach listeners without allocation: whole TCP connections (open, data, close, expiry of
 * TIME_WAIT and re-open) with a listener attached allocate nothing once warm.
 */
class ListenerAllocationTest {
    private static final int FLOWS = 256;

    @Test
    void connectionLifecyclesWithAListenerAllocateNothing() throws Exception {
        Object threads = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean")
                .invoke(null);
        Method allocated = Class.forName("com.sun.management.ThreadMXBean").getMethod("getCurrentThreadAllocatedBytes");
        long[] now = {1_000_000_000L};
        ConnectionTracker tracker = new ConnectionTracker(TrackerConfig.builder().maxConnections(FLOWS * 2).seed(3)
                .clock(() -> now[0]).build());
        long[] seen = new long[3];
        long[] checksum = {0};
        tracker.addListener((type, c) -> {
            seen[type == EventType.NEW ? 0 : type == EventType.UPDATE ? 1 : 2]++;
            checksum[0] += c.id() + c.status() + c.mark() + c.remainingMillis() + c.changes()
                    + (c.tcpState() == null ? 0 : c.tcpState().ordinal());
        });
        byte[][][] packets = new byte[FLOWS][][];
        for (int f = 0; f < FLOWS; f++) {
            String client = "10.9." + (f >> 8) + "." + (f & 0xff);
            int port = 20_000 + f;
            packets[f] = new byte[][] {
                tcp(client, "10.8.0.1", port, 443, SYN, 1000, 0, 0),
                tcp("10.8.0.1", client, 443, port, SYN | ACK, 5000, 1001, 0),
                tcp(client, "10.8.0.1", port, 443, ACK, 1001, 5001, 0),
                tcp(client, "10.8.0.1", port, 443, ACK | PSH, 1001, 5001, 100),
                tcp("10.8.0.1", client, 443, port, ACK | FIN, 5001, 1101, 0),
                tcp(client, "10.8.0.1", port, 443, ACK | FIN, 1101, 5002, 0),
                tcp("10.8.0.1", client, 443, port, ACK, 5002, 1102, 0),
            };
        }
        PacketView view = new PacketView();
        ProcessResult result = new ProcessResult();
        run(tracker, packets, view, result, now, 200);
        long fewest = Long.MAX_VALUE;
        long events = 0;
        for (int attempt = 0; attempt < 3 && fewest >= 1024; attempt++) {
            long before = seen[0] + seen[1] + seen[2];
            long start = (long) allocated.invoke(threads);
            run(tracker, packets, view, result, now, 100);
            fewest = Math.min(fewest, (long) allocated.invoke(threads) - start);
            events = seen[0] + seen[1] + seen[2] - before;
        }
        // every round: NEW, updates, and the DESTROY of the previous round's TIME_WAIT entry
        assertTrue(events >= 100L * FLOWS * 3, events + " events");
        assertTrue(seen[2] >= 299L * FLOWS, seen[2] + " DESTROY events");
        assertEquals(FLOWS, tracker.count());
        assertTrue(fewest < 1024, fewest + " bytes allocated for " + events + " events");
    }

    private static void run(ConnectionTracker tracker, byte[][][] packets, PacketView view, ProcessResult result,
                            long[] now, int rounds) {
        for (int round = 0; round < rounds; round++) {
            // TIME_WAIT (120 s) of the previous round expires: its DESTROY comes with the next SYN
            now[0] += 200_000_000_000L;
            for (byte[][] flow : packets) {
                for (byte[] packet : flow) {
                    view.parseIp(packet, 0, packet.length);
                    now[0] += 1_000;
                    if (tracker.process(view, 0, result) == Verdict.INVALID) {
                        throw new AssertionError("invalid: " + result.invalidReason());
                    }
                }
            }
        }
    }

    private static byte[] tcp(String src, String dst, int sport, int dport, int flags, long seq, long ack, int length) {
        return Wire.ipv4(L4Protocol.TCP_NUMBER, src, dst, Wire.tcp(sport, dport, seq, ack, flags, 65535, -1, length));
    }
}

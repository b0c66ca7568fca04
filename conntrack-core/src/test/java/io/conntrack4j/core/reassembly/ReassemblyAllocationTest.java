package io.conntrack4j.core.reassembly;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import org.junit.jupiter.api.Test;

/** Reassembling, refusing and timing out allocate nothing once the reassembler exists. */
class ReassemblyAllocationTest {

    @Test
    void theHotPathAllocatesNothing() throws Exception {
        // Reflection, so that the test compiles whether or not it runs inside the named module.
        Object threads = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean")
                .invoke(null);
        Method allocated = Class.forName("com.sun.management.ThreadMXBean").getMethod("getCurrentThreadAllocatedBytes");
        Reassembler r = new Reassembler(ReassemblyLimits.IPV4.withHighThreshold(1024 * 1024),
                ReassemblyLimits.IPV6.withHighThreshold(1024 * 1024));
        byte[][] v4 = Fragments.ipv4Split(Fragments.ipv4(17, 1, 0, false, Fragments.udp(3000, 1)), 1480);
        byte[][] v6 = Fragments.ipv6Split(Fragments.ipv6(0, 17, Fragments.udp(3000, 2)), 3, 1232);
        byte[] orphan = Fragments.ipv4Fragment(Fragments.ipv4(17, 2, 0, false, Fragments.udp(3000, 3)), 0, 1480, true);
        long[] clock = {0};
        run(r, v4, v6, orphan, clock, 20_000);
        int rounds = 20_000;
        long fewest = Long.MAX_VALUE;
        for (int attempt = 0; attempt < 3 && fewest >= 1024; attempt++) {
            long before = (long) allocated.invoke(threads);
            run(r, v4, v6, orphan, clock, 20_000);
            fewest = Math.min(fewest, (long) allocated.invoke(threads) - before);
            rounds += 20_000;
        }
        assertEquals(rounds, r.ipv4Statistics().reasmOks());
        assertEquals(rounds, r.ipv6Statistics().reasmOks());
        assertTrue(r.ipv4Statistics().reasmTimeout() > 0);
        assertTrue(fewest < 1024, fewest + " bytes allocated for 20000 rounds");
    }

    private static void run(Reassembler r, byte[][] v4, byte[][] v6, byte[] orphan, long[] clock, int rounds) {
        for (int i = 0; i < rounds; i++) {
            clock[0] += 200_000_000L; // 150 orphans alive at a time
            for (int k = v4.length - 1; k >= 0; k--) {
                r.offer(v4[k], 0, v4[k].length, clock[0]);
            }
            for (byte[] f : v6) {
                r.offer(f, 0, f.length, clock[0]);
            }
            // A fragment that never completes: it queues, then times out 30 s later.
            orphan[5] = (byte) i;
            r.offer(orphan, 0, orphan.length, clock[0]);
        }
    }
}

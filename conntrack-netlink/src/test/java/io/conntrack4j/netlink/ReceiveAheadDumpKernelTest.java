package io.conntrack4j.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.core.AddressFamily;
import io.conntrack4j.core.Connection;
import io.conntrack4j.core.IpAddress;
import io.conntrack4j.core.L4Protocol;
import io.conntrack4j.core.TcpState;
import io.conntrack4j.core.Tuple;
import io.conntrack4j.core.format.ConntrackFormat;
import io.conntrack4j.netlink.internal.Cta;
import io.conntrack4j.netlink.internal.CtMessageType;
import io.conntrack4j.netlink.internal.MessageWriter;
import io.conntrack4j.netlink.internal.Netlink;
import io.conntrack4j.testkit.Await;
import io.conntrack4j.testkit.KernelTest;
import io.conntrack4j.testkit.NetNs;
import io.conntrack4j.testkit.NetworkLab;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link ConntrackTable#receiveAhead(boolean)}: dumps that receive on a second thread give what
 * {@code conntrack -L} lists and what a plain dump gives, in the same order, and fail, stop and
 * recover exactly as a plain dump does. The tables span far more datagrams than the receiver's
 * ring has slots, so the ring wraps and both sides wait on each other.
 */
@KernelTest(requires = {"conntrack"})
class ReceiveAheadDumpKernelTest {
    /** About 110 entries fit a 32 KiB datagram: this many take far more datagrams than the ring's 8 slots. */
    private static final int ENTRIES = 2500;
    private static final String RECEIVER = "conntrack4j-dump-receiver";

    @RegisterExtension
    final NetworkLab lab = new NetworkLab();

    @AfterEach
    void noReceiverIsLeftRunning() {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            assertFalse(t.getName().equals(RECEIVER) && t.isAlive(), "a receiver thread outlived its dump: " + t);
        }
    }

    private static ConntrackTable tableIn(NetNs ns) {
        return new ConntrackTable(NetlinkSocket.openInNamespace(ns.name(), NetlinkSocket.Options.DEFAULT));
    }

    /** ENTRIES TCP and UDP entries, IPv4 and a few IPv6, created in one batch. */
    private static void fill(ConntrackTable table) {
        List<Connection> connections = new ArrayList<>();
        IpAddress server = IpAddress.parse("172.16.0.1");
        for (int i = 0; i < ENTRIES; i++) {
            boolean v6 = i % 50 == 0;
            IpAddress client = v6 ? IpAddress.parse("2001:db8::" + Integer.toHexString(i + 1))
                    : IpAddress.parse("10.7." + (i >> 8) + "." + (i & 0xFF));
            IpAddress to = v6 ? IpAddress.parse("2001:db8::ffff") : server;
            boolean tcp = i % 3 != 0;
            Tuple t = Tuple.ofPorts(client, to, tcp ? L4Protocol.TCP : L4Protocol.UDP, 20000 + i, tcp ? 443 : 53);
            Connection.Builder c = Connection.builder(t).timeout(3600).mark(i % 7);
            if (tcp) {
                c.tcpState(TcpState.ESTABLISHED);
            }
            connections.add(c.build());
        }
        assertEquals(List.of(), table.createAll(connections).failures());
    }

    private static List<String> lines(ConntrackTable table, AddressFamily family) {
        ConntrackFormat format = ConntrackFormat.builder().build();
        List<String> lines = new ArrayList<>();
        ConntrackVisitor visitor = entry -> lines.add(format.format(entry.toConnection()));
        if (family == null) {
            table.dump(visitor);
        } else {
            table.dump(family, visitor);
        }
        return lines;
    }

    /** The lines with the timeout blanked, in their order. */
    private static List<String> blankedInOrder(List<String> lines) {
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            out.add(line.replaceFirst("^(\\S+ +\\d+ )\\d+ ", "$1T "));
        }
        return out;
    }

    @Test
    void aReceiveAheadDumpListsWhatConntrackListsInThePlainDumpsOrder() {
        NetNs ns = lab.namespace("ahead");
        try (ConntrackTable table = tableIn(ns)) {
            fill(table);
            List<String> plain = lines(table, null);
            assertTrue(table.receiveAhead(true).receiveAhead());
            List<String> ahead = lines(table, null);
            assertEquals(ENTRIES, ahead.size());
            assertEquals(ConntrackListing.conntrack(ns), ConntrackListing.blanked(ahead));
            assertEquals(blankedInOrder(plain), blankedInOrder(ahead));
            assertEquals(ConntrackListing.conntrack(ns, "-f", "ipv6"),
                    ConntrackListing.blanked(lines(table, AddressFamily.IPV6)));
            // a filtered dump goes the same way
            DumpSummary marked = table.dump(DumpFilter.builder().mark(3, -1).build(), entry -> entry.mark() == 3);
            assertEquals(ConntrackListing.conntrack(ns, "-m", "3").size(), marked.entries());
            assertEquals(ENTRIES, table.list().size());
        }
    }

    @Test
    void aSlowVisitorFillsTheRingAndTheReceiverWaitsForIt() {
        NetNs ns = lab.namespace("slow");
        try (ConntrackTable table = tableIn(ns).receiveAhead(true)) {
            fill(table);
            long[] seen = {0};
            DumpSummary summary = table.dump(entry -> {
                if (seen[0]++ == 0) {
                    // the receiver fills every slot, then parks until this visitor frees one
                    Await.until(Duration.ofSeconds(20), "the receiver waits on a full ring", () ->
                            Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(RECEIVER)
                                    && t.getState() == Thread.State.WAITING));
                }
                return true;
            });
            assertEquals(ENTRIES, summary.entries());
            assertEquals(ENTRIES, seen[0]);
        }
    }

    @Test
    void aVisitorThatThrowsOrStopsLeavesTheSocketUsable() {
        NetNs ns = lab.namespace("throws");
        try (ConntrackTable table = tableIn(ns).receiveAhead(true)) {
            fill(table);
            int[] visited = {0};
            IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> table.dump(entry -> {
                if (++visited[0] == 500) {
                    throw new IllegalStateException("visitor failed");
                }
                return true;
            }));
            assertEquals("visitor failed", thrown.getMessage());
            assertEquals(500, visited[0], "no visit after the throw");
            assertEquals(ENTRIES, table.count(), "the rest of the dump was drained");

            // an Error is not held back until the end of the dump: it leaves at once, and the
            // receiver reads and discards the rest before the dump returns
            visited[0] = 0;
            StackOverflowError error = assertThrows(StackOverflowError.class, () -> table.dump(entry -> {
                if (++visited[0] == 700) {
                    throw new StackOverflowError("visitor error");
                }
                return true;
            }));
            assertEquals("visitor error", error.getMessage());
            assertEquals(ENTRIES, table.count(), "the rest of the dump was read before the error left");
            assertEquals(0, table.socket().unmatchedMessages(), "no stale reply was left on the socket");

            visited[0] = 0;
            DumpSummary stopped = table.dump(entry -> ++visited[0] < 2);
            assertEquals(2, stopped.entries());
            assertEquals(ENTRIES, table.count());
            assertEquals(ENTRIES, table.dump(entry -> true).entries());
        }
    }

    @Test
    void anInterruptNeitherEndsTheDumpNorIsLost() {
        NetNs ns = lab.namespace("interrupt");
        try (ConntrackTable table = tableIn(ns).receiveAhead(true)) {
            fill(table);
            Thread.currentThread().interrupt();
            DumpSummary summary;
            try {
                summary = table.dump(entry -> true);
            } finally {
                assertTrue(Thread.interrupted(), "the interrupt status is kept (and cleared here)");
            }
            assertEquals(ENTRIES, summary.entries());
            int[] visited = {0};
            table.dump(entry -> {
                if (++visited[0] == 100) {
                    Thread.currentThread().interrupt();
                }
                return true;
            });
            assertTrue(Thread.interrupted());
            assertEquals(ENTRIES, visited[0]);
        }
    }

    @Test
    void aDumpTheKernelRefusesFailsAsAPlainDumpFails() {
        NetNs ns = lab.namespace("refused");
        try (ConntrackTable table = tableIn(ns)) {
            fill(table);
            NetlinkSocket socket = table.socket();
            NetlinkException plain = assertThrows(NetlinkException.class, () -> {
                zeroStatusMaskDump(socket);
                socket.execute("dump with an empty status mask", messages -> { });
            });
            NetlinkException ahead = assertThrows(NetlinkException.class, () -> {
                zeroStatusMaskDump(socket);
                socket.executeReceivingAhead("dump with an empty status mask", messages -> { });
            });
            assertEquals("EINVAL", plain.errnoName());
            assertEquals(plain.getMessage(), ahead.getMessage());
            assertEquals(ENTRIES, table.receiveAhead(true).dump(entry -> true).entries(), "the socket still works");
        }
    }

    /** A dump request the kernel refuses with EINVAL: conntrack -L -u UNSET sends the same. */
    private static void zeroStatusMaskDump(NetlinkSocket socket) {
        MessageWriter writer = socket.request(CtMessageType.GET, Netlink.NLM_F_DUMP, Netlink.AF_UNSPEC,
                Netlink.NFNETLINK_V0);
        writer.putU32(Cta.STATUS, 0);
        writer.putU32(Cta.STATUS_MASK, 0);
    }

    @Test
    void theReceiveAheadDumpAllocatesNothingPerEntryOnTheCallersThread() throws Exception {
        NetNs ns = lab.namespace("alloc");
        try (ConntrackTable table = tableIn(ns).receiveAhead(true)) {
            fill(table);
            long[] checksum = new long[1];
            ConntrackVisitor visitor = entry -> {
                TupleView t = entry.original();
                checksum[0] += t.sourcePort() + entry.status() + entry.timeout() + entry.mark();
                return true;
            };
            for (int warmup = 0; warmup < 20; warmup++) {
                assertEquals(ENTRIES, table.dump(visitor).entries());
            }
            long before = allocatedBytes();
            assertEquals(ENTRIES, table.dump(visitor).entries());
            long allocated = allocatedBytes() - before;
            System.out.println("receive-ahead dump of " + ENTRIES + " entries allocated " + allocated
                    + " bytes on the caller's thread");
            // a thread per dump is a few hundred bytes; anything per entry would exceed this
            assertTrue(allocated < ENTRIES * 4L, allocated + " bytes allocated for " + ENTRIES + " entries");
        }
    }

    /** Bytes this thread allocated so far (reflection: the test module does not read jdk.management). */
    private static long allocatedBytes() throws Exception {
        Object threads = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean")
                .invoke(null);
        return (Long) Class.forName("com.sun.management.ThreadMXBean").getMethod("getCurrentThreadAllocatedBytes")
                .invoke(threads);
    }
}

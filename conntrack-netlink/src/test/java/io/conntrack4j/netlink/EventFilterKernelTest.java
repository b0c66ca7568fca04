package io.conntrack4j.netlink;

import static io.conntrack4j.netlink.ConntrackListing.tableIn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.core.AddressFamily;
import io.conntrack4j.core.Connection;
import io.conntrack4j.core.IpAddress;
import io.conntrack4j.core.L4Protocol;
import io.conntrack4j.core.StatusBit;
import io.conntrack4j.core.TcpState;
import io.conntrack4j.core.Tuple;
import io.conntrack4j.testkit.KernelTest;
import io.conntrack4j.testkit.NetNs;
import io.conntrack4j.testkit.NetworkLab;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Kernel-side event filtering (classic BPF on the listener's socket) against the live kernel:
 * the events that meet the filter, and only those, are delivered; the rest never reach the
 * socket (a small receive buffer does not overrun under thousands of filtered events).
 */
@KernelTest(requires = {"sysctl"})
class EventFilterKernelTest {
    @RegisterExtension
    final NetworkLab lab = new NetworkLab();

    private static IpAddress ip(String s) {
        return IpAddress.parse(s);
    }

    /** Varied entries: families, protocols, ports, marks, zones, statuses, NAT. */
    private static List<Connection> entries() {
        int assured = StatusBit.mask(StatusBit.SEEN_REPLY, StatusBit.ASSURED);
        List<Connection> all = new ArrayList<>();
        all.add(Connection.builder(Tuple.ofPorts(ip("10.1.1.1"), ip("10.2.2.2"), L4Protocol.TCP, 1111, 443))
                .tcpState(TcpState.ESTABLISHED).status(assured).timeout(300).mark(7).build());
        all.add(Connection.builder(Tuple.ofPorts(ip("10.1.1.2"), ip("10.2.2.2"), L4Protocol.TCP, 2222, 80))
                .tcpState(TcpState.SYN_SENT).timeout(300).mark(0x107).build());
        all.add(Connection.builder(Tuple.ofPorts(ip("10.1.1.1"), ip("10.2.2.3"), L4Protocol.UDP, 5353, 53))
                .timeout(300).zone(9).build());
        all.add(Connection.builder(Tuple.ofPorts(ip("10.1.1.3"), ip("10.2.2.3"), L4Protocol.UDP, 5354, 443))
                .timeout(300).status(assured).build());
        all.add(Connection.builder(Tuple.ofPorts(ip("10.1.1.5"), ip("10.2.2.2"), L4Protocol.TCP, 5555, 80),
                Tuple.ofPorts(ip("192.168.7.5"), ip("10.1.1.5"), L4Protocol.TCP, 8080, 5555))
                .tcpState(TcpState.ESTABLISHED).status(assured).timeout(300).build());
        all.add(Connection.builder(Tuple.ofIcmp(ip("10.1.1.1"), ip("10.2.2.2"), 8, 0, 77)).timeout(30).build());
        all.add(Connection.builder(Tuple.ofPorts(ip("2001:db8::1"), ip("2001:db8::2"), L4Protocol.TCP, 1111, 443))
                .tcpState(TcpState.ESTABLISHED).timeout(300).mark(7).build());
        all.add(Connection.builder(Tuple.ofPorts(ip("2001:db8::7"), ip("2001:db8::2"), L4Protocol.UDP, 4000, 443))
                .timeout(300).build());
        return all;
    }

    private static List<DumpFilter> filters() {
        int assured = StatusBit.mask(StatusBit.ASSURED);
        return List.of(
                DumpFilter.builder().family(AddressFamily.IPV4).protocol(L4Protocol.TCP).originalDestinationPort(443)
                        .build(),
                DumpFilter.builder().mark(7, 0xff).build(),
                DumpFilter.builder().mark(0, 0x100).build(),
                DumpFilter.builder().originalSource(ip("10.1.1.1")).build(),
                DumpFilter.builder().originalSource(ip("2001:db8::1")).build(),
                DumpFilter.builder().originalDestinationPort(443).protocol(L4Protocol.UDP).build(),
                DumpFilter.builder().zone(9).build(),
                DumpFilter.builder().zone(0).build(),
                DumpFilter.builder().status(assured, assured).build(),
                DumpFilter.builder().replySource(ip("192.168.7.5")).build(),
                DumpFilter.builder().protocol(L4Protocol.ICMP).icmp(8, 0, 77).build());
    }

    @Test
    void onlyTheEventsThatMeetTheFilterAreDelivered() {
        NetNs ns = lab.namespace("bpf");
        ns.execOk("sysctl", "-qw", "net.netfilter.nf_conntrack_events=1");
        List<Connection> entries = entries();
        try (ConntrackTable table = tableIn(ns)) {
            for (DumpFilter filter : filters()) {
                Set<String> expected = new HashSet<>();
                for (Connection c : entries) {
                    if (filter.test(c)) {
                        expected.add(c.original().toString());
                    }
                }
                assertTrue(!expected.isEmpty() && expected.size() < entries.size(), filter + " selects " + expected);
                try (ConntrackEventListener listener = ConntrackEventListener.openInNamespace(ns.name(),
                        ConntrackEventListener.Options.ALL).attachFilter(filter)) {
                    FilteredEventRound round = FilteredEventRound.run(table, listener, entries, filter,
                            expected.size(), expected.size());
                    assertEquals(expected, round.created, filter.toString());
                    assertEquals(expected, round.destroyed, filter.toString());
                    assertEquals(2 * expected.size(), round.all.size(), filter + ": " + round.all);
                    assertEquals(0, listener.droppedMessages());
                }
            }
        }
    }

    @Test
    void filteredEventsNeverReachTheSocketAndDetachingDeliversAllAgain() {
        NetNs ns = lab.namespace("bpfburst");
        ns.execOk("sysctl", "-qw", "net.netfilter.nf_conntrack_events=1");
        List<Connection> burst = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            burst.add(Connection.builder(Tuple.ofPorts(ip("10.70." + (i >> 8) + "." + (i & 0xff)), ip("10.80.0.1"),
                    L4Protocol.UDP, 1000 + i, 53)).timeout(300).mark(i % 1000 == 0 ? 1 : 0).build());
        }
        DumpFilter marked = DumpFilter.builder().mark(1, -1).build();
        // 64 KiB (128 KiB as the kernel counts it) holds about a hundred events
        ConntrackEventListener.Options small = ConntrackEventListener.Options.ALL.withReceiveBufferBytes(64 * 1024);
        try (ConntrackTable table = tableIn(ns);
             ConntrackEventListener listener = ConntrackEventListener.openInNamespace(ns.name(), small)
                     .attachFilter(marked)) {
            // no polling while 6000 events happen: only 6 of them may take buffer space
            assertTrue(table.createAll(burst).failures().isEmpty());
            table.flush();
            List<String> seen = new ArrayList<>();
            while (listener.poll(100, 300, (type, entry, portId, own) ->
                    seen.add(type + " " + entry.mark())) > 0) {
                // drain
            }
            assertEquals(List.of("NEW 1", "NEW 1", "NEW 1", "DESTROY 1", "DESTROY 1", "DESTROY 1"), seen);
            assertEquals(0, listener.overruns());
            assertEquals(0, listener.kernelDrops());

            // without the filter the same buffer overruns at once
            listener.detachFilter();
            assertTrue(table.createAll(burst.subList(0, 500)).failures().isEmpty());
            int[] delivered = {0};
            while (listener.poll(1000, 300, (type, entry, portId, own) -> delivered[0]++) > 0) {
                // drain
            }
            assertTrue(listener.overruns() > 0, "the unfiltered burst overran the buffer");
            assertTrue(delivered[0] > 0 && delivered[0] < 500, "delivered " + delivered[0]);
        }
    }
}

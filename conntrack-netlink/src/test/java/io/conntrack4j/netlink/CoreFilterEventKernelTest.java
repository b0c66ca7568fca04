package io.conntrack4j.netlink;

import static io.conntrack4j.netlink.ConntrackListing.tableIn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.core.AddressFamily;
import io.conntrack4j.core.Cidr;
import io.conntrack4j.core.Connection;
import io.conntrack4j.core.Filter;
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
 * Core {@link Filter}s as kernel-side event filters against the live kernel (conntrackd's
 * "Filter From Kernelspace"): exactly the events that pass the filter are delivered, the rest are
 * dropped by the kernel before queueing (nothing is left for the user-space recheck, and a small
 * receive buffer does not overrun under thousands of filtered events). A filter too long for
 * classic BPF still delivers exactly, the overflow being dropped in user space.
 */
@KernelTest(requires = {"sysctl"})
class CoreFilterEventKernelTest {
    @RegisterExtension
    final NetworkLab lab = new NetworkLab();

    private static IpAddress ip(String s) {
        return IpAddress.parse(s);
    }

    private static List<Connection> entries() {
        int assured = StatusBit.mask(StatusBit.SEEN_REPLY, StatusBit.ASSURED);
        List<Connection> all = new ArrayList<>();
        all.add(Connection.builder(Tuple.ofPorts(ip("10.1.1.1"), ip("10.2.2.2"), L4Protocol.TCP, 1111, 443))
                .tcpState(TcpState.ESTABLISHED).status(assured).timeout(300).mark(7).build());
        all.add(Connection.builder(Tuple.ofPorts(ip("10.1.1.2"), ip("10.2.2.2"), L4Protocol.TCP, 2222, 80))
                .tcpState(TcpState.SYN_SENT).timeout(300).mark(0x107).build());
        all.add(Connection.builder(Tuple.ofPorts(ip("10.1.1.1"), ip("10.2.2.3"), L4Protocol.UDP, 5353, 53))
                .timeout(300).zone(9).build());
        all.add(Connection.builder(Tuple.ofPorts(ip("10.1.3.3"), ip("10.2.2.3"), L4Protocol.UDP, 5354, 443))
                .timeout(300).status(assured).build());
        all.add(Connection.builder(Tuple.ofPorts(ip("10.1.1.5"), ip("10.2.2.2"), L4Protocol.TCP, 5555, 80),
                Tuple.ofPorts(ip("192.168.7.5"), ip("10.1.1.5"), L4Protocol.TCP, 8080, 5555))
                .tcpState(TcpState.ESTABLISHED).status(assured).timeout(300).build());
        all.add(Connection.builder(Tuple.ofIcmp(ip("10.1.1.1"), ip("10.2.2.2"), 8, 0, 77)).timeout(30).build());
        all.add(Connection.builder(Tuple.ofPorts(ip("2001:db8::1"), ip("2001:db8::2"), L4Protocol.TCP, 1111, 443))
                .tcpState(TcpState.TIME_WAIT).timeout(300).mark(7).build());
        all.add(Connection.builder(Tuple.ofPorts(ip("2001:db8:1::7"), ip("2001:db8::2"), L4Protocol.UDP, 4000, 443))
                .timeout(300).build());
        return all;
    }

    private static List<Filter> filters() {
        int assured = StatusBit.mask(StatusBit.ASSURED);
        List<Cidr> many = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            many.add(Cidr.parse("10.9." + i + ".0/24"));
        }
        many.add(Cidr.parse("10.1.1.0/24"));
        return List.of(
                Filter.builder().acceptProtocols(L4Protocol.TCP).acceptTcpStates(TcpState.ESTABLISHED).build(),
                Filter.builder().ignoreProtocols(L4Protocol.UDP, L4Protocol.ICMP).build(),
                Filter.builder().acceptAddresses(Cidr.parse("10.1.1.0/30")).build(),
                Filter.builder().ignoreAddresses(Cidr.parse("192.168.7.0/24"), Cidr.parse("2001:db8::/120")).build(),
                Filter.builder().acceptAddresses(Cidr.parse("2001:db8:1::/48")).build(),
                Filter.builder().acceptFamilies(AddressFamily.IPV4).mark(7, 0xff).build(),
                Filter.builder().ignoreFamilies(AddressFamily.IPV4).build(),
                Filter.builder().zone(9).build(),
                Filter.builder().ignoreProtocols(L4Protocol.TCP).status(assured, assured).build(),
                Filter.builder().ignoreTcpStates(TcpState.ESTABLISHED, TcpState.SYN_SENT).build(),
                Filter.builder().acceptAddresses(many.toArray(Cidr[]::new)).build());
    }

    @Test
    void exactlyTheEventsThatPassTheFilterAreDelivered() {
        NetNs ns = lab.namespace("corebpf");
        ns.execOk("sysctl", "-qw", "net.netfilter.nf_conntrack_events=1");
        List<Connection> entries = entries();
        try (ConntrackTable table = tableIn(ns)) {
            for (Filter filter : filters()) {
                Set<String> expectedNew = new HashSet<>();
                Set<String> expectedDestroy = new HashSet<>();
                for (Connection c : entries) {
                    if (filter.test(c)) {
                        expectedNew.add(c.original().toString());
                    }
                    // DESTROY events carry the TCP state too (ctnetlink_dump_protoinfo with destroy = true)
                    if (filter.test(c)) {
                        expectedDestroy.add(c.original().toString());
                    }
                }
                assertTrue(!expectedNew.isEmpty() && expectedNew.size() < entries.size(), filter + " selects " + expectedNew);
                try (ConntrackEventListener listener = ConntrackEventListener.openInNamespace(ns.name(),
                        ConntrackEventListener.Options.ALL).attachFilter(filter)) {
                    FilteredEventRound round = FilteredEventRound.run(table, listener, entries, filter,
                            expectedNew.size(), expectedDestroy.size());
                    assertEquals(expectedNew, round.created, filter.toString());
                    assertEquals(expectedDestroy, round.destroyed, filter.toString());
                    assertEquals(expectedNew.size() + expectedDestroy.size(), round.all.size(), filter + ": " + round.all);
                    if (filter.addresses().size() > 50) {
                        // too long for classic BPF's jumps: the kernel let them through, user space dropped them
                        assertTrue(listener.filteredInUserSpace() > 0, filter.toString());
                    } else {
                        assertEquals(0, listener.filteredInUserSpace(), "the kernel dropped them all: " + filter);
                    }
                }
            }
        }
    }

    @Test
    void filteredEventsNeverTakeReceiveBuffer() {
        NetNs ns = lab.namespace("coreburst");
        ns.execOk("sysctl", "-qw", "net.netfilter.nf_conntrack_events=1");
        List<Connection> burst = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            String source = i % 1000 == 0 ? "10.71.0." + (i / 1000) : "10.70." + (i >> 8) + "." + (i & 0xff);
            burst.add(Connection.builder(Tuple.ofPorts(ip(source), ip("10.80.0.1"), L4Protocol.UDP, 1000 + i, 53))
                    .timeout(300).build());
        }
        Filter wanted = Filter.builder().acceptProtocols(L4Protocol.UDP, L4Protocol.TCP)
                .ignoreAddresses(Cidr.parse("10.70.0.0/16")).build();
        ConntrackEventListener.Options small = ConntrackEventListener.Options.ALL.withReceiveBufferBytes(64 * 1024);
        try (ConntrackTable table = tableIn(ns);
             ConntrackEventListener listener = ConntrackEventListener.openInNamespace(ns.name(), small)
                     .attachFilter(wanted)) {
            assertTrue(table.createAll(burst).failures().isEmpty());
            table.flush();
            List<String> seen = new ArrayList<>();
            while (listener.poll(100, 300, (type, entry, portId, own) ->
                    seen.add(type + " " + entry.original().sourceAddress().getHostAddress())) > 0) {
                // drain
            }
            seen.sort(null);
            assertEquals(List.of("DESTROY 10.71.0.0", "DESTROY 10.71.0.1", "DESTROY 10.71.0.2",
                    "NEW 10.71.0.0", "NEW 10.71.0.1", "NEW 10.71.0.2"), seen);
            assertEquals(0, listener.overruns());
            assertEquals(0, listener.kernelDrops());
            assertEquals(0, listener.filteredInUserSpace());
        }
    }
}

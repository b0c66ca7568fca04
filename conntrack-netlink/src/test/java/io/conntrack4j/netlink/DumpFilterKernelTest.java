package io.conntrack4j.netlink;

import static io.conntrack4j.netlink.ConntrackListing.conntrack;
import static io.conntrack4j.netlink.ConntrackListing.formatted;
import static io.conntrack4j.netlink.ConntrackListing.tableIn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.core.AddressFamily;
import io.conntrack4j.core.Connection;
import io.conntrack4j.core.IpAddress;
import io.conntrack4j.core.L4Protocol;
import io.conntrack4j.core.StatusBit;
import io.conntrack4j.testkit.KernelTest;
import io.conntrack4j.testkit.NetNs;
import io.conntrack4j.testkit.NetworkLab;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Filtered dumps and flushes three ways on the same table: handed to the kernel as far as it goes,
 * checked in user space only (kernel filters off), and {@code conntrack -L/-D} with the same
 * filter options as the oracle. All three must give the same entries, including for IPv6 address
 * criteria, which the kernel's CTA_FILTER inverts.
 */
@KernelTest(requires = {"conntrack", "nft"})
class DumpFilterKernelTest {
    /** Besides the list test's entries: a second IPv6 source, so that an inverted match shows. */
    private static final String[][] MORE = {
        {"-p", "tcp", "-s", "2001:db8::7", "-d", "2001:db8::2", "--sport", "7777", "--dport", "443",
            "--state", "ESTABLISHED", "-t", "200", "-u", "SEEN_REPLY", "-m", "3"},
        {"-p", "udp", "-s", "10.1.1.9", "-d", "10.2.2.3", "--sport", "999", "--dport", "53", "-t", "30", "-m", "263"},
        // zone 3 in both directions, next to the list test's entry with an original-direction zone 3
        {"-p", "udp", "-s", "10.1.1.9", "-d", "10.2.2.3", "--sport", "998", "--dport", "53", "-t", "30", "-w", "3"},
    };

    @RegisterExtension
    final NetworkLab lab = new NetworkLab();

    private static IpAddress ip(String s) {
        return IpAddress.parse(s);
    }

    /** A filter and the conntrack options that mean the same. */
    record Case(DumpFilter filter, String... options) {
    }

    private static List<Case> cases() {
        int assured = StatusBit.mask(StatusBit.ASSURED);
        return List.of(
                new Case(DumpFilter.builder().family(AddressFamily.IPV4).build(), "-f", "ipv4"),
                new Case(DumpFilter.builder().family(AddressFamily.IPV6).build(), "-f", "ipv6"),
                new Case(DumpFilter.builder().mark(7, -1).build(), "-m", "7"),
                new Case(DumpFilter.builder().mark(3, 0xff).build(), "-m", "3/0xff"),
                new Case(DumpFilter.builder().status(assured, assured).build(), "-u", "ASSURED"),
                new Case(DumpFilter.builder().zone(9).build(), "-w", "9"),
                new Case(DumpFilter.builder().zone(3).build(), "-w", "3"),
                new Case(DumpFilter.builder().protocol(L4Protocol.UDP).build(), "-p", "udp"),
                new Case(DumpFilter.builder().family(AddressFamily.IPV4).protocol(L4Protocol.TCP)
                        .originalDestinationPort(443).build(), "-f", "ipv4", "-p", "tcp", "--dport", "443"),
                new Case(DumpFilter.builder().originalSource(ip("10.1.1.1")).build(), "-s", "10.1.1.1"),
                new Case(DumpFilter.builder().originalDestination(ip("10.2.2.3")).protocol(L4Protocol.UDP)
                        .originalSourcePort(5353).build(), "-d", "10.2.2.3", "-p", "udp", "--sport", "5353"),
                new Case(DumpFilter.builder().replySource(ip("192.168.7.5")).build(), "-r", "192.168.7.5"),
                new Case(DumpFilter.builder().replyDestination(ip("203.0.113.1")).protocol(L4Protocol.UDP)
                        .replyDestinationPort(61000).build(),
                        "-q", "203.0.113.1", "-p", "udp", "--reply-port-dst", "61000"),
                new Case(DumpFilter.builder().protocol(L4Protocol.ICMP).icmp(8, -1, 77).build(),
                        "-p", "icmp", "--icmp-type", "8", "--icmp-id", "77"),
                new Case(DumpFilter.builder().protocol(L4Protocol.SCTP).originalSourcePort(5000).build(),
                        "-p", "sctp", "--sport", "5000"),
                new Case(DumpFilter.builder().originalSource(ip("2001:db8::1")).build(), "-s", "2001:db8::1"),
                new Case(DumpFilter.builder().originalDestination(ip("2001:db8::2")).protocol(L4Protocol.TCP)
                        .build(), "-d", "2001:db8::2", "-p", "tcp"),
                new Case(DumpFilter.builder().replySource(ip("2001:db8::2")).mark(3, -1).build(),
                        "-r", "2001:db8::2", "-m", "3"));
    }

    private static void insertAll(NetNs ns) {
        List<String[]> entries = new ArrayList<>(List.of(ConntrackListKernelTest.ENTRIES));
        entries.addAll(List.of(MORE));
        ConntrackListing.insertLongLived(ns, entries);
    }

    @Test
    void kernelSideUserSpaceAndConntrackSelectTheSameEntries() {
        NetNs ns = lab.namespace("filters");
        insertAll(ns);
        try (ConntrackTable kernel = tableIn(ns); ConntrackTable userSpace = tableIn(ns).useKernelFilters(false)) {
            for (Case c : cases()) {
                List<String> expected = conntrack(ns, c.options());
                assertEquals(expected, formatted(kernel.list(c.filter())), "kernel-side " + c.filter());
                if (c.filter().zone == 3) {
                    // the kernel's zone filter also sends the entry zoned in the original direction only
                    assertEquals(expected.size() + 1, kernel.kernelSentLastFilteredDump, "kernel sent, " + c.filter());
                } else if (!c.filter().toString().contains(":")
                        && (c.filter().family != 0 || !c.filter().hasTupleCriteria())) {
                    // IPv4 tuple criteria, family, mark, status and zone: the kernel sent only the matches
                    assertEquals(expected.size(), kernel.kernelSentLastFilteredDump, "kernel sent, " + c.filter());
                }
                assertEquals(expected, formatted(userSpace.list(c.filter())), "user space " + c.filter());
                // the filter's own check agrees with the kernel's choice entry by entry
                long[] counts = {0};
                kernel.dump(entry -> {
                    if (c.filter().test(entry)) {
                        counts[0]++;
                    }
                    return true;
                });
                assertEquals(expected.size(), counts[0], c.filter().toString());
            }
            assertFalse(conntrack(ns, "-s", "2001:db8::1").isEmpty());
            KernelFilterSupport support = ConntrackTable.kernelFilterSupport();
            assertTrue(support.tupleFilter(), support.toString());
            // this kernel (6.18) has the IPv6 inversion: the first IPv6 address filter finds it out
            assertEquals(KernelFilterSupport.Ipv6AddressMatch.INVERTED, support.ipv6AddressMatch(), support.toString());
        }
    }

    @Test
    void filteredFlushesDeleteWhatConntrackWouldAndNothingElse() {
        NetNs ns = lab.namespace("flush");
        List<Case> flushes = List.of(
                new Case(DumpFilter.builder().mark(7, -1).build(), "-m", "7"),
                new Case(DumpFilter.builder().zone(9).build(), "-w", "9"),
                new Case(DumpFilter.builder().zone(3).build(), "-w", "3"),
                new Case(DumpFilter.builder().family(AddressFamily.IPV4).protocol(L4Protocol.TCP)
                        .originalDestinationPort(443).build(), "-f", "ipv4", "-p", "tcp", "--dport", "443"),
                new Case(DumpFilter.builder().protocol(L4Protocol.SCTP).originalSourcePort(5000).build(),
                        "-p", "sctp", "--sport", "5000"),
                new Case(DumpFilter.builder().originalSource(ip("2001:db8::1")).build(), "-s", "2001:db8::1"),
                new Case(DumpFilter.builder().status(StatusBit.mask(StatusBit.ASSURED), StatusBit.mask(StatusBit.ASSURED))
                        .family(AddressFamily.IPV4).build(), "-u", "ASSURED", "-f", "ipv4"));
        for (boolean kernelFilters : new boolean[] {true, false}) {
            for (Case c : flushes) {
                ns.execOk("conntrack", "-F");
                insertAll(ns);
                List<String> all = conntrack(ns);
                List<String> doomed = conntrack(ns, c.options());
                assertFalse(doomed.isEmpty(), c.filter().toString());
                try (ConntrackTable table = tableIn(ns).useKernelFilters(kernelFilters)) {
                    table.flush(c.filter());
                }
                List<String> expected = new ArrayList<>(all);
                expected.removeAll(doomed);
                assertEquals(expected, conntrack(ns), (kernelFilters ? "kernel " : "user space ") + c.filter());
            }
        }
    }
}

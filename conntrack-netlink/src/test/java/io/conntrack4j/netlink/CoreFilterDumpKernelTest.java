package io.conntrack4j.netlink;

import static io.conntrack4j.netlink.ConntrackListing.conntrack;
import static io.conntrack4j.netlink.ConntrackListing.formatted;
import static io.conntrack4j.netlink.ConntrackListing.tableIn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.core.AddressFamily;
import io.conntrack4j.core.Cidr;
import io.conntrack4j.core.Connection;
import io.conntrack4j.core.Filter;
import io.conntrack4j.core.L4Protocol;
import io.conntrack4j.core.StatusBit;
import io.conntrack4j.core.TcpState;
import io.conntrack4j.testkit.KernelTest;
import io.conntrack4j.testkit.NetNs;
import io.conntrack4j.testkit.NetworkLab;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Dumps and flushes filtered by core {@link Filter}s on a live table: the kernel-filtered dump
 * ({@link DumpFilter#from(Filter)}), the same with kernel filters off, and {@link Filter#test} over
 * a full dump select the same entries; where conntrack(8) has the same options ({@code -f -p
 * --state -m -u -w}) its {@code -L} output is the oracle. A flush deletes exactly what the
 * filter selects.
 */
@KernelTest(requires = {"conntrack", "nft"})
class CoreFilterDumpKernelTest {
    private static final int ASSURED = StatusBit.mask(StatusBit.ASSURED);

    @RegisterExtension
    final NetworkLab lab = new NetworkLab();

    /** A filter and, when conntrack has them, the conntrack options that mean the same. */
    record Case(Filter filter, String... options) {
    }

    private static List<Case> cases() {
        return List.of(
                new Case(Filter.builder().acceptFamilies(AddressFamily.IPV6).build(), "-f", "ipv6"),
                new Case(Filter.builder().acceptProtocols(L4Protocol.UDP).build(), "-p", "udp"),
                new Case(Filter.builder().acceptProtocols(L4Protocol.TCP).acceptTcpStates(TcpState.ESTABLISHED).build(),
                        "-p", "tcp", "--state", "ESTABLISHED"),
                new Case(Filter.builder().mark(3, 0xff).build(), "-m", "3/0xff"),
                new Case(Filter.builder().status(ASSURED, ASSURED).build(), "-u", "ASSURED"),
                new Case(Filter.builder().zone(9).build(), "-w", "9"),
                new Case(Filter.builder().acceptFamilies(AddressFamily.IPV4).acceptProtocols(L4Protocol.TCP)
                        .mark(7, -1).build(), "-f", "ipv4", "-p", "tcp", "-m", "7"),
                // conntrackd's rules that conntrack(8) has no option for
                new Case(Filter.builder().ignoreAddresses(Cidr.parse("10.1.1.0/30"), Cidr.parse("2001:db8::/64")).build()),
                new Case(Filter.builder().acceptAddresses(Cidr.parse("192.168.7.0/24"), Cidr.parse("8.8.0.0/16")).build()),
                new Case(Filter.builder().ignoreProtocols(L4Protocol.TCP, L4Protocol.UDP).build()),
                new Case(Filter.builder().acceptProtocols(L4Protocol.TCP, L4Protocol.SCTP)
                        .ignoreTcpStates(TcpState.ESTABLISHED, TcpState.TIME_WAIT).build()),
                new Case(Filter.builder().ignoreFamilies(AddressFamily.IPV4).status(0, ASSURED).build()));
    }

    @Test
    void filteredDumpsEqualFilterTestOnAFullDumpAndConntrack() {
        NetNs ns = lab.namespace("corefilters");
        ConntrackListing.insertLongLived(ns, List.of(ConntrackListKernelTest.ENTRIES));
        try (ConntrackTable kernel = tableIn(ns); ConntrackTable userSpace = tableIn(ns).useKernelFilters(false)) {
            List<Connection> all = kernel.list();
            assertEquals(ConntrackListKernelTest.ENTRIES.length, all.size());
            for (Case c : cases()) {
                List<Connection> selected = all.stream().filter(c.filter()).toList();
                List<String> expected = formatted(selected);
                assertFalse(expected.isEmpty() || expected.size() == all.size(), c.filter() + " selects " + expected);
                if (c.options().length > 0) {
                    assertEquals(conntrack(ns, c.options()), expected, "conntrack -L " + String.join(" ", c.options()));
                }
                assertEquals(expected, formatted(kernel.list(c.filter())), "kernel-side " + c.filter());
                assertEquals(expected, formatted(userSpace.list(c.filter())), "user space " + c.filter());
                long[] visited = {0};
                kernel.dump(c.filter(), entry -> {
                    visited[0]++;
                    return true;
                });
                assertEquals(expected.size(), visited[0], c.filter().toString());
            }
        }
    }

    @Test
    void filteredFlushesDeleteExactlyWhatTheFilterSelects() {
        NetNs ns = lab.namespace("coreflush");
        List<Filter> flushes = List.of(
                Filter.builder().mark(7, -1).build(),
                Filter.builder().acceptFamilies(AddressFamily.IPV4).acceptProtocols(L4Protocol.UDP).build(),
                Filter.builder().ignoreAddresses(Cidr.parse("10.1.1.0/24")).build(),
                Filter.builder().acceptProtocols(L4Protocol.TCP).ignoreTcpStates(TcpState.ESTABLISHED).build());
        for (Filter f : flushes) {
            ns.execOk("conntrack", "-F");
            ConntrackListing.insertLongLived(ns, List.of(ConntrackListKernelTest.ENTRIES));
            try (ConntrackTable table = tableIn(ns)) {
                List<Connection> before = table.list();
                List<Connection> kept = before.stream().filter(f.negate()).toList();
                assertTrue(kept.size() < before.size() && !kept.isEmpty(), f.toString());
                table.flush(f);
                assertEquals(formatted(kept), formatted(table.list()), f.toString());
            }
        }
    }
}

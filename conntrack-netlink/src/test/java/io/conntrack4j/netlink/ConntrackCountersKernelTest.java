package io.conntrack4j.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.core.AddressFamily;
import io.conntrack4j.core.Connection;
import io.conntrack4j.core.format.ConntrackFormat;
import io.conntrack4j.testkit.KernelTest;
import io.conntrack4j.testkit.NetNs;
import io.conntrack4j.testkit.NetworkLab;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Dump-and-zero (IPCTNL_MSG_CT_GET_CTRZERO) against real traffic, with {@code conntrack -L -o
 * extended} as the oracle before and after: the dump carries the counters conntrack showed, and
 * conntrack then shows them zeroed.
 */
@KernelTest(requires = {"conntrack", "nft", "ping", "sysctl"})
class ConntrackCountersKernelTest {
    private static final ConntrackFormat EXTENDED = ConntrackFormat.builder().extended(true).build();

    @RegisterExtension
    final NetworkLab lab = new NetworkLab();

    /** Lines with the (counting down) timeout blanked, sorted. */
    private static List<String> blanked(List<String> lines) {
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            out.add(line.replaceFirst("^(\\S+ +\\d+ \\S+ +\\d+ )\\d+ ", "$1T "));
        }
        out.sort(null);
        return out;
    }

    private static List<String> conntrackExtended(NetNs ns) {
        return blanked(ns.execOk("conntrack", "-L", "-o", "extended").lines().toList());
    }

    @Test
    void aZeroingDumpReadsTheCountersConntrackShowedAndConntrackThenShowsZeros() {
        NetNs client = lab.namespace("client");
        NetNs server = lab.namespace("server");
        lab.link(client, "10.204.0.1/24", server, "10.204.0.2/24");
        // read when an entry is created: set before any traffic
        server.execOk("sysctl", "-qw", "net.netfilter.nf_conntrack_acct=1");
        server.enableConntrack();
        client.execOk("ping", "-c", "3", "-i", "0.2", "10.204.0.2");
        client.execOk("ping", "-c", "2", "-i", "0.2", "-s", "100", "10.204.0.2");
        List<String> before = conntrackExtended(server);
        assertEquals(2, before.size(), before.toString());
        assertTrue(before.stream().allMatch(l -> l.contains("packets=3 bytes=252") || l.contains("packets=2 bytes=256")),
                before.toString());
        try (ConntrackTable table = new ConntrackTable(
                NetlinkSocket.openInNamespace(server.name(), NetlinkSocket.Options.DEFAULT))) {
            List<String> zeroed = new ArrayList<>();
            for (Connection c : table.listAndZeroCounters()) {
                zeroed.add(EXTENDED.format(c));
            }
            assertEquals(before, blanked(zeroed));

            List<String> after = conntrackExtended(server);
            List<String> expected = new ArrayList<>();
            for (String line : before) {
                expected.add(line.replaceAll("packets=\\d+ bytes=\\d+", "packets=0 bytes=0"));
            }
            assertEquals(expected, after);

            // the family-filtered visitor form: zero everywhere already, and IPv6 holds nothing
            long[] seen = {0, 0};
            table.dumpAndZeroCounters(AddressFamily.IPV4, entry -> {
                seen[0]++;
                seen[1] += entry.packetsOriginal() + entry.packetsReply() + entry.bytesOriginal() + entry.bytesReply();
                return entry.hasCounters();
            });
            assertEquals(2, seen[0]);
            assertEquals(0, seen[1]);
            assertEquals(0, table.dumpAndZeroCounters(AddressFamily.IPV6, entry -> true).entries());
        }
    }
}

package io.conntrack4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.testkit.CommandResult;
import io.conntrack4j.testkit.KernelTest;
import io.conntrack4j.testkit.NetNs;
import io.conntrack4j.testkit.NetworkLab;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code ct4j show conntrack table ipv4} on the flows of the VyOS documentation's example
 * (/work/shared/seed/vyos-conntrack-sync.txt): the seed's legend and header, then one row per
 * entry that conntrack -L -o id lists, in its order, with its id, tuple and timeout in the seed's
 * columns.
 */
@KernelTest(requires = {"conntrack"})
class Ct4jShowKernelTest {
    /** Copied from the seed. */
    private static final String HEAD = String.join("\n",
            "TCP state codes: SS - SYN SENT, SR - SYN RECEIVED, ES - ESTABLISHED,",
            "                 FW - FIN WAIT, CW - CLOSE WAIT, LA - LAST ACK,",
            "                 TW - TIME WAIT, CL - CLOSE, LI - LISTEN",
            "",
            "CONN ID    Source                 Destination            Protocol         TIMEOUT",
            "");
    private static final Pattern LINE = Pattern.compile(
            "^(\\w+) +(\\d+) (\\d+) (?:(ESTABLISHED|SYN_SENT|TIME_WAIT) )?src=(\\S+) dst=(\\S+)"
                    + "(?: sport=(\\d+) dport=(\\d+))?.* id=(\\d+)$");
    private static final Pattern ROW = Pattern.compile("^(.{10}) (.{22}) (.{22}) (.{16}) (\\d+)$");
    private static final Duration LIMIT = Duration.ofSeconds(60);

    @RegisterExtension
    final NetworkLab lab = new NetworkLab();

    @Test
    void showsTheSeedsFlowsInTheSeedsTable() {
        NetNs ns = lab.namespace("vyos");
        ns.execOk("conntrack", "-I", "-p", "tcp", "-s", "10.35.100.87", "-d", "172.31.20.12", "--sport", "58172",
                "--dport", "22", "--state", "ESTABLISHED", "-u", "SEEN_REPLY,ASSURED", "-t", "430279");
        ns.execOk("conntrack", "-I", "-p", "tcp", "-s", "10.35.101.221", "-d", "172.31.120.21", "--sport", "57483",
                "--dport", "22", "--state", "SYN_SENT", "-t", "300");
        ns.execOk("conntrack", "-I", "-s", "10.100.68.100", "-d", "172.31.120.21", "-p", "icmp", "--icmp-type", "8",
                "--icmp-code", "0", "--icmp-id", "7", "-t", "29");
        ns.execOk("conntrack", "-I", "-p", "udp", "-s", "172.31.20.12", "-d", "239.10.10.14", "--sport", "60286",
                "--dport", "694", "-t", "29");
        ns.execOk("conntrack", "-I", "-p", "udp", "-s", "2001:db8::1", "-d", "2001:db8::2", "--sport", "1",
                "--dport", "2", "-t", "29");

        List<String> before = ns.execOk("conntrack", "-L", "-f", "ipv4", "-o", "id").lines().toList();
        CommandResult shown = Ct4jProcess.run(ns, LIMIT, "show", "conntrack", "table", "ipv4");
        List<String> after = ns.execOk("conntrack", "-L", "-f", "ipv4", "-o", "id").lines().toList();
        assertEquals(0, shown.exitCode(), shown.stderr());
        assertEquals("", shown.stderr());
        assertTrue(shown.stdout().startsWith(HEAD), shown.stdout());
        List<String> rows = shown.stdout().substring(HEAD.length()).lines().toList();
        assertEquals(4, before.size());
        assertEquals(before.size(), rows.size(), shown.stdout());
        for (int i = 0; i < rows.size(); i++) {
            Matcher c = LINE.matcher(before.get(i));
            assertTrue(c.find(), before.get(i));
            Matcher r = ROW.matcher(rows.get(i));
            assertTrue(r.find(), rows.get(i));
            String code = c.group(4) == null ? "" : switch (c.group(4)) {
                case "ESTABLISHED" -> " ES";
                case "SYN_SENT" -> " SS";
                default -> " TW";
            };
            String ports = c.group(7) == null ? "" : ":";
            assertEquals(c.group(9), r.group(1).strip(), rows.get(i));
            assertEquals(c.group(5) + (c.group(7) == null ? "" : ports + c.group(7)), r.group(2).strip(), rows.get(i));
            assertEquals(c.group(6) + (c.group(8) == null ? "" : ports + c.group(8)), r.group(3).strip(), rows.get(i));
            assertEquals(c.group(1) + " [" + c.group(2) + "]" + code, r.group(4).strip(), rows.get(i));
            long timeout = Long.parseLong(r.group(5));
            Matcher later = LINE.matcher(after.get(i));
            assertTrue(later.find(), after.get(i));
            assertTrue(Long.parseLong(later.group(3)) <= timeout && timeout <= Long.parseLong(c.group(3)), rows.get(i));
        }

        CommandResult bad = Ct4jProcess.run(ns, LIMIT, "show", "conntrack", "table", "ipx");
        assertEquals(2, bad.exitCode());
        assertEquals("usage: ct4j show conntrack table ipv4|ipv6\n", bad.stderr());
    }
}

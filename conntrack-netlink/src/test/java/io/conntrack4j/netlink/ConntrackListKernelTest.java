package io.conntrack4j.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.core.AddressFamily;
import io.conntrack4j.core.Connection;
import io.conntrack4j.core.L4Protocol;
import io.conntrack4j.core.format.ConntrackFormat;
import io.conntrack4j.testkit.Await;
import io.conntrack4j.testkit.BackgroundProcess;
import io.conntrack4j.testkit.KernelTest;
import io.conntrack4j.testkit.NetNs;
import io.conntrack4j.testkit.NetworkLab;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link ConntrackTable#list()} against conntrack(8): every connection, formatted with the core's
 * {@link ConntrackFormat}, must be a line {@code conntrack -L} prints in the same namespace.
 */
@KernelTest(requires = {"conntrack", "nft", "nc", "sysctl"})
class ConntrackListKernelTest {
    /** Varied entries: TCP states, UDP, ICMP, ICMPv6, SCTP, GRE, UDP-Lite, generic, IPv6, NAT, zones, marks. */
    static final String[][] ENTRIES = {
        {"-p", "tcp", "-s", "10.1.1.1", "-d", "10.2.2.2", "--sport", "1111", "--dport", "80",
            "--state", "ESTABLISHED", "-t", "300", "-u", "SEEN_REPLY,ASSURED", "-m", "7"},
        {"-p", "tcp", "-s", "10.1.1.2", "-d", "10.2.2.2", "--sport", "2222", "--dport", "443",
            "--state", "SYN_SENT", "-t", "100"},
        {"-p", "tcp", "-s", "10.1.1.3", "-d", "10.2.2.2", "--sport", "3333", "--dport", "443",
            "--state", "TIME_WAIT", "-t", "100", "-u", "SEEN_REPLY"},
        {"-p", "tcp", "-s", "10.1.1.4", "-d", "10.2.2.2", "--sport", "4444", "--dport", "22",
            "--state", "FIN_WAIT", "-t", "100", "-u", "SEEN_REPLY,ASSURED", "-w", "9"},
        {"-p", "tcp", "-s", "10.1.1.5", "-d", "10.2.2.2", "--sport", "5555", "--dport", "80",
            "-r", "192.168.7.5", "-q", "10.1.1.5", "--reply-port-src", "8080", "--reply-port-dst", "5555",
            "--state", "ESTABLISHED", "-t", "400", "-u", "SEEN_REPLY,ASSURED"},
        {"-p", "udp", "-s", "10.1.1.1", "-d", "10.2.2.3", "--sport", "5353", "--dport", "53", "-t", "30",
            "-m", "4294967295"},
        {"-p", "udp", "-s", "192.168.0.10", "-d", "8.8.8.8", "--sport", "40000", "--dport", "53",
            "-r", "8.8.8.8", "-q", "203.0.113.1", "--reply-port-src", "53", "--reply-port-dst", "61000",
            "-t", "60", "-u", "SEEN_REPLY"},
        {"-p", "udp", "-s", "10.1.1.1", "-d", "10.2.2.3", "--sport", "1", "--dport", "55", "-t", "50",
            "--orig-zone", "3"},
        {"-p", "icmp", "-s", "10.1.1.1", "-d", "10.2.2.2", "--icmp-type", "8", "--icmp-code", "0",
            "--icmp-id", "77", "-t", "30", "-w", "9"},
        {"-p", "sctp", "-s", "10.1.1.1", "-d", "10.2.2.2", "--sport", "5000", "--dport", "6000",
            "--state", "ESTABLISHED", "-t", "100", "-u", "SEEN_REPLY", "--orig-vtag", "0x1234",
            "--reply-vtag", "0x5678"},
        {"-p", "gre", "-s", "10.1.1.1", "-d", "10.2.2.2", "--srckey", "1", "--dstkey", "2", "-t", "100"},
        {"-p", "udplite", "-s", "10.1.1.1", "-d", "10.2.2.2", "--sport", "1", "--dport", "54", "-t", "100"},
        {"-p", "99", "-s", "10.1.1.1", "-d", "10.2.2.2", "-t", "100"},
        {"-p", "tcp", "-s", "2001:db8::1", "-d", "2001:db8::2", "--sport", "1111", "--dport", "443",
            "--state", "ESTABLISHED", "-t", "200", "-u", "SEEN_REPLY", "-m", "3"},
        {"-p", "udp", "-s", "2001:db8::1", "-d", "2001:db8:0:0:1::2", "--sport", "4000", "--dport", "4001",
            "-t", "30"},
        {"-p", "icmpv6", "-s", "2001:db8::1", "-d", "::ffff:10.0.0.1", "--icmpv6-type", "128",
            "--icmpv6-code", "0", "--icmpv6-id", "9", "-t", "30"},
    };

    /** The timeout: after the protocol (and, with -o extended, the family) name and number. */
    private static final Pattern TIMEOUT = Pattern.compile("^((?:ipv[46] +\\d+ +)?\\S+ +\\d+ )(\\d+) ");
    private static final Pattern DELTA = Pattern.compile("(delta-time=)(\\d+) ");

    @RegisterExtension
    final NetworkLab lab = new NetworkLab();

    static void insertAll(NetNs ns) {
        for (String[] entry : ENTRIES) {
            String[] argv = new String[entry.length + 2];
            argv[0] = "conntrack";
            argv[1] = "-I";
            System.arraycopy(entry, 0, argv, 2, entry.length);
            ns.execOk(argv);
        }
    }

    private static ConntrackTable tableIn(NetNs ns) {
        return new ConntrackTable(NetlinkSocket.openInNamespace(ns.name(), NetlinkSocket.Options.DEFAULT));
    }

    /**
     * Timeouts count down and {@code delta-time} counts up while the listings run, so the oracle is
     * listed before and after ours: a line of ours is right when it equals a line of conntrack's in
     * everything else, and its timeout and delta-time lie between conntrack's before and after
     * values (inclusive). Everything else must be equal byte for byte.
     */
    private static void assertSameLines(NetNs ns, Supplier<List<String>> listing, String... options) {
        String[] argv = new String[options.length + 2];
        argv[0] = "conntrack";
        argv[1] = "-L";
        System.arraycopy(options, 0, argv, 2, options.length);
        List<String> before = ns.execOk(argv).lines().toList();
        List<String> ours = listing.get();
        List<String> after = ns.execOk(argv).lines().toList();
        String context = "conntrack " + String.join(" ", options) + " printed:\n" + String.join("\n", before)
                + "\nwe formatted:\n" + String.join("\n", ours);
        assertEquals(before.size(), ours.size(), context);
        Map<String, long[]> ranges = new HashMap<>();
        for (String line : before) {
            long[] r = ranges.computeIfAbsent(shape(line), key -> new long[] {Long.MIN_VALUE, Long.MAX_VALUE, -1, -1});
            r[1] = number(TIMEOUT, line);
            r[2] = number(DELTA, line);
        }
        for (String line : after) {
            long[] r = ranges.computeIfAbsent(shape(line), key -> new long[] {Long.MIN_VALUE, Long.MAX_VALUE, -1, -1});
            r[0] = number(TIMEOUT, line);
            r[3] = number(DELTA, line);
        }
        Set<String> seen = new HashSet<>();
        for (String line : ours) {
            long[] r = ranges.get(shape(line));
            assertTrue(r != null, "not printed by conntrack:\n" + line + "\n" + context);
            long timeout = number(TIMEOUT, line);
            long delta = number(DELTA, line);
            assertTrue(timeout >= Math.min(r[0], r[1]) && timeout <= Math.max(r[0], r[1]),
                    "timeout out of conntrack's range " + r[1] + ".." + r[0] + ": " + line);
            assertTrue(delta >= Math.min(r[2], r[3]) && delta <= Math.max(r[2], r[3]),
                    "delta-time out of conntrack's range " + r[2] + ".." + r[3] + ": " + line);
            assertTrue(seen.add(shape(line)), "printed twice: " + line);
        }
    }

    /** The line with its timeout and delta-time blanked. */
    private static String shape(String line) {
        Matcher m = TIMEOUT.matcher(line);
        String shaped = m.find() ? m.group(1) + "T " + line.substring(m.end()) : line;
        return DELTA.matcher(shaped).replaceAll("delta-time=D ");
    }

    /** The number a pattern's group 2 captures, or -1 when the line has no such field. */
    private static long number(Pattern field, String line) {
        Matcher m = field.matcher(line);
        return m.find() ? Long.parseLong(m.group(2)) : -1;
    }

    private static List<String> format(List<Connection> connections, ConntrackFormat format) {
        List<String> lines = new ArrayList<>();
        for (Connection c : connections) {
            lines.add(format.format(c));
        }
        return lines;
    }

    @Test
    void everyConnectionFormatsToTheLineConntrackPrints() {
        NetNs ns = lab.namespace("list");
        insertAll(ns);
        try (ConntrackTable table = tableIn(ns)) {
            assertEquals(ENTRIES.length, table.list().size());
            assertEquals(0, table.incompleteEntries());
            assertSameLines(ns, () -> format(table.list(), ConntrackFormat.builder().build()));
            assertSameLines(ns, () -> format(table.list(), ConntrackFormat.builder().extended(true).id(true).build()),
                    "-o", "extended,id");
            assertSameLines(ns, () -> format(table.list(AddressFamily.IPV6), ConntrackFormat.builder().build()),
                    "-f", "ipv6");
            assertSameLines(ns, () -> format(table.list(AddressFamily.IPV4), ConntrackFormat.builder().id(true).build()),
                    "-f", "ipv4", "-o", "id");
        }
    }

    @Test
    void protocolDetailsThatConntrackDoesNotPrintAreKept() {
        NetNs ns = lab.namespace("details");
        insertAll(ns);
        try (ConntrackTable table = tableIn(ns)) {
            Connection sctp = null;
            Connection zoned = null;
            for (Connection c : table.list(AddressFamily.IPV4)) {
                if (c.protocol() == L4Protocol.SCTP) {
                    sctp = c;
                } else if (c.original().hasZone()) {
                    zoned = c;
                }
            }
            assertNotNull(sctp);
            // the kernel sends the vtags nest even though conntrack -I's --orig-vtag/--reply-vtag
            // do not reach it on 6.18 (it reports 0): only their presence is checked
            assertTrue(sctp.hasSctpVtags());
            assertEquals(4, sctp.protocolState(), "ESTABLISHED");
            assertNotNull(zoned);
            assertEquals(3, zoned.original().zone());
            assertTrue(!zoned.reply().hasZone(), "the reply direction has no zone of its own");
        }
    }

    @Test
    void countersTimestampsAndTcpWindowsOfRealTrafficMatchConntrack() {
        NetNs client = lab.namespace("client");
        NetNs server = lab.namespace("server");
        lab.link(client, "10.203.0.1/24", server, "10.203.0.2/24");
        // per-namespace switches, read when an entry is created: set them before any traffic
        server.execOk("sysctl", "-q", "-w", "net.netfilter.nf_conntrack_acct=1",
                "net.netfilter.nf_conntrack_timestamp=1");
        server.enableConntrack();
        lab.start(server, "nc", "-l", "-k", "10.203.0.2", "5001");
        Await.until(Duration.ofSeconds(10), "the server to listen",
                () -> server.exec("ss", "-Hltn", "sport = :5001").stdout().contains("5001"));
        BackgroundProcess connection = lab.start(client, "nc", "10.203.0.2", "5001");
        connection.write("hello\n");
        client.exec(Duration.ofSeconds(10), "ping\n", "nc", "-u", "-w", "1", "10.203.0.2", "5002");
        Await.value(Duration.ofSeconds(10), "an ASSURED TCP entry and a UDP entry",
                () -> server.exec("conntrack", "-L").stdout(),
                out -> out.contains("[ASSURED]") && out.contains("dport=5002"));
        try (ConntrackTable table = tableIn(server)) {
            assertSameLines(server, () -> format(table.list(), ConntrackFormat.builder().build()));
            assertSameLines(server, () -> format(table.list(), ConntrackFormat.builder().extended(true).id(true)
                    .kernelTimestamps(true).build()), "-o", "extended,id,ktimestamp");
            Connection tcp = table.list().stream().filter(c -> c.protocol() == L4Protocol.TCP).findFirst()
                    .orElseThrow();
            assertTrue(tcp.hasCountersOriginal() && tcp.packetsOriginal() >= 3, tcp.toString());
            assertTrue(tcp.hasStart());
            assertTrue(tcp.hasTcpWindow(), "a real TCP entry carries flags and window scales");
        }
    }
}

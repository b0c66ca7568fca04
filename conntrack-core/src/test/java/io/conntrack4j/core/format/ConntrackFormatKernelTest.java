package io.conntrack4j.core.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.core.Connection;
import io.conntrack4j.core.EventType;
import io.conntrack4j.core.IpAddress;
import io.conntrack4j.core.L4Protocol;
import io.conntrack4j.core.StatusBit;
import io.conntrack4j.core.Tuple;
import io.conntrack4j.testkit.CommandResult;
import io.conntrack4j.testkit.ConnectionLabels;
import io.conntrack4j.testkit.KernelTest;
import io.conntrack4j.testkit.NetNs;
import io.conntrack4j.testkit.NetworkLab;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The oracle for {@link ConntrackFormat}: entries created with the real {@code conntrack -I} in a
 * fresh namespace, every line the real {@code conntrack -L} / {@code -E} prints parsed and formatted
 * back byte for byte, and the parsed fields compared with what was inserted.
 */
@KernelTest(requires = {"conntrack", "nft", "sysctl", "unshare"})
class ConntrackFormatKernelTest {

    @RegisterExtension
    final NetworkLab lab = new NetworkLab();

    /** What one {@code conntrack -I} creates. */
    record Insert(List<String> args, Tuple original, Tuple reply, int state, int mark, int zone,
                  int visibleStatus, int timeout, boolean accounting) {
    }

    static IpAddress ip(String text) {
        return IpAddress.parse(text);
    }

    static final int SEEN = StatusBit.SEEN_REPLY.mask();
    static final int ASSURED = StatusBit.ASSURED.mask() | SEEN;

    static List<Insert> inserts(boolean accounting) {
        List<Insert> list = new ArrayList<>();
        String[] tcpStates = {"SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT", "CLOSE_WAIT", "LAST_ACK",
            "TIME_WAIT", "CLOSE", "SYN_SENT2", "NONE"};
        int[] numbers = {1, 2, 3, 4, 5, 6, 7, 8, 9, 0};
        int base = accounting ? 2000 : 1000;
        for (int i = 0; i < tcpStates.length; i++) {
            boolean assured = i % 2 == 0;
            Tuple orig = Tuple.ofPorts(ip("10.0.1.1"), ip("10.0.1.2"), L4Protocol.TCP, 40000 + i, base + i);
            list.add(new Insert(List.of("-p", "tcp", "-s", "10.0.1.1", "-d", "10.0.1.2", "--sport", "" + (40000 + i),
                    "--dport", "" + (base + i), "--state", tcpStates[i], "-t", "" + (1000 + i),
                    "-u", assured ? "SEEN_REPLY,ASSURED" : "SEEN_REPLY", "-m", "" + i),
                    orig, orig.inverse(), numbers[i], i, -1, assured ? ASSURED : SEEN, 1000 + i, accounting));
        }
        Tuple tcp6 = Tuple.ofPorts(ip("2001:db8::1"), ip("2001:db8:0:0:1::2"), L4Protocol.TCP, 1, base);
        list.add(new Insert(List.of("-p", "tcp", "-s", "2001:db8::1", "-d", "2001:db8:0:0:1::2", "--sport", "1",
                "--dport", "" + base, "--state", "SYN_SENT", "-t", "300", "-m", "7", "--zone", "3"),
                tcp6, tcp6.inverse(), 1, 7, 3, 0, 300, accounting));
        Tuple udp = Tuple.ofPorts(ip("10.0.3.1"), ip("10.0.3.2"), L4Protocol.UDP, 53000, base);
        list.add(new Insert(List.of("-p", "udp", "-s", "10.0.3.1", "-d", "10.0.3.2", "--sport", "53000",
                "--dport", "" + base, "-t", "120", "--mark", "4294967295", "--zone", "65535"),
                udp, udp.inverse(), -1, -1, 65535, 0, 120, accounting));
        Tuple udpReplied = Tuple.ofPorts(ip("10.0.3.1"), ip("10.0.3.2"), L4Protocol.UDP, 53001, base);
        list.add(new Insert(List.of("-p", "udp", "-s", "10.0.3.1", "-d", "10.0.3.2", "--sport", "53001",
                "--dport", "" + base, "-t", "180", "-u", "SEEN_REPLY,ASSURED"),
                udpReplied, udpReplied.inverse(), -1, 0, -1, ASSURED, 180, accounting));
        Tuple udplite = Tuple.ofPorts(ip("10.0.3.1"), ip("10.0.3.2"), L4Protocol.UDPLITE, 5, base);
        list.add(new Insert(List.of("-p", "udplite", "-s", "10.0.3.1", "-d", "10.0.3.2", "--sport", "5",
                "--dport", "" + base, "-t", "200"), udplite, udplite.inverse(), -1, 0, -1, 0, 200, accounting));
        Tuple icmp = Tuple.ofIcmp(ip("10.0.4.1"), ip("10.0.4.2"), 8, 0, base);
        list.add(new Insert(List.of("-p", "icmp", "-s", "10.0.4.1", "-d", "10.0.4.2", "--icmp-type", "8",
                "--icmp-code", "0", "--icmp-id", "" + base, "-t", "210"), icmp, icmp.inverse(), -1, 0, -1, 0, 210,
                accounting));
        Tuple timestamp = Tuple.ofIcmp(ip("10.0.4.1"), ip("10.0.4.2"), 13, 0, base);
        list.add(new Insert(List.of("-p", "icmp", "-s", "10.0.4.1", "-d", "10.0.4.2", "--icmp-type", "13",
                "--icmp-code", "0", "--icmp-id", "" + base, "-t", "220"), timestamp, timestamp.inverse(), -1, 0, -1,
                0, 220, accounting));
        Tuple icmp6 = Tuple.ofIcmp(ip("::ffff:10.0.4.1"), ip("fe80::1"), 128, 0, base);
        list.add(new Insert(List.of("-p", "icmpv6", "-s", "::ffff:10.0.4.1", "-d", "fe80::1", "--icmpv6-type", "128",
                "--icmpv6-code", "0", "--icmpv6-id", "" + base, "-t", "230"), icmp6, icmp6.inverse(), -1, 0, -1, 0,
                230, accounting));
        Tuple nodeInfo = Tuple.ofIcmp(ip("2001:db8::5"), ip("::1"), 139, 0, base);
        list.add(new Insert(List.of("-p", "icmpv6", "-s", "2001:db8::5", "-d", "::1", "--icmpv6-type", "139",
                "--icmpv6-code", "0", "--icmpv6-id", "" + base, "-t", "240"), nodeInfo, nodeInfo.inverse(), -1, 0,
                -1, 0, 240, accounting));
        Tuple sctp = Tuple.ofPorts(ip("10.0.5.1"), ip("10.0.5.2"), L4Protocol.SCTP, 5, base);
        list.add(new Insert(List.of("-p", "sctp", "-s", "10.0.5.1", "-d", "10.0.5.2", "--sport", "5", "--dport",
                "" + base, "--state", "ESTABLISHED", "--orig-vtag", "10", "--reply-vtag", "11", "-t", "250"),
                sctp, sctp.inverse(), 4, 0, -1, 0, 250, accounting));
        Tuple sctpCookie = Tuple.ofPorts(ip("10.0.5.1"), ip("10.0.5.2"), L4Protocol.SCTP, 6, base);
        list.add(new Insert(List.of("-p", "sctp", "-s", "10.0.5.1", "-d", "10.0.5.2", "--sport", "6", "--dport",
                "" + base, "--state", "COOKIE_WAIT", "--orig-vtag", "1", "--reply-vtag", "2", "-t", "260",
                "-u", "SEEN_REPLY"), sctpCookie, sctpCookie.inverse(), 2, 0, -1, SEEN, 260, accounting));
        Tuple gre = Tuple.ofGre(ip("10.0.6.1"), ip("10.0.6.2"), 1, base);
        list.add(new Insert(List.of("-p", "gre", "-s", "10.0.6.1", "-d", "10.0.6.2", "--srckey", "1", "--dstkey",
                "" + base, "-t", "270"), gre, gre.inverse(), -1, 0, -1, 0, 270, accounting));
        Tuple esp = Tuple.ofAddresses(ip("10.0.7.1"), ip("10.0.7." + (accounting ? 3 : 2)), L4Protocol.of(50));
        list.add(new Insert(List.of("-p", "50", "-s", "10.0.7.1", "-d", esp.destination().toString(), "-t", "280"),
                esp, esp.inverse(), -1, 0, -1, 0, 280, accounting));
        Tuple ipip = Tuple.ofAddresses(ip("2001:db8::7:1"), ip("2001:db8::7:" + (accounting ? 3 : 2)), L4Protocol.of(4));
        list.add(new Insert(List.of("-p", "4", "-s", "2001:db8::7:1", "-d", ipip.destination().toString(), "-t", "290"),
                ipip, ipip.inverse(), -1, 0, -1, 0, 290, accounting));
        // Source NAT (masquerade to 192.0.2.1:61000) and destination NAT (port forward to 10.0.9.9:8080).
        Tuple snat = Tuple.ofPorts(ip("10.0.8.1"), ip("198.51.100.7"), L4Protocol.TCP, 50000, base);
        Tuple snatReply = Tuple.ofPorts(ip("198.51.100.7"), ip("192.0.2.1"), L4Protocol.TCP, base, 61000);
        list.add(new Insert(List.of("-p", "tcp", "-s", "10.0.8.1", "-d", "198.51.100.7", "--sport", "50000",
                "--dport", "" + base, "-r", "198.51.100.7", "-q", "192.0.2.1", "--reply-port-src", "" + base,
                "--reply-port-dst", "61000", "--state", "ESTABLISHED", "-t", "310", "-u", "SEEN_REPLY,ASSURED"),
                snat, snatReply, 3, 0, -1, ASSURED, 310, accounting));
        Tuple dnat = Tuple.ofPorts(ip("203.0.113.5"), ip("192.0.2.1"), L4Protocol.TCP, 50001, base);
        Tuple dnatReply = Tuple.ofPorts(ip("10.0.9.9"), ip("203.0.113.5"), L4Protocol.TCP, base + 7000, 50001);
        list.add(new Insert(List.of("-p", "tcp", "-s", "203.0.113.5", "-d", "192.0.2.1", "--sport", "50001",
                "--dport", "" + base, "-r", "10.0.9.9", "-q", "203.0.113.5", "--reply-port-src", "" + (base + 7000),
                "--reply-port-dst", "50001", "--state", "SYN_RECV", "-t", "320"),
                dnat, dnatReply, 2, 0, -1, 0, 320, accounting));
        Tuple dnat6 = Tuple.ofPorts(ip("2001:db8:1::1"), ip("2001:db8:2::1"), L4Protocol.UDP, 500, base);
        Tuple dnat6Reply = Tuple.ofPorts(ip("fd00::9"), ip("2001:db8:1::1"), L4Protocol.UDP, base + 2500, 500);
        list.add(new Insert(List.of("-p", "udp", "-s", "2001:db8:1::1", "-d", "2001:db8:2::1", "--sport", "500",
                "--dport", "" + base, "-r", "fd00::9", "-q", "2001:db8:1::1", "--reply-port-src", "" + (base + 2500),
                "--reply-port-dst", "500", "-t", "330", "-u", "SEEN_REPLY"),
                dnat6, dnat6Reply, -1, 0, -1, SEEN, 330, accounting));
        return list;
    }

    @Test
    void everyLineConntrackPrintsParsesAndFormatsBackByteForByte() {
        NetNs ns = lab.namespace("fmt");
        ns.enableConntrack();
        List<Insert> all = new ArrayList<>();
        ns.execOk("sysctl", "-q", "-w", "net.netfilter.nf_conntrack_acct=0", "net.netfilter.nf_conntrack_timestamp=0");
        for (Insert insert : inserts(false)) {
            insert(ns, insert);
            all.add(insert);
        }
        // Accounting and timestamps apply to entries created after they are switched on.
        ns.execOk("sysctl", "-q", "-w", "net.netfilter.nf_conntrack_acct=1", "net.netfilter.nf_conntrack_timestamp=1");
        for (Insert insert : inserts(true)) {
            insert(ns, insert);
            all.add(insert);
        }
        Map<Tuple, Insert> byOriginal = new HashMap<>();
        all.forEach(i -> byOriginal.put(i.original(), i));

        String[][] variants = {{}, {"-o", "extended"}, {"-o", "id"}, {"-o", "extended,id"},
            {"-o", "extended,id,ktimestamp"}, {"-o", "ktimestamp"}};
        for (String[] variant : variants) {
            String options = variant.length == 0 ? "" : variant[1];
            Listing listing = list(ns, variant);
            ConntrackFormat format = ConntrackFormat.builder()
                    .extended(options.contains("extended"))
                    .id(options.contains("id"))
                    .kernelTimestamps(options.contains("ktimestamp"))
                    .timeZone(ZoneId.systemDefault())
                    .clock(Clock.fixed(Instant.ofEpochSecond(listing.epochSecond()), ZoneId.of("UTC")))
                    .build();
            List<String> lines = listing.lines();
            assertEquals(all.size(), lines.size(), "conntrack -L " + options + ":\n" + String.join("\n", lines));
            for (String line : lines) {
                Connection c = format.parse(line);
                assertEquals(line, format.format(c), "conntrack -L " + options);
                Insert insert = byOriginal.get(c.original());
                assertNotNull(insert, "no insert for " + line);
                check(insert, c, line, options);
            }
        }
    }

    private static void check(Insert insert, Connection c, String line, String options) {
        assertEquals(insert.reply(), c.reply(), line);
        assertEquals(insert.original().protocol(), c.protocol(), line);
        assertEquals(insert.state(), c.protocolState(), line);
        assertTrue(c.hasMark(), line);
        assertEquals(insert.mark(), c.mark(), line);
        assertEquals(insert.zone() >= 0, c.hasZone(), line);
        if (insert.zone() >= 0) {
            assertEquals(insert.zone(), c.zone(), line);
        }
        assertEquals(insert.visibleStatus(), c.status() & ConntrackFormat.VISIBLE_STATUS, line);
        assertTrue(c.hasTimeout(), line);
        assertTrue(c.timeout() <= insert.timeout() && c.timeout() > insert.timeout() - 60, line);
        assertTrue(c.hasUse(), line);
        assertEquals(insert.accounting(), c.hasCountersOriginal(), line);
        assertEquals(insert.accounting(), c.hasCountersReply(), line);
        if (insert.accounting()) {
            assertEquals(0, c.packetsOriginal() | c.bytesOriginal() | c.packetsReply() | c.bytesReply(), line);
            assertTrue(c.hasStart(), line);
            long age = System.currentTimeMillis() / 1000 - c.startNanos() / 1_000_000_000L;
            assertTrue(age >= 0 && age < 120, line);
        } else {
            assertFalse(c.hasStart(), line);
        }
        assertEquals(options.contains("id"), c.hasId(), line);
        boolean nat = !insert.reply().equals(insert.original().inverse());
        assertEquals(nat, c.isNat(), line);
        boolean ports = c.protocol().keyKind() == L4Protocol.KeyKind.PORTS;
        assertEquals(!insert.reply().destination().equals(insert.original().source())
                || ports && insert.reply().destinationPort() != insert.original().sourcePort(), c.isSourceNat(), line);
        assertEquals(!insert.reply().source().equals(insert.original().destination())
                || ports && insert.reply().sourcePort() != insert.original().destinationPort(),
                c.isDestinationNat(), line);
    }

    private static void insert(NetNs ns, Insert insert) {
        List<String> argv = new ArrayList<>(List.of("conntrack", "-I"));
        argv.addAll(insert.args());
        ns.execOk(argv.toArray(String[]::new));
    }

    record Listing(List<String> lines, long epochSecond) {
    }

    /** Runs conntrack -L until one run starts and ends within the same second (delta-time is relative to it). */
    private static Listing list(NetNs ns, String... options) {
        List<String> argv = new ArrayList<>(List.of("conntrack", "-L"));
        argv.addAll(List.of(options));
        for (int attempt = 0; ; attempt++) {
            // start right after a second begins: on a loaded machine one run can take most of a second
            long millis = System.currentTimeMillis();
            try {
                Thread.sleep(1000 - millis % 1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            long before = System.currentTimeMillis() / 1000;
            CommandResult result = ns.exec(argv.toArray(String[]::new));
            long after = System.currentTimeMillis() / 1000;
            String out = result.stdoutOrThrow();
            if (before == after || attempt == 20) {
                assertEquals(before, after, "conntrack -L never ran within one second");
                return new Listing(out.lines().toList(), before);
            }
        }
    }

    /**
     * Labels: the kernel keeps them only when a rule of the namespace uses ct labels, and conntrack
     * prints them only with -o labels and names from /etc/xtables/connlabel.conf. The names are put
     * there on a tmpfs inside a private mount namespace, so the host's /etc is not changed (an empty
     * /etc/xtables is created for the mount point when missing, and removed again).
     */
    @Test
    void labelsAreNamedAsConnlabelConfNamesThem() {
        NetNs ns = lab.namespace("labels");
        ConnectionLabels.enableIn(ns);
        String conf = "0 zero\n1 one\n5 five\n70 seventy\n127 last\n";
        String inNs = "ip netns exec " + ns.name() + " ";
        String script = String.join("\n",
                inNs + "conntrack -I -p tcp -s 10.0.0.5 -d 10.0.0.6 --sport 1 --dport 80 --state ESTABLISHED -t 100"
                        + " --label-add zero,five,seventy,last >/dev/null 2>&1",
                inNs + "conntrack -I -p udp -s 10.0.0.5 -d 10.0.0.6 --sport 2 --dport 80 -t 100 --label-add one >/dev/null 2>&1",
                inNs + "conntrack -I -p udp -s 10.0.0.5 -d 10.0.0.6 --sport 3 --dport 80 -t 100 >/dev/null 2>&1",
                inNs + "conntrack -L -o labels 2>/dev/null",
                "echo ===",
                inNs + "conntrack -L -o extended,id,labels 2>/dev/null",
                "echo ===",
                "printf '2 two\\n' > /etc/xtables/connlabel.conf",
                inNs + "conntrack -L -o labels 2>/dev/null");
        CommandResult result = ConnectionLabels.runNamed(conf, script);
        String[] parts = result.stdoutOrThrow().split("===\n", -1);
        assertEquals(3, parts.length, result.toString());
        LabelMap names = LabelMap.parse(conf);
        ConntrackFormat plain = ConntrackFormat.builder().labels(names).build();
        ConntrackFormat extended = ConntrackFormat.builder().extended(true).id(true).labels(names).build();
        ConntrackFormat otherNames = ConntrackFormat.builder().labels(LabelMap.parse("2 two\n")).build();
        Map<Integer, String> labelsBySport = Map.of(1, "labels=zero,five,seventy,last", 2, "labels=one");
        for (int i = 0; i < 3; i++) {
            ConntrackFormat format = i == 0 ? plain : i == 1 ? extended : otherNames;
            List<String> lines = parts[i].lines().toList();
            assertEquals(3, lines.size(), parts[i]);
            for (String line : lines) {
                Connection c = format.parse(line);
                assertEquals(line, format.format(c));
                int sport = c.original().sourcePort();
                String expected = labelsBySport.get(sport);
                if (expected == null) {
                    assertFalse(c.hasLabels(), line);
                    assertFalse(line.contains("labels"), line);
                } else if (i < 2) {
                    assertTrue(line.endsWith(" " + expected), line);
                    if (sport == 1) {
                        assertEquals(1L << 63 | 1L << (70 - 64), c.labelsHigh(), line);
                        assertEquals(1L | 1L << 5, c.labelsLow(), line);
                    }
                } else {
                    // No set bit has a name: libnetfilter_conntrack prints a bare "labels".
                    assertTrue(line.endsWith(" labels"), line);
                }
            }
        }
    }

    @Test
    void everyEventLineParsesAndFormatsBackByteForByte() {
        NetNs ns = lab.namespace("events");
        ns.enableConntrack();
        ns.execOk("sysctl", "-q", "-w", "net.netfilter.nf_conntrack_acct=1", "net.netfilter.nf_conntrack_timestamp=1");
        String script = String.join("\n",
                "set -e",
                "out=$(mktemp)",
                "conntrack -E -o timestamp,extended,id > $out 2>/dev/null &",
                "listener=$!",
                "conntrack -E > $out.plain 2>/dev/null &",
                "plain=$!",
                // Wait until both listeners see a probe entry: then they are subscribed.
                "i=0",
                "while ! grep -q 'sport=9 ' $out || ! grep -q 'sport=9 ' $out.plain; do",
                "  conntrack -D -p udp -s 10.9.9.9 --sport 9 >/dev/null 2>&1 || true",
                "  conntrack -I -p udp -s 10.9.9.9 -d 10.9.9.8 --sport 9 --dport 9 -t 50 >/dev/null 2>&1",
                "  i=$((i+1)); [ $i -lt 100 ] || break; sleep 0.1",
                "done",
                "conntrack -I -p tcp -s 10.1.0.1 -d 10.1.0.2 --sport 1 --dport 81 --state SYN_SENT -t 50 >/dev/null 2>&1",
                "conntrack -U -p tcp -s 10.1.0.1 -d 10.1.0.2 --sport 1 --dport 81 -m 5 >/dev/null 2>&1",
                "conntrack -I -p icmpv6 -s 2001:db8::1 -d 2001:db8::2 --icmpv6-type 128 --icmpv6-code 0 --icmpv6-id 5"
                        + " -t 30 -u SEEN_REPLY >/dev/null 2>&1",
                "conntrack -D -p tcp -s 10.1.0.1 -d 10.1.0.2 --sport 1 --dport 81 >/dev/null 2>&1",
                "conntrack -D -p icmpv6 >/dev/null 2>&1",
                "i=0",
                "while [ $(grep -c DESTROY $out) -lt 2 ] || [ $(grep -c DESTROY $out.plain) -lt 2 ]; do",
                "  i=$((i+1)); [ $i -lt 100 ] || break; sleep 0.1",
                "done",
                "kill $listener $plain; wait $listener $plain 2>/dev/null || true",
                "cat $out; echo ===; cat $out.plain; rm -f $out $out.plain");
        CommandResult result = ns.exec(Duration.ofSeconds(60), null, "sh", "-c", script);
        String[] parts = result.stdoutOrThrow().split("===\n", -1);
        assertEquals(2, parts.length, result.toString());
        checkEvents(parts[0], ConntrackFormat.builder().extended(true).id(true).build(), true);
        checkEvents(parts[1], ConntrackFormat.builder().build(), false);
    }

    private static void checkEvents(String output, ConntrackFormat base, boolean timestamps) {
        List<String> lines = output.lines().filter(l -> !l.startsWith("conntrack v")).toList();
        assertTrue(lines.size() >= 6, output);
        int destroyed = 0;
        for (String line : lines) {
            // delta-time of DESTROY is stop minus start; of NEW/UPDATE it is relative to now, which
            // conntrack took from the clock at print time: any clock works for the round trip as
            // long as parse and format share it.
            ConntrackFormat format = ConntrackFormat.builder().extended(line.contains("ipv4     2 ")
                    || line.contains("ipv6     10 ")).id(line.contains(" id=")).clock(Clock.fixed(
                    Instant.ofEpochSecond(2_000_000_000L), ZoneId.of("UTC"))).build();
            ConntrackEvent event = format.parseEvent(line);
            assertEquals(line, format.formatEvent(event), "conntrack -E");
            assertEquals(timestamps, event.hasTimestamp(), line);
            assertTrue(event.isUserspace(), line);
            assertEquals("conntrack", event.programName() == null ? "conntrack" : event.programName(), line);
            if (event.type() == EventType.DESTROY) {
                destroyed++;
                assertTrue(event.connection().hasCountersOriginal(), line);
            }
            assertEquals(base.format(format.parseEvent(line).connection()).length() > 0, true);
        }
        assertTrue(destroyed >= 2, output);
    }
}

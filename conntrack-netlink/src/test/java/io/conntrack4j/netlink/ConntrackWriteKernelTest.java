package io.conntrack4j.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.core.Connection;
import io.conntrack4j.core.IpAddress;
import io.conntrack4j.core.L4Protocol;
import io.conntrack4j.core.SctpState;
import io.conntrack4j.core.StatusBit;
import io.conntrack4j.core.TcpState;
import io.conntrack4j.core.Tuple;
import io.conntrack4j.core.format.ConntrackFormat;
import io.conntrack4j.testkit.KernelTest;
import io.conntrack4j.testkit.NetNs;
import io.conntrack4j.testkit.NetworkLab;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The write side of {@link ConntrackTable} with conntrack(8) as the oracle: what we create, update
 * and delete is what {@code conntrack -L}, {@code -G} and {@code -C} then report.
 */
@KernelTest(requires = {"conntrack", "nft"})
class ConntrackWriteKernelTest {
    private static final Pattern TIMEOUT = Pattern.compile("^(\\S+ +\\d+ )(\\d+) ");

    @RegisterExtension
    final NetworkLab lab = new NetworkLab();

    private static ConntrackTable tableIn(NetNs ns) {
        return new ConntrackTable(NetlinkSocket.openInNamespace(ns.name(), NetlinkSocket.Options.DEFAULT));
    }

    /** conntrack -L's lines with the (counting down) timeout blanked, sorted. */
    private static List<String> listed(NetNs ns) {
        List<String> lines = new ArrayList<>();
        for (String line : ns.execOk("conntrack", "-L").lines().toList()) {
            lines.add(TIMEOUT.matcher(line).replaceFirst("$1T "));
        }
        lines.sort(null);
        return lines;
    }

    private static int timeoutOf(String line) {
        Matcher m = TIMEOUT.matcher(line);
        assertTrue(m.find(), line);
        return Integer.parseInt(m.group(2));
    }

    private static Tuple tcp(String source, String destination, int sport, int dport) {
        return Tuple.ofPorts(IpAddress.parse(source), IpAddress.parse(destination), L4Protocol.TCP, sport, dport);
    }

    @Test
    void entriesCreatedFromAListingAreWhatConntrackListedBefore() {
        NetNs ns = lab.namespace("roundtrip");
        ConntrackListKernelTest.insertAll(ns);
        List<String> before = listed(ns);
        try (ConntrackTable table = tableIn(ns)) {
            List<Connection> all = table.list();
            assertEquals(ConntrackListKernelTest.ENTRIES.length, all.size());
            table.flush();
            assertEquals(0, table.count());
            for (Connection c : all) {
                table.create(c);
            }
        }
        // TCP states, UDP, ICMP, ICMPv6, SCTP, GRE, generic, IPv6, NAT with ports, zones, marks
        assertEquals(before, listed(ns));
    }

    @Test
    void aBatchCreatesWhatSingleCreatesDo() {
        NetNs ns = lab.namespace("batchrt");
        ConntrackListKernelTest.insertAll(ns);
        List<String> before = listed(ns);
        try (ConntrackTable table = tableIn(ns)) {
            List<Connection> all = table.list();
            table.flush();
            BatchResult result = table.createAll(all);
            assertEquals(List.of(), result.failures());
            assertEquals(all.size(), result.succeeded());
        }
        assertEquals(before, listed(ns));
    }

    @Test
    void getReturnsWhatConntrackGetPrints() {
        NetNs ns = lab.namespace("get");
        Tuple orig = tcp("2001:db8::1", "2001:db8::2", 40000, 443);
        Connection c = Connection.builder(orig).tcpState(TcpState.ESTABLISHED).timeout(300).mark(42)
                .status(StatusBit.mask(StatusBit.SEEN_REPLY, StatusBit.ASSURED)).build();
        try (ConntrackTable table = tableIn(ns)) {
            table.create(c);
            table.create(c.toBuilder().zone(5).mark(43).build());
            String oracle = ns.execOk("conntrack", "-G", "-p", "tcp", "-s", "2001:db8::1", "-d", "2001:db8::2",
                    "--sport", "40000", "--dport", "443").strip();
            assertTrue(oracle.startsWith("tcp      6 "), oracle);
            assertTrue(oracle.contains(" ESTABLISHED src=2001:db8::1 dst=2001:db8::2 sport=40000 dport=443 "
                    + "src=2001:db8::2 dst=2001:db8::1 sport=443 dport=40000 [ASSURED] mark=42 use="), oracle);
            Connection got = table.get(orig, 0).orElseThrow();
            String ours = ConntrackFormat.builder().build().format(got);
            assertEquals(TIMEOUT.matcher(oracle).replaceFirst("$1T "), TIMEOUT.matcher(ours).replaceFirst("$1T "));
            Connection zoned = table.get(orig, 5).orElseThrow();
            assertEquals(43, zoned.mark());
            assertTrue(ns.execOk("conntrack", "-L").contains(" mark=43 zone=5 use=1"));
            assertEquals(Optional.empty(), table.get(orig, 6), "another zone");
            assertEquals(Optional.empty(), table.get(tcp("2001:db8::1", "2001:db8::2", 40001, 443), 0));
        }
    }

    @Test
    void updatesOfMarkTimeoutAndStatusShowInConntrackList() {
        NetNs ns = lab.namespace("update");
        Tuple orig = Tuple.ofPorts(IpAddress.parse("10.7.0.1"), IpAddress.parse("10.7.0.2"), L4Protocol.UDP, 5000, 53);
        try (ConntrackTable table = tableIn(ns)) {
            table.create(Connection.builder(orig).timeout(100).mark(1).build());
            String line = ns.execOk("conntrack", "-L").strip();
            assertTrue(line.contains("[UNREPLIED]") && line.contains("mark=1 "), line);
            table.update(Connection.builder(orig).timeout(5000).mark(0x1200)
                    .status(StatusBit.mask(StatusBit.SEEN_REPLY, StatusBit.ASSURED)).build());
            line = ns.execOk("conntrack", "-L").strip();
            assertEquals("udp      17 T src=10.7.0.1 dst=10.7.0.2 sport=5000 dport=53 src=10.7.0.2 dst=10.7.0.1 "
                    + "sport=53 dport=5000 [ASSURED] mark=4608 use=1", TIMEOUT.matcher(line).replaceFirst("$1T "));
            assertTrue(timeoutOf(line) > 4900 && timeoutOf(line) <= 5000, line);
            table.updateMark(orig, 0, 0x34, 0xff);
            line = ns.execOk("conntrack", "-L").strip();
            assertTrue(line.contains(" mark=" + 0x1234 + " "), line);
            NetlinkException missing = assertThrows(NetlinkException.class, () ->
                    table.update(Connection.builder(Tuple.ofPorts(IpAddress.parse("10.7.0.9"), IpAddress.parse("10.7.0.2"),
                            L4Protocol.UDP, 1, 2)).mark(3).build()));
            assertEquals("ENOENT", missing.errnoName());
        }
    }

    @Test
    void deleteByIdSparesAnEntryWhoseIdDiffers() {
        NetNs ns = lab.namespace("delid");
        Tuple orig = tcp("10.7.1.1", "10.7.1.2", 7000, 22);
        try (ConntrackTable table = tableIn(ns)) {
            table.create(Connection.builder(orig).tcpState(TcpState.ESTABLISHED).timeout(300).build());
            int id = table.get(orig, 0).orElseThrow().id();
            // the id conntrack prints is the one the kernel checks
            String oracle = ns.execOk("conntrack", "-L", "-o", "id").strip();
            assertTrue(oracle.endsWith(" id=" + Integer.toUnsignedString(id)), oracle);
            NetlinkException stale = assertThrows(NetlinkException.class, () -> table.delete(orig, 0, id + 1));
            assertEquals("ENOENT", stale.errnoName());
            assertEquals(1, listed(ns).size(), "a delete with another id must leave the entry");
            table.delete(orig, 0, id);
            assertEquals(List.of(), listed(ns));
        }
    }

    @Test
    void updatesOfTcpAndSctpStatesShowInConntrackList() {
        NetNs ns = lab.namespace("upstate");
        Tuple tcpOrig = tcp("10.7.2.1", "10.7.2.2", 7001, 80);
        Tuple sctpOrig = Tuple.ofPorts(IpAddress.parse("10.7.2.1"), IpAddress.parse("10.7.2.2"), L4Protocol.SCTP,
                7002, 5060);
        try (ConntrackTable table = tableIn(ns)) {
            table.create(Connection.builder(tcpOrig).tcpState(TcpState.ESTABLISHED).timeout(300)
                    .status(StatusBit.mask(StatusBit.SEEN_REPLY, StatusBit.ASSURED)).build());
            table.create(Connection.builder(sctpOrig).sctpState(SctpState.ESTABLISHED).sctpVtags(11, 12).timeout(300)
                    .status(StatusBit.mask(StatusBit.SEEN_REPLY, StatusBit.ASSURED)).build());
            table.update(Connection.builder(tcpOrig).tcpState(TcpState.FIN_WAIT).build());
            // the kernel takes SCTP protocol info only whole (state and both vtags), as conntrack -U finds too
            NetlinkException partial = assertThrows(NetlinkException.class, () ->
                    table.update(Connection.builder(sctpOrig).sctpState(SctpState.SHUTDOWN_SENT).build()));
            assertEquals("EINVAL", partial.errnoName());
            assertTrue(ns.execOk("conntrack", "-L", "-p", "sctp").contains(" ESTABLISHED "));
            table.update(Connection.builder(sctpOrig).sctpState(SctpState.SHUTDOWN_SENT).sctpVtags(11, 12).build());
        }
        String tcpLine = ns.execOk("conntrack", "-L", "-p", "tcp").strip();
        assertTrue(tcpLine.startsWith("tcp      6 ") && tcpLine.contains(" FIN_WAIT src=10.7.2.1 "), tcpLine);
        String sctpLine = ns.execOk("conntrack", "-L", "-p", "sctp").strip();
        assertTrue(sctpLine.startsWith("sctp     132 ") && sctpLine.contains(" SHUTDOWN_SENT src=10.7.2.1 "), sctpLine);
    }

    @Test
    void natEntriesGetTheReplyTupleAsked() {
        NetNs ns = lab.namespace("nat");
        Tuple orig = tcp("192.168.1.10", "198.51.100.7", 33000, 80);
        Tuple reply = tcp("198.51.100.7", "203.0.113.1", 80, 61000);
        try (ConntrackTable table = tableIn(ns)) {
            table.create(Connection.builder(orig, reply).tcpState(TcpState.ESTABLISHED).timeout(300)
                    .status(StatusBit.mask(StatusBit.SEEN_REPLY, StatusBit.ASSURED)).build());
        }
        assertEquals(List.of("tcp      6 T ESTABLISHED src=192.168.1.10 dst=198.51.100.7 sport=33000 dport=80 "
                + "src=198.51.100.7 dst=203.0.113.1 sport=80 dport=61000 [ASSURED] mark=0 use=1"), listed(ns));
    }

    @Test
    void labelsNeedARuleThatUsesThemAndAreNeverDroppedSilently() {
        NetNs ns = lab.namespace("labels");
        Tuple orig = tcp("10.8.0.1", "10.8.0.2", 1, 2);
        Connection labelled = Connection.builder(orig).timeout(100).labels(1L << 3, 1).build();
        try (ConntrackTable table = tableIn(ns)) {
            NetlinkException e = assertThrows(NetlinkException.class, () -> table.create(labelled));
            assertEquals("ENOSPC", e.errnoName());
            assertTrue(e.getMessage().contains("labels extension"), e.getMessage());
            assertEquals("0", ns.execOk("conntrack", "-C").strip(), "nothing created");
            BatchResult batch = table.createAll(List.of(
                    Connection.builder(tcp("10.8.0.1", "10.8.0.2", 5, 6)).timeout(100).build(), labelled));
            assertEquals(List.of(1), batch.failures().stream().map(BatchResult.Failure::index).toList());
            assertEquals("ENOSPC", batch.failures().get(0).errnoName());
            table.flush();

            ns.execOk("nft", "add table ip t; add chain ip t c { type filter hook prerouting priority 0; };"
                    + " add rule ip t c ct label set 1");
            table.create(labelled);
            Connection got = table.get(orig, 0).orElseThrow();
            assertEquals(1L << 3, got.labelsHigh());
            assertEquals(1L, got.labelsLow());
            table.update(Connection.builder(orig).labels(0, 6).build());
            got = table.get(orig, 0).orElseThrow();
            assertEquals(0L, got.labelsHigh());
            assertEquals(6L, got.labelsLow());
        }
    }

    @Test
    void tenThousandCreatesAndDeletesInBatchesWithFailuresReportedExactly() {
        NetNs ns = lab.namespace("batch");
        List<Connection> many = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            Tuple t = Tuple.ofPorts(IpAddress.ofIpv4(0x0A000000 | i), IpAddress.parse("10.255.0.1"), L4Protocol.UDP,
                    1024 + i % 50_000, 53);
            many.add(Connection.builder(t).timeout(600).build());
        }
        try (ConntrackTable table = tableIn(ns)) {
            BatchResult created = table.createAll(many);
            assertEquals(List.of(), created.failures());
            assertEquals("10000", ns.execOk("conntrack", "-C").strip());
            // indexes 3, 200 and 999 exist already: exactly those fail with EEXIST
            List<Connection> mixed = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                boolean duplicate = i == 3 || i == 200 || i == 999;
                Tuple t = Tuple.ofPorts(IpAddress.ofIpv4(duplicate ? 0x0A000000 | i : 0x0B000000 | i),
                        IpAddress.parse("10.255.0.1"), L4Protocol.UDP, duplicate ? 1024 + i : 7, 53);
                mixed.add(Connection.builder(t).timeout(600).build());
            }
            BatchResult result = table.createAll(mixed);
            assertEquals(List.of(3, 200, 999), result.failures().stream().map(BatchResult.Failure::index).toList());
            assertTrue(result.failures().stream().allMatch(f -> f.errnoName().equals("EEXIST")));
            assertEquals(997, result.succeeded());
            assertEquals("10997", ns.execOk("conntrack", "-C").strip());
            BatchResult deleted = table.deleteAll(many);
            assertEquals(List.of(), deleted.failures());
            assertEquals("997", ns.execOk("conntrack", "-C").strip());
            BatchResult again = table.deleteAll(many.subList(0, 300));
            assertEquals(300, again.failures().size());
            assertTrue(again.failures().stream().allMatch(f -> f.errnoName().equals("ENOENT")));
            assertFalse(ns.execOk("conntrack", "-L").contains("src=10.0.0.5 "));
        }
    }

    @Test
    void aHelperIsAssignedAtCreation() {
        NetNs ns = lab.namespace("helper");
        Tuple orig = tcp("10.6.0.1", "10.6.0.2", 40000, 21);
        try (ConntrackTable table = tableIn(ns)) {
            table.create(Connection.builder(orig).tcpState(TcpState.ESTABLISHED).timeout(300).helper("ftp").build());
            assertEquals("ftp", table.get(orig, 0).orElseThrow().helper());
        }
        assertEquals(List.of("tcp      6 T ESTABLISHED src=10.6.0.1 dst=10.6.0.2 sport=40000 dport=21 [UNREPLIED] "
                + "src=10.6.0.2 dst=10.6.0.1 sport=21 dport=40000 mark=0 helper=ftp use=1"), listed(ns));
    }
}

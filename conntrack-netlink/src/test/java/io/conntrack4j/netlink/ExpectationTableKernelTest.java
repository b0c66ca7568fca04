package io.conntrack4j.netlink;

import static io.conntrack4j.netlink.FtpSession.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.core.EventType;
import io.conntrack4j.core.Expectation;
import io.conntrack4j.core.L4Protocol;
import io.conntrack4j.core.Tuple;
import io.conntrack4j.core.format.ExpectationEvent;
import io.conntrack4j.core.format.ExpectationFormat;
import io.conntrack4j.testkit.Await;
import io.conntrack4j.testkit.BackgroundProcess;
import io.conntrack4j.testkit.KernelTest;
import io.conntrack4j.testkit.NetworkLab;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link ExpectationTable} and expectation events against the live kernel, with conntrack(8) as the
 * oracle: expectations made by a real FTP control session through the kernel's FTP helper, by
 * {@code conntrack -I expect} and by us are listed the same way by {@code conntrack -L expect} and
 * by our dump printed with the core {@link ExpectationFormat}.
 */
@KernelTest(requires = {"conntrack", "nft", "nc", "ss", "stdbuf"})
class ExpectationTableKernelTest {
    private static final ExpectationFormat FORMAT = ExpectationFormat.plain();
    private static final Tuple EXACT_PORT_MASK =
            Tuple.ofPorts(ip("255.255.255.255"), ip("255.255.255.255"), L4Protocol.TCP, 0, 65535);

    @RegisterExtension
    final NetworkLab lab = new NetworkLab();

    private static List<String> formatted(List<Expectation> expectations) {
        List<String> lines = new ArrayList<>();
        for (Expectation e : expectations) {
            lines.add(FORMAT.format(e));
        }
        return FtpSession.blankedSorted(lines);
    }

    private static Tuple expected(int port) {
        return Tuple.ofPorts(ip("10.9.0.2"), ip("10.9.0.1"), L4Protocol.TCP, 0, port);
    }

    @Test
    void theFtpHelpersExpectationIsListedAsConntrackListsIt() {
        FtpSession ftp = FtpSession.start(lab);
        try (ExpectationTable table = ftp.expectations()) {
            List<Expectation> all = table.list();
            assertEquals(ftp.conntrackListing(), formatted(all));
            assertEquals(1, all.size(), all.toString());
            Expectation e = all.get(0);
            assertEquals(ftp.master, e.master());
            assertEquals(expected(1025), e.tuple());
            assertEquals(EXACT_PORT_MASK, e.mask());
            assertEquals("ftp", e.helper());
            assertTrue(e.timeout() > 0 && e.timeout() <= 300, "timeout " + e.timeout());
            assertTrue(e.id() != 0, "the kernel sends an id");
            // the same through a per-family dump, a per-master dump and a get
            assertEquals(formatted(all), formatted(table.list(io.conntrack4j.core.AddressFamily.IPV4)));
            assertTrue(table.list(io.conntrack4j.core.AddressFamily.IPV6).isEmpty());
            assertEquals(formatted(all), formatted(table.listOf(ftp.master, 0)));
            Optional<Expectation> got = table.get(expected(1025), 0);
            assertTrue(got.isPresent());
            assertEquals(e.id(), got.get().id());
            assertEquals(formatted(all), formatted(List.of(got.get())));
            assertTrue(table.get(expected(1026), 0).isEmpty());
            NetlinkException noMaster = assertThrows(NetlinkException.class,
                    () -> table.listOf(Tuple.ofPorts(ip("10.9.0.1"), ip("10.9.0.2"), L4Protocol.TCP, 1, 21), 0));
            assertEquals("ENOENT", noMaster.errnoName());
            assertEquals(0, table.incompleteEntries());
        }
    }

    @Test
    void whatWeCreateConntrackListsAndWhatConntrackInsertsWeRead() {
        FtpSession ftp = FtpSession.start(lab);
        try (ExpectationTable table = ftp.expectations()) {
            Expectation ours = new Expectation(ftp.master, expected(7001), EXACT_PORT_MASK, 200, 0, 0, "ftp", null,
                    null, 0, 0);
            table.create(ours);
            // the FTP helper keeps one expectation per master: ours evicted the PORT command's
            assertEquals(FtpSession.blankedSorted(List.of(FORMAT.format(ours))), ftp.conntrackListing());
            String line = Await.value(FtpSession.WAIT, "our expectation in conntrack -L expect",
                    () -> ftp.server.execOk("conntrack", "-L", "expect"), s -> s.contains("dport=7001"))
                    .lines().filter(l -> l.contains("dport=7001")).findFirst().orElseThrow();
            assertEquals(FtpSession.blankedSorted(List.of(FORMAT.format(ours))),
                    FtpSession.blankedSorted(List.of(line)));
            NetlinkException twice = assertThrows(NetlinkException.class, () -> table.create(ours));
            assertEquals("EEXIST", twice.errnoName());

            table.updateTimeout(ours, 3000);
            int timeout = FORMAT.parse(ftp.server.execOk("conntrack", "-L", "expect").lines()
                    .filter(l -> l.contains("dport=7001")).findFirst().orElseThrow()).timeout();
            assertTrue(timeout > 2990 && timeout <= 3000, "timeout " + timeout);

            // conntrack -I expect on this TCP master makes a protocol-27 expectation (a
            // conntrack-tools quirk): we must read it, and print it, exactly as conntrack does
            ftp.server.execOk("conntrack", "-I", "expect", "-p", "tcp", "-s", "10.9.0.1", "-d", "10.9.0.2",
                    "--sport", "" + ftp.master.sourcePort(), "--dport", "21", "--tuple-src", "10.9.0.2",
                    "--tuple-dst", "10.9.0.1", "--tuple-port-src", "0", "--tuple-port-dst", "7002",
                    "--mask-src", "255.255.255.255", "--mask-dst", "255.255.255.255", "--mask-port-src", "0",
                    "--mask-port-dst", "65535", "-t", "200");
            // the FTP helper keeps one expectation per master: each new one evicts the older
            List<Expectation> all = table.list();
            assertEquals(1, all.size(), all.toString());
            assertEquals(ftp.conntrackListing(), formatted(all));
            assertEquals(27, all.get(0).tuple().protocol().number(), all.toString());
        }
    }

    @Test
    void deleteAndFlushAreSeenByConntrack() {
        FtpSession ftp = FtpSession.start(lab);
        try (ExpectationTable table = ftp.expectations()) {
            Expectation first = table.get(expected(1025), 0).orElseThrow();
            NetlinkException staleId = assertThrows(NetlinkException.class,
                    () -> table.delete(first.tuple(), 0, first.id() + 1));
            assertEquals("ENOENT", staleId.errnoName());
            assertEquals(1, ftp.conntrackListing().size());
            table.delete(first.tuple(), 0, first.id());
            assertEquals(List.of(), ftp.conntrackListing());
            NetlinkException gone = assertThrows(NetlinkException.class, () -> table.delete(first.tuple(), 0));
            assertEquals("ENOENT", gone.errnoName());

            table.create(new Expectation(ftp.master, expected(7002), EXACT_PORT_MASK, 200, 0, 0, "ftp", null, null,
                    0, 0));
            assertEquals(1, ftp.conntrackListing().size());
            table.delete(expected(7002), 0);
            assertEquals(List.of(), ftp.conntrackListing());

            table.create(new Expectation(ftp.master, expected(7003), EXACT_PORT_MASK, 200, 0, 0, "ftp", null, null,
                    0, 0));
            assertEquals(1, ftp.conntrackListing().size());
            table.flush();
            assertEquals(List.of(), ftp.conntrackListing());
            assertEquals(List.of(), table.list());

            table.create(new Expectation(ftp.master, expected(7004), EXACT_PORT_MASK, 200, 0, 0, "ftp", null, null,
                    0, 0));
            table.deleteOfHelper("sip");
            assertEquals(1, ftp.conntrackListing().size());
            table.deleteOfHelper("ftp");
            assertEquals(List.of(), ftp.conntrackListing());

            // the counters these creates and deletes moved, as conntrack -S expect prints them
            List<String> ours = table.cpuStatistics().stream().map(ExpectationCpuStatistics::toString).toList();
            assertEquals(ftp.server.execOk("conntrack", "-S", "expect").lines().toList(), ours);
            // the FTP command's expectation and our three, all gone again
            assertEquals(4, table.cpuStatistics().stream().mapToLong(ExpectationCpuStatistics::expectCreate).sum(),
                    ours.toString());
            assertEquals(4, table.cpuStatistics().stream().mapToLong(ExpectationCpuStatistics::expectDelete).sum(),
                    ours.toString());
        }
    }

    @Test
    void expectationEventsAreWhatConntrackDashEExpectShows() {
        FtpSession ftp = FtpSession.start(lab);
        // line-buffered: conntrack -E writes to a pipe through stdio
        BackgroundProcess conntrackEvents = lab.start(ftp.server, "stdbuf", "-oL", "conntrack", "-E", "expect");
        List<String> ours = new ArrayList<>();
        ConntrackEventHandler handler = new ConntrackEventHandler() {
            @Override
            public void onEvent(EventType type, ConntrackEntry entry, int portId, boolean own) {
                throw new AssertionError("subscribed to expectation events only, got " + type);
            }

            @Override
            public void onExpectation(EventType type, ExpectationEntry e, int portId, boolean own) {
                ours.add(FORMAT.formatEvent(new ExpectationEvent(type, e.toExpectation(), ExpectationEvent.NO_TIMESTAMP)));
            }
        };
        ConntrackEventListener.Options options = ConntrackEventListener.Options.ALL
                .withExpectationEvents(EnumSet.of(EventType.NEW, EventType.DESTROY)).withEvents(Set.of());
        try (ConntrackEventListener events = ConntrackEventListener.openInNamespace(ftp.server.name(), options);
             ExpectationTable table = ftp.expectations()) {
            // conntrack -E subscribes asynchronously: wait until an event of ours reaches it too
            // (the probe evicts the FTP command's expectation, 1025: the helper keeps one per master)
            Expectation probe = new Expectation(ftp.master, expected(7100), EXACT_PORT_MASK, 200, 0, 0, "ftp", null,
                    null, 0, 0);
            Await.until(FtpSession.WAIT, "conntrack -E expect listening", () -> {
                table.create(probe);
                table.delete(probe.tuple(), 0);
                return conntrackEvents.stdoutSoFar().contains("dport=7100");
            });
            ours.clear();
            events.poll(1000, 0, handler);
            ours.clear();

            ftp.server.execOk("conntrack", "-I", "expect", "-p", "tcp", "-s", "10.9.0.1", "-d", "10.9.0.2",
                    "--sport", "" + ftp.master.sourcePort(), "--dport", "21", "--tuple-src", "10.9.0.2",
                    "--tuple-dst", "10.9.0.1", "--tuple-port-src", "0", "--tuple-port-dst", "7200",
                    "--mask-src", "255.255.255.255", "--mask-dst", "255.255.255.255", "--mask-port-src", "0",
                    "--mask-port-dst", "65535", "-t", "200");
            table.create(new Expectation(ftp.master, expected(7201), EXACT_PORT_MASK, 200, 0, 0, "ftp", null, null,
                    0, 0));
            table.flush();
            // NEW 7200; NEW 7201 evicts 7200 (one per FTP master); the flush destroys 7201
            Await.until(FtpSession.WAIT, "our 4 events", () -> {
                events.poll(100, 100, handler);
                return ours.size() >= 4;
            });
            List<String> theirs = Await.value(FtpSession.WAIT, "conntrack -E expect's 4 events",
                    () -> conntrackEvents.stdoutSoFar().lines().filter(l -> !l.contains(" dport=7100 ") && !l.contains(" dport=1025 ")).toList(),
                    l -> l.size() >= 4);
            assertEquals(theirs, ours);
            assertEquals(2, ours.stream().filter(l -> l.startsWith("    [NEW]")).count(), ours.toString());
        }
    }
}

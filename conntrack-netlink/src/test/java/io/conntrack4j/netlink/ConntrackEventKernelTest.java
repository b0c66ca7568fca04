package io.conntrack4j.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.core.Connection;
import io.conntrack4j.core.EventType;
import io.conntrack4j.core.IpAddress;
import io.conntrack4j.core.L4Protocol;
import io.conntrack4j.core.TcpState;
import io.conntrack4j.core.Tuple;
import io.conntrack4j.core.format.ConntrackEvent;
import io.conntrack4j.core.format.ConntrackFormat;
import io.conntrack4j.netlink.internal.NativeLibC;
import io.conntrack4j.netlink.internal.Netlink;
import io.conntrack4j.testkit.Await;
import io.conntrack4j.testkit.BackgroundProcess;
import io.conntrack4j.testkit.KernelTest;
import io.conntrack4j.testkit.NetNs;
import io.conntrack4j.testkit.NetworkLab;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link ConntrackEventListener} against the kernel, with {@code conntrack -E} as the oracle for what
 * an event says, and the socket's kernel drop counter as the oracle for what was lost.
 */
@KernelTest(requires = {"conntrack", "nft", "nc"})
class ConntrackEventKernelTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Pattern USERSPACE = Pattern.compile(" \\[USERSPACE\\] portid=(\\d+)( progname=\\S+)?$");
    private static final ConntrackFormat PLAIN = ConntrackFormat.builder().build();

    @RegisterExtension
    final NetworkLab lab = new NetworkLab();

    /** An event copied out of the reused view. */
    record Seen(EventType type, Connection connection, int portId, boolean own) {
        String formatted() {
            return PLAIN.formatEvent(ConntrackEvent.of(type, connection));
        }
    }

    /** Collects events and overrun reports. */
    static final class Collector implements ConntrackEventHandler {
        final List<Seen> seen = new ArrayList<>();
        long overrunCalls;
        long lastKernelDrops = -2;

        @Override
        public void onEvent(EventType type, ConntrackEntry entry, int portId, boolean own) {
            seen.add(new Seen(type, entry.toConnection(), portId, own));
        }

        @Override
        public void onOverrun(long overruns, long kernelDrops) {
            overrunCalls++;
            lastKernelDrops = kernelDrops;
        }

        List<Seen> matching(String text) {
            return seen.stream().filter(s -> s.formatted().contains(text)).toList();
        }
    }

    /** Counts without keeping: the burst tests must not measure the garbage collector. */
    static class Counter implements ConntrackEventHandler {
        long news;
        long destroys;
        long overrunCalls;

        @Override
        public void onEvent(EventType type, ConntrackEntry entry, int portId, boolean own) {
            if (type == EventType.NEW) {
                news++;
            } else if (type == EventType.DESTROY) {
                destroys++;
            }
        }

        @Override
        public void onOverrun(long overruns, long kernelDrops) {
            overrunCalls++;
        }
    }

    private static ConntrackEventListener listen(NetNs ns, ConntrackEventListener.Options options) {
        return ConntrackEventListener.openInNamespace(ns.name(), options);
    }

    private static List<Seen> awaitEvents(ConntrackEventListener listener, Collector collector, String text,
                                          int count) {
        return Await.value(WAIT, count + " events with " + text, () -> {
            listener.poll(1024, 100, collector);
            return collector.matching(text);
        }, list -> list.size() >= count);
    }

    @Test
    void insertUpdateDeleteGiveTheEventsConntrackMinusEPrints() {
        NetNs ns = lab.namespace("events");
        try (ConntrackEventListener listener = listen(ns, ConntrackEventListener.Options.ALL)) {
            BackgroundProcess cli = lab.start(ns, "conntrack", "-E");
            // conntrack -E subscribes some time after it starts: probe until it prints
            Await.until(WAIT, "conntrack -E to subscribe", () -> {
                ns.exec("conntrack", "-I", "-p", "udp", "-s", "10.9.9.9", "-d", "10.9.9.8", "--sport", "9",
                        "--dport", "9", "-t", "50");
                ns.exec("conntrack", "-D", "-p", "udp", "-s", "10.9.9.9");
                return cli.stdoutSoFar().contains("sport=9 ");
            });
            ns.execOk("conntrack", "-I", "-p", "tcp", "-s", "10.1.0.1", "-d", "10.1.0.2", "--sport", "1",
                    "--dport", "81", "--state", "SYN_SENT", "-t", "50", "-m", "3");
            ns.execOk("conntrack", "-U", "-p", "tcp", "-s", "10.1.0.1", "-d", "10.1.0.2", "--sport", "1",
                    "--dport", "81", "-m", "5");
            ns.execOk("conntrack", "-D", "-p", "tcp", "-s", "10.1.0.1", "-d", "10.1.0.2", "--sport", "1",
                    "--dport", "81");
            String output = Await.value(WAIT, "conntrack -E to print the three events", cli::stdoutSoFar,
                    out -> out.lines().filter(l -> l.contains("dport=81")).count() >= 3);
            cli.stop(Duration.ofSeconds(2));
            List<String> oracle = output.lines().filter(l -> l.contains("dport=81")).toList();

            Collector collector = new Collector();
            List<Seen> ours = awaitEvents(listener, collector, "dport=81", 3);
            assertEquals(3, ours.size(), collector.seen.toString());
            assertEquals(List.of(EventType.NEW, EventType.UPDATE, EventType.DESTROY),
                    ours.stream().map(Seen::type).toList());
            assertEquals(3, ours.get(0).connection().mark());
            assertEquals(5, ours.get(1).connection().mark());
            assertEquals(Tuple.ofPorts(IpAddress.parse("10.1.0.1"), IpAddress.parse("10.1.0.2"), L4Protocol.TCP, 1, 81),
                    ours.get(2).connection().original());
            for (int i = 0; i < 3; i++) {
                Matcher m = USERSPACE.matcher(oracle.get(i));
                assertTrue(m.find(), oracle.get(i));
                assertEquals(Long.parseLong(m.group(1)), Integer.toUnsignedLong(ours.get(i).portId()), oracle.get(i));
                assertFalse(ours.get(i).own(), "conntrack(8) is another process");
                assertEquals(m.replaceFirst(""), ours.get(i).formatted());
            }
            assertEquals(0, listener.overruns());
            assertEquals(0, listener.droppedMessages());
        }
    }

    @Test
    void eventsOfOurOwnSocketAreMarkedOwn() {
        NetNs ns = lab.namespace("own");
        Connection mine = Connection.builder(Tuple.ofPorts(IpAddress.parse("10.2.0.1"), IpAddress.parse("10.2.0.2"),
                L4Protocol.UDP, 1000, 53)).timeout(60).build();
        try (ConntrackEventListener listener = listen(ns, ConntrackEventListener.Options.ALL);
             NetlinkSocket socket = NetlinkSocket.openInNamespace(ns.name(), NetlinkSocket.Options.DEFAULT);
             ConntrackTable table = new ConntrackTable(socket)) {
            listener.treatAsOwn(socket);
            table.create(mine);
            ns.execOk("conntrack", "-I", "-p", "udp", "-s", "10.2.0.3", "-d", "10.2.0.2", "--sport", "1000",
                    "--dport", "53", "-t", "60");
            Collector collector = new Collector();
            Seen own = awaitEvents(listener, collector, "src=10.2.0.1 ", 1).get(0);
            Seen other = awaitEvents(listener, collector, "src=10.2.0.3 ", 1).get(0);
            assertEquals(EventType.NEW, own.type());
            assertEquals(socket.portId(), own.portId());
            assertTrue(own.own());
            assertEquals(EventType.NEW, other.type());
            assertNotEquals(0, other.portId());
            assertNotEquals(socket.portId(), other.portId());
            assertFalse(other.own());
        }
    }

    @Test
    void aTcpFlowGivesNewUpdatesAndDestroy() {
        NetNs client = lab.namespace("client");
        NetNs server = lab.namespace("server");
        lab.link(client, "10.202.0.1/24", server, "10.202.0.2/24");
        server.enableConntrack();
        // counters are off by default; with them on, DESTROY events carry the totals
        server.execOk("sysctl", "-qw", "net.netfilter.nf_conntrack_acct=1");
        try (ConntrackEventListener listener = listen(server, ConntrackEventListener.Options.ALL)) {
            lab.start(server, "nc", "-l", "-k", "10.202.0.2", "5002");
            Await.until(WAIT, "the server to listen",
                    () -> server.exec("ss", "-Hltn", "sport = :5002").stdout().contains("5002"));
            BackgroundProcess connection = lab.start(client, "nc", "10.202.0.2", "5002");
            connection.write("hello\n");
            Collector collector = new Collector();
            awaitEvents(listener, collector, " ESTABLISHED src=10.202.0.1 dst=10.202.0.2 ", 1);
            server.execOk("conntrack", "-D", "-p", "tcp", "--dport", "5002");
            awaitEvents(listener, collector, "dport=5002", 3);
            List<Seen> flow = Await.value(WAIT, "the DESTROY event", () -> {
                listener.poll(1024, 100, collector);
                return collector.matching("dport=5002");
            }, list -> list.stream().anyMatch(s -> s.type() == EventType.DESTROY));
            Seen first = flow.get(0);
            assertEquals(EventType.NEW, first.type(), flow.toString());
            assertEquals(TcpState.SYN_SENT, first.connection().tcpState());
            assertEquals(0, first.portId(), "packet path");
            assertTrue(flow.subList(1, flow.size() - 1).stream().allMatch(s -> s.type() == EventType.UPDATE),
                    flow.toString());
            assertTrue(flow.stream().anyMatch(s -> s.type() == EventType.UPDATE
                    && s.connection().tcpState() == TcpState.ESTABLISHED), flow.toString());
            Seen last = flow.get(flow.size() - 1);
            assertEquals(EventType.DESTROY, last.type());
            assertNotEquals(0, last.portId(), "deleted by conntrack -D");
            assertTrue(last.connection().hasCountersOriginal(), "DESTROY carries counters");
            assertTrue(last.connection().packetsOriginal() >= 3, last.toString());
            assertTrue(flow.subList(0, flow.size() - 1).stream().noneMatch(s -> s.connection().hasCountersOriginal()),
                    "NEW and UPDATE carry no counters");
        }
    }

    private static List<Connection> burst(int count) {
        List<Connection> all = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            all.add(Connection.builder(Tuple.ofPorts(IpAddress.parse("10.3." + (i >> 8 & 0xff) + "." + (i & 0xff)),
                    IpAddress.parse("10.4.0.1"), L4Protocol.UDP, 1024 + (i % 60000), 53)).timeout(300).build());
        }
        return all;
    }

    @Test
    void aSmallBufferOverrunsButEveryEventIsReceivedOrCounted() {
        NetNs ns = lab.namespace("loss");
        int count = 20_000;
        ConntrackEventListener.Options small = ConntrackEventListener.Options.ALL
                .withEvents(EnumSet.of(EventType.NEW, EventType.DESTROY)).withReceiveBufferBytes(64 * 1024);
        try (ConntrackEventListener listener = listen(ns, small);
             ConntrackTable table = new ConntrackTable(NetlinkSocket.openInNamespace(ns.name(),
                     NetlinkSocket.Options.DEFAULT))) {
            assertTrue(listener.kernelDrops() >= 0, "SO_MEMINFO drop counter readable");
            assertEquals(count, table.createAll(burst(count)).succeeded());
            table.flush();
            Counter counter = new Counter();
            // every event is now either queued or dropped: drain until the books balance
            Await.until(WAIT, "received + dropped = " + 2 * count, () -> {
                listener.poll(4096, 100, counter);
                return counter.news + counter.destroys + listener.kernelDrops() >= 2L * count;
            });
            assertEquals(0, listener.poll(4096, 200, counter), "nothing beyond the burst");
            assertEquals(2L * count, counter.news + counter.destroys + listener.kernelDrops());
            assertTrue(listener.kernelDrops() > 0);
            assertTrue(listener.overruns() >= 1, "ENOBUFS reported");
            assertEquals(listener.overruns(), counter.overrunCalls);
            assertEquals(counter.news + counter.destroys, listener.events());
        }
    }

    @Test
    void reliableModeDeliversEveryDestroyOfABurstThatOverruns() {
        NetNs ns = lab.namespace("reliable");
        // redelivery runs at about 2k events/s here: a smaller burst keeps the test short
        int count = 5_000;
        ConntrackEventListener.Options reliable = ConntrackEventListener.Options.ALL
                .withEvents(EnumSet.of(EventType.NEW, EventType.DESTROY)).withReceiveBufferBytes(256 * 1024)
                .withReliable(true);
        try (ConntrackEventListener listener = listen(ns, reliable);
             ConntrackTable table = new ConntrackTable(NetlinkSocket.openInNamespace(ns.name(),
                     NetlinkSocket.Options.DEFAULT))) {
            assertEquals(count, table.createAll(burst(count)).succeeded());
            table.flush();
            Counter counter = new Counter();
            // undelivered DESTROY events wait on the dying list and are sent again as room frees up
            Await.until(WAIT, count + " DESTROY", () -> {
                listener.poll(4096, 100, counter);
                return counter.destroys >= count;
            });
            assertEquals(0, listener.poll(4096, 200, counter), "no duplicates");
            assertEquals(count, counter.destroys);
            assertTrue(counter.news < count, "NEW events are not retried: " + counter.news);
            assertTrue(listener.kernelDrops() >= count - counter.news, "lost NEW are counted");
            assertEquals(0, listener.overruns(), "NETLINK_NO_ENOBUFS: silent");
            assertEquals(0, counter.overrunCalls);
        }
    }

    @Test
    void aLargeBufferLosesNothingOfABurst() {
        NetNs ns = lab.namespace("noloss");
        int count = 20_000;
        ConntrackEventListener.Options large = ConntrackEventListener.Options.ALL
                .withEvents(EnumSet.of(EventType.NEW, EventType.DESTROY)).withReceiveBufferBytes(64 << 20);
        try (ConntrackEventListener listener = listen(ns, large);
             ConntrackTable table = new ConntrackTable(NetlinkSocket.openInNamespace(ns.name(),
                     NetlinkSocket.Options.DEFAULT))) {
            assertTrue(listener.receiveBufferBytes() >= 64 << 20, "SO_RCVBUFFORCE beyond rmem_max");
            Counter counter = new Counter();
            assertEquals(count, table.createAll(burst(count)).succeeded());
            Await.until(WAIT, count + " NEW", () -> {
                listener.poll(4096, 100, counter);
                return counter.news >= count;
            });
            table.flush();
            Await.until(WAIT, count + " DESTROY", () -> {
                listener.poll(4096, 100, counter);
                return counter.destroys >= count;
            });
            assertEquals(count, counter.news);
            assertEquals(count, counter.destroys);
            assertEquals(0, listener.kernelDrops());
            assertEquals(0, listener.overruns());
        }
    }

    @Test
    void pollingAllocatesNothingPerEvent() throws Exception {
        NetNs ns = lab.namespace("evalloc");
        int count = 10_000;
        ConntrackEventListener.Options options = ConntrackEventListener.Options.ALL
                .withEvents(EnumSet.of(EventType.NEW, EventType.DESTROY)).withReceiveBufferBytes(64 << 20);
        int namespaceFd = NativeLibC.LIBC.open("/run/netns/" + ns.name(), Netlink.O_RDONLY | Netlink.O_CLOEXEC);
        assertTrue(namespaceFd >= 0, "errno " + NativeLibC.errno());
        try (ConntrackEventListener listener = ConntrackEventListener.openInNamespace(namespaceFd, options);
             ConntrackTable table = new ConntrackTable(NetlinkSocket.openInNamespace(ns.name(),
                     NetlinkSocket.Options.DEFAULT))) {
            long[] checksum = new long[1];
            Counter counter = new Counter() {
                @Override
                public void onEvent(EventType type, ConntrackEntry entry, int portId, boolean own) {
                    super.onEvent(type, entry, portId, own);
                    TupleView t = entry.original();
                    checksum[0] += t.sourceIPv4() + t.sourcePort() + entry.status() + entry.mark();
                }
            };
            // the NEW burst warms the poll path up; the DESTROY burst is measured
            assertEquals(count, table.createAll(burst(count)).succeeded());
            Await.until(WAIT, count + " NEW", () -> {
                listener.poll(4096, 100, counter);
                return counter.news >= count;
            });
            table.flush();
            Await.until(WAIT, "the first DESTROY", () -> listener.poll(1, 100, counter) > 0 || counter.destroys > 0);
            long before = ConntrackTableKernelTest.allocatedBytes();
            long polls = 0;
            while (counter.destroys < count) {
                listener.poll(4096, 100, counter);
                if (++polls > 10_000) {
                    break;
                }
            }
            long allocated = ConntrackTableKernelTest.allocatedBytes() - before;
            assertEquals(count, counter.destroys);
            assertEquals(0, listener.overruns());
            assertEquals(0, listener.malformedAttributes());
            assertEquals(0, listener.unknownAttributes());
            // the smallest object is 16 bytes: anything allocated per event would exceed this
            assertTrue(allocated < count * 4L, allocated + " bytes allocated for " + count + " events in " + polls + " polls");
        } finally {
            NativeLibC.LIBC.close(namespaceFd);
        }
    }
}

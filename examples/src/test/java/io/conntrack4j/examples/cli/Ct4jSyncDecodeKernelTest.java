package io.conntrack4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.core.Connection;
import io.conntrack4j.core.IpAddress;
import io.conntrack4j.core.L4Protocol;
import io.conntrack4j.core.TcpState;
import io.conntrack4j.core.Tuple;
import io.conntrack4j.core.capture.CaptureReader;
import io.conntrack4j.core.packet.PacketView;
import io.conntrack4j.core.packet.ParseResult;
import io.conntrack4j.netlink.ConntrackTable;
import io.conntrack4j.netlink.NetlinkSocket;
import io.conntrack4j.sync.ConntrackCodec;
import io.conntrack4j.sync.DataMessage;
import io.conntrack4j.sync.MessageDecoder;
import io.conntrack4j.sync.MessageHandler;
import io.conntrack4j.sync.MessageHeader;
import io.conntrack4j.sync.MessageKind;
import io.conntrack4j.sync.ReceiveCounters;
import io.conntrack4j.testkit.Await;
import io.conntrack4j.testkit.BackgroundProcess;
import io.conntrack4j.testkit.KernelTest;
import io.conntrack4j.testkit.NetNs;
import io.conntrack4j.testkit.NetworkLab;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ct4j sync-decode} on what real conntrackd 1.4.7 pairs send: FTFW over UDP, NOTRACK over
 * multicast and NOTRACK over TCP. In each, no rejection, and the data lines' flows equal the
 * receiver's {@code conntrackd -e} lines without their {@code [active since]} suffix. The flows
 * cover TCP, UDP, ICMP, ICMPv6, SCTP, IPv6, source and destination NAT with ports, zone, mark,
 * labels and a helper. In FTFW both peers' ACKs are there too (two live FTFW peers ACK each other
 * every second instead of sending ALIVE, so no ALIVE appears in such a capture).
 *
 * <p>Labels travel in the messages but neither {@code conntrackd -e} nor the decoder's flow text
 * shows them, so the labels the decoder finds on the wire are compared with the sender's kernel.
 */
@KernelTest(requires = {"conntrackd", "conntrack", "tcpdump", "nft"})
class Ct4jSyncDecodeKernelTest {
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String A = "10.232.0.1";
    private static final String B = "10.232.0.2";
    private static final String GROUP = "225.0.0.50";
    private static final Tuple LABELLED = tcp("10.12.0.1", "10.12.0.2", 40003, 22);

    @RegisterExtension
    final NetworkLab lab = new NetworkLab();

    @TempDir
    Path dir;

    @Test
    void decodesARealFtfwPairExactlyAsTheReceiverCachesIt() throws Exception {
        NetNs nsA = lab.namespace("sdA");
        NetNs nsB = lab.namespace("sdB");
        String[] links = lab.link(nsA, A + "/24", nsB, B + "/24");
        Path capture = dir.resolve("ftfw.pcap");
        // -Z root: tcpdump would otherwise write as its own user, in a directory only root may write.
        BackgroundProcess tcpdump = background(nsA, "tcpdump --immediate-mode -Z root -i " + links[0] + " -U -w '"
                + capture + "' udp port 3780");
        Await.until(WAIT, "tcpdump to create its file", () -> Files.exists(capture));
        conntrackd(nsA, "a", unicast("UDP", A, B, links[0]), "FTFW");
        Path confB = conntrackd(nsB, "b", unicast("UDP", B, A, links[1]), "FTFW");

        int flows = createVariedFlows(nsA);
        awaitExternalCache(nsB, confB, flows);
        // Idle FTFW peers ACK each other once a second (an ACK stands in for ALIVE, so with two
        // live peers no ALIVE is ever sent): wait for a few from the receiver.
        try {
            Await.until(WAIT, "ACK messages from the receiver in the capture", () -> decode(capture).stdout.lines()
                    .filter(l -> l.contains(" " + B + ":") && l.contains(" > " + A + ":3780 udp ACK flags=ACK")
                            && l.contains(" from=")).count() >= 3);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; decoded:\n" + decode(capture), e);
        }
        tcpdump.stop(Duration.ofSeconds(5));

        Decoded decoded = decode(capture);
        assertEquals(0, decoded.code, decoded.stderr);
        List<String> lines = decoded.stdout.lines().toList();
        String summary = lines.get(lines.size() - 1);
        assertTrue(summary.startsWith("SUMMARY ") && summary.contains(" malformed=0 ") && summary.contains(" notes=0 ")
                && summary.contains(" undecodable=0 "), decoded.stdout);
        assertTrue(lines.stream().noneMatch(l -> l.contains(" REJECT ")), decoded.stdout);

        // Only the sender's data lines: the receiver sends nothing but ACKs.
        assertTrue(lines.stream().filter(l -> l.contains(" flow: ")).allMatch(l -> l.startsWith(A + ":",
                l.indexOf(' ') + 1)), decoded.stdout);
        assertEquals(externalCache(nsB, confB), decodedFlows(lines));
        assertLabelsOnTheWireAreTheKernels(nsA, capture);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith(A + ":", l.indexOf(' ') + 1)
                && l.contains(" > " + B + ":3780 udp ACK flags=ACK") && l.contains(" from=")), decoded.stdout);
    }

    @Test
    void decodesARealNotrackMulticastPairExactlyAsTheReceiverCachesIt() throws Exception {
        NetNs nsA = lab.namespace("smA");
        NetNs nsB = lab.namespace("smB");
        String[] links = lab.link(nsA, A + "/24", nsB, B + "/24");
        // Without a route for the group the sender has no way out (the namespace has no default route).
        nsA.execOk("ip", "route", "add", "224.0.0.0/4", "dev", links[0]);
        nsB.execOk("ip", "route", "add", "224.0.0.0/4", "dev", links[1]);
        Path capture = dir.resolve("multicast.pcap");
        BackgroundProcess tcpdump = background(nsA, "tcpdump --immediate-mode -Z root -i " + links[0] + " -U -w '"
                + capture + "' udp port 3780");
        Await.until(WAIT, "tcpdump to create its file", () -> Files.exists(capture));
        Path confB = conntrackd(nsB, "b", multicast(B, links[1]), "NOTRACK");
        Path confA = conntrackd(nsA, "a", multicast(A, links[0]), "NOTRACK");

        int flows = createVariedFlows(nsA);
        awaitExternalCache(nsB, confB, flows);
        // The labelled entry goes out as CT_UPD: its labels arrive in a second kernel event.
        try {
            Await.until(WAIT, "the " + flows + " flows in the capture", () -> decode(capture).stdout.lines()
                    .filter(l -> l.contains(" > " + GROUP + ":3780 udp CT_") && l.contains(" flow: ")).count() >= flows);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; decoded:\n" + decode(capture), e);
        }
        tcpdump.stop(Duration.ofSeconds(5));

        Decoded decoded = decode(capture);
        assertEquals(0, decoded.code, decoded.stderr);
        List<String> lines = decoded.stdout.lines().toList();
        String summary = lines.get(lines.size() - 1);
        assertTrue(summary.startsWith("SUMMARY ") && summary.contains(" malformed=0 ") && summary.contains(" notes=0 ")
                && summary.contains(" undecodable=0 "), decoded.stdout);
        assertTrue(lines.stream().noneMatch(l -> l.contains(" REJECT ")), decoded.stdout);
        assertTrue(lines.stream().filter(l -> l.contains(" flow: ")).allMatch(l -> l.contains(" > " + GROUP + ":3780 ")),
                decoded.stdout);
        assertEquals(externalCache(nsB, confB), decodedFlows(lines));
        assertLabelsOnTheWireAreTheKernels(nsA, capture);
        // The daemons' own counters: multicast packets went out and came in, none lost or refused.
        String sent = nsA.execOk("conntrackd", "-C", confA.toString(), "-s", "network");
        String received = nsB.execOk("conntrackd", "-C", confB.toString(), "-s", "network");
        assertTrue(counter(sent, "(\\d+) Pckts sent") > 0, sent);
        assertEquals(0, counter(sent, "(\\d+) Error send"), sent);
        assertTrue(counter(received, "(\\d+) Pckts recv") > 0, received);
        assertEquals(0, counter(received, "(\\d+) Error recv"), received);
        assertEquals(0, counter(received, "Packets lost:\\s+(\\d+)"), received);
        assertEquals(0, counter(received, "Malformed messages:\\s+(\\d+)"), received);
    }

    /** The first number {@code regex} (one group) finds in a {@code conntrackd -s} report. */
    private static long counter(String report, String regex) {
        Matcher m = Pattern.compile(regex).matcher(report);
        assertTrue(m.find(), regex + " not in:\n" + report);
        return Long.parseLong(m.group(1));
    }

    @Test
    void reassemblesTheTcpChannelOfARealNotrackPair() throws Exception {
        NetNs nsA = lab.namespace("stA");
        NetNs nsB = lab.namespace("stB");
        String[] links = lab.link(nsA, A + "/24", nsB, B + "/24");
        Path capture = dir.resolve("tcp.pcap");
        BackgroundProcess tcpdump = background(nsA, "tcpdump --immediate-mode -Z root -i " + links[0] + " -U -w '"
                + capture + "' tcp port 3780");
        Await.until(WAIT, "tcpdump to create its file", () -> Files.exists(capture));
        Path confB = conntrackd(nsB, "b", unicast("TCP", B, A, links[1]), "NOTRACK");
        conntrackd(nsA, "a", unicast("TCP", A, B, links[0]), "NOTRACK");
        // Many flows, so that messages share segments and straddle segment boundaries.
        for (int i = 0; i < 40; i++) {
            nsA.execOk("conntrack", "-I", "-s", "10.50.0." + (i + 1), "-d", "10.51.0.1", "-p", "udp", "--sport",
                    String.valueOf(1000 + i), "--dport", "53", "-t", "120", "-u", "SEEN_REPLY", "-m", String.valueOf(i));
        }
        Await.until(WAIT, "the peer's external cache to hold the 40 flows",
                () -> nsB.exec("conntrackd", "-C", confB.toString(), "-e").stdout().lines().count() >= 40);
        Await.until(WAIT, "the 40 flows in the capture", () -> decode(capture).stdout.lines()
                .filter(l -> l.contains(" tcp CT_NEW ")).count() >= 40);
        tcpdump.stop(Duration.ofSeconds(5));

        Decoded decoded = decode(capture);
        assertEquals(0, decoded.code, decoded.stderr);
        List<String> lines = decoded.stdout.lines().toList();
        assertTrue(lines.get(lines.size() - 1).contains(" malformed=0 "), decoded.stdout);
        assertEquals(externalCache(nsB, confB), decodedFlows(lines));
    }


    /**
     * The list of flows, created on the sender: returns how many. DCCP is left out: this
     * kernel has no DCCP tracker, so {@code conntrack -I -p dccp} only makes a generic entry with
     * ports 0 and no state, which tests nothing of the DCCP attributes.
     */
    private static int createVariedFlows(NetNs ns) {
        String[][] inserts = {
            {"-s", "10.1.1.1", "-d", "10.2.2.2", "-p", "tcp", "--sport", "1111", "--dport", "80", "--state",
                "ESTABLISHED", "-t", "300", "-u", "SEEN_REPLY,ASSURED", "-m", "0x42"},
            {"-s", "10.3.3.3", "-d", "10.4.4.4", "-p", "udp", "--sport", "5353", "--dport", "53", "-t", "120",
                "-u", "SEEN_REPLY", "--src-nat", "192.168.77.1", "--dst-nat", "10.9.9.9", "-m", "7", "-w", "5"},
            // Source NAT with a port: the reply goes to the translated address and port.
            {"-s", "10.3.3.4", "-d", "10.4.4.5", "-p", "tcp", "--sport", "40000", "--dport", "443", "--state",
                "ESTABLISHED", "-t", "300", "-u", "SEEN_REPLY,ASSURED", "--src-nat", "192.168.77.2:61000"},
            // Destination NAT with a port: the reply comes from the real server's address and port.
            {"-s", "10.3.3.5", "-d", "10.4.4.6", "-p", "udp", "--sport", "40001", "--dport", "8080", "-t", "120",
                "-u", "SEEN_REPLY", "--dst-nat", "10.9.9.10:80"},
            {"-s", "10.5.5.5", "-d", "10.6.6.6", "-p", "icmp", "--icmp-type", "8", "--icmp-code", "0",
                "--icmp-id", "4660", "-t", "30", "-u", "SEEN_REPLY"},
            {"-s", "2001:db8::1", "-d", "2001:db8::2", "-p", "tcp", "--sport", "3333", "--dport", "443", "--state",
                "ESTABLISHED", "-t", "300", "-u", "SEEN_REPLY,ASSURED"},
            {"-s", "2001:db8::5", "-d", "2001:db8::6", "-p", "icmpv6", "--icmpv6-type", "128", "--icmpv6-code", "0",
                "--icmpv6-id", "77", "-t", "30", "-u", "SEEN_REPLY"},
            {"-s", "10.7.7.7", "-d", "10.8.8.8", "-p", "sctp", "--orig-port-src", "5000", "--orig-port-dst", "6000",
                "--orig-vtag", "100", "--reply-vtag", "200", "--state", "ESTABLISHED", "-t", "300",
                "-u", "SEEN_REPLY,ASSURED", "-w", "9"},
        };
        for (String[] insert : inserts) {
            List<String> argv = new ArrayList<>(List.of("conntrack", "-I"));
            argv.addAll(List.of(insert));
            ns.execOk(argv.toArray(String[]::new));
        }
        // conntrack 1.4.7 cannot set a helper, and labels only by names from connlabel.conf, so
        // these two are made through netlink. The kernel gives an entry room for labels only once
        // a rule of the namespace uses them; an ip6 table keeps IPv4 (the sync traffic) untracked.
        ns.execOk("nft", "add table ip6 ct4j_labels; add chain ip6 ct4j_labels c"
                + " { type filter hook prerouting priority 0; }; add rule ip6 ct4j_labels c ct label set 1");
        try (ConntrackTable table = new ConntrackTable(NetlinkSocket.openInNamespace(ns.name(),
                NetlinkSocket.Options.DEFAULT))) {
            table.create(Connection.builder(tcp("10.11.0.1", "10.11.0.2", 40002, 21)).tcpState(TcpState.ESTABLISHED)
                    .timeout(300).helper("ftp").build());
            table.create(Connection.builder(LABELLED).tcpState(TcpState.ESTABLISHED)
                    .timeout(300).labels(1L << 3, 1L | 1L << 5).build());
        }
        return inserts.length + 2;
    }

    /**
     * Labels are not in the flow text of either tool, so they are checked apart: the last labels
     * the decoder finds for {@link #LABELLED} in the capture must be the sender's kernel's.
     */
    private static void assertLabelsOnTheWireAreTheKernels(NetNs sender, Path capture) throws IOException {
        long[] decoded = new long[2];
        boolean[] seen = new boolean[1];
        ConntrackCodec codec = new ConntrackCodec();
        MessageDecoder datagrams = new MessageDecoder(new MessageHandler() {
            @Override
            public void onControl(MessageHeader header, MessageKind kind) {
            }

            @Override
            public void onData(DataMessage message) {
                if (!message.isExpectation()) {
                    Connection c = codec.decode(message);
                    if (c.original().equals(LABELLED)) {
                        seen[0] = true;
                        decoded[0] = c.labelsHigh();
                        decoded[1] = c.labelsLow();
                    }
                }
            }
        }, new ReceiveCounters(), false);
        PacketView packet = new PacketView();
        UnsafeBuffer view = new UnsafeBuffer(new byte[0]);
        try (CaptureReader reader = CaptureReader.open(capture)) {
            reader.readAll((nanos, linkType, bytes, offset, length, wireLength, iface) -> {
                if (packet.parse(linkType, bytes, offset, length) == ParseResult.OK && packet.protocol() == 17) {
                    view.wrap(bytes, packet.payloadOffset(), packet.payloadLength());
                    datagrams.onDatagram(view, 0, packet.payloadLength());
                }
            });
        }
        Connection kernel;
        try (ConntrackTable table = new ConntrackTable(NetlinkSocket.openInNamespace(sender.name(),
                NetlinkSocket.Options.DEFAULT))) {
            kernel = table.get(LABELLED, 0).orElseThrow();
        }
        assertTrue(seen[0], "no message for " + LABELLED + " in the capture");
        assertEquals(1L << 3, kernel.labelsHigh(), "the kernel did not keep the labels");
        assertEquals(kernel.labelsHigh(), decoded[0]);
        assertEquals(kernel.labelsLow(), decoded[1]);
    }

    private static Tuple tcp(String source, String destination, int sport, int dport) {
        return Tuple.ofPorts(IpAddress.parse(source), IpAddress.parse(destination), L4Protocol.TCP, sport, dport);
    }

    private static void awaitExternalCache(NetNs ns, Path conf, int flows) {
        Await.until(WAIT, "the peer's external cache to hold all " + flows + " flows",
                () -> ns.exec("conntrackd", "-C", conf.toString(), "-e").stdout().lines().count() >= flows);
    }

    /** The receiver's {@code conntrackd -e} lines without their {@code [active since]} suffix. */
    private static String externalCache(NetNs ns, Path conf) {
        TreeSet<String> cached = new TreeSet<>();
        for (String line : ns.execOk("conntrackd", "-C", conf.toString(), "-e").lines().toList()) {
            int active = line.lastIndexOf(" [active since ");
            assertTrue(active > 0, line);
            cached.add(line.substring(0, active));
        }
        return String.join("\n", cached);
    }

    private static String decodedFlows(List<String> lines) {
        TreeSet<String> flows = new TreeSet<>();
        for (String line : lines) {
            int flow = line.indexOf(" flow: ");
            if (flow >= 0) {
                flows.add(line.substring(flow + " flow: ".length()));
            }
        }
        return String.join("\n", flows);
    }

    private static String multicast(String own, String device) {
        return """
                Multicast {
                        IPv4_address %s
                        Group 3780
                        IPv4_interface %s
                        Interface %s
                        Checksum on
                    }""".formatted(GROUP, own, device);
    }

    /** A UDP or TCP channel block: {@code kind} is its keyword. */
    private static String unicast(String kind, String own, String peer, String device) {
        return """
                %s {
                        IPv4_address %s
                        IPv4_Destination_Address %s
                        Port 3780
                        Interface %s
                        Checksum on
                    }""".formatted(kind, own, peer, device);
    }

    private record Decoded(int code, String stdout, String stderr) {
    }

    private static Decoded decode(Path capture) {
        StringBuilder out = new StringBuilder();
        StringBuilder err = new StringBuilder();
        int code = SyncDecodeCommandTest.run(capture, out, err, "--port", "3780");
        return new Decoded(code, out.toString(), err.toString());
    }

    private Path conntrackd(NetNs ns, String name, String channel, String mode) throws IOException {
        Path conf = dir.resolve(name + ".conf");
        Files.writeString(conf, """
                Sync {
                    Mode %2$s {
                        DisableExternalCache off
                    }
                    %3$s
                }
                General {
                    HashSize 8192
                    HashLimit 65536
                    LogFile %1$s.log
                    LockFile %1$s.lock
                    UNIX {
                        Path %1$s.ctl
                    }
                    NetlinkEventsReliable on
                    # Priority 0 is refused for RR, so the daemon stays on the normal scheduler
                    # instead of its default real-time priority 99 (it only logs a warning).
                    Scheduler {
                        Type RR
                        Priority 0
                    }
                }
                """.formatted(dir.resolve(name), mode, channel));
        background(ns, "conntrackd -C '" + conf + "'");
        Await.until(WAIT, "conntrackd " + name + " to answer on its control socket",
                () -> ns.exec("conntrackd", "-C", conf.toString(), "-s", "network").ok());
        return conf;
    }

    private BackgroundProcess background(NetNs ns, String command) {
        return lab.start(ns, "sh", "-c", "exec " + command + " >>" + dir.resolve("daemons.log") + " 2>&1");
    }
}

package io.conntrack4j.core.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.core.IpAddress;
import io.conntrack4j.core.L4Protocol;
import io.conntrack4j.core.Tuple;
import io.conntrack4j.core.capture.CaptureFiles.Interface;
import io.conntrack4j.core.capture.CaptureFiles.Packet;
import io.conntrack4j.core.packet.LinkType;
import io.conntrack4j.core.packet.PacketView;
import io.conntrack4j.core.packet.ParseResult;
import io.conntrack4j.testkit.Await;
import io.conntrack4j.testkit.BackgroundProcess;
import io.conntrack4j.testkit.Commands;
import io.conntrack4j.testkit.KernelTest;
import io.conntrack4j.testkit.NetNs;
import io.conntrack4j.testkit.NetworkLab;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real traffic between two namespaces, captured by tcpdump (pcap, microsecond and nanosecond; an
 * Ethernet interface, and {@code -i any} as Linux cooked v2 and v1), read by {@link CaptureReader}, parsed by {@link PacketView}
 * and compared packet by packet with {@code tcpdump -r file -tt -nn -v -S}. Debian's tcpdump 4.99
 * cannot write pcapng, so the nanosecond capture is also rewritten as pcapng by the test's own
 * writer, and tcpdump reading that file is the oracle for the pcapng path. (VLAN stacks are tested
 * with hand-built frames only: this kernel has no 8021q module to make tagged traffic.)
 */
@KernelTest(requires = {"tcpdump", "ping", "nc"})
class CaptureKernelTest {

    private static final Pattern RECORD_START = Pattern.compile("(?m)^(?=\\d+\\.\\d+ )");

    @RegisterExtension
    final NetworkLab lab = new NetworkLab();

    @TempDir
    Path dir;

    /** One parsed packet, copied. */
    record Parsed(long nanos, int linkType, byte[] bytes) {
    }

    @Test
    void capturedTrafficParsesAsTcpdumpDecodesIt() throws IOException {
        NetNs client = lab.namespace("client");
        NetNs server = lab.namespace("server");
        String[] links = lab.link(client, "10.77.0.1/24", server, "10.77.0.2/24");
        lab.address(client, links[0], "fd77::1/64");
        lab.address(server, links[1], "fd77::2/64");

        Path micro = dir.resolve("micro.pcap");
        Path nano = dir.resolve("nano.pcap");
        Path any = dir.resolve("any.pcap");
        Path cooked = dir.resolve("cooked.pcap");
        Path snapped = dir.resolve("snapped.pcap");
        List<BackgroundProcess> dumps = List.of(
                capture(server, "-i", links[1], "-w", micro.toString()),
                capture(server, "-i", links[1], "--time-stamp-precision=nano", "-w", nano.toString()),
                capture(server, "-i", "any", "-w", any.toString()),
                capture(server, "-i", "any", "-y", "LINUX_SLL", "-w", cooked.toString()),
                capture(server, "-i", links[1], "-s", "64", "-w", snapped.toString()));

        lab.start(server, "nc", "-l", "10.77.0.2", "5001");
        Await.until(Duration.ofSeconds(10), "the TCP server to listen",
                () -> server.exec("ss", "-Hltn", "sport = :5001").stdout().contains("5001"));
        client.exec(Duration.ofSeconds(10), "hello\n", "nc", "-N", "-w", "3", "10.77.0.2", "5001");
        client.execOk("ping", "-c", "2", "-i", "0.2", "10.77.0.2");
        client.execOk("ping", "-c", "1", "-s", "3000", "10.77.0.2");
        client.execOk("ping", "-6", "-c", "1", "fd77::2");
        client.execOk("ping", "-6", "-c", "1", "-s", "3000", "fd77::2");
        client.exec(Duration.ofSeconds(5), "ping\n", "nc", "-u", "-w", "1", "10.77.0.2", "9999");
        client.exec(Duration.ofSeconds(5), "ping\n", "nc", "-6", "-u", "-w", "1", "fd77::2", "9999");
        for (Path file : List.of(micro, nano, any, cooked, snapped)) {
            Await.until(Duration.ofSeconds(10), file + " to hold the last packet sent",
                    () -> holdsIcmpv6Unreachable(file));
        }
        for (BackgroundProcess dump : dumps) {
            dump.stop(Duration.ofSeconds(5));
        }

        List<Parsed> microPackets = check(micro, LinkType.ETHERNET, false);
        List<Parsed> nanoPackets = check(nano, LinkType.ETHERNET, true);
        List<Parsed> anyPackets = check(any, LinkType.LINUX_SLL2, false);
        expectTheTraffic(microPackets);
        expectTheTraffic(anyPackets);
        expectTheTraffic(check(cooked, LinkType.LINUX_SLL, false));
        expectTheTraffic(nanoPackets);

        // A 64-byte snap length cuts the TCP SYN inside its options: the flow keys must survive.
        assertEquals(tcpTuples(microPackets, false), tcpTuples(readAll(snapped), true));

        Path ng = dir.resolve("nano.pcapng");
        List<Packet> packets = new ArrayList<>();
        for (Parsed p : nanoPackets) {
            packets.add(new Packet(p.nanos(), 0, p.bytes()));
        }
        Files.write(ng, CaptureFiles.pcapng(false, List.of(new Interface(LinkType.ETHERNET, 9)), packets));
        List<Parsed> ngPackets = check(ng, LinkType.ETHERNET, true);
        assertEquals(nanoPackets.size(), ngPackets.size());
        for (int i = 0; i < ngPackets.size(); i++) {
            assertEquals(nanoPackets.get(i).nanos(), ngPackets.get(i).nanos());
            assertTrue(Arrays.equals(nanoPackets.get(i).bytes(), ngPackets.get(i).bytes()));
        }
    }

    private static List<Parsed> readAll(Path file) throws IOException {
        List<Parsed> packets = new ArrayList<>();
        try (CaptureReader reader = CaptureReader.open(file)) {
            reader.readAll((t, l, b, o, n, w, i) -> packets.add(new Parsed(t, l, Arrays.copyOfRange(b, o, o + n))));
        }
        return packets;
    }

    private static List<Tuple> tcpTuples(List<Parsed> packets, boolean truncated) {
        PacketView view = new PacketView().acceptTruncatedCaptures(truncated);
        List<Tuple> tuples = new ArrayList<>();
        for (Parsed p : packets) {
            if (view.parse(p.linkType(), p.bytes(), 0, p.bytes().length) == ParseResult.OK
                    && view.protocol() == L4Protocol.TCP_NUMBER) {
                tuples.add(view.toTuple());
            }
        }
        assertTrue(tuples.size() >= 6, tuples.toString());
        return tuples;
    }

    /** Whether tcpdump has written the ICMPv6 port unreachable yet (a partial last record is fine). */
    private static boolean holdsIcmpv6Unreachable(Path file) {
        PacketView view = new PacketView().acceptTruncatedCaptures(true);
        boolean[] found = {false};
        try (CaptureReader reader = CaptureReader.open(file)) {
            reader.readAll((t, l, b, o, n, w, i) -> found[0] |= view.parse(l, b, o, n) == ParseResult.OK
                    && view.protocol() == L4Protocol.ICMPV6_NUMBER && view.icmpType() == 1);
        } catch (IOException e) {
            return found[0];
        }
        return found[0];
    }

    private BackgroundProcess capture(NetNs ns, String... options) {
        String[] argv = new String[options.length + 5];
        argv[0] = "exec tcpdump --immediate-mode";
        argv[1] = "-U";
        argv[2] = "-n";
        argv[3] = "-s";
        argv[4] = "0"; // a later -s in the options wins
        System.arraycopy(options, 0, argv, 5, options.length);
        BackgroundProcess dump = lab.start(ns, "sh", "-c", String.join(" ", argv) + " 2>&1");
        Await.until(Duration.ofSeconds(10), "tcpdump " + String.join(" ", options) + " to listen",
                () -> dump.stdoutSoFar().contains("listening on"));
        return dump;
    }

    /** Reads a capture, parses every packet and compares each with tcpdump's decoding of it. */
    private List<Parsed> check(Path file, int linkType, boolean nanos) throws IOException {
        List<Parsed> packets = new ArrayList<>();
        try (CaptureReader reader = CaptureReader.open(file)) {
            reader.readAll((t, l, b, o, n, w, i) -> packets.add(new Parsed(t, l, Arrays.copyOfRange(b, o, o + n))));
        }
        String decoded = Commands.run(Duration.ofSeconds(30), null, "tcpdump", "-r", file.toString(), "-tt", "-nn",
                "-v", "-S", nanos ? "--time-stamp-precision=nano" : "--time-stamp-precision=micro").stdoutOrThrow();
        List<String> records = Arrays.stream(RECORD_START.split(decoded)).filter(r -> !r.isBlank()).toList();
        assertEquals(records.size(), packets.size(), file + ":\n" + decoded);
        PacketView view = new PacketView().checkChecksums(true, false);
        PacketView inner = new PacketView();
        for (int i = 0; i < packets.size(); i++) {
            Parsed p = packets.get(i);
            String record = records.get(i);
            String what = file.getFileName() + " packet " + (i + 1) + ":\n" + record;
            assertEquals(linkType, p.linkType(), what);
            long seconds = p.nanos() / 1_000_000_000L;
            long fraction = p.nanos() % 1_000_000_000L;
            String stamp = nanos ? String.format("%d.%09d ", seconds, fraction)
                    : String.format("%d.%06d ", seconds, fraction / 1000);
            assertTrue(record.startsWith(stamp), stamp + " vs " + what);
            ParseResult result = view.parse(linkType, p.bytes(), 0, p.bytes().length);
            if (record.contains(" ARP,")) {
                assertEquals(ParseResult.NOT_IP, result, what);
                continue;
            }
            assertTrue(!result.isError(), result + " " + what);
            compare(view, inner, record, what);
        }
        return packets;
    }

    private static void compare(PacketView view, PacketView inner, String record, String what) {
        String src = view.sourceAddress().toString();
        String dst = view.destinationAddress().toString();
        if (view.ipVersion() == 4) {
            assertTrue(record.contains("ttl " + view.ttl() + ", id " + view.ipId() + ", offset "
                    + view.fragmentOffset() + ", flags [" + ipv4Flags(view) + "]"), what);
            assertTrue(record.contains("(" + view.protocol() + "), length " + view.ipTotalLength() + ")"), what);
        } else {
            assertTrue(record.contains("hlim " + view.ttl() + ","), what);
            assertTrue(record.contains("payload length: " + (view.ipTotalLength() - 40) + ")"), what);
            if (view.hasFragmentHeader()) {
                assertTrue(record.contains(String.format("frag (0x%08x:%d|%d)", view.ipId(), view.fragmentOffset(),
                        view.networkEnd() - view.transportOffset())), what);
            }
        }
        if (view.result() == ParseResult.NON_FIRST_FRAGMENT) {
            assertTrue(record.contains(src + " > " + dst + ": "), what);
            return;
        }
        switch (view.protocol()) {
            case L4Protocol.TCP_NUMBER -> {
                assertTrue(record.contains(src + "." + view.sourcePort() + " > " + dst + "." + view.destinationPort()
                        + ": Flags [" + tcpFlags(view.tcpFlags()) + "]"), what);
                // tcpdump prints the sequence number only for segments that occupy sequence space
                if ((view.tcpFlags() & (PacketView.TCP_SYN | PacketView.TCP_FIN | PacketView.TCP_RST)) != 0
                        || view.payloadLength() > 0) {
                    assertTrue(record.contains(", seq " + view.tcpSequence()), what);
                }
                if ((view.tcpFlags() & PacketView.TCP_ACK) != 0) {
                    assertTrue(record.contains(", ack " + view.tcpAcknowledgement()), what);
                }
                assertTrue(record.contains(", win " + view.tcpWindow()), what);
                assertTrue(record.contains(", length " + view.payloadLength()), what);
                if (view.tcpMss() != 0) {
                    assertTrue(record.contains("mss " + view.tcpMss()), what);
                }
                if (view.tcpWindowScale() >= 0) {
                    assertTrue(record.contains("wscale " + view.tcpWindowScale()), what);
                }
                assertEquals(view.tcpSackPermitted(), record.contains("sackOK"), what);
            }
            case L4Protocol.UDP_NUMBER -> assertTrue(record.contains(src + "." + view.sourcePort() + " > " + dst + "."
                    + view.destinationPort() + ": ") && record.contains("length " + view.payloadLength()), what);
            case L4Protocol.ICMP_NUMBER, L4Protocol.ICMPV6_NUMBER -> {
                assertTrue(record.contains(src + " > " + dst + ": "), what);
                if (view.icmpType() == 8 || view.icmpType() == 0 || view.icmpType() == 128 || view.icmpType() == 129) {
                    assertTrue(record.contains("echo " + (view.icmpType() == 8 || view.icmpType() == 128 ? "request" : "reply")
                            + ", id " + view.icmpId() + ", seq "), what);
                }
                if (view.isIcmpError()) {
                    assertEquals(ParseResult.OK, inner.parseEmbedded(view), what);
                    assertTrue(record.contains(inner.destinationAddress() + " udp port " + inner.destinationPort()
                            + " unreachable") || record.contains("unreachable port, " + inner.destinationAddress()
                            + " udp port " + inner.destinationPort()), what);
                }
            }
            default -> {
                // other protocols: the addresses were compared above
            }
        }
    }

    private static String ipv4Flags(PacketView view) {
        String flags = (view.dontFragment() ? "DF" : "") + (view.moreFragments() ? "+" : "");
        return flags.isEmpty() ? "none" : flags;
    }

    /** tcpdump's order of flag letters (print-tcp.c tcp_flag_values). */
    private static String tcpFlags(int flags) {
        StringBuilder out = new StringBuilder();
        String letters = "FSRP.UEW";
        for (int bit = 0; bit < 8; bit++) {
            if ((flags & 1 << bit) != 0) {
                out.append(letters.charAt(bit));
            }
        }
        return out.length() == 0 ? "none" : out.toString();
    }

    /** What was sent must be there, with the fields the tracker keys on. */
    private static void expectTheTraffic(List<Parsed> packets) {
        PacketView view = new PacketView();
        PacketView inner = new PacketView();
        IpAddress c4 = IpAddress.parse("10.77.0.1");
        IpAddress s4 = IpAddress.parse("10.77.0.2");
        IpAddress c6 = IpAddress.parse("fd77::1");
        boolean syn = false;
        boolean hello = false;
        boolean unreachable4 = false;
        boolean unreachable6 = false;
        int echoes4 = 0;
        List<Integer> fragments4 = new ArrayList<>();
        List<Integer> fragments6 = new ArrayList<>();
        StringBuilder seen = new StringBuilder();
        for (Parsed p : packets) {
            ParseResult r = view.parse(p.linkType(), p.bytes(), 0, p.bytes().length);
            if (r.isError()) {
                continue;
            }
            seen.append(r).append(' ').append(view.hasKey() ? view.toTuple() : "").append(" flags ")
                    .append(view.tcpFlags()).append(" mss ").append(view.tcpMss()).append('\n');
            if (r == ParseResult.OK && view.protocol() == 6 && view.destinationPort() == 5001
                    && view.tcpFlags() == PacketView.TCP_SYN) {
                syn = view.tcpMss() == 1460 && view.tcpSackPermitted() && view.sourceAddress().equals(c4);
            }
            if (r == ParseResult.OK && view.protocol() == 6 && view.payloadLength() == 6
                    && view.byteAt(view.payloadOffset()) == 'h' && view.byteAt(view.payloadOffset() + 5) == '\n') {
                hello = true;
            }
            if (r == ParseResult.OK && view.isIcmpError() && inner.parseEmbedded(view) == ParseResult.OK
                    && inner.protocol() == 17 && inner.destinationPort() == 9999) {
                Tuple quoted = inner.toTuple();
                if (view.ipVersion() == 4) {
                    unreachable4 = view.icmpType() == 3 && view.icmpCode() == 3 && quoted.source().equals(c4);
                } else {
                    unreachable6 = view.icmpType() == 1 && view.icmpCode() == 4 && quoted.source().equals(c6);
                }
            }
            if (r == ParseResult.OK && view.ipVersion() == 4 && view.protocol() == 1 && view.icmpType() == 8
                    && !view.isFragment() && view.toTuple().equals(Tuple.ofIcmp(c4, s4, 8, 0, view.icmpId()))) {
                echoes4++;
            }
            if (view.isFragment() && view.sourceAddress().equals(view.ipVersion() == 4 ? c4 : c6)) {
                (view.ipVersion() == 4 ? fragments4 : fragments6).add(view.fragmentOffset());
            }
        }
        assertTrue(syn, "the SYN with MSS 1460 and SACK permitted in\n" + seen);
        assertTrue(hello, "the TCP segment carrying hello");
        assertTrue(unreachable4, "ICMP port unreachable quoting the UDP datagram");
        assertTrue(unreachable6, "ICMPv6 port unreachable quoting the UDP datagram");
        assertEquals(2, echoes4);
        assertEquals(List.of(0, 1480, 2960), fragments4);
        assertEquals(List.of(0, 1448, 2896), fragments6);
    }
}

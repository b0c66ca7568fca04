package io.conntrack4j.core.reassembly;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.core.L4Protocol;
import io.conntrack4j.core.capture.CaptureReader;
import io.conntrack4j.core.packet.PacketView;
import io.conntrack4j.core.packet.ParseResult;
import io.conntrack4j.testkit.Await;
import io.conntrack4j.testkit.BackgroundProcess;
import io.conntrack4j.testkit.KernelTest;
import io.conntrack4j.testkit.NetNs;
import io.conntrack4j.testkit.NetworkLab;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real fragmented traffic: a client and a server on either side of a router, every link with an MTU
 * of 1280, exchange 3000-byte pings and UDP datagrams over IPv4 and IPv6. tcpdump captures the
 * client-side link of the router; the capture is read by {@link CaptureReader} and reassembled by
 * {@link Reassembler}. Three oracles: the router's conntrack table (accounting on) must count exactly
 * the datagrams and bytes we reassembled, per protocol and direction, since the kernel also counts
 * after its own defragmentation; the server's reassembly counters ({@code ReasmOKs},
 * {@code Ip6ReasmOKs}) must have grown by the number of datagrams we reassembled towards it; and the
 * payloads must be what was sent (ping's pattern, the text the server's nc printed), with transport
 * checksums valid over the whole datagram.
 */
@KernelTest(requires = {"conntrack", "nft", "tcpdump", "ping", "nc"})
class ReassemblyKernelTest {

    @RegisterExtension
    final NetworkLab lab = new NetworkLab();

    @TempDir
    Path dir;

    /** One datagram as the reassembler gave it (or an unfragmented packet), with its protocol and direction. */
    record Datagram(int version, int protocol, boolean toServer, byte[] bytes) {
    }

    @Test
    void reassembledCaptureMatchesWhatTheKernelsSaw() throws IOException {
        NetNs client = lab.namespace("client");
        NetNs router = lab.namespace("router");
        NetNs server = lab.namespace("server");
        String[] left = lab.link(client, "10.78.1.2/24", router, "10.78.1.1/24");
        String[] right = lab.link(router, "10.78.2.1/24", server, "10.78.2.2/24");
        lab.address(client, left[0], "fd78:1::2/64");
        lab.address(router, left[1], "fd78:1::1/64");
        lab.address(router, right[0], "fd78:2::1/64");
        lab.address(server, right[1], "fd78:2::2/64");
        for (String[] link : List.of(left, right)) {
            (link == left ? client : router).execOk("ip", "link", "set", "dev", link[0], "mtu", "1280");
            (link == left ? router : server).execOk("ip", "link", "set", "dev", link[1], "mtu", "1280");
        }
        router.execOk("sysctl", "-qw", "net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1");
        client.execOk("ip", "route", "add", "default", "via", "10.78.1.1");
        client.execOk("ip", "-6", "route", "add", "default", "via", "fd78:1::1");
        server.execOk("ip", "route", "add", "default", "via", "10.78.2.1");
        server.execOk("ip", "-6", "route", "add", "default", "via", "fd78:2::1");
        router.enableConntrack();
        router.execOk("sysctl", "-qw", "net.netfilter.nf_conntrack_acct=1");

        long[] serverBefore = reassemblyCounters(server);
        Path capture = dir.resolve("left.pcap");
        BackgroundProcess dump = lab.start(router, "sh", "-c",
                "exec tcpdump --immediate-mode -U -n -s 0 -i " + left[1] + " -w " + capture + " 2>&1");
        Await.until(Duration.ofSeconds(10), "tcpdump to listen", () -> dump.stdoutSoFar().contains("listening on"));
        BackgroundProcess udp4 = lab.start(server, "nc", "-u", "-l", "10.78.2.2", "9000");
        BackgroundProcess udp6 = lab.start(server, "nc", "-6", "-u", "-l", "fd78:2::2", "9001");
        Await.until(Duration.ofSeconds(10), "the UDP servers to listen",
                () -> server.exec("ss", "-Hlun").stdout().contains(":9001"));

        String text4 = text(3000, 4);
        String text6 = text(3000, 6);
        client.execOk("ping", "-c", "2", "-i", "0.2", "-s", "3000", "-p", "a5", "10.78.2.2");
        client.execOk("ping", "-6", "-c", "2", "-i", "0.2", "-s", "3000", "-p", "a5", "fd78:2::2");
        client.exec(Duration.ofSeconds(10), text4, "nc", "-u", "-w", "1", "10.78.2.2", "9000");
        client.exec(Duration.ofSeconds(10), text6, "nc", "-6", "-u", "-w", "1", "fd78:2::2", "9001");
        Await.until(Duration.ofSeconds(10), "the server to print both datagrams",
                () -> udp4.stdoutSoFar().length() >= 3000 && udp6.stdoutSoFar().length() >= 3000);
        Await.until(Duration.ofSeconds(10), "the capture to hold all 10 datagrams",
                () -> reassemble(capture).size() == 10);
        dump.stop(Duration.ofSeconds(5));

        List<Datagram> datagrams = reassemble(capture);
        String table = router.execOk("conntrack", "-L");
        for (int version : new int[] {4, 6}) {
            int icmp = version == 4 ? L4Protocol.ICMP_NUMBER : L4Protocol.ICMPV6_NUMBER;
            String icmpName = version == 4 ? "icmp " : "icmpv6 ";
            String family = version == 4 ? "ipv4" : "ipv6";
            assertEquals(counters(datagrams, version, icmp), conntrackCounters(table, family, icmpName), table);
            assertEquals(counters(datagrams, version, L4Protocol.UDP_NUMBER), conntrackCounters(table, family, "udp "),
                    table);
        }

        long[] serverAfter = reassemblyCounters(server);
        long towardsServer4 = datagrams.stream().filter(d -> d.toServer() && d.version() == 4).count();
        long towardsServer6 = datagrams.stream().filter(d -> d.toServer() && d.version() == 6).count();
        assertEquals(3, towardsServer4);
        assertEquals(3, towardsServer6);
        assertEquals(towardsServer4, serverAfter[0] - serverBefore[0], "server ReasmOKs");
        assertEquals(towardsServer6, serverAfter[1] - serverBefore[1], "server Ip6ReasmOKs");

        PacketView view = new PacketView().checkChecksums(true, true);
        for (Datagram d : datagrams) {
            assertEquals(ParseResult.OK, view.parseIp(d.bytes(), 0, d.bytes().length), "checksums of " + d);
            byte[] payload = Arrays.copyOfRange(d.bytes(), view.payloadOffset(), view.payloadOffset()
                    + view.payloadLength());
            if (d.protocol() == L4Protocol.UDP_NUMBER) {
                assertArrayEquals((d.version() == 4 ? text4 : text6).getBytes(StandardCharsets.US_ASCII), payload);
                String printed = (d.version() == 4 ? udp4 : udp6).stdoutSoFar();
                assertEquals(new String(payload, StandardCharsets.US_ASCII), printed);
            } else {
                int dataStart = view.transportOffset() + 8;
                assertEquals(3000, d.bytes().length - dataStart, "ping data length");
                // ping -p a5: the pattern fills the data after the 16-byte send time stamp.
                for (int i = dataStart + 16; i < d.bytes().length; i++) {
                    assertEquals((byte) 0xa5, d.bytes()[i], "ping data byte " + (i - dataStart));
                }
            }
        }
    }

    /** Reassembles the IP packets between the client and the server in a capture. */
    private static List<Datagram> reassemble(Path capture) {
        Reassembler reassembler = new Reassembler();
        PacketView link = new PacketView();
        PacketView ip = new PacketView();
        List<Datagram> out = new ArrayList<>();
        try (CaptureReader reader = CaptureReader.open(capture)) {
            reader.readAll((nanos, linkType, bytes, offset, length, wire, iface) -> {
                link.parse(linkType, bytes, offset, length);
                if (link.ipVersion() == 0) {
                    return;
                }
                int at = offset + link.networkOffset();
                int n = length - link.networkOffset(); // the reassembler reads the IP length itself
                byte[] whole;
                switch (reassembler.offer(bytes, at, n, nanos)) {
                    case NOT_FRAGMENT -> whole = Arrays.copyOfRange(bytes, at, at + n);
                    case REASSEMBLED -> whole = Arrays.copyOf(reassembler.datagram(), reassembler.datagramLength());
                    default -> {
                        return;
                    }
                }
                ip.parseIp(whole, 0, whole.length);
                String src = ip.sourceAddress().toString();
                String dst = ip.destinationAddress().toString();
                boolean toServer = dst.equals("10.78.2.2") || dst.equals("fd78:2::2");
                boolean fromServer = src.equals("10.78.2.2") || src.equals("fd78:2::2");
                if (toServer || fromServer) {
                    out.add(new Datagram(ip.ipVersion(), ip.protocol(), toServer, whole));
                }
            });
        } catch (IOException e) {
            return out; // tcpdump may not have flushed a whole record yet
        }
        return out;
    }

    /** Packets and bytes each way: {orig packets, orig bytes, reply packets, reply bytes}. */
    private static List<Long> counters(List<Datagram> datagrams, int version, int protocol) {
        long[] c = new long[4];
        for (Datagram d : datagrams) {
            if (d.version() == version && d.protocol() == protocol) {
                int at = d.toServer() ? 0 : 2;
                c[at]++;
                c[at + 1] += d.bytes().length;
            }
        }
        return List.of(c[0], c[1], c[2], c[3]);
    }

    private static final Pattern COUNTS = Pattern.compile("packets=(\\d+) bytes=(\\d+)");

    /** The same counters summed over conntrack's entries of one protocol between client and server. */
    private static List<Long> conntrackCounters(String table, String family, String protocol) {
        long[] c = new long[4];
        for (String line : table.split("\n")) {
            if (!line.startsWith(protocol) || !line.contains(family.equals("ipv4") ? "dst=10.78.2.2 " : "dst=fd78:2::2 ")) {
                continue;
            }
            Matcher m = COUNTS.matcher(line);
            for (int at = 0; at < 4 && m.find(); at += 2) {
                c[at] += Long.parseLong(m.group(1));
                c[at + 1] += Long.parseLong(m.group(2));
            }
        }
        assertTrue(c[0] > 0, family + " " + protocol + "entries missing:\n" + table);
        return List.of(c[0], c[1], c[2], c[3]);
    }

    /** The namespace's {ReasmOKs, Ip6ReasmOKs}. */
    private static long[] reassemblyCounters(NetNs ns) {
        String snmp = ns.execOk("cat", "/proc/net/snmp");
        String[] lines = snmp.split("\n");
        long v4 = -1;
        for (int i = 0; i + 1 < lines.length; i++) {
            if (lines[i].startsWith("Ip: ") && lines[i + 1].startsWith("Ip: ")) {
                List<String> names = List.of(lines[i].trim().split("\\s+"));
                v4 = Long.parseLong(lines[i + 1].trim().split("\\s+")[names.indexOf("ReasmOKs")]);
                break;
            }
        }
        Matcher m = Pattern.compile("(?m)^Ip6ReasmOKs\\s+(\\d+)$").matcher(ns.execOk("cat", "/proc/net/snmp6"));
        assertTrue(m.find() && v4 >= 0, snmp);
        return new long[] {v4, Long.parseLong(m.group(1))};
    }

    private static String text(int length, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.append((char) ('a' + random.nextInt(26)));
        }
        return sb.toString();
    }
}

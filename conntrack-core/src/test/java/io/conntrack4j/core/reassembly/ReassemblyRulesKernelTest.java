package io.conntrack4j.core.reassembly;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.core.capture.CaptureReader;
import io.conntrack4j.core.packet.PacketView;
import io.conntrack4j.testkit.Await;
import io.conntrack4j.testkit.BackgroundProcess;
import io.conntrack4j.testkit.KernelTest;
import io.conntrack4j.testkit.NetNs;
import io.conntrack4j.testkit.NetworkLab;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The IPv4 rules against Linux's own reassembly ({@code ip_defrag()}, the same code conntrack's
 * defragmentation runs): a client pings a server with 3000-byte pings (three fragments at MTU 1280),
 * and an nftables egress chain on the client spoils some fragments on their way out: duplicates,
 * an overlapping offset, a middle fragment turned into a last one, a lost last fragment, mixed ECN.
 * (The other rules, which need fragments out of order, are unit-tested.)
 * tcpdump on the server's interface records what arrived; our reassembler, fed that capture (with
 * the server's 1-second {@code ipfrag_time}), must count exactly what the server's kernel counted:
 * ReasmReqds, ReasmOKs, ReasmFails, ReasmTimeout and ReasmOverlaps.
 */
@KernelTest(requires = {"nft", "tcpdump", "ping"})
class ReassemblyRulesKernelTest {

    private static final String SERVER = "10.80.0.2";

    @RegisterExtension
    final NetworkLab lab = new NetworkLab();

    @TempDir
    Path dir;

    @Test
    void spoiledFragmentsAreCountedAsTheKernelCountsThem() throws IOException {
        NetNs client = lab.namespace("client");
        NetNs server = lab.namespace("server");
        String[] link = lab.link(client, "10.80.0.1/24", server, SERVER + "/24");
        client.execOk("ip", "link", "set", "dev", link[0], "mtu", "1280");
        server.execOk("ip", "link", "set", "dev", link[1], "mtu", "1280");
        server.execOk("sysctl", "-qw", "net.ipv4.ipfrag_time=1");
        long[] before = kernelCounters(server);

        Path capture = dir.resolve("server.pcap");
        BackgroundProcess dump = lab.start(server, "sh", "-c", "exec tcpdump --immediate-mode -U -n -s 0"
                + " --time-stamp-precision=nano -i " + link[1] + " -w " + capture + " 2>&1");
        Await.until(Duration.ofSeconds(10), "tcpdump to listen", () -> dump.stdoutSoFar().contains("listening on"));
        long received = receivedPackets(server, link[1]);

        // Fragments of a 3028-byte datagram at MTU 1280: offsets 0, 157 and 314 (x 8 bytes), MF on the first two.
        String out = link[0];
        ping(client, out, null);
        ping(client, out, "ip frag-off 0x2000 dup to \"" + out + "\"");      // duplicated first fragment
        ping(client, out, "ip frag-off 0x209d ip frag-off set 0x209c");       // overlaps the first
        ping(client, out, "ip frag-off 0x209d ip frag-off set 0x009d");       // a last fragment too early
        ping(client, out, "ip frag-off 0x013a drop");                         // lost: the queue times out
        ping(client, out, "ip frag-off 0x209d ip ecn set ce");                // CE among Not-ECT: invalid
        ping(client, out, "ip frag-off 0x209d ip ecn set ce", "-Q", "2");     // CE among ECT(0): fine
        ping(client, out, "ip frag-off 0x013a dup to \"" + out + "\"");      // last fragment again, later
        long arrived = receivedPackets(server, link[1]) - received;

        Reassembler reassembler = new Reassembler(ReassemblyLimits.IPV4.withTimeout(Duration.ofSeconds(1)),
                ReassemblyLimits.IPV6);
        long[] last = {0};
        long[] packets = {0};
        Await.until(Duration.ofSeconds(10), "the capture to hold every packet the server's interface received",
                () -> count(capture) >= arrived);
        PacketView view = new PacketView();
        try (CaptureReader reader = CaptureReader.open(capture)) {
            reader.readAll((nanos, linkType, bytes, offset, length, wire, iface) -> {
                view.parse(linkType, bytes, offset, length);
                if (view.ipVersion() != 4 || view.destinationIpv4() != 0x0a50_0002) {
                    return; // ARP, neighbour discovery, the server's replies
                }
                reassembler.offer(bytes, offset + view.networkOffset(), length - view.networkOffset(), nanos);
                last[0] = nanos;
                packets[0]++;
            });
        }
        reassembler.expire(last[0] + 2_000_000_000L);
        ReassemblyStatistics ours = reassembler.ipv4Statistics();
        long[] expected = {ours.reasmReqds(), ours.reasmOks(), ours.reasmFails(), ours.reasmTimeout(),
            ours.reasmOverlaps()};
        long[][] seen = {null};
        try {
            Await.value(Duration.ofSeconds(5), "the server's time-outs",
                    () -> seen[0] = minus(kernelCounters(server), before), d -> java.util.Arrays.equals(d, expected));
        } catch (AssertionError e) {
            // fall through to the comparison, which says what differs
        }
        assertEquals(List.of(expected[0], expected[1], expected[2], expected[3], expected[4]),
                List.of(seen[0][0], seen[0][1], seen[0][2], seen[0][3], seen[0][4]),
                "ReasmReqds, ReasmOKs, ReasmFails, ReasmTimeout, ReasmOverlaps: ours " + ours);
        // Every spoiling did what it should: OK for the plain ping, the duplicated first fragment, valid CE,
        // the early last fragment (a shorter datagram) and the duplicated last one; one overlap; one ECN
        // failure; four queues timed out (the leftovers of the overlap, of the early last fragment and of the
        // duplicated last fragment, and the queue whose last fragment was lost).
        assertEquals(5, ours.reasmOks(), ours.toString());
        assertEquals(1, ours.reasmOverlaps(), ours.toString());
        assertEquals(1, ours.drops(DropReason.BAD_ECN), ours.toString());
        assertEquals(4, ours.reasmTimeout(), ours.toString());
        assertTrue(ours.drops(DropReason.DUPLICATE) >= 1, ours.toString());
        assertEquals(ours.reasmReqds(), packets[0]);
    }

    /** One ping, with an nftables netdev egress rule on the client's interface for its duration. */
    private static void ping(NetNs client, String device, String rule, String... extra) {
        pingTo(SERVER, client, device, rule, extra);
    }

    private static void pingTo(String destination, NetNs client, String device, String rule, String... extra) {
        if (rule != null) {
            client.exec(Duration.ofSeconds(10), "table netdev spoil {\n  chain out {\n"
                    + "    type filter hook egress device \"" + device + "\" priority 0;\n    " + rule + "\n  }\n}\n",
                    "nft", "-f", "-").stdoutOrThrow();
        }
        String[] argv = new String[7 + extra.length];
        argv[0] = "ping";
        argv[1] = "-c";
        argv[2] = "1";
        argv[3] = "-W";
        argv[4] = "0.3";
        argv[5] = "-s";
        argv[6] = "3000";
        System.arraycopy(extra, 0, argv, 7, extra.length);
        String[] all = java.util.Arrays.copyOf(argv, argv.length + 1);
        all[argv.length] = destination;
        client.exec(all);
        if (rule != null) {
            client.execOk("nft", "delete", "table", "netdev", "spoil");
        }
    }

    /**
     * The IPv6 rules of conntrack's own defragmenter ({@code nf_conntrack_reasm.c}), which keeps
     * queues where IPv4 drops them and counts only time-outs: the client's 3000-byte pings (fragment
     * offsets 0, 154 and 308 at MTU 1280) cross a router that tracks connections, with a 1-second
     * {@code nf_conntrack_frag6_timeout}, and the fragments are spoiled as for IPv4. Reassembling the
     * capture of the router's client-side interface, we must find the datagrams the router forwarded
     * (the server's {@code Ip6ReasmOKs}, as the router refragments them) and the queues it timed out
     * (the router's {@code Ip6ReasmTimeout}).
     */
    @Test
    void spoiledIpv6FragmentsMeetTheRoutersFateInOurReassembler() throws IOException {
        NetNs client = lab.namespace("client");
        NetNs router = lab.namespace("router");
        NetNs server = lab.namespace("server");
        String[] left = lab.link(client, null, router, null);
        String[] right = lab.link(router, null, server, null);
        lab.address(client, left[0], "fd80:1::2/64");
        lab.address(router, left[1], "fd80:1::1/64");
        lab.address(router, right[0], "fd80:2::1/64");
        lab.address(server, right[1], "fd80:2::2/64");
        client.execOk("ip", "link", "set", "dev", left[0], "mtu", "1280");
        router.execOk("ip", "link", "set", "dev", left[1], "mtu", "1280");
        router.execOk("ip", "link", "set", "dev", right[0], "mtu", "1280");
        server.execOk("ip", "link", "set", "dev", right[1], "mtu", "1280");
        router.execOk("sysctl", "-qw", "net.ipv6.conf.all.forwarding=1");
        client.execOk("ip", "-6", "route", "add", "default", "via", "fd80:1::1");
        server.execOk("ip", "-6", "route", "add", "default", "via", "fd80:2::1");
        router.enableConntrack();
        router.execOk("sysctl", "-qw", "net.netfilter.nf_conntrack_frag6_timeout=1");
        long serverOksBefore = snmp6(server, "Ip6ReasmOKs");
        long routerTimeoutsBefore = snmp6(router, "Ip6ReasmTimeout");

        Path capture = dir.resolve("router.pcap");
        BackgroundProcess dump = lab.start(router, "sh", "-c", "exec tcpdump --immediate-mode -U -n -s 0"
                + " --time-stamp-precision=nano -i " + left[1] + " -w " + capture + " 2>&1");
        Await.until(Duration.ofSeconds(10), "tcpdump to listen", () -> dump.stdoutSoFar().contains("listening on"));
        long received = receivedPackets(router, left[1]);

        String out = left[0];
        String fragment = "ip6 nexthdr 44 @nh,336,16 ";   // the Fragment header's offset and M flag
        pingTo("fd80:2::2", client, out, null);
        pingTo("fd80:2::2", client, out, fragment + "0x0001 dup to \"" + out + "\"");
        pingTo("fd80:2::2", client, out, fragment + "0x04d1 " + fragment + "set 0x04c9");  // overlaps the first
        pingTo("fd80:2::2", client, out, fragment + "0x04d1 " + fragment + "set 0x04d0");  // a last fragment too early
        pingTo("fd80:2::2", client, out, fragment + "0x09a0 drop");
        pingTo("fd80:2::2", client, out, fragment + "0x04d1 ip6 ecn set ce");
        pingTo("fd80:2::2", client, out, fragment + "0x04d1 ip6 ecn set ce", "-Q", "2");
        pingTo("fd80:2::2", client, out, fragment + "0x09a0 dup to \"" + out + "\"");
        long arrived = receivedPackets(router, left[1]) - received;
        Await.until(Duration.ofSeconds(10), "the capture to hold every packet the router's interface received",
                () -> count(capture) >= arrived);

        Reassembler reassembler = new Reassembler(ReassemblyLimits.IPV4,
                ReassemblyLimits.IPV6.withTimeout(Duration.ofSeconds(1)));
        long[] last = {0};
        PacketView view = new PacketView();
        try (CaptureReader reader = CaptureReader.open(capture)) {
            reader.readAll((nanos, linkType, bytes, offset, length, wire, iface) -> {
                view.parse(linkType, bytes, offset, length);
                if (view.ipVersion() != 6 || !"fd80:2::2".equals(view.destinationAddress().toString())) {
                    return;
                }
                reassembler.offer(bytes, offset + view.networkOffset(), length - view.networkOffset(), nanos);
                last[0] = nanos;
            });
        }
        reassembler.expire(last[0] + 2_000_000_000L);
        ReassemblyStatistics ours = reassembler.ipv6Statistics();
        long[] seen = new long[2];
        try {
            Await.until(Duration.ofSeconds(5), "the router's time-outs and the server's datagrams", () -> {
                seen[0] = snmp6(server, "Ip6ReasmOKs") - serverOksBefore;
                seen[1] = snmp6(router, "Ip6ReasmTimeout") - routerTimeoutsBefore;
                return seen[0] == ours.reasmOks() && seen[1] == ours.reasmTimeout();
            });
        } catch (AssertionError e) {
            // the comparison below says what differs
        }
        assertEquals(List.of(ours.reasmOks(), ours.reasmTimeout()), List.of(seen[0], seen[1]),
                "datagrams forwarded, queues timed out: ours " + ours);
        assertEquals(5, ours.reasmOks(), ours.toString());
        assertEquals(4, ours.reasmTimeout(), ours.toString());
        assertEquals(1, ours.reasmOverlaps(), ours.toString());
        assertEquals(1, ours.drops(DropReason.BAD_ECN), ours.toString());
    }

    private static long snmp6(NetNs ns, String name) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^" + name + "\\s+(\\d+)$")
                .matcher(ns.execOk("cat", "/proc/net/snmp6"));
        assertTrue(m.find(), name);
        return Long.parseLong(m.group(1));
    }

    private static long receivedPackets(NetNs ns, String device) {
        return Long.parseLong(ns.execOk("cat", "/sys/class/net/" + device + "/statistics/rx_packets").trim());
    }

    private static long count(Path capture) {
        long[] n = {0};
        try (CaptureReader reader = CaptureReader.open(capture)) {
            reader.readAll((nanos, linkType, bytes, offset, length, wire, iface) -> n[0]++);
        } catch (IOException e) {
            return n[0];
        }
        return n[0];
    }

    private static long[] minus(long[] a, long[] b) {
        long[] d = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i] - b[i];
        }
        return d;
    }

    /** {ReasmReqds, ReasmOKs, ReasmFails, ReasmTimeout, ReasmOverlaps} of a namespace. */
    private static long[] kernelCounters(NetNs ns) {
        long[] ip = fields(ns.execOk("cat", "/proc/net/snmp"), "Ip:", "ReasmReqds", "ReasmOKs", "ReasmFails",
                "ReasmTimeout");
        long[] ext = fields(ns.execOk("cat", "/proc/net/netstat"), "IpExt:", "ReasmOverlaps");
        return new long[] {ip[0], ip[1], ip[2], ip[3], ext[0]};
    }

    private static long[] fields(String text, String prefix, String... names) {
        String[] lines = text.split("\n");
        for (int i = 0; i + 1 < lines.length; i++) {
            if (lines[i].startsWith(prefix + " ") && lines[i + 1].startsWith(prefix + " ")) {
                List<String> header = List.of(lines[i].trim().split("\\s+"));
                String[] values = lines[i + 1].trim().split("\\s+");
                long[] out = new long[names.length];
                for (int k = 0; k < names.length; k++) {
                    out[k] = Long.parseLong(values[header.indexOf(names[k])]);
                }
                return out;
            }
        }
        throw new AssertionError(prefix + " not found in\n" + text);
    }
}

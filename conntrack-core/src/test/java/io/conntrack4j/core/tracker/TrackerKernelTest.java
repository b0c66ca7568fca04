package io.conntrack4j.core.tracker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.core.Connection;
import io.conntrack4j.core.Filter;
import io.conntrack4j.core.L4Protocol;
import io.conntrack4j.core.Timeout;
import io.conntrack4j.core.TimeoutPolicy;
import io.conntrack4j.core.capture.CaptureReader;
import io.conntrack4j.core.format.ConntrackFormat;
import io.conntrack4j.core.packet.PacketView;
import io.conntrack4j.testkit.Await;
import io.conntrack4j.testkit.BackgroundProcess;
import io.conntrack4j.testkit.KernelTest;
import io.conntrack4j.testkit.NetNs;
import io.conntrack4j.testkit.NetworkLab;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The differential test: real traffic to a namespace whose kernel tracks connections, captured by
 * tcpdump on that namespace's interface; the capture is replayed through {@link ConnectionTracker}
 * and the resulting table must equal {@code conntrack -L} of the namespace line for line (states,
 * [UNREPLIED], [ASSURED], tuples, mark), with timeouts that agree up to the time the listing command
 * took (ours are taken when it starts; packets captured later are not replayed).
 */
@KernelTest(requires = {"conntrack", "tcpdump", "nc", "ping", "nft"})
class TrackerKernelTest {

    @RegisterExtension
    final NetworkLab lab = new NetworkLab();

    @TempDir
    Path dir;

    @Test
    void replayedCaptureGivesTheKernelsTable() throws IOException {
        NetNs client = lab.namespace("client");
        NetNs server = lab.namespace("server");
        String[] links = lab.link(client, "10.78.0.1/24", server, "10.78.0.2/24");
        lab.address(client, links[0], "fd78::1/64");
        lab.address(server, links[1], "fd78::2/64");
        server.enableConntrack();
        // the kernel's count of RELATED packets, in both directions, to compare with our verdicts
        server.exec(Duration.ofSeconds(30), "table inet ct4j_related {\n"
                + "  chain pre { type filter hook prerouting priority -140; ct state related counter; }\n"
                + "  chain out { type filter hook output priority -140; ct state related counter; }\n"
                + "}\n", "nft", "-f", "-").stdoutOrThrow();
        Path pcap = dir.resolve("server.pcap");
        BackgroundProcess dump = lab.start(server, "sh", "-c",
                "exec tcpdump --immediate-mode -U -n -s 0 -i " + links[1] + " -w " + pcap + " 2>&1");
        Await.until(Duration.ofSeconds(10), "tcpdump to listen", () -> dump.stdoutSoFar().contains("listening on"));

        // a TCP exchange closed by the client (TIME_WAIT), one left open (ESTABLISHED, ASSURED),
        // a refused connection (RST: no entry), pings, and UDP to a closed port (ICMP error, RELATED)
        lab.start(server, "nc", "-l", "10.78.0.2", "5001");
        lab.start(server, "nc", "-l", "10.78.0.2", "5002");
        Await.until(Duration.ofSeconds(10), "the TCP servers to listen",
                () -> server.exec("ss", "-Hltn").stdout().contains(":5002"));
        client.exec(Duration.ofSeconds(10), "hello\n", "nc", "-N", "-w", "3", "10.78.0.2", "5001");
        BackgroundProcess open = lab.start(client, "nc", "10.78.0.2", "5002");
        open.write("still here\n");
        client.exec(Duration.ofSeconds(5), "", "nc", "-w", "1", "10.78.0.2", "5003");
        client.execOk("ping", "-c", "2", "-i", "0.2", "10.78.0.2");
        Await.until(Duration.ofSeconds(10), "IPv6 to come up",
                () -> client.exec("ping", "-6", "-c", "1", "-W", "1", "fd78::2").exitCode() == 0);
        lab.start(server, "nc", "-6", "-l", "fd78::2", "5004");
        Await.until(Duration.ofSeconds(10), "the IPv6 TCP server to listen",
                () -> server.exec("ss", "-Hltn").stdout().contains(":5004"));
        client.exec(Duration.ofSeconds(10), "hello\n", "nc", "-6", "-N", "-w", "3", "fd78::2", "5004");
        client.exec(Duration.ofSeconds(5), "ping\n", "nc", "-u", "-w", "1", "10.78.0.2", "9999");
        Await.until(Duration.ofSeconds(10), "the kernel to track the open connection",
                () -> server.exec("conntrack", "-L").stdout().contains("dport=5002 src"));
        Await.until(Duration.ofSeconds(10), "the port unreachable to be captured",
                () -> server.exec("conntrack", "-L", "-p", "udp").stdout().contains("dport=9999"));
        long listedAt = System.currentTimeMillis() * 1_000_000L;
        List<String> kernel = server.execOk("conntrack", "-L").lines().toList();
        long slack = (System.currentTimeMillis() * 1_000_000L - listedAt) / 1_000_000_000L + 1;
        long kernelRelated = java.util.regex.Pattern.compile("counter packets (\\d+)")
                .matcher(server.execOk("nft", "list", "table", "inet", "ct4j_related")).results()
                .mapToLong(m -> Long.parseLong(m.group(1))).sum();
        dump.stop(Duration.ofSeconds(5));

        ConnectionTracker tracker = new ConnectionTracker(TrackerConfig.builder().maxConnections(1024).build());
        PacketView view = new PacketView();
        ProcessResult result = new ProcessResult();
        List<String> verdicts = new ArrayList<>();
        try (CaptureReader reader = CaptureReader.open(pcap)) {
            reader.readAll((t, l, b, o, n, w, i) -> {
                view.parse(l, b, o, n);
                if (view.hasKey() && t <= listedAt) {
                    verdicts.add(tracker.process(view, 0, t, result) + " " + view.toTuple());
                }
            });
        }
        long related = verdicts.stream().filter(v -> v.startsWith("RELATED")).count();
        assertTrue(related > 0, verdicts.toString());
        assertEquals(kernelRelated, related, "RELATED packets: kernel " + kernelRelated + ", ours " + verdicts);
        String all = String.join("\n", kernel);
        for (String expected : List.of("TIME_WAIT src=10.78.0.1", "ESTABLISHED src=10.78.0.1", "dport=5002",
                "icmp     1", "udp      17", "[ASSURED]", "[UNREPLIED]", "icmpv6   58", "src=fd78::1", "dport=5004")) {
            assertTrue(all.contains(expected), expected + " missing from the kernel's table:\n" + all);
        }
        assertTablesAgree(kernel, tracker, Filter.all(), listedAt, slack);
    }

    @Test
    void replayedSctpAssociationsGiveTheKernelsTable() throws IOException {
        NetNs client = lab.namespace("client");
        NetNs server = lab.namespace("server");
        String[] links = lab.link(client, "10.80.0.1/24", server, "10.80.0.2/24");
        server.enableConntrack();
        // SCTP's 3 s handshake timeouts are shorter than a python start on a busy machine: both
        // sides use 60 s for every state but ESTABLISHED
        TimeoutPolicy timeouts = TimeoutPolicy.linuxDefaults();
        for (Timeout t : List.of(Timeout.SCTP_CLOSED, Timeout.SCTP_COOKIE_WAIT, Timeout.SCTP_COOKIE_ECHOED,
                Timeout.SCTP_SHUTDOWN_SENT, Timeout.SCTP_SHUTDOWN_RECD, Timeout.SCTP_SHUTDOWN_ACK_SENT)) {
            server.execOk("sysctl", "-qw", "net.netfilter." + t.sysctl() + "=60");
            timeouts = timeouts.with(t, 60);
        }
        Path script = dir.resolve("sctp_send.py");
        try (var in = TrackerKernelTest.class.getResourceAsStream("sctp_send.py")) {
            java.nio.file.Files.write(script, in.readAllBytes());
        }
        Path pcap = dir.resolve("sctp.pcap");
        BackgroundProcess dump = lab.start(server, "sh", "-c",
                "exec tcpdump --immediate-mode -U -n -s 0 -i " + links[1] + " -w " + pcap + " 2>&1");
        Await.until(Duration.ofSeconds(10), "tcpdump to listen", () -> dump.stdoutSoFar().contains("listening on"));
        // both ends are raw sockets: the kernel has no SCTP stack here, but tracks SCTP all the same
        String a = "11111111";
        String b = "22222222";
        for (int port : new int[] {5000, 5001}) {
            String sport = Integer.toString(port);
            String dport = Integer.toString(port + 1000);
            send(client, script, "10.80.0.2", sport, dport, "0", "init=" + a);
            send(server, script, "10.80.0.1", dport, sport, a, "init_ack=" + b);
            send(client, script, "10.80.0.2", sport, dport, b, "cookie_echo");
            send(server, script, "10.80.0.1", dport, sport, a, "cookie_ack");
            send(client, script, "10.80.0.2", sport, dport, b, "data");
            send(client, script, "10.80.0.2", sport, dport, a, "data"); // wrong tag: invalid
        }
        send(client, script, "10.80.0.2", "5001", "6001", b, "shutdown");
        send(server, script, "10.80.0.1", "6001", "5001", a, "shutdown_ack");
        send(client, script, "10.80.0.2", "5001", "6001", b, "shutdown_complete");
        send(client, script, "10.80.0.2", "5002", "6002", "0", "init=" + a);
        Await.until(Duration.ofSeconds(10), "the last INIT to be tracked",
                () -> server.exec("conntrack", "-L", "-p", "sctp").stdout().contains("sport=5002"));
        long listedAt = System.currentTimeMillis() * 1_000_000L;
        List<String> kernel = server.execOk("conntrack", "-L", "-p", "sctp").lines().toList();
        long slack = (System.currentTimeMillis() * 1_000_000L - listedAt) / 1_000_000_000L + 1;
        Await.until(Duration.ofSeconds(10), "the capture to hold the last INIT", () -> captured(pcap, L4Protocol.SCTP_NUMBER) >= 16);
        dump.stop(Duration.ofSeconds(5));

        ConnectionTracker tracker = new ConnectionTracker(TrackerConfig.builder().maxConnections(1024)
                .timeouts(timeouts).build());
        PacketView view = new PacketView();
        ProcessResult result = new ProcessResult();
        try (CaptureReader reader = CaptureReader.open(pcap)) {
            reader.readAll((t, l, bytes, o, n, w, i) -> {
                if (t <= listedAt) {
                    view.parse(l, bytes, o, n);
                    tracker.process(view, 0, t, result);
                }
            });
        }
        String all = String.join("\n", kernel);
        for (String expected : List.of("ESTABLISHED", "CLOSED", "[ASSURED]", "[UNREPLIED]")) {
            assertTrue(all.contains(expected), expected + " missing from the kernel's table:\n" + all);
        }
        assertTablesAgree(kernel, tracker, Filter.builder().acceptProtocols(L4Protocol.SCTP).build(), listedAt, slack);
        assertTrue(tracker.statistics().invalid() >= 2, tracker.statistics().toString());
    }

    static void send(NetNs ns, Path script, String... args) {
        String[] argv = new String[args.length + 2];
        argv[0] = "python3";
        argv[1] = script.toString();
        System.arraycopy(args, 0, argv, 2, args.length);
        ns.execOk(argv);
    }

    /** Complete packets of the protocol in a capture being written. */
    static int captured(Path pcap, int protocol) {
        int[] sctp = {0};
        PacketView view = new PacketView().acceptTruncatedCaptures(true);
        try (CaptureReader reader = CaptureReader.open(pcap)) {
            reader.readAll((t, l, bytes, o, n, w, i) -> {
                // an untrackable packet (GRE v1 without PPP) is captured all the same
                io.conntrack4j.core.packet.ParseResult r = view.parse(l, bytes, o, n);
                if ((r == io.conntrack4j.core.packet.ParseResult.OK
                        || r == io.conntrack4j.core.packet.ParseResult.UNSUPPORTED_GRE_PROTOCOL)
                        && view.protocol() == protocol) {
                    sctp[0]++;
                }
            });
        } catch (IOException e) {
            return sctp[0];
        }
        return sctp[0];
    }

    /**
     * Our table (listed at the instant the kernel's listing started) equals the kernel's line for
     * line, timeouts aside; each timeout is ours or up to {@code slack} seconds less (the listing
     * command takes time), or one more (both truncate to whole seconds).
     */
    static void assertTablesAgree(List<String> kernel, ConnectionTracker tracker, Filter filter, long listedAt,
                                  long slack) {
        ConntrackFormat format = ConntrackFormat.builder().build();
        List<String> ours = new ArrayList<>();
        for (Connection c : tracker.list(filter, listedAt)) {
            ours.add(format.format(c));
        }
        Map<String, Integer> kernelLines = byLineWithoutTimeout(kernel);
        Map<String, Integer> ourLines = byLineWithoutTimeout(ours);
        assertEquals(kernelLines.keySet(), ourLines.keySet(), "kernel:\n" + String.join("\n", kernel)
                + "\nours:\n" + String.join("\n", ours));
        for (Map.Entry<String, Integer> e : kernelLines.entrySet()) {
            int theirs = e.getValue();
            int mine = ourLines.get(e.getKey());
            assertTrue(theirs <= mine + 1 && mine - theirs <= slack, e.getKey() + ": kernel " + theirs + " s, ours " + mine);
        }
    }

    /** The line with its timeout column replaced by "T", mapped to the timeout. */
    static Map<String, Integer> byLineWithoutTimeout(List<String> lines) {
        Map<String, Integer> out = new TreeMap<>();
        for (String line : lines) {
            String[] tokens = line.trim().split(" +");
            int timeout = Integer.parseInt(tokens[2]);
            tokens[2] = "T";
            out.put(String.join(" ", Arrays.asList(tokens)), timeout);
        }
        return out;
    }
}

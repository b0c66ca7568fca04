package io.conntrack4j.core.tracker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.core.Connection;
import io.conntrack4j.core.Filter;
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
 * [UNREPLIED], [ASSURED], tuples, mark), with timeouts within the seconds that pass between the last
 * packet and the listing.
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
        List<String> kernel = server.execOk("conntrack", "-L").lines().toList();
        long listedAt = System.currentTimeMillis();
        dump.stop(Duration.ofSeconds(5));

        ConnectionTracker tracker = new ConnectionTracker(TrackerConfig.builder().maxConnections(1024).build());
        PacketView view = new PacketView();
        ProcessResult result = new ProcessResult();
        long[] last = {0};
        List<String> verdicts = new ArrayList<>();
        try (CaptureReader reader = CaptureReader.open(pcap)) {
            reader.readAll((t, l, b, o, n, w, i) -> {
                view.parse(l, b, o, n);
                if (view.hasKey()) {
                    verdicts.add(tracker.process(view, 0, t, result) + " " + view.toTuple());
                }
                last[0] = t;
            });
        }
        assertTrue(verdicts.stream().anyMatch(v -> v.startsWith("RELATED")), verdicts.toString());
        ConntrackFormat format = ConntrackFormat.builder().build();
        List<String> ours = new ArrayList<>();
        for (Connection c : tracker.list(Filter.all(), last[0])) {
            ours.add(format.format(c));
        }
        long elapsed = (listedAt - last[0] / 1_000_000) / 1000 + 2;
        Map<String, Integer> kernelLines = byLineWithoutTimeout(kernel);
        Map<String, Integer> ourLines = byLineWithoutTimeout(ours);
        String all = String.join("\n", kernel);
        for (String expected : List.of("TIME_WAIT src=10.78.0.1", "ESTABLISHED src=10.78.0.1", "dport=5002",
                "icmp     1", "udp      17", "[ASSURED]", "[UNREPLIED]", "icmpv6   58", "src=fd78::1", "dport=5004")) {
            assertTrue(all.contains(expected), expected + " missing from the kernel's table:\n" + all);
        }
        assertEquals(kernelLines.keySet(), ourLines.keySet(), "kernel:\n" + String.join("\n", kernel)
                + "\nours:\n" + String.join("\n", ours));
        for (Map.Entry<String, Integer> e : kernelLines.entrySet()) {
            int theirs = e.getValue();
            int mine = ourLines.get(e.getKey());
            assertTrue(theirs <= mine && mine - theirs <= elapsed, e.getKey() + ": kernel " + theirs + " s, ours " + mine);
        }
    }

    /** The line with its timeout column replaced by "T", mapped to the timeout. */
    private static Map<String, Integer> byLineWithoutTimeout(List<String> lines) {
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

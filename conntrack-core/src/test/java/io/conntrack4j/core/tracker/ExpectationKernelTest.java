package io.conntrack4j.core.tracker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.core.Connection;
import io.conntrack4j.core.Expectation;
import io.conntrack4j.core.Filter;
import io.conntrack4j.core.L4Protocol;
import io.conntrack4j.core.capture.CaptureReader;
import io.conntrack4j.core.format.ConntrackFormat;
import io.conntrack4j.core.format.ExpectationFormat;
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
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kernel's FTP and TFTP helpers ({@code nft ct helper set}) against ours: an FTP control
 * session with a PORT command whose data connection the server opens, then an EPRT command left
 * pending, and a TFTP read request, captured by tcpdump in the server's namespace and replayed
 * through {@link ConnectionTracker} with the same helper assignments. {@code conntrack -L expect}
 * and {@code conntrack -L} of the kernel must equal ours, timeouts aside, and {@code use=} aside
 * (a reference count: the kernel shows 2 for the FTP master while its socket holds a packet).
 */
@KernelTest(requires = {"conntrack", "tcpdump", "nc", "nft", "ss"})
class ExpectationKernelTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    final NetworkLab lab = new NetworkLab();

    @TempDir
    Path dir;

    @Test
    void replayedFtpAndTftpGiveTheKernelsExpectationsAndTable() throws IOException {
        NetNs client = lab.namespace("client");
        NetNs server = lab.namespace("server");
        String[] links = lab.link(client, "10.9.0.1/24", server, "10.9.0.2/24");
        server.enableConntrack();
        server.exec(Duration.ofSeconds(30), "table inet ct4j_helpers {\n"
                + "  ct helper ftp-standard { type \"ftp\" protocol tcp; }\n"
                + "  ct helper tftp-standard { type \"tftp\" protocol udp; }\n"
                + "  chain pre { type filter hook prerouting priority 0; tcp dport 21 ct helper set \"ftp-standard\";"
                + " udp dport 69 ct helper set \"tftp-standard\"; }\n"
                + "}\n", "nft", "-f", "-");
        Path pcap = dir.resolve("server.pcap");
        BackgroundProcess dump = lab.start(server, "sh", "-c",
                "exec tcpdump --immediate-mode -U -n -s 0 -i " + links[1] + " -w " + pcap + " 2>&1");
        Await.until(WAIT, "tcpdump to listen", () -> dump.stdoutSoFar().contains("listening on"));

        lab.start(server, "nc", "-l", "-p", "21");
        Await.until(WAIT, "the FTP server to listen", () -> server.exec("ss", "-Hltn").stdout().contains(":21"));
        BackgroundProcess ftp = lab.start(client, "nc", "-p", "40000", "10.9.0.2", "21");
        // the helper reads a line only in a segment that starts after a newline it has seen
        ftp.write("USER x\r\n");
        Await.until(WAIT, "the control connection to be ASSURED",
                () -> server.exec("conntrack", "-L", "-p", "tcp", "--dport", "21").stdout().contains("ASSURED"));
        ftp.write("PORT 10,9,0,1,156,65\r\n");
        Await.until(WAIT, "the PORT expectation",
                () -> server.exec("conntrack", "-L", "expect").stdout().contains("dport=40001"));
        lab.start(client, "nc", "-l", "-p", "40001");
        Await.until(WAIT, "the data listener", () -> client.exec("ss", "-Hltn").stdout().contains(":40001"));
        server.exec(Duration.ofSeconds(10), "data\n", "nc", "-N", "-w", "2", "-p", "2020", "10.9.0.1", "40001");
        ftp.write("EPRT |1|10.9.0.1|40002|\r\n");
        Await.until(WAIT, "the EPRT expectation",
                () -> server.exec("conntrack", "-L", "expect").stdout().contains("dport=40002"));
        client.exec(Duration.ofSeconds(5), "\u0000\u0001file\u0000octet\u0000", "nc", "-u", "-w", "1", "-p", "40100",
                "10.9.0.2", "69");
        Await.until(WAIT, "the TFTP expectation",
                () -> server.exec("conntrack", "-L", "expect").stdout().contains("dport=40100"));
        long listedAt = System.currentTimeMillis() * 1_000_000L;
        List<String> kernelExpect = server.execOk("conntrack", "-L", "expect").lines().toList();
        List<String> kernel = server.execOk("conntrack", "-L").lines().toList();
        dump.stop(Duration.ofSeconds(5));

        ConnectionTracker tracker = new ConnectionTracker(TrackerConfig.builder().maxConnections(1024)
                .helper(L4Protocol.TCP, 21, ConnectionHelper.FTP).helper(L4Protocol.UDP, 69, ConnectionHelper.TFTP)
                .build());
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
        assertTrue(verdicts.stream().anyMatch(v -> v.startsWith("RELATED") && v.contains("40001")),
                verdicts.toString());
        ExpectationFormat expectFormat = ExpectationFormat.plain();
        List<String> oursExpect = new ArrayList<>();
        for (Expectation e : tracker.expectations(listedAt)) {
            oursExpect.add(expectFormat.format(e));
        }
        assertEquals(2, kernelExpect.size(), String.join("\n", kernelExpect));
        assertEquals(withoutTimeouts(kernelExpect, 0), withoutTimeouts(oursExpect, 0),
                "kernel:\n" + String.join("\n", kernelExpect) + "\nours:\n" + String.join("\n", oursExpect));
        ConntrackFormat format = ConntrackFormat.builder().build();
        List<String> ours = new ArrayList<>();
        for (Connection c : tracker.list(Filter.all(), listedAt)) {
            ours.add(format.format(c));
        }
        assertEquals(withoutTimeouts(kernel, 2), withoutTimeouts(ours, 2),
                "kernel:\n" + String.join("\n", kernel) + "\nours:\n" + String.join("\n", ours));
    }

    /** The lines, sorted, with the timeout column ({@code column}, counted from 0) replaced by "T". */
    private static TreeSet<String> withoutTimeouts(List<String> lines, int column) {
        TreeSet<String> out = new TreeSet<>();
        for (String line : lines) {
            String[] tokens = line.trim().split(" +");
            tokens[column] = "T";
            for (int i = 0; i < tokens.length; i++) {
                if (tokens[i].startsWith("use=")) {
                    tokens[i] = "use=U";
                }
            }
            out.add(String.join(" ", tokens));
        }
        return out;
    }
}

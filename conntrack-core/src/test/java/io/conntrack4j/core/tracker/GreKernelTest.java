package io.conntrack4j.core.tracker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.core.Filter;
import io.conntrack4j.core.L4Protocol;
import io.conntrack4j.core.capture.CaptureReader;
import io.conntrack4j.core.packet.PacketView;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * GRE keys against the kernel: PPTP (GRE version 1) packets are keyed by their call id, which
 * becomes the destination key of the tuple (the source key would come from the PPTP helper's
 * keymap; without it, 0), so each direction of a PPTP call is its own connection; version 0 with
 * a key is tracked keyless; version 1 carrying anything but PPP is not tracked at all. Sent from raw
 * sockets, captured, replayed, and compared with {@code conntrack -L -p gre}.
 */
@KernelTest(requires = {"conntrack", "tcpdump", "nft", "python3"})
class GreKernelTest {

    @RegisterExtension
    final NetworkLab lab = new NetworkLab();

    @TempDir
    Path dir;

    @Test
    void replayedGreGivesTheKernelsTable() throws IOException {
        NetNs client = lab.namespace("client");
        NetNs server = lab.namespace("server");
        String[] links = lab.link(client, "10.81.0.1/24", server, "10.81.0.2/24");
        server.enableConntrack();
        Path script = dir.resolve("gre_send.py");
        try (var in = GreKernelTest.class.getResourceAsStream("gre_send.py")) {
            Files.write(script, in.readAllBytes());
        }
        Path pcap = dir.resolve("gre.pcap");
        BackgroundProcess dump = lab.start(server, "sh", "-c",
                "exec tcpdump --immediate-mode -U -n -s 0 -i " + links[1] + " -w " + pcap + " 2>&1");
        Await.until(Duration.ofSeconds(10), "tcpdump to listen", () -> dump.stdoutSoFar().contains("listening on"));
        // PPTP data of one call, both ways: flags K+S, version 1, PPP, payload length 0, call id, seq
        TrackerKernelTest.send(client, script, "10.81.0.2", "3001", "880b", "00001234", "00000001");
        TrackerKernelTest.send(client, script, "10.81.0.2", "3001", "880b", "00001234", "00000002");
        TrackerKernelTest.send(server, script, "10.81.0.1", "3001", "880b", "00005678", "00000001");
        // plain GRE with a key: keys are ignored for version 0
        TrackerKernelTest.send(client, script, "10.81.0.2", "2000", "0800", "0000abcd");
        TrackerKernelTest.send(server, script, "10.81.0.1", "2000", "0800", "0000abcd");
        // version 1 that is not PPP: no tuple, no entry
        TrackerKernelTest.send(client, script, "10.81.0.2", "3001", "0800", "00009999", "00000001");
        Await.until(Duration.ofSeconds(10), "the kernel to track the PPTP calls",
                () -> server.exec("conntrack", "-L", "-p", "gre").stdout().lines().count() == 3);
        Await.until(Duration.ofSeconds(10), "the capture to hold every GRE packet", () -> TrackerKernelTest.captured(pcap, L4Protocol.GRE_NUMBER) >= 6);
        long listedAt = System.currentTimeMillis() * 1_000_000L;
        List<String> kernel = server.execOk("conntrack", "-L", "-p", "gre").lines().toList();
        long slack = (System.currentTimeMillis() * 1_000_000L - listedAt) / 1_000_000_000L + 1;
        dump.stop(Duration.ofSeconds(5));

        ConnectionTracker tracker = new ConnectionTracker(TrackerConfig.builder().maxConnections(64).build());
        PacketView view = new PacketView();
        ProcessResult result = new ProcessResult();
        List<Verdict> verdicts = new ArrayList<>();
        try (CaptureReader reader = CaptureReader.open(pcap)) {
            reader.readAll((t, l, bytes, o, n, w, i) -> {
                view.parse(l, bytes, o, n);
                if (view.protocol() == L4Protocol.GRE_NUMBER) {
                    verdicts.add(tracker.process(view, 0, t, result));
                }
            });
        }
        String all = String.join("\n", kernel);
        for (String expected : List.of("srckey=0x0 dstkey=0x1234", "srckey=0x0 dstkey=0x5678",
                "srckey=0x0 dstkey=0x0 src=")) {
            // the last: the keyless version 0 flow, answered
            assertTrue(all.contains(expected), expected + " missing from the kernel's table:\n" + all);
        }
        TrackerKernelTest.assertTablesAgree(kernel, tracker, Filter.builder().acceptProtocols(L4Protocol.GRE).build(),
                listedAt, slack);
        assertEquals(Verdict.INVALID, verdicts.get(verdicts.size() - 1), verdicts.toString());
    }
}

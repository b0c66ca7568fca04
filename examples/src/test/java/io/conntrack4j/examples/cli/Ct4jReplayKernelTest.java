package io.conntrack4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.testkit.Await;
import io.conntrack4j.testkit.BackgroundProcess;
import io.conntrack4j.testkit.KernelTest;
import io.conntrack4j.testkit.NetNs;
import io.conntrack4j.testkit.NetworkLab;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ct4j replay --events} against {@code conntrack -E}: a namespace whose kernel tracks its
 * traffic is watched by conntrack -E while tcpdump captures the same traffic; replaying the capture
 * must print the same events in the same order (timeouts aside: the kernel's are read a few
 * milliseconds later).
 */
@KernelTest(requires = {"conntrack", "tcpdump", "nc", "ping", "nft"})
class Ct4jReplayKernelTest {

    @RegisterExtension
    final NetworkLab lab = new NetworkLab();

    @TempDir
    Path dir;

    @Test
    void replayedEventsAreTheKernelsEvents() {
        NetNs client = lab.namespace("client");
        NetNs server = lab.namespace("server");
        String[] links = lab.link(client, "10.79.0.1/24", server, "10.79.0.2/24");
        server.enableConntrack();
        Path pcap = dir.resolve("server.pcap");
        BackgroundProcess dump = lab.start(server, "sh", "-c",
                "exec tcpdump --immediate-mode -U -n -s 0 -i " + links[1] + " -w " + pcap + " 2>&1");
        Await.until(Duration.ofSeconds(10), "tcpdump to listen", () -> dump.stdoutSoFar().contains("listening on"));
        BackgroundProcess events = lab.start(server, "sh", "-c", "exec stdbuf -oL conntrack -E 2>&1");
        lab.start(server, "nc", "-l", "10.79.0.2", "5001");
        Await.until(Duration.ofSeconds(10), "the TCP server to listen",
                () -> server.exec("ss", "-Hltn").stdout().contains(":5001"));
        client.exec(Duration.ofSeconds(10), "hello\n", "nc", "-N", "-w", "3", "10.79.0.2", "5001");
        client.exec(Duration.ofSeconds(5), "", "nc", "-w", "1", "10.79.0.2", "5003");
        client.execOk("ping", "-c", "2", "-i", "0.2", "10.79.0.2");
        client.exec(Duration.ofSeconds(5), "ping\n", "nc", "-u", "-w", "1", "10.79.0.2", "9999");
        String kernel = Await.value(Duration.ofSeconds(10), "the kernel's events", events::stdoutSoFar,
                text -> text.contains("dport=9999"));
        dump.stop(Duration.ofSeconds(5));
        events.stop(Duration.ofSeconds(5));

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Ct4j.run(new String[] {"replay", pcap.toString(), "--events"}, print(out), print(err));
        assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
        List<String> expected = withoutTimeouts(kernel);
        List<String> actual = withoutTimeouts(out.toString(StandardCharsets.UTF_8));
        for (String needed : List.of("[NEW] tcp", "TIME_WAIT", "[DESTROY] tcp", "[NEW] icmp", "[NEW] udp")) {
            assertTrue(String.join("\n", expected).contains(needed), needed + " missing from:\n" + kernel);
        }
        assertEquals(String.join("\n", expected), String.join("\n", actual));
    }

    private static PrintStream print(ByteArrayOutputStream bytes) {
        return new PrintStream(bytes, true, StandardCharsets.UTF_8);
    }

    /** Event lines with the timeout column (the number after the protocol number) removed. */
    private static List<String> withoutTimeouts(String text) {
        return text.lines().filter(l -> l.trim().startsWith("[")).map(l -> l.replaceFirst(
                "^(\\s*\\[\\w+\\] \\w+ +\\d+ )\\d+ ", "$1")).toList();
    }
}

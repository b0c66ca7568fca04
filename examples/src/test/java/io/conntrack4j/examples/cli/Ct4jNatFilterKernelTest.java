package io.conntrack4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.testkit.CommandResult;
import io.conntrack4j.testkit.KernelTest;
import io.conntrack4j.testkit.NetNs;
import io.conntrack4j.testkit.NetworkLab;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The NAT and zone filters of {@code ct4j -L} on entries the kernel really NATed (nftables snat and
 * dnat on locally sent UDP), against conntrack: same lines, same order, same messages.
 */
@KernelTest(requires = {"conntrack", "nft", "nc"})
class Ct4jNatFilterKernelTest {
    private static final Duration LIMIT = Duration.ofSeconds(60);

    @RegisterExtension
    final NetworkLab lab = new NetworkLab();

    @Test
    void filtersNatLikeConntrack() {
        NetNs router = lab.namespace("nat");
        NetNs peer = lab.namespace("peer");
        String device = lab.link(router, "10.77.0.1/24", peer, "10.77.0.2/24")[0];
        lab.address(router, device, "10.77.0.50/24");
        // the flows must outlive the test's many runs
        router.execOk("sysctl", "-q", "-w", "net.netfilter.nf_conntrack_udp_timeout=600");
        router.exec(LIMIT, String.join("\n",
                "table ip nat {",
                "  chain out { type nat hook output priority -100; ip daddr 10.77.0.5 dnat to 10.77.0.2;",
                "    ip daddr 10.77.0.6 udp dport 6000 dnat to 10.77.0.2:6001; }",
                "  chain post { type nat hook postrouting priority 100;",
                "    ip daddr 10.77.0.2 udp dport 7000 snat to 10.77.0.50;",
                "    ip daddr 10.77.0.2 udp dport 7001 snat to 10.77.0.1:40000; }",
                "}", ""), "nft", "-f", "-").stdoutOrThrow();
        for (String[] target : new String[][] {{"10.77.0.5", "9000"}, {"10.77.0.6", "6000"}, {"10.77.0.2", "7000"},
            {"10.77.0.2", "7001"}, {"10.77.0.2", "7002"}}) {
            router.exec(Duration.ofSeconds(10), "x\n", "nc", "-u", "-w", "1", target[0], target[1]);
        }
        router.execOk("conntrack", "-I", "-p", "udp", "-s", "10.9.9.9", "-d", "10.77.0.1", "--sport", "1", "--dport",
                "2", "-t", "300", "--orig-zone", "4");
        assertTrue(router.execOk("conntrack", "-L", "-p", "udp").lines().count() >= 6, "the flows are tracked");

        String[][] lines = {
            {"-L", "--src-nat"}, {"-L", "--dst-nat"}, {"-L", "--any-nat"}, {"-L", "-n", "-g"}, {"-L", "-n", "10.77.0.50"},
            {"-L", "-n10.77.0.51"}, {"-L", "-n", "10.77.0.1:40000"}, {"-L", "--src-nat=10.77.0.1:40000"},
            {"-L", "--src-nat", "10.77.0.50:1"}, {"-L", "--dst-nat=10.77.0.2:6001", "-g", "10.77.0.2:6001"},
            {"-L", "-j", "10.77.0.2"}, {"-L", "-p", "udp", "--orig-zone", "4"}, {"-L", "--reply-zone", "4"},
        };
        for (String[] args : lines) {
            assertSame(router, args);
        }
        // refusals come before any socket is opened: ct4j in this JVM is enough
        String[][] refused = {
            {"-L", "--src-nat", "300.1.1.1"}, {"-L", "-n", ":40000"}, {"-L", "--src-nat", "1.2.3.4:"},
            {"-L", "-n", "1.2.3.4:99999"}, {"-L", "-n", "1.2.3.4:abc"}, {"-L", "-n", "[]:1"}, {"-L", "-n", "[::1"},
            {"-L", "-g", "10.0.0.1", "-f", "ipv6"}, {"-C", "-n"}, {"-I", "-n"}, {"-G", "--orig-zone", "1"},
        };
        for (String[] args : refused) {
            CommandResult theirs = run(router, args);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = Ct4j.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            String context = "conntrack " + String.join(" ", args);
            assertEquals(theirs.stderr(), err.toString(StandardCharsets.UTF_8), context);
            assertEquals(theirs.exitCode(), code, context);
            assertEquals(theirs.stdout(), out.toString(StandardCharsets.UTF_8), context);
        }
    }

    private static void assertSame(NetNs ns, String... args) {
        CommandResult before = run(ns, args);
        CommandResult ours = Ct4jProcess.run(ns, LIMIT, args);
        CommandResult after = run(ns, args);
        String context = "ct4j " + String.join(" ", args) + "\n" + ours + "\nconntrack:\n" + before;
        assertEquals(before.exitCode(), ours.exitCode(), context);
        assertEquals(before.stderr(), ours.stderr(), context);
        assertEquals(before.stdout().lines().count(), after.stdout().lines().count(), "the table changed: " + context);
        List<String> expected = before.stdout().lines().map(Ct4jNatFilterKernelTest::masked).toList();
        List<String> got = ours.stdout().lines().map(Ct4jNatFilterKernelTest::masked).toList();
        assertEquals(expected, got, context);
    }

    /** The timeout column, which counts down between the runs. */
    private static String masked(String line) {
        return line.replaceFirst("^(\\S+ +\\d+ )\\d+ ", "$1T ");
    }

    private static CommandResult run(NetNs ns, String... args) {
        return ns.exec(LIMIT, null, TwinNamespaces.conntrackArgv(args));
    }
}

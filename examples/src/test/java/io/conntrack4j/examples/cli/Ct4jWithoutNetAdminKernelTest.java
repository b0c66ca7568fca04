package io.conntrack4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.conntrack4j.testkit.CommandResult;
import io.conntrack4j.testkit.KernelTest;
import io.conntrack4j.testkit.NetNs;
import io.conntrack4j.testkit.NetworkLab;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The kernel's refusals in conntrack's words: without CAP_NET_ADMIN (dropped from the bounding
 * set, so the JVM can still read its class path) ctnetlink answers EPERM, and conntrack and ct4j
 * must print the same thing for every command: "sorry, you must be root ...", the /proc fallbacks
 * of {@code -C} and {@code -S} before the error, the flush message before it, the socket errors of
 * {@code -E}.
 */
@KernelTest(requires = {"conntrack", "setpriv"})
class Ct4jWithoutNetAdminKernelTest {
    private static final Duration LIMIT = Duration.ofSeconds(60);
    private static final List<String> WITHOUT_NET_ADMIN =
            List.of("setpriv", "--bounding-set=-net_admin", "--inh-caps=-net_admin");

    @RegisterExtension
    final NetworkLab lab = new NetworkLab();

    private static CommandResult run(NetNs ns, List<String> command) {
        List<String> argv = new ArrayList<>(WITHOUT_NET_ADMIN);
        argv.addAll(command);
        return ns.exec(LIMIT, null, argv.toArray(String[]::new));
    }

    @Test
    void everyCommandFailsWithConntracksWordsAndExitCode() {
        NetNs ns = lab.namespace("ns");
        // one entry, so that the /proc count conntrack -C falls back to is not just 0
        ns.execOk("conntrack", "-I", "-p", "udp", "-s", "10.1.1.1", "-d", "10.2.2.2", "--sport", "1", "--dport", "2",
                "-t", "300");
        String[][] lines = {
            {"-L"}, {"-L", "-o", "xml"}, {"-L", "dying"}, {"-D"}, {"-D", "-s", "10.1.1.1"}, {"-F"}, {"-C"}, {"-S"},
            {"-G", "-p", "udp", "-s", "10.1.1.1", "-d", "10.2.2.2", "--sport", "1", "--dport", "2"},
            {"-I", "-p", "udp", "-s", "10.1.1.1", "-d", "10.2.2.9", "--sport", "1", "--dport", "2", "-t", "30"},
            {"-E"}, {"-E", "expect"}, {"-L", "expect"}, {"-F", "expect"}, {"-C", "expect"}, {"-S", "expect"},
        };
        for (String[] args : lines) {
            List<String> conntrack = new ArrayList<>(List.of("conntrack"));
            conntrack.addAll(List.of(args));
            CommandResult expected = run(ns, conntrack);
            CommandResult got = run(ns, List.of(Ct4jProcess.command(args)));
            String context = String.join(" ", args) + "\nconntrack:\n" + expected + "\nct4j:\n" + got;
            assertEquals(1, expected.exitCode(), context);
            assertEquals(expected.exitCode(), got.exitCode(), context);
            assertEquals(expected.stderr(), got.stderr(), context);
            assertEquals(expected.stdout(), got.stdout(), context);
        }
        // nothing was changed
        assertEquals(1, ns.execOk("conntrack", "-L").lines().count());
    }
}

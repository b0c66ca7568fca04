package io.conntrack4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.testkit.Await;
import io.conntrack4j.testkit.BackgroundProcess;
import io.conntrack4j.testkit.CommandResult;
import io.conntrack4j.testkit.KernelTest;
import io.conntrack4j.testkit.NetNs;
import io.conntrack4j.testkit.NetworkLab;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code ct4j -E} and {@code ct4j -S} against conntrack run alongside in the same namespace: the
 * same events, in the same order, as the same lines (events from traffic across a veth link and
 * from conntrack -I/-U/-D/-F, so with and without the [USERSPACE] suffix), the same filters and
 * event masks, the same count on SIGTERM, and the same exit code.
 */
@KernelTest(requires = {"conntrack", "nft", "ping", "nc"})
class Ct4jEventsKernelTest {
    private static final Duration LIMIT = Duration.ofSeconds(60);
    /** Entries made only to see that every listener is subscribed; dropped before comparing. */
    private static final String PROBE = "198.51.100.7";
    private static final Pattern TIMESTAMP = Pattern.compile("^\\[\\d{10}\\.\\d{6}\\]\\t");

    @RegisterExtension
    final NetworkLab lab = new NetworkLab();

    @Test
    void printsTheEventsConntrackPrints() {
        NetNs router = lab.namespace("router");
        NetNs peer = lab.namespace("peer");
        lab.link(router, "10.77.0.1/24", peer, "10.77.0.2/24");
        router.enableConntrack();
        // short timeouts so traffic entries die (DESTROY events) within the test
        router.execOk("sysctl", "-q", "-w", "net.netfilter.nf_conntrack_icmp_timeout=1",
                "net.netfilter.nf_conntrack_udp_timeout=1", "net.netfilter.nf_conntrack_timestamp=1");

        String[][] variants = {
            {"-E"},
            {"-E", "-e", "NEW,destroy", "-o", "extended,id,timestamp"},
            {"-E", "-p", "icmp", "-s", "10.77.0.2"},
            {"--event", "-f", "ipv4", "-m", "9", "-b", "65536"},
        };
        List<BackgroundProcess[]> pairs = new ArrayList<>();
        for (String[] args : variants) {
            pairs.add(new BackgroundProcess[] {
                lab.start(router, withPid(conntrack(args))), lab.start(router, withPid(Ct4jProcess.command(args)))});
        }
        // every listener is subscribed once it has printed a marker event; the markers pass every filter
        Await.until(LIMIT, "every listener prints events", () -> {
            marker(router, 4242);
            return pairs.stream().allMatch(pair -> pair[0].stdoutSoFar().contains("id=4242 ")
                    && pair[1].stdoutSoFar().contains("id=4242 "));
        });
        // events reach each socket in order: what follows this marker's DESTROY is comparable
        marker(router, 4243);

        // traffic: ICMP and UDP from the peer; they expire after a second
        peer.execOk("ping", "-c", "2", "-i", "0.2", "10.77.0.1");
        peer.exec(Duration.ofSeconds(10), "x\n", "nc", "-u", "-w", "1", "10.77.0.1", "9999");
        // user space: create, update (mark), delete, and a flush
        router.execOk("conntrack", "-I", "-p", "tcp", "-s", "10.77.0.50", "-d", "10.77.0.1", "--sport", "4000",
                "--dport", "22", "--state", "ESTABLISHED", "-u", "SEEN_REPLY,ASSURED", "-t", "100");
        router.execOk("conntrack", "-I", "-p", "udp", "-s", "10.77.0.51", "-d", "10.77.0.1", "--sport", "5000",
                "--dport", "53", "-t", "100", "-m", "9");
        router.execOk("conntrack", "-U", "-p", "tcp", "-s", "10.77.0.50", "-m", "9");
        router.execOk("conntrack", "-D", "-p", "udp", "-s", "10.77.0.51");
        // listing reaps expired entries, which sends their DESTROY events
        Await.until(LIMIT, "traffic entries expire", () -> router.execOk("conntrack", "-L", "-p", "icmp").isBlank()
                && router.execOk("conntrack", "-L", "-p", "udp").isBlank());
        router.execOk("conntrack", "-F");
        marker(router, 4244);

        for (int i = 0; i < pairs.size(); i++) {
            BackgroundProcess[] pair = pairs.get(i);
            String context = String.join(" ", variants[i]);
            Await.until(LIMIT, context + ": the last marker is printed", () ->
                    destroyed(pair[0].stdoutSoFar(), 4244) && destroyed(pair[1].stdoutSoFar(), 4244));
            CommandResult theirs = terminate(pair[0]);
            CommandResult ours = terminate(pair[1]);
            assertEquals(theirs.exitCode(), ours.exitCode(), context + "\n" + ours.stderr());
            // the count differs by the markers each saw before the other subscribed
            assertEquals(theirs.stderr().replaceAll("\\d+ flow", "N flow"), ours.stderr().replaceAll("\\d+ flow", "N flow"),
                    context + " exit " + ours.exitCode() + " theirs " + theirs.exitCode());
            List<String> expected = between(theirs.stdout());
            List<String> got = between(ours.stdout());
            assertEquals(expected.size(), got.size(), context + "\n" + String.join("\n", expected) + "\n--- ct4j:\n"
                    + String.join("\n", got));
            for (int k = 0; k < got.size(); k++) {
                assertSameEvent(expected.get(k), got.get(k), context);
            }
            // the first line is the pid
            assertTrue(ours.stderr().contains(" " + (ours.stdout().lines().count() - 1) + " flow events have been shown."),
                    ours.stderr());
        }
        List<String> all = between(pairs.get(0)[0].stdoutSoFar());
        assertTrue(all.stream().anyMatch(l -> l.startsWith("    [NEW] icmp") && !l.contains("[USERSPACE]")), "traffic events");
        assertTrue(all.stream().anyMatch(l -> l.startsWith(" [UPDATE] tcp") && l.contains("[USERSPACE] portid=")),
                "user-space events");
    }

    /**
     * Equal, except what two listeners cannot agree on: the time each printed the line, and the name
     * of a program that had exited before one of them looked it up (then only the other names it).
     */
    private static void assertSameEvent(String expected, String got, String context) {
        if (TIMESTAMP.matcher(expected).find()) {
            assertTrue(TIMESTAMP.matcher(got).find(), context + ": timestamp expected: " + got);
            expected = TIMESTAMP.matcher(expected).replaceFirst("");
            got = TIMESTAMP.matcher(got).replaceFirst("");
        }
        if (!expected.equals(got)) {
            String suffix = " progname=conntrack";
            String a = expected.endsWith(suffix) ? expected.substring(0, expected.length() - suffix.length()) : expected;
            String b = got.endsWith(suffix) ? got.substring(0, got.length() - suffix.length()) : got;
            assertEquals(a, b, context);
        }
    }

    /** Runs argv through a shell that first prints its pid, which argv then keeps (exec). */
    static String[] withPid(String[] argv) {
        String[] wrapped = new String[argv.length + 4];
        wrapped[0] = "sh";
        wrapped[1] = "-c";
        wrapped[2] = "echo $$; exec \"$@\"";
        wrapped[3] = "sh";
        System.arraycopy(argv, 0, wrapped, 4, argv.length);
        return wrapped;
    }

    /**
     * SIGTERM by pid, then the output: Process.destroy would close the pipes at once and lose what
     * the signal handler prints.
     */
    static CommandResult terminate(BackgroundProcess process) {
        long pid = Long.parseLong(process.stdoutSoFar().lines().findFirst().orElseThrow().strip());
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
        Await.until(LIMIT, "pid " + pid + " exits", () -> !process.isAlive());
        return process.stop(Duration.ofSeconds(1));
    }

    /** Creates and deletes an ICMP entry from the peer with mark 9 and this ICMP id. */
    private static void marker(NetNs router, int id) {
        router.execOk("conntrack", "-I", "-s", "10.77.0.2", "-d", "10.77.0.1", "-p", "icmp", "--icmp-type", "8",
                "--icmp-code", "0", "--icmp-id", String.valueOf(id), "-t", "30", "-m", "9");
        router.execOk("conntrack", "-D", "-p", "icmp", "--icmp-id", String.valueOf(id));
    }

    private static boolean destroyed(String output, int markerId) {
        return output.lines().anyMatch(l -> l.contains("[DESTROY]") && l.contains("id=" + markerId + " "));
    }

    /** The lines after marker 4243's DESTROY and before marker 4244's NEW. */
    private static List<String> between(String output) {
        List<String> lines = output.lines().toList();
        int from = 0;
        int to = lines.size();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains("[DESTROY]") && lines.get(i).contains("id=4243 ")) {
                from = i + 1;
            }
            if (lines.get(i).contains("[NEW]") && lines.get(i).contains("id=4244 ")) {
                to = i;
            }
        }
        return lines.subList(from, to);
    }

    private static String[] conntrack(String... args) {
        return TwinNamespaces.conntrackArgv(args);
    }

    @Test
    void statisticsAreConntracksLines() {
        NetNs ns = lab.namespace("stats");
        ns.enableConntrack();
        ns.execOk("conntrack", "-I", "-p", "udp", "-s", "10.1.1.1", "-d", "10.1.1.2", "--sport", "1", "--dport", "2",
                "-t", "30");
        CommandResult theirs = ns.exec(LIMIT, null, "conntrack", "-S");
        CommandResult ours = Ct4jProcess.run(ns, LIMIT, "-S");
        assertEquals(theirs.exitCode(), ours.exitCode());
        assertEquals(theirs.stderr(), ours.stderr());
        // counters are per namespace and nothing moves them between the two runs
        assertEquals(theirs.stdout(), ours.stdout());
        assertTrue(theirs.stdout().startsWith("cpu=0   \tfound="), theirs.stdout());
        for (String[] bad : new String[][] {{"-S", "-f", "ipv4"}, {"-S", "-o", "id"}, {"-S", "-m", "1", "-f", "ipv4"},
            {"-E", "-t", "5"}, {"-E", "-e", "NEW,,UPDATE"}, {"-E", "-e", "FOO"}, {"-L", "-e", "NEW"},
            {"-E", "-u", "ASSURED"}, {"-S", "-e", "NEW", "-m", "1"}, {"-C", "-b", "100"}}) {
            CommandResult expected = ns.exec(LIMIT, null, conntrack(bad));
            CommandResult got = Ct4jProcess.run(ns, LIMIT, bad);
            String context = String.join(" ", bad);
            assertEquals(expected.exitCode(), got.exitCode(), context);
            assertEquals(expected.stderr(), got.stderr(), context);
            assertEquals(expected.stdout(), got.stdout(), context);
        }
    }
}

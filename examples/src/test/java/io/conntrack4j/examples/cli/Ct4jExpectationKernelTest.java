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
 * {@code ct4j -L/-G/-I/-D/-F/-C/-S/-E expect} against conntrack 1.4.7 on the expectations of a
 * real FTP session through the kernel's FTP helper: read commands run with both tools on the same
 * table; each write command runs with conntrack, then (after the same reset) with ct4j, and the
 * output, exit code and resulting {@code conntrack -L expect} must be the same, apart from
 * timeouts, which tick between the runs. Refused command lines give conntrack's message.
 */
@KernelTest(requires = {"conntrack", "nft", "nc", "ss"})
class Ct4jExpectationKernelTest {
    private static final Duration LIMIT = Duration.ofSeconds(60);
    private static final Pattern TIMEOUT = Pattern.compile("(?m)^(\\[\\d+\\.\\d+ *\\]\\t)?\\d+ proto=");
    private static final Pattern XML_TIMEOUT = Pattern.compile("<timeout>\\d+</timeout>");
    private static final Pattern EVENT_TIME = Pattern.compile("^\\[\\d{10}\\.\\d{1,6} *\\]\\t");

    @RegisterExtension
    final NetworkLab lab = new NetworkLab();

    private static String[] conntrack(String... args) {
        return TwinNamespaces.conntrackArgv(args);
    }

    private static String blank(String text) {
        String lines = TIMEOUT.matcher(text).replaceAll(m -> (m.group(1) == null ? "" : "[TIME]\t") + "T proto=");
        return XML_TIMEOUT.matcher(lines).replaceAll("<timeout>T</timeout>");
    }

    /** {@code -I expect} on the FTP control connection, expecting 10.9.0.2 to 10.9.0.1 port {@code port}. */
    private static String[] create(FtpMaster ftp, String protocol, int masterPort, int port) {
        return new String[] {"-I", "expect", "-s", "10.9.0.1", "-d", "10.9.0.2", "-p", protocol, "--sport",
            String.valueOf(masterPort), "--dport", "21", "--tuple-src", "10.9.0.2", "--tuple-dst", "10.9.0.1",
            "--mask-src", "255.255.255.255", "--mask-dst", "255.255.255.255", "--tuple-port-src", "0",
            "--tuple-port-dst", String.valueOf(port), "--mask-port-src", "0", "--mask-port-dst", "65535", "-t", "200"};
    }

    /** The tuple of an expected connection from 10.9.0.2 to 10.9.0.1 port {@code port}, for -G and -D. */
    private static String[] byTuple(String command, int port) {
        return new String[] {command, "expect", "-s", "10.9.0.2", "-d", "10.9.0.1", "-p", "tcp", "--sport", "0",
            "--dport", String.valueOf(port), "--reply-port-src", "1", "--reply-port-dst", "2"};
    }

    /** Both tools on the same, unchanged table. */
    private static void same(NetNs ns, String... args) {
        CommandResult expected = ns.exec(LIMIT, null, conntrack(args));
        CommandResult got = Ct4jProcess.run(ns, LIMIT, args);
        String context = String.join(" ", args) + "\nconntrack:\n" + expected + "\nct4j:\n" + got;
        assertEquals(expected.exitCode(), got.exitCode(), context);
        assertEquals(expected.stderr(), got.stderr(), context);
        assertEquals(blank(expected.stdout()), blank(got.stdout()), context);
    }

    /**
     * Empties the expectation table, runs {@code setup} with conntrack, then {@code args} with
     * conntrack; again with ct4j; compares what each printed and left.
     */
    private static int sameChange(NetNs ns, String[] setup, String... args) {
        List<String> seen = new ArrayList<>();
        int[] codes = new int[2];
        for (int tool = 0; tool < 2; tool++) {
            ns.execOk("conntrack", "-F", "expect");
            if (setup != null) {
                ns.execOk(conntrack(setup));
            }
            CommandResult r = tool == 0 ? ns.exec(LIMIT, null, conntrack(args)) : Ct4jProcess.run(ns, LIMIT, args);
            codes[tool] = r.exitCode();
            seen.add("exit " + r.exitCode() + "\nstdout:\n" + blank(r.stdout()) + "stderr:\n" + r.stderr()
                    + "table:\n" + blank(ns.execOk("conntrack", "-L", "expect")));
        }
        assertEquals(seen.get(0), seen.get(1), String.join(" ", args));
        return codes[0];
    }

    @Test
    void readCommandsPrintWhatConntrackPrints() {
        FtpMaster ftp = FtpMaster.start(lab);
        NetNs ns = ftp.server;
        same(ns, "-L", "expect");
        same(ns, "-L", "expect", "-o", "xml");
        same(ns, "-L", "expect", "-o", "extended,id");
        same(ns, "-L", "expect", "-o", "timestamp");
        same(ns, "-L", "expect", "-f", "ipv6");
        same(ns, "--dump", "expect", "-f", "ipv4", "-o", "xml");
        same(ns, "-C", "expect");
        same(ns, "-S", "expect");
        same(ns, byTuple("-G", 1025));
        same(ns, byTuple("-G", 1026));
        same(ns, "-G", "expect", "-s", "10.9.0.2", "-d", "10.9.0.1", "-p", "50");
        same(ns, "-G", "expect", "-s", "10.9.0.2", "-d", "10.9.0.1", "-p", "icmp");
        // the same expectation is still there: none of these changed the table
        assertTrue(ns.execOk("conntrack", "-L", "expect").contains("dport=1025 "));
        // and an empty table
        ns.execOk("conntrack", "-F", "expect");
        same(ns, "-L", "expect");
        same(ns, "-L", "expect", "-o", "xml");
        same(ns, "-C", "expect");
    }

    @Test
    void writeCommandsChangeTheTableAsConntrackDoes() {
        FtpMaster ftp = FtpMaster.start(lab);
        NetNs ns = ftp.server;
        int sport = ftp.sourcePort;
        // 1540 is 0x0604: TCP's extension makes the expected tuple's protocol 6, a real TCP expectation
        assertEquals(0, sameChange(ns, null, create(ftp, "tcp", sport, 1540)));
        assertTrue(ns.execOk("conntrack", "-L", "expect").contains("proto=6 "));
        // 7002 is 0x1B5A: protocol 27, as conntrack 1.4.7 sends it
        assertEquals(0, sameChange(ns, null, create(ftp, "tcp", sport, 7002)));
        assertTrue(ns.execOk("conntrack", "-L", "expect").contains("proto=27 "));
        // no such master, the same expectation twice, a UDP master that does not exist
        assertEquals(1, sameChange(ns, null, create(ftp, "tcp", sport + 1, 1540)));
        assertEquals(1, sameChange(ns, create(ftp, "tcp", sport, 1540), create(ftp, "tcp", sport, 1540)));
        assertEquals(1, sameChange(ns, null, create(ftp, "udp", sport, 1540)));
        // delete: conntrack 1.4.7 reports 0 and exits 1 even when it deleted
        assertEquals(1, sameChange(ns, create(ftp, "tcp", sport, 1540), byTuple("-D", 1540)));
        assertEquals(1, sameChange(ns, create(ftp, "tcp", sport, 1540), byTuple("-D", 1541)));
        assertEquals(0, sameChange(ns, create(ftp, "tcp", sport, 1540), "-F", "expect"));
        assertEquals(0, sameChange(ns, null, "-F", "expect"));
    }

    /** {@code -I expect -p udp} on the TFTP read request, expecting 10.9.0.2 to 10.9.0.1 port {@code port}. */
    private static String[] createUdp(int port) {
        return new String[] {"-I", "expect", "-s", "10.9.0.1", "-d", "10.9.0.2", "-p", "udp", "--sport",
            String.valueOf(TftpMaster.CLIENT_PORT), "--dport", "69", "--tuple-src", "10.9.0.2", "--tuple-dst", "10.9.0.1",
            "--mask-src", "255.255.255.255", "--mask-dst", "255.255.255.255", "--tuple-port-src", "0",
            "--tuple-port-dst", String.valueOf(port), "--mask-port-src", "0", "--mask-port-dst", "65535", "-t", "200"};
    }

    /** The tuple of an expected UDP answer from 10.9.0.2 to 10.9.0.1 port {@code port}, for -G and -D. */
    private static String[] byUdpTuple(String command, int port) {
        return new String[] {command, "expect", "-s", "10.9.0.2", "-d", "10.9.0.1", "-p", "udp", "--sport", "0",
            "--dport", String.valueOf(port), "--reply-port-src", "1", "--reply-port-dst", "2"};
    }

    @Test
    void udpExpectationsOfTheTftpHelperAreConntracks() {
        TftpMaster tftp = TftpMaster.start(lab);
        NetNs ns = tftp.server;
        same(ns, "-L", "expect");
        same(ns, "-L", "expect", "-o", "xml");
        same(ns, byUdpTuple("-G", TftpMaster.CLIENT_PORT));
        same(ns, byUdpTuple("-G", TftpMaster.CLIENT_PORT + 1));
        assertTrue(ns.execOk("conntrack", "-L", "expect").contains("proto=17 "));
        // writes on a UDP master with a helper: create (UDP has no tuple-port quirk), duplicates, delete
        assertEquals(0, sameChange(ns, null, createUdp(5000)));
        assertTrue(ns.execOk("conntrack", "-L", "expect").contains("dport=5000 "));
        assertEquals(1, sameChange(ns, createUdp(5000), createUdp(5000)));
        assertEquals(1, sameChange(ns, createUdp(5000), byUdpTuple("-D", 5000)));
        assertEquals(1, sameChange(ns, null, byUdpTuple("-D", 5001)));
    }

    @Test
    void expectationEventsAreConntracksLines() {
        FtpMaster ftp = FtpMaster.start(lab);
        NetNs ns = ftp.server;
        String[][] variants = {{"-E", "expect"}, {"-E", "expect", "-o", "timestamp"}};
        List<BackgroundProcess[]> pairs = new ArrayList<>();
        for (String[] args : variants) {
            pairs.add(new BackgroundProcess[] {
                lab.start(ns, Ct4jEventsKernelTest.withPid(conntrack(args))),
                lab.start(ns, Ct4jEventsKernelTest.withPid(Ct4jProcess.command(args)))});
        }
        // subscribed once each listener has printed a probe expectation (0x0640: TCP)
        Await.until(LIMIT, "every listener prints expectation events", () -> {
            ns.execOk(conntrack(create(ftp, "tcp", ftp.sourcePort, 1600)));
            ns.execOk("conntrack", "-F", "expect");
            return pairs.stream().allMatch(p -> p[0].stdoutSoFar().contains("dport=1600 ")
                    && p[1].stdoutSoFar().contains("dport=1600 "));
        });
        ns.execOk(conntrack(create(ftp, "tcp", ftp.sourcePort, 1700)));
        // conntrack -D expect exits 1 even when it deletes
        ns.exec(LIMIT, null, conntrack(byTuple("-D", 1700)));
        // the events to compare: a create, a delete, a protocol-27 create and a flush
        ns.execOk(conntrack(create(ftp, "tcp", ftp.sourcePort, 1540)));
        ns.exec(LIMIT, null, conntrack(byTuple("-D", 1540)));
        ns.execOk(conntrack(create(ftp, "tcp", ftp.sourcePort, 7002)));
        ns.execOk("conntrack", "-F", "expect");
        ns.execOk(conntrack(create(ftp, "tcp", ftp.sourcePort, 1701)));
        ns.execOk("conntrack", "-F", "expect");
        for (int i = 0; i < pairs.size(); i++) {
            BackgroundProcess[] pair = pairs.get(i);
            String context = String.join(" ", variants[i]);
            Await.until(LIMIT, context + ": the last marker is printed", () ->
                    destroyed(pair[0].stdoutSoFar(), 1701)
                            && destroyed(pair[1].stdoutSoFar(), 1701));
            CommandResult theirs = Ct4jEventsKernelTest.terminate(pair[0]);
            CommandResult ours = Ct4jEventsKernelTest.terminate(pair[1]);
            assertEquals(theirs.exitCode(), ours.exitCode(), context + "\n" + ours.stderr());
            // the counts differ by the probes each saw before the other subscribed
            assertEquals(theirs.stderr().replaceAll("\\d+ expectation events", "N expectation events"),
                    ours.stderr().replaceAll("\\d+ expectation events", "N expectation events"), context);
            List<String> expected = between(theirs.stdout());
            List<String> got = between(ours.stdout());
            assertEquals(4, expected.size(), context + "\n" + theirs.stdout());
            assertEquals(expected.size(), got.size(), context + "\n" + expected + "\nct4j:\n" + got);
            for (int k = 0; k < got.size(); k++) {
                String a = expected.get(k);
                String b = got.get(k);
                if (variants[i].length > 2) {
                    assertTrue(EVENT_TIME.matcher(a).find() && EVENT_TIME.matcher(b).find(), a + "\n" + b);
                    a = EVENT_TIME.matcher(a).replaceFirst("");
                    b = EVENT_TIME.matcher(b).replaceFirst("");
                }
                assertEquals(blank(a.replaceFirst("^( *\\[\\w+\\] )\\d+ ", "$1T ")),
                        blank(b.replaceFirst("^( *\\[\\w+\\] )\\d+ ", "$1T ")), context);
            }
        }
    }

    @Test
    void expectationEventsInXmlAreConntracks() {
        FtpMaster ftp = FtpMaster.start(lab);
        NetNs ns = ftp.server;
        String[] args = {"-E", "expect", "-o", "xml"};
        BackgroundProcess theirs = lab.start(ns, Ct4jEventsKernelTest.withPid(conntrack(args)));
        BackgroundProcess ours = lab.start(ns, Ct4jEventsKernelTest.withPid(Ct4jProcess.command(args)));
        Await.until(LIMIT, "both listeners print expectation events", () -> {
            ns.execOk(conntrack(create(ftp, "tcp", ftp.sourcePort, 1600)));
            ns.execOk("conntrack", "-F", "expect");
            return theirs.stdoutSoFar().contains("<dport>1600</dport>") && ours.stdoutSoFar().contains("<dport>1600</dport>");
        });
        ns.execOk(conntrack(create(ftp, "tcp", ftp.sourcePort, 1700)));
        ns.exec(LIMIT, null, conntrack(byTuple("-D", 1700)));
        ns.execOk(conntrack(create(ftp, "tcp", ftp.sourcePort, 7002)));
        ns.execOk("conntrack", "-F", "expect");
        Await.until(LIMIT, "the last event is printed", () -> xmlEvents(theirs.stdoutSoFar()).size() >= 4
                && xmlEvents(ours.stdoutSoFar()).size() >= 4);
        assertEquals(4, xmlEvents(theirs.stdoutSoFar()).size(), theirs.stdoutSoFar());
        CommandResult expected = Ct4jEventsKernelTest.terminate(theirs);
        CommandResult got = Ct4jEventsKernelTest.terminate(ours);
        String context = "conntrack:\n" + expected.stdout() + "\nct4j:\n" + got.stdout();
        assertEquals(expected.exitCode(), got.exitCode(), "exit code\n" + context);
        assertEquals(expected.stderr().replaceAll("\\d+ expectation events", "N expectation events"),
                got.stderr().replaceAll("\\d+ expectation events", "N expectation events"), "stderr\n" + context);
        // the same document: declaration and root first, the same events after the probes, root closed last
        List<String> a = expected.stdout().lines().skip(1).toList();
        List<String> b = got.stdout().lines().skip(1).toList();
        assertEquals(a.subList(0, 2), b.subList(0, 2), context);
        assertEquals(a.get(a.size() - 1), b.get(b.size() - 1), context);
        assertEquals(blank(String.join("\n", xmlEvents(expected.stdout()))),
                blank(String.join("\n", xmlEvents(got.stdout()))), context);
    }

    /** The XML event lines from marker 1700's first event on. */
    private static List<String> xmlEvents(String output) {
        List<String> lines = output.lines().filter(l -> l.startsWith("<flow")).toList();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains("<dport>1700</dport>")) {
                return lines.subList(i, lines.size());
            }
        }
        return List.of();
    }

    private static boolean destroyed(String output, int port) {
        return output.lines().anyMatch(l -> l.contains("[DESTROY]") && l.contains("dport=" + port + " "));
    }

    /** The lines after marker 1700's DESTROY and before marker 1701's NEW. */
    private static List<String> between(String output) {
        List<String> lines = output.lines().toList();
        int from = 0;
        int to = lines.size();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains("[DESTROY]") && lines.get(i).contains("dport=1700 ")) {
                from = i + 1;
            }
            if (lines.get(i).contains("[NEW]") && lines.get(i).contains("dport=1701 ")) {
                to = i;
            }
        }
        return lines.subList(from, to);
    }

    @Test
    void refusesWhatConntrackRefusesWithTheSameMessage() {
        NetNs oracle = lab.namespace("oracle");
        String[] create = {"-I", "expect", "-s", "10.0.0.1", "-d", "10.0.0.2", "-p", "tcp", "--sport", "1", "--dport",
            "21", "--tuple-src", "10.0.0.2", "--tuple-dst", "10.0.0.1", "--mask-src", "255.255.255.255", "--mask-dst",
            "255.255.255.255", "-t", "100"};
        List<String[]> lines = new ArrayList<>(List.of(
            new String[] {"-U", "expect"},
            new String[] {"-L", "expect", "-p", "tcp"},
            new String[] {"-L", "expect", "-s", "10.0.0.1"},
            new String[] {"-L", "expect", "-m", "1"},
            new String[] {"-L", "expect", "-w", "0"},
            new String[] {"-F", "expect", "-p", "tcp"},
            new String[] {"-F", "expect", "-f", "ipv4"},
            new String[] {"-C", "expect", "-f", "ipv4"},
            new String[] {"-S", "expect", "-o", "id"},
            new String[] {"-E", "expect", "-e", "NEW"},
            new String[] {"-E", "expect", "-p", "tcp"},
            new String[] {"-E", "expect", "-o", "xml,bogus"},
            new String[] {"-G", "expect"},
            new String[] {"-D", "expect"},
            new String[] {"-I", "expect"},
            new String[] {"-G", "expect", "-s", "10.0.0.2", "-d", "10.0.0.1", "-p", "tcp", "--sport", "0", "--dport", "1"},
            new String[] {"-D", "expect", "-s", "10.0.0.2", "-d", "10.0.0.1", "-p", "udp", "--sport", "0", "--dport", "1",
                "--reply-port-src", "1"},
            new String[] {"-G", "expect", "-s", "10.0.0.2", "-d", "10.0.0.1", "-p", "tcp", "--sport", "0", "--dport", "1",
                "--reply-port-src", "1", "--reply-port-dst", "2", "-o", "xml"},
            new String[] {"-G", "expect", "-s", "10.0.0.2", "-d", "10.0.0.1", "-p", "icmp", "--icmp-type", "8"},
            new String[] {"-I", "expect", "-s", "10.0.0.1", "-d", "10.0.0.2", "-p", "tcp", "--tuple-src", "10.0.0.2",
                "--tuple-dst", "10.0.0.1", "--mask-src", "255.255.255.255", "--mask-dst", "255.255.255.255"},
            create));
        lines.add(with(create, "--tuple-port-src", "0", "--tuple-port-dst", "1"));
        lines.add(with(create, "--mask-port-src", "0", "--mask-port-dst", "1"));
        lines.add(with(create, "--mask-port-src", "0", "--mask-port-dst", "1", "--tuple-port-src", "0",
                "--tuple-port-dst", "1", "--reply-port-src", "4"));
        lines.add(with(create, "--mask-port-src", "0", "--mask-port-dst", "1", "--tuple-port-src", "0",
                "--tuple-port-dst", "1", "--state", "ESTABLISHED"));
        lines.add(with(create, "--mask-port-src", "0", "--mask-port-dst", "1", "--tuple-port-src", "0",
                "--tuple-port-dst", "1", "--tuple-dst", "::1"));
        lines.add(with(create, "--mask-port-src", "0", "--mask-port-dst", "1", "--tuple-port-src", "0",
                "--tuple-port-dst", "1", "-m", "1"));
        TwinNamespaces.refusedLikeConntrack(oracle, lines);
    }

    private static String[] with(String[] base, String... more) {
        String[] all = new String[base.length + more.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }
}

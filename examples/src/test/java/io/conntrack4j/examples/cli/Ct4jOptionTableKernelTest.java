package io.conntrack4j.examples.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.testkit.CommandResult;
import io.conntrack4j.testkit.KernelTest;
import io.conntrack4j.testkit.NetNs;
import io.conntrack4j.testkit.NetworkLab;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * conntrack 1.4.7's whole option table, one command line per row, against ct4j: the same standard
 * output, standard error and exit code. Rows that never reach the kernel (help, version, refusals,
 * conntrack's crash on a bare {@code --id}) run ct4j in this JVM; the rest run both tools as
 * processes in one namespace, each on a freshly emptied table. The only normalisation: timeouts,
 * which tick while a JVM starts.
 */
@KernelTest(requires = {"conntrack"})
class Ct4jOptionTableKernelTest {
    private static final Duration LIMIT = Duration.ofSeconds(60);
    private static final Pattern TIMEOUT = Pattern.compile("(?m)^([a-z]+ +\\d+ )\\d+ ");
    /** Command lines conntrack answers without asking the kernel. */
    private static final String[][] OFFLINE = {
        {}, {"-V"}, {"--version"}, {"-h"}, {"--help"}, {"--he"}, {"-h", "-p", "tcp"}, {"-h", "-p", "sctp"},
        {"-h", "-p", "gre"}, {"-h", "-p", "icmpv6"}, {"-h", "-p", "esp"}, {"-h", "-p", "200"},
        {"-h", "-p", "ipv6-icmp"}, {"-h", "-p", "0x2f"}, {"-h", "expect"}, {"foo"}, {"--", "-L"}, {"-V", "-L"},
        {"-L", "-V"}, {"-L", "-h"}, {"-h", "foo"}, {"-V", "-p", "tcp"}, {"-h", "-s", "1.1.1.1"},
        {"-I", "-c", "1", "-p", "udp", "-s", "1.1.1.1", "-d", "2.2.2.2", "--sport", "1", "--dport", "2", "-t", "9"},
        {"-U", "-c", "1"}, {"-D", "-c", "1"}, {"-L", "-i", "5"}, {"-I", "-i", "5"}, {"-L", "--id"}, {"-D", "--id"},
        {"-A"}, {"-A", "-p", "tcp", "-s", "1.1.1.1", "-d", "2.2.2.2", "--sport", "1", "--dport", "2", "-t", "9"},
        {"-A", "expect"}, {"-U", "expect"}, {"-D", "dying"}, {"-D", "unc"}, {"-F", "dying"},
        {"-L", "-j", "-n"}, {"-L", "-n", "-j"}, {"-L", "-g", "1.1.1.1", "-j"}, {"-L", "-f", "inet"},
        {"-L", "-p", "ESP"}, {"-L", "-p", "256"}, {"-L", "-p", "ipv6-icmp", "--icmpv6-type", "1"},
        {"-R"}, {"-L", "-R", "x"}, {"-R", "/nonexistent/file"}, {"-L", "-a"},
        {"-U", "-s", "1.1.1.1", "--label-add", "a", "--label-del", "b"},
        {"-U", "-s", "1.1.1.1", "--label-del", "--label-add", "b"},
        {"-I", "-p", "udp", "-s", "1.1.1.1", "-d", "2.2.2.2", "--sport", "1", "--dport", "2", "-t", "9",
            "--label-del", "x"},
    };
    /** The expectation-creating part shared by the SCTP, DCCP and GRE rows. */
    private static final String[] EXPECT = {"-I", "expect", "-s", "10.0.0.1", "-d", "10.0.0.2", "--tuple-src",
        "10.0.0.2", "--tuple-dst", "10.0.0.1", "--mask-src", "255.255.255.255", "--mask-dst", "255.255.255.255",
        "-t", "200"};
    private static final String[] SCTP_EXPECT = with(EXPECT, "-p", "sctp", "--sport", "1000", "--dport", "2000",
        "--tuple-port-src", "0", "--tuple-port-dst", "1540", "--mask-port-src", "0", "--mask-port-dst", "65535");
    private static final String[] GRE_EXPECT = with(EXPECT, "-p", "gre", "--srckey", "1", "--dstkey", "2",
        "--tuple-key-src", "0", "--tuple-key-dst", "5", "--mask-key-src", "0", "--mask-key-dst", "0xffff");
    /** SCTP, DCCP and GRE: their extensions' option tables, for expectations and the conntrack table. */
    private static final String[][] EXTENSIONS_OFFLINE = {
        SCTP_EXPECT, with(SCTP_EXPECT, "--orig-vtag", "1"),
        with(SCTP_EXPECT, "--orig-vtag", "1", "--reply-vtag", "2", "--state", "ESTABLISHED"),
        {"-G", "expect", "-s", "10.0.0.2", "-d", "10.0.0.1", "-p", "sctp", "--sport", "0", "--dport", "1540"},
        GRE_EXPECT, {"-G", "expect", "-s", "10.0.0.2", "-d", "10.0.0.1", "-p", "gre", "--srckey", "0", "--dstkey", "5"},
        {"-G", "expect", "-s", "10.0.0.2", "-d", "10.0.0.1", "-p", "gre"},
        with(EXPECT, "-p", "dccp", "--sport", "1000", "--dport", "2000", "--tuple-port-src", "0", "--tuple-port-dst",
            "1540", "--mask-port-src", "0", "--mask-port-dst", "65535"),
        {"-L", "-p", "sctp", "--state", "FOO"}, {"-L", "-p", "dccp", "--state", "FOO"}, {"-L", "-p", "dccp", "--role", "x"},
        {"-L", "-p", "sctp", "--orig-vtag", "5"}, {"-L", "-p", "gre", "--tuple-key-src", "5"},
        {"-I", "-p", "sctp", "-s", "10.0.0.1", "-d", "10.0.0.2", "--sport", "1", "--dport", "2", "-t", "100"},
        {"-I", "-p", "gre", "-s", "10.0.0.1", "-d", "10.0.0.2", "-t", "100"},
        {"-I", "-p", "dccp", "-s", "10.0.0.1", "-d", "10.0.0.2", "--sport", "1", "--dport", "2", "-t", "1", "--state",
            "OPEN"},
        {"-G", "-p", "gre", "-s", "10.0.0.1", "-d", "10.0.0.2"},
    };
    /** Command lines that ask the kernel: run as processes, on an empty table. */
    private static final String[][] ONLINE = {
        {"-L", "-c", "5"}, {"-L", "-a", "1.2.3.4"}, {"-D", "-i", "5"}, {"-D", "--id=5"}, {"-L", "exp"}, {"-L", ""},
        {"-L", "c"}, {"-L", "-f", "ipv4x"}, {"-L", "-p", "0x11"}, {"-L", "-p", "021"}, {"-L", "-p", "esp"},
        // no master, no expectation: the kernel's answers
        with(SCTP_EXPECT, "--orig-vtag", "1", "--reply-vtag", "2"),
        with(GRE_EXPECT, "--reply-key-src", "2", "--reply-key-dst", "1"),
        with(EXPECT, "-p", "dccp", "--sport", "1000", "--dport", "2000", "--tuple-port-src", "0", "--tuple-port-dst",
            "1540", "--mask-port-src", "0", "--mask-port-dst", "65535", "--role", "cl"),
        {"-D", "expect", "-s", "10.0.0.2", "-d", "10.0.0.1", "-p", "gre", "--srckey", "0", "--dstkey", "5",
            "--reply-key-src", "1", "--reply-key-dst", "2"},
        {"-G", "expect", "-s", "10.0.0.2", "-d", "10.0.0.1", "-p", "dccp", "--sport", "0", "--dport", "1540",
            "--reply-port-src", "1", "--reply-port-dst", "2"},
        {"-A", "-p", "udp", "-s", "1.1.1.1", "-d", "2.2.2.2", "--sport", "1", "--dport", "2", "-t", "90"},
    };

    @RegisterExtension
    final NetworkLab lab = new NetworkLab();

    @TempDir
    Path dir;

    private static String[] conntrack(String... args) {
        return TwinNamespaces.conntrackArgv(args);
    }

    private static String blank(String text) {
        return TIMEOUT.matcher(text).replaceAll("$1T ");
    }

    private static String[] with(String[] base, String... more) {
        String[] all = new String[base.length + more.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    @Test
    void commandLinesThatNeverReachTheKernel() {
        NetNs ns = lab.namespace("opt-off");
        List<String[]> rows = new ArrayList<>(List.of(OFFLINE));
        rows.addAll(List.of(EXTENSIONS_OFFLINE));
        for (String[] args : rows) {
            CommandResult expected = ns.exec(LIMIT, null, conntrack(args));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = Ct4j.run(args, new PrintStream(out, true, UTF_8), new PrintStream(err, true, UTF_8));
            String context = String.join(" ", args) + "\nconntrack:\n" + expected;
            assertEquals(expected.exitCode(), code, context);
            assertEquals(expected.stderr(), err.toString(UTF_8), context);
            assertEquals(expected.stdout(), out.toString(UTF_8), context);
        }
    }

    @Test
    void commandLinesThatAskTheKernel() throws IOException {
        NetNs ns = lab.namespace("opt-on");
        for (String[] args : ONLINE) {
            ns.execOk("conntrack", "-F");
            CommandResult expected = ns.exec(LIMIT, null, conntrack(args));
            String theirs = blank(ns.execOk("conntrack", "-L"));
            ns.execOk("conntrack", "-F");
            CommandResult got = Ct4jProcess.run(ns, LIMIT, args);
            String context = String.join(" ", args) + "\nconntrack:\n" + expected + "\nct4j:\n" + got;
            assertEquals(expected.exitCode(), got.exitCode(), context);
            assertEquals(expected.stderr(), got.stderr(), context);
            assertEquals(blank(expected.stdout()), blank(got.stdout()), context);
            assertEquals(theirs, blank(ns.execOk("conntrack", "-L")), "the table after " + context);
        }
        // -A twice: the second leaves the entry as it is, counts 0 and succeeds
        String[] add = ONLINE[ONLINE.length - 1];
        ns.execOk("conntrack", "-F");
        ns.execOk(conntrack(add));
        CommandResult again = Ct4jProcess.run(ns, LIMIT, add);
        assertEquals(0, again.exitCode(), again.toString());
        assertEquals(ns.exec(LIMIT, null, conntrack(add)).stderr(), again.stderr());
        // -R: the lines of a file, as conntrack runs them (no counts; -U with the last line's mark)
        Path file = dir.resolve("commands");
        Files.writeString(file, String.join("\n",
                "# made by the test",
                "   -I -p udp -s 1.1.1.1 -d 2.2.2.2 --sport 1 --dport 2 -t 100",
                "",
                "-A -p udp -s 1.1.1.1 -d 2.2.2.2 --sport \"3\" --dport 2 -t 100 -m 7",
                "\t-I -p udp -s 1.1.1.1 -d 2.2.2.2 --sport 4 --dport 2 -t 100",
                "-U -s 1.1.1.1 -m 9",
                "-D -p udp --sport 4",
                "-D -p udp --sport 44") + "\n");
        Path refused = dir.resolve("refused");
        Files.writeString(refused, "-F\n-L expect\n");
        Path failing = dir.resolve("failing");
        Files.writeString(failing, "-I -p udp -s 1.1.1.1 -d 2.2.2.2 --sport 1 --dport 2 -t 100\n"
                + "-I -p udp -s 1.1.1.1 -d 2.2.2.2 --sport 1 --dport 2 -t 100\n-F\n");
        for (Path commands : new Path[] {file, refused, failing}) {
            String[] args = {"-R", commands.toString()};
            ns.execOk("conntrack", "-F");
            CommandResult expected = ns.exec(LIMIT, null, conntrack(args));
            String theirs = blank(ns.execOk("conntrack", "-L"));
            ns.execOk("conntrack", "-F");
            CommandResult got = Ct4jProcess.run(ns, LIMIT, args);
            String context = Files.readString(commands) + "\nconntrack:\n" + expected + "\nct4j:\n" + got;
            assertEquals(expected.exitCode(), got.exitCode(), context);
            assertEquals(expected.stderr(), got.stderr(), context);
            assertEquals(blank(expected.stdout()), blank(got.stdout()), context);
            assertEquals(theirs, blank(ns.execOk("conntrack", "-L")), "the table after " + context);
        }
        ns.execOk("conntrack", "-F");
        ns.exec(LIMIT, null, conntrack("-R", file.toString()));
        // the file did what it is about: -U left the marks alone, one entry deleted
        String table = ns.execOk("conntrack", "-L");
        assertTrue(table.contains("sport=3 ") && table.contains("mark=7 ") && !table.contains("sport=4 "), table);
    }
}

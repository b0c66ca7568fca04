package io.conntrack4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.testkit.ConnectionLabels;
import io.conntrack4j.testkit.KernelTest;
import io.conntrack4j.testkit.NetNs;
import io.conntrack4j.testkit.NetworkLab;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ct4j -U} against conntrack 1.4.7, labels included: each command line runs with conntrack
 * and then with ct4j in the same namespace, each time on the same freshly made entries (so that
 * both see them in the same dump order, which decides what conntrack prints), and standard output,
 * standard error, exit code and the table left behind must be the same, apart from timeouts and
 * ids. Once in a namespace whose entries have the labels extension (a {@code ct label} rule) and
 * once in one whose entries have none, where label changes fail with ENOSPC.
 */
@KernelTest(requires = {"conntrack", "nft", "unshare", "mount"})
class Ct4jUpdateKernelTest {
    private static final int STEPS_PER_RUN = 4;
    private static final String CONF = "0 zero\n1 one\n5 five\n70 seventy\n";
    private static final Pattern VOLATILE = Pattern.compile("(?m)^((?:ipv[46] +\\d+ +)?[a-z]+ +\\d+ )\\d+ | id=\\d+");
    private static final String[][] ENTRIES = {
        {"-p", "udp", "-s", "10.0.0.1", "-d", "10.0.0.2", "--sport", "1", "--dport", "2", "-t", "100",
            "--label-add", "one", "-m", "5"},
        {"-p", "udp", "-s", "10.0.0.1", "-d", "10.0.0.2", "--sport", "3", "--dport", "2", "-t", "100"},
        {"-p", "udp", "-s", "10.0.0.1", "-d", "10.0.0.2", "--sport", "4", "--dport", "2", "-t", "100",
            "--label-add", "five,seventy"},
        {"-p", "tcp", "-s", "10.0.0.1", "-d", "10.0.0.2", "--sport", "4", "--dport", "2", "-t", "100",
            "--state", "ESTABLISHED"},
    };
    private static final String[][] STEPS = {
        // no address and no -f: conntrack 1.4.7 sends AF_UNSPEC, which the kernel refuses
        {"-U", "-p", "udp", "-m", "5"},
        // four entries: conntrack prints the first and the third (it reads answers one late)
        {"-U", "-s", "10.0.0.1", "--label-add", "one"},
        {"-U", "-s", "10.0.0.1", "--label-del", "five"},
        {"-U", "-s", "10.0.0.1", "--label-del"},
        {"-U", "-s", "10.0.0.1", "--label-del=one"},
        {"-U", "-s", "10.0.0.1", "--label-add", "seventy", "-l", "one"},
        {"-U", "-d", "10.0.0.2", "-p", "tcp", "--label-add", "zero", "-o", "extended,id"},
        {"-U", "-s", "10.0.0.1", "--label-add", "zero", "-m", "7"},
        // unchanged entries are not sent and not counted
        {"-U", "-s", "10.0.0.1", "-m", "5"},
        {"-U", "-s", "10.0.0.1", "-p", "udp", "--sport", "3", "-u", "ASSURED"},
        {"-U", "-f", "ipv4", "-m", "0x10/0xf0", "-t", "50"},
        {"-U", "-s", "10.0.0.9", "--label-add", "zero"},
        {"-U", "-s", "10.0.0.1", "--label-add", "one", "--label-del", "five"},
        {"-U", "-s", "10.0.0.1", "--label-del", "bogus"},
    };
    /** Without the extension: label changes fail (or find nothing to clear), the rest works. */
    private static final String[][] PLAIN_STEPS = {
        {"-U", "-s", "10.0.0.1", "--label-add", "one"},
        {"-U", "-s", "10.0.0.1", "--label-del"},
        {"-U", "-s", "10.0.0.1", "--label-add", "zero", "-m", "7"},
        {"-U", "-s", "10.0.0.1", "-p", "udp", "--sport", "3", "--label-add", "zero"},
        {"-U", "-f", "ipv4", "-m", "0x10/0xf0", "-t", "50"},
    };

    @RegisterExtension
    final NetworkLab lab = new NetworkLab();

    @TempDir
    Path dir;

    private static String quoted(String... argv) {
        StringBuilder line = new StringBuilder();
        for (String word : argv) {
            line.append(" '").append(word.replace("'", "'\\''")).append('\'');
        }
        return line.toString();
    }

    private static String normal(String text) {
        List<String> lines = new ArrayList<>(VOLATILE.matcher(text).replaceAll(m ->
                m.group(1) == null ? "" : m.group(1) + "T ").lines().toList());
        return String.join("\n", lines);
    }

    private static String sorted(String text) {
        List<String> lines = new ArrayList<>(normal(text).lines().toList());
        lines.sort(null);
        return String.join("\n", lines);
    }

    private String read(String name) throws IOException {
        return Files.readString(dir.resolve(name));
    }

    /** The script that runs every step with both tools in {@code ns}, writing what they printed. */
    private String script(NetNs ns, String tag, String[][] steps, int from, int to) {
        String in = "ip netns exec " + ns.name();
        StringBuilder setup = new StringBuilder(in).append(" conntrack -F 2>/dev/null\n");
        for (String[] entry : ENTRIES) {
            setup.append(in).append(" conntrack -I").append(quoted(entry)).append(" 2>/dev/null\n");
        }
        StringBuilder script = new StringBuilder("set +e\n");
        for (int i = from; i < to; i++) {
            for (int tool = 0; tool < 2; tool++) {
                String[] argv = tool == 0 ? with("conntrack", steps[i]) : Ct4jProcess.command(steps[i]);
                String base = dir.resolve(tag + i + "-" + tool).toString();
                script.append(setup).append(in).append(quoted(argv)).append(" >").append(base).append(".out 2>")
                        .append(base).append(".err\necho $? >").append(base).append(".rc\n")
                        .append(in).append(" conntrack -L -o labels >").append(base).append(".table 2>/dev/null\n");
            }
        }
        return script.toString();
    }

    /** Runs the steps a few at a time: one run may take a minute at most, and a JVM starts per step. */
    private void run(NetNs ns, String tag, String[][] steps) {
        for (int from = 0; from < steps.length; from += STEPS_PER_RUN) {
            ConnectionLabels.runNamed(CONF, script(ns, tag, steps, from, Math.min(steps.length, from + STEPS_PER_RUN)));
        }
    }

    private void compare(String tag, String[][] steps) throws IOException {
        for (int i = 0; i < steps.length; i++) {
            String context = tag + ": " + String.join(" ", steps[i]);
            String a = tag + i + "-0";
            String b = tag + i + "-1";
            assertEquals(read(a + ".rc"), read(b + ".rc"), context + "\n" + read(b + ".err"));
            assertEquals(read(a + ".err"), read(b + ".err"), context);
            assertEquals(normal(read(a + ".out")), normal(read(b + ".out")), context);
            assertEquals(sorted(read(a + ".table")), sorted(read(b + ".table")), "the tables after " + context);
        }
    }

    @Test
    void updatesBehaveLikeConntrackWithAndWithoutTheLabelsExtension() throws IOException {
        NetNs labelled = lab.namespace("upd-lbl");
        NetNs plain = lab.namespace("upd-plain");
        ConnectionLabels.enableIn(labelled);
        run(labelled, "l", STEPS);
        run(plain, "p", PLAIN_STEPS);
        compare("l", STEPS);
        compare("p", PLAIN_STEPS);
        // the steps did what they are about: refused, printed one late, failed without the extension
        assertTrue(read("l0-0.err").contains("Operation failed: Operation not supported"), read("l0-0.err"));
        assertTrue(read("l1-0.err").contains("4 flow entries have been updated.")
                && read("l1-0.out").lines().count() == 2, read("l1-0.out"));
        assertTrue(read("l1-0.table").contains("labels=one,five,seventy"), read("l1-0.table"));
        assertTrue(read("p0-0.err").startsWith("Operation failed: No space left on device\n"), read("p0-0.err"));
        assertEquals("1\n", read("p0-0.rc"));
    }

    private static String[] with(String first, String[] rest) {
        String[] all = new String[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }
}

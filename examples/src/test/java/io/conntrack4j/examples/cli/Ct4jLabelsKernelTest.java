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
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ct4j -o labels}, {@code -l} and {@code --label-add} against conntrack 1.4.7 with a
 * private connlabel.conf: twin namespaces that keep labels get the same commands, conntrack in
 * one and ct4j in the other, and standard output, standard error, exit code and then the table
 * ({@code conntrack -L -o labels}) must be the same, apart from timeouts. Last, without the file.
 */
@KernelTest(requires = {"conntrack", "nft", "unshare", "mount"})
class Ct4jLabelsKernelTest {
    private static final String CONF = "0 zero\n1 one\n5 five\n70 seventy\n";
    private static final int STEPS_PER_RUN = 6;
    private static final Pattern TIMEOUT = Pattern.compile("(?m)^((?:ipv[46] +\\d+ +)?\\S+ +\\d+ )\\d+ ");
    private static final String[] UDP = {"-p", "udp", "-s", "10.0.0.1", "-d", "10.0.0.2", "--dport", "2", "-t", "100"};

    @RegisterExtension
    final NetworkLab lab = new NetworkLab();

    @TempDir
    Path dir;

    private static String[] create(int sport, String... more) {
        List<String> args = new ArrayList<>(List.of("-I"));
        args.addAll(List.of(UDP));
        args.addAll(List.of("--sport", String.valueOf(sport)));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    private static String quoted(String[] argv) {
        StringBuilder line = new StringBuilder();
        for (String word : argv) {
            line.append(" '").append(word.replace("'", "'\\''")).append('\'');
        }
        return line.toString();
    }

    private static String blank(String text) {
        List<String> lines = new ArrayList<>(TIMEOUT.matcher(text).replaceAll("$1T ").lines().toList());
        lines.sort(null);
        return String.join("\n", lines);
    }

    private String read(String name) throws IOException {
        return Files.readString(dir.resolve(name));
    }

    @Test
    void labelOptionsBehaveLikeConntrack() throws IOException {
        NetNs oracle = lab.namespace("lbl-oracle");
        NetNs ours = lab.namespace("lbl-ours");
        ConnectionLabels.enableIn(oracle);
        ConnectionLabels.enableIn(ours);
        List<String[]> steps = Arrays.asList(
                create(1, "--label-add", "one,five"),
                create(5, "--label-add", "seventy"),
                create(11, "--label-add", "seventy", "--label-add", "zero"),
                create(7),
                create(9, "--label-add", "bogus"),
                create(3, "-l", "zero"),
                new String[] {"-L", "-o", "labels"},
                new String[] {"-L"},
                new String[] {"-L", "-l", "five"},
                new String[] {"-L", "-l", "one", "-l", "seventy"},
                new String[] {"-L", "--label", "seventy", "-o", "extended"},
                new String[] {"-L", "-l", "bogus"},
                new String[] {"-L", "-l", "one,"},
                new String[] {"-G", "-p", "udp", "-s", "10.0.0.1", "-d", "10.0.0.2", "--sport", "1", "--dport", "2",
                    "-o", "labels"},
                new String[] {"-D", "-l", "zero"},
                new String[] {"-D", "-l", "zero"},
                new String[] {"-L", "expect", "-o", "labels"},
                null,
                new String[] {"-L", "-o", "labels"},
                new String[] {"-L", "-l", "one"},
                create(13, "--label-add", "one"));
        // a few steps per run: one run may take a minute at most, and each step starts a JVM
        StringBuilder script = new StringBuilder("set +e\n");
        boolean removed = false;
        int inRun = 0;
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i) == null) {
                // from here on there is no connlabel.conf
                script.append("rm /etc/xtables/connlabel.conf\n");
                removed = true;
                continue;
            }
            if (inRun == STEPS_PER_RUN) {
                ConnectionLabels.runNamed(CONF, script.toString());
                script = new StringBuilder("set +e\n");
                if (removed) {
                    script.append("rm /etc/xtables/connlabel.conf\n");
                }
                inRun = 0;
            }
            inRun++;
            for (int tool = 0; tool < 2; tool++) {
                NetNs ns = tool == 0 ? oracle : ours;
                String[] argv = tool == 0 ? with("conntrack", steps.get(i)) : Ct4jProcess.command(steps.get(i));
                String base = dir.resolve(i + "-" + tool).toString();
                script.append("ip netns exec ").append(ns.name()).append(quoted(argv)).append(" >").append(base)
                        .append(".out 2>").append(base).append(".err\necho $? >").append(base).append(".rc\n");
                script.append("ip netns exec ").append(ns.name()).append(" conntrack -L -o labels >").append(base)
                        .append(".table 2>/dev/null\n");
            }
        }
        ConnectionLabels.runNamed(CONF, script.toString());
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i) == null) {
                continue;
            }
            String context = String.join(" ", steps.get(i));
            assertEquals(read(i + "-0.rc"), read(i + "-1.rc"), context + "\n" + read(i + "-1.err"));
            assertEquals(read(i + "-0.err"), read(i + "-1.err"), context);
            assertEquals(blank(read(i + "-0.out")), blank(read(i + "-1.out")), context);
            assertEquals(blank(read(i + "-0.table")), blank(read(i + "-1.table")), "the tables after " + context);
        }
        // the steps did what they are about: labels made, shown and filtered
        assertTrue(read("6-0.out").contains("labels=one,five") && read("6-0.out").contains("labels=zero,seventy"),
                read("6-0.out"));
        assertTrue(read("9-0.out").isEmpty() && read("8-0.out").lines().count() == 1, read("8-0.out"));
        assertTrue(read("18-0.err").startsWith("nfct_labelmap_new: "), read("18-0.err"));
    }

    private static String[] with(String first, String[] rest) {
        String[] all = new String[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }
}

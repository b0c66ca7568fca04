package io.conntrack4j.examples.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.conntrack4j.testkit.CommandResult;
import io.conntrack4j.testkit.NetNs;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * conntrack in one namespace, ct4j in its twin: the same command line must exit alike, print the
 * same (volatile numbers blanked, lines sorted) and leave the same table.
 */
final class TwinNamespaces {
    static final Duration LIMIT = Duration.ofSeconds(60);
    /** The timeout after protocol name and number; seconds tick while a JVM starts. */
    private static final Pattern TIMEOUT = Pattern.compile("(?m)^((?:ipv[46] +\\d+ +)?\\S+ +\\d+ )\\d+ ");
    /** Timeouts of save and XML lines, and XML ids (random per namespace). */
    private static final Pattern VOLATILE = Pattern.compile("<timeout>\\d+</timeout>|<id>\\d+</id>|-t \\d+ ");

    private TwinNamespaces() {
    }

    static CommandResult ct4j(NetNs ns, String... args) {
        return Ct4jProcess.run(ns, LIMIT, args);
    }

    static CommandResult conntrack(NetNs ns, String... args) {
        return ns.exec(LIMIT, null, conntrackArgv(args));
    }

    /** {@code conntrack} followed by the arguments. */
    static String[] conntrackArgv(String... args) {
        String[] argv = new String[args.length + 1];
        argv[0] = "conntrack";
        System.arraycopy(args, 0, argv, 1, args.length);
        return argv;
    }

    /** {@code conntrack -I} of each entry. */
    static void insertAll(NetNs ns, String[][] entries) {
        for (String[] entry : entries) {
            String[] argv = new String[entry.length + 2];
            argv[0] = "conntrack";
            argv[1] = "-I";
            System.arraycopy(entry, 0, argv, 2, entry.length);
            ns.execOk(argv);
        }
    }

    static String blank(String text) {
        String timeless = VOLATILE.matcher(TIMEOUT.matcher(text).replaceAll("$1T ")).replaceAll("V");
        List<String> lines = new ArrayList<>(timeless.lines().toList());
        lines.sort(null);
        return String.join("\n", lines);
    }

    /** {@code conntrack -L}, blanked. */
    static String table(NetNs ns) {
        return blank(conntrack(ns, "-L").stdout());
    }

    /** {@code conntrack -L} and {@code conntrack -L -o save} (which also shows SCTP vtags), blanked. */
    static String tableWithSave(NetNs ns) {
        return table(ns) + "\n" + blank(conntrack(ns, "-L", "-o", "save").stdout());
    }

    /**
     * Runs {@code args} with conntrack in {@code oracle} and ct4j in {@code ours}.
     *
     * @param withSave compare the tables' save lines too
     * @return the exit code
     */
    static int same(NetNs oracle, NetNs ours, boolean withSave, String... args) {
        CommandResult expected = conntrack(oracle, args);
        CommandResult got = ct4j(ours, args);
        String context = String.join(" ", args) + "\nconntrack:\n" + expected + "\nct4j:\n" + got;
        assertEquals(expected.exitCode(), got.exitCode(), context);
        assertEquals(expected.stderr(), got.stderr(), context);
        assertEquals(blank(expected.stdout()), blank(got.stdout()), context);
        assertEquals(withSave ? tableWithSave(oracle) : table(oracle), withSave ? tableWithSave(ours) : table(ours),
                "the tables differ after " + context);
        return expected.exitCode();
    }

    /**
     * Each command line is refused by conntrack in {@code oracle} with exit code 2 (a parameter
     * problem), and by ct4j run in this JVM (it refuses before any netlink request) with the same
     * output and exit code.
     */
    static void refusedLikeConntrack(NetNs oracle, Iterable<String[]> lines) {
        for (String[] args : lines) {
            CommandResult expected = conntrack(oracle, args);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = Ct4j.run(args, new PrintStream(out, true, UTF_8), new PrintStream(err, true, UTF_8));
            String context = String.join(" ", args) + "\nconntrack:\n" + expected;
            assertEquals(2, expected.exitCode(), context);
            assertEquals(expected.exitCode(), code, context);
            assertEquals(expected.stderr(), err.toString(UTF_8), context);
            assertEquals(expected.stdout(), out.toString(UTF_8), context);
        }
    }
}

package io.conntrack4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * A sample of the mutated command lines ct4j refuses, run through conntrack too: where conntrack
 * refuses as well, the same message on stderr, nothing on stdout, the same exit code. Where it does
 * not, the line has words conntrack ignores or hangs on (a stray word such as {@code -L -p tcp foo}
 * makes conntrack 1.4.7 loop for ever); ct4j refuses those, and the test prints them. Lines that
 * name what ct4j has not implemented yet are left out of the sample.
 */
@KernelTest(requires = {"conntrack", "timeout"})
class Ct4jCommandLineFuzzKernelTest {
    private static final int SAMPLE = 30;

    @RegisterExtension
    final NetworkLab lab = new NetworkLab();

    /**
     * Whether ct4j refused a word that is no option (conntrack's getopt moves such words aside and
     * conntrack then ignores them, or loops for ever).
     */
    private static boolean strayWord(String ours, String[] args) {
        for (String word : args) {
            if ((word.equals("-") || !word.startsWith("-"))
                    && (ours.contains("unknown option `" + word + "'") || ours.contains("unknown type `" + word + "'"))) {
                return true;
            }
        }
        return false;
    }

    @Test
    void refusesWhatConntrackRefusesInItsWords() {
        NetNs ns = lab.namespace("fuzz");
        CommandLineFuzz fuzz = new CommandLineFuzz(7);
        List<String[]> sample = new ArrayList<>();
        while (sample.size() < SAMPLE) {
            String[] args = fuzz.next();
            if (args.length == 0 || CommandLineFuzzTest.isCt4jWord(args[0])) {
                continue;
            }
            try {
                ConntrackOptions.parse(args);
            } catch (CommandLineException e) {
                if (!e.getMessage().contains("not implemented by ct4j")) {
                    sample.add(args);
                }
            }
        }
        int compared = 0;
        // in-process is enough: refusals come before any socket is opened
        for (String[] args : sample) {
            String[] argv = new String[args.length + 3];
            argv[0] = "timeout";
            argv[1] = "5";
            argv[2] = "conntrack";
            System.arraycopy(args, 0, argv, 3, args.length);
            CommandResult theirs = ns.exec(Duration.ofSeconds(20), null, argv);
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
            int code = Ct4j.run(args, new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8),
                    new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
            String context = "conntrack " + String.join(" ", args);
            String ours = err.toString(java.nio.charset.StandardCharsets.UTF_8);
            if (theirs.exitCode() == 0 || theirs.exitCode() == 124
                    || !ours.equals(theirs.stderr()) && strayWord(ours, args)) {
                System.out.println("conntrack " + (theirs.exitCode() == 0 ? "accepts"
                        : theirs.exitCode() == 124 ? "hangs on" : "skips a stray word in") + ", ct4j refuses: "
                        + context + " -> " + err.toString(java.nio.charset.StandardCharsets.UTF_8).lines().findFirst()
                        .orElse(""));
                continue;
            }
            compared++;
            assertEquals(theirs.stderr(), err.toString(java.nio.charset.StandardCharsets.UTF_8), context);
            assertEquals(theirs.exitCode(), code, context);
            assertEquals(theirs.stdout(), out.toString(java.nio.charset.StandardCharsets.UTF_8), context);
        }
        assertTrue(compared >= SAMPLE / 2, "compared " + compared + " of " + SAMPLE);
    }
}

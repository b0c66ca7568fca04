package io.conntrack4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Mutated conntrack command lines never crash the parser: each is parsed or refused with a message,
 * and a refusal comes out as conntrack's two lines with exit code 2 (without touching the kernel:
 * refusals happen before any socket is opened).
 */
class CommandLineFuzzTest {

    @Test
    void mutatedCommandLinesAreParsedOrRefusedInConntracksWords() {
        CommandLineFuzz fuzz = new CommandLineFuzz(2026);
        int parsed = 0;
        int refused = 0;
        for (int i = 0; i < 50_000; i++) {
            String[] args = fuzz.next();
            List<String> warnings = new ArrayList<>();
            try {
                ConntrackOptions options = ConntrackOptions.parse(args, warnings);
                assertTrue(options.command() != null || options.crashed(), String.join(" ", args));
                parsed++;
            } catch (CommandLineException e) {
                assertFalse(e.getMessage().isEmpty(), String.join(" ", args));
                assertFalse(e.getMessage().contains("\n"), e.getMessage());
                refused++;
                // a first word that is not an option is a ct4j command, and -h is ct4j's help
                if (refused % 100 == 0 && args.length > 0 && !isCt4jWord(args[0])) {
                    assertRefusedLikeConntrack(args, warnings, e.getMessage());
                }
            } catch (RuntimeException e) {
                throw new AssertionError("crashed on: " + String.join(" ", args), e);
            }
        }
        assertTrue(parsed > 5_000, "parsed " + parsed);
        assertTrue(refused > 5_000, "refused " + refused);
    }

    /** A first word that Ct4j.run does not hand to conntrack's parser: its own commands and -R FILE. */
    static boolean isCt4jWord(String first) {
        return switch (first) {
            case "timeouts", "sync-decode", "replay", "show", "help", "-R", "--load-file" -> true;
            default -> false;
        };
    }

    private static void assertRefusedLikeConntrack(String[] args, List<String> warnings, String message) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Ct4j.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, code, String.join(" ", args));
        assertEquals("", out.toString(StandardCharsets.UTF_8));
        StringBuilder expected = new StringBuilder();
        warnings.forEach(w -> expected.append(w).append('\n'));
        expected.append("conntrack v1.4.7 (conntrack-tools): ").append(message).append('\n')
                .append("Try `conntrack -h' or 'conntrack --help' for more information.\n");
        assertEquals(expected.toString(), err.toString(StandardCharsets.UTF_8), String.join(" ", args));
    }
}

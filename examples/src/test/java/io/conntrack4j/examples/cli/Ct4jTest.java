package io.conntrack4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class Ct4jTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Ct4j.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void defaultsArePrintedLikeSysctl() {
        assertEquals(0, run("timeouts", "--defaults"));
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("net.netfilter.nf_conntrack_tcp_timeout_established = 432000\n"), text);
        assertTrue(text.contains("net.netfilter.nf_conntrack_udp_timeout = 30\n"), text);
    }

    @Test
    void badArgumentsOfCt4jCommandsAreRejectedWithExitCode2() {
        assertEquals(2, run("timeouts", "--bogus"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--bogus"), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void otherWordsAreConntracksCommandLineWhichPrintsItsUsageWithoutACommand() {
        // conntrack ignores stray words, and prints its usage when it has no command
        assertEquals(0, run("frobnicate"));
        assertEquals(ConntrackHelp.USAGE, out.toString(StandardCharsets.UTF_8));
        out.reset();
        assertEquals(0, run());
        assertEquals(ConntrackHelp.USAGE, out.toString(StandardCharsets.UTF_8));
        out.reset();
        assertEquals(0, run("help"));
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("usage: ct4j COMMAND"), out.toString());
        assertEquals("", err.toString(StandardCharsets.UTF_8));
    }
}

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
    void unknownCommandsAndArgumentsAreRejectedWithExitCode2() {
        assertEquals(2, run("frobnicate"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("unknown command 'frobnicate'"));
        assertEquals(2, run("timeouts", "--bogus"));
        assertEquals(2, run());
    }
}

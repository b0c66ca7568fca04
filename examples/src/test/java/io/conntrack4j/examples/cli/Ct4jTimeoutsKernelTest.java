package io.conntrack4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.testkit.Commands;
import io.conntrack4j.testkit.KernelTest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

@KernelTest(requires = "sysctl")
class Ct4jTimeoutsKernelTest {

    @Test
    void printsTheSameLinesAsSysctl() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Ct4j.run(new String[] {"timeouts"}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
        List<String> ours = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertFalse(ours.isEmpty());

        // The oracle: sysctl(8) over the same namespace, restricted to conntrack timeouts.
        Set<String> sysctl = Commands.run("sysctl", "net.netfilter").stdoutOrThrow().lines()
                .filter(line -> line.matches("net\\.netfilter\\.nf_conntrack_\\w*timeout\\w* = .*"))
                .filter(line -> !line.contains("frag6")) // reassembly, not a connection timeout
                .collect(Collectors.toSet());
        assertEquals(sysctl, Set.copyOf(ours));
    }
}

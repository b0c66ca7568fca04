package io.conntrack4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.testkit.CommandResult;
import io.conntrack4j.testkit.KernelTest;
import io.conntrack4j.testkit.NetNs;
import io.conntrack4j.testkit.NetworkLab;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code ct4j -L -z} against {@code conntrack -L -z} on a router-like namespace with accounting on
 * and real ICMP traffic: the listing carries the counters as they were (what conntrack -L showed
 * just before), and conntrack then shows every counter zeroed. The real tool's own -z is checked
 * the same way, so the test states what conntrack does, not what we believe it does. Refusals
 * (filters with -z, -z with other commands) give conntrack's messages and exit codes.
 */
@KernelTest(requires = {"conntrack", "nft", "ping", "sysctl"})
class Ct4jZeroCountersKernelTest {

    @RegisterExtension
    final NetworkLab lab = new NetworkLab();

    private static CommandResult ct4j(NetNs ns, String... args) {
        return TwinNamespaces.ct4j(ns, args);
    }

    private static CommandResult conntrack(NetNs ns, String... args) {
        return TwinNamespaces.conntrack(ns, args);
    }

    /** The lines with the timeout (after the protocol, and with -o extended the family) blanked, sorted. */
    private static List<String> blanked(String stdout) {
        List<String> out = new ArrayList<>();
        for (String line : stdout.lines().toList()) {
            out.add(line.replaceFirst("^((?:ipv[46] +\\d+ +)?\\S+ +\\d+ )\\d+ ", "$1T "));
        }
        out.sort(null);
        return out;
    }

    private static List<String> zeroed(List<String> lines) {
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            out.add(line.replaceAll("packets=\\d+ bytes=\\d+", "packets=0 bytes=0"));
        }
        return out;
    }

    /** Two new ICMP flows through the server's conntrack: 3 and 2 echo requests, each answered. */
    private static void traffic(NetNs client) {
        client.execOk("ping", "-c", "3", "-i", "0.2", "10.205.0.2");
        client.execOk("ping", "-c", "2", "-i", "0.2", "-s", "100", "10.205.0.2");
    }

    /**
     * Lists with {@code zeroing} (conntrack or ct4j, with -z) and checks the three facts: it printed
     * what conntrack -L printed just before, with conntrack's stderr and exit code; the counters
     * were not all zero; conntrack -L now shows them zeroed and nothing else changed.
     */
    private static void assertZeroingListing(NetNs server, boolean ours, String... options) {
        String[] plain = new String[options.length + 1];
        plain[0] = "-L";
        System.arraycopy(options, 0, plain, 1, options.length);
        String[] zeroing = new String[plain.length + 1];
        System.arraycopy(plain, 0, zeroing, 0, plain.length);
        zeroing[plain.length] = "-z";

        CommandResult before = conntrack(server, plain);
        List<String> counted = blanked(before.stdout());
        assertTrue(counted.size() >= 2, before.toString());
        assertNotEquals(zeroed(counted), counted, "traffic was counted: " + before);
        CommandResult listed = ours ? ct4j(server, zeroing) : conntrack(server, zeroing);
        String context = (ours ? "ct4j " : "conntrack ") + String.join(" ", zeroing) + "\n" + listed;
        assertEquals(0, listed.exitCode(), context);
        assertEquals(before.stderr(), listed.stderr(), context);
        assertEquals(counted, blanked(listed.stdout()), context);
        CommandResult after = conntrack(server, plain);
        assertEquals(zeroed(counted), blanked(after.stdout()), "the counters were zeroed: " + after);
    }

    @Test
    void listingWithZeroPrintsTheCountersAndZeroesThemAsConntrackDoes() {
        NetNs client = lab.namespace("client");
        NetNs server = lab.namespace("server");
        lab.link(client, "10.205.0.1/24", server, "10.205.0.2/24");
        // accounting is decided when an entry is created; the long ICMP timeout outlives slow JVM starts
        server.execOk("sysctl", "-qw", "net.netfilter.nf_conntrack_acct=1",
                "net.netfilter.nf_conntrack_icmp_timeout=600");
        server.enableConntrack();

        traffic(client);
        assertZeroingListing(server, false);
        traffic(client);
        assertZeroingListing(server, true);
        traffic(client);
        assertZeroingListing(server, false, "-o", "extended");
        traffic(client);
        assertZeroingListing(server, true, "-o", "extended");
        traffic(client);
        assertZeroingListing(server, true, "-f", "ipv4", "-o", "id");

        // zeroed counters print as zeros, by both tools
        CommandResult theirs = conntrack(server, "-L", "-z");
        CommandResult ours = ct4j(server, "-L", "-z");
        assertEquals(theirs.stderr(), ours.stderr());
        assertEquals(blanked(theirs.stdout()), blanked(ours.stdout()));
        assertTrue(ours.stdout().contains("packets=0 bytes=0"), ours.toString());
    }

    @Test
    void refusesZeroWithFiltersAndOtherCommandsAsConntrackDoes() {
        NetNs ns = lab.namespace("refuse");
        String[][] lines = {
            {"-L", "-z", "-p", "tcp"}, {"-L", "-z", "-s", "10.0.0.1"}, {"-L", "-d", "10.0.0.1", "-z"},
            {"-L", "-z", "-m", "1"}, {"-L", "-z", "-u", "UNSET"}, {"-L", "-z", "-w", "1"},
            {"-L", "-z", "--reply-zone", "1"}, {"-L", "-z", "-c", "1"}, {"-L", "-z", "--id=5"},
            {"-G", "-z", "-s", "1.1.1.1", "-d", "2.2.2.2", "-p", "tcp", "--sport", "1", "--dport", "2"},
            {"-E", "-z"}, {"-L", "expect", "-z"}, {"-L", "--zero=1"}, {"-L", "-zfoo"},
            // accepted: the family, NAT filters, -z clustered with -o, an abbreviated --zero
            {"-L", "-z", "-f", "ipv4"}, {"-L", "-z", "-n"}, {"-L", "-zo", "extended"}, {"-L", "--zer", "-o", "save"},
        };
        for (String[] args : lines) {
            CommandResult theirs = conntrack(ns, args);
            CommandResult ours = ct4j(ns, args);
            String context = String.join(" ", args) + "\nct4j: " + ours + "\nconntrack: " + theirs;
            assertEquals(theirs.exitCode(), ours.exitCode(), context);
            assertEquals(theirs.stderr(), ours.stderr(), context);
            assertEquals(theirs.stdout(), ours.stdout(), context);
        }
    }
}

package io.conntrack4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.testkit.CommandResult;
import io.conntrack4j.testkit.KernelTest;
import io.conntrack4j.testkit.NetNs;
import io.conntrack4j.testkit.NetworkLab;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code ct4j -L} / {@code -C}, run as its own process inside a test namespace, against
 * {@code conntrack} run there too: the same lines on standard output (in any order), the same
 * standard error and the same exit code.
 */
@KernelTest(requires = {"conntrack"})
class Ct4jConntrackKernelTest {
    /** Varied entries: TCP states, UDP, ICMP, ICMPv6, SCTP, GRE, UDP-Lite, generic, IPv6, NAT, zones, marks. */
    private static final String[][] ENTRIES = {
        {"-p", "tcp", "-s", "10.1.1.1", "-d", "10.2.2.2", "--sport", "1111", "--dport", "80",
            "--state", "ESTABLISHED", "-t", "300", "-u", "SEEN_REPLY,ASSURED", "-m", "7"},
        {"-p", "tcp", "-s", "10.1.1.2", "-d", "10.2.2.2", "--sport", "2222", "--dport", "443",
            "--state", "SYN_SENT", "-t", "100"},
        {"-p", "tcp", "-s", "10.1.1.3", "-d", "10.2.2.2", "--sport", "3333", "--dport", "443",
            "--state", "TIME_WAIT", "-t", "100", "-u", "SEEN_REPLY"},
        {"-p", "tcp", "-s", "10.1.1.4", "-d", "10.2.2.2", "--sport", "4444", "--dport", "22",
            "--state", "CLOSE_WAIT", "-t", "100", "-u", "SEEN_REPLY,ASSURED", "-w", "9"},
        {"-p", "tcp", "-s", "10.1.1.5", "-d", "10.2.2.2", "--sport", "5555", "--dport", "80",
            "-r", "192.168.7.5", "-q", "10.1.1.5", "--reply-port-src", "8080", "--reply-port-dst", "5555",
            "--state", "ESTABLISHED", "-t", "400", "-u", "SEEN_REPLY,ASSURED"},
        {"-p", "udp", "-s", "10.1.1.1", "-d", "10.2.2.3", "--sport", "5353", "--dport", "53", "-t", "330",
            "-m", "4294967295"},
        {"-p", "udp", "-s", "192.168.0.10", "-d", "8.8.8.8", "--sport", "40000", "--dport", "53",
            "-r", "8.8.8.8", "-q", "203.0.113.1", "--reply-port-src", "53", "--reply-port-dst", "61000",
            "-t", "360", "-u", "SEEN_REPLY"},
        {"-p", "udp", "-s", "10.1.1.1", "-d", "10.2.2.3", "--sport", "1", "--dport", "55", "-t", "350",
            "--orig-zone", "3"},
        {"-p", "icmp", "-s", "10.1.1.1", "-d", "10.2.2.2", "--icmp-type", "8", "--icmp-code", "0",
            "--icmp-id", "77", "-t", "330", "-w", "9"},
        {"-p", "sctp", "-s", "10.1.1.1", "-d", "10.2.2.2", "--sport", "5000", "--dport", "6000",
            "--state", "ESTABLISHED", "-t", "100", "-u", "SEEN_REPLY", "--orig-vtag", "0x1234",
            "--reply-vtag", "0x5678"},
        {"-p", "gre", "-s", "10.1.1.1", "-d", "10.2.2.2", "--srckey", "1", "--dstkey", "2", "-t", "100"},
        {"-p", "udplite", "-s", "10.1.1.1", "-d", "10.2.2.2", "--sport", "1", "--dport", "54", "-t", "100"},
        {"-p", "99", "-s", "10.1.1.1", "-d", "10.2.2.2", "-t", "100"},
        {"-p", "tcp", "-s", "2001:db8::1", "-d", "2001:db8::2", "--sport", "1111", "--dport", "443",
            "--state", "ESTABLISHED", "-t", "200", "-u", "SEEN_REPLY", "-m", "3"},
        {"-p", "udp", "-s", "2001:db8::1", "-d", "2001:db8:0:0:1::2", "--sport", "4000", "--dport", "4001",
            "-t", "330"},
        {"-p", "icmpv6", "-s", "2001:db8::1", "-d", "::ffff:10.0.0.1", "--icmpv6-type", "128",
            "--icmpv6-code", "0", "--icmpv6-id", "9", "-t", "330"},
    };
    /** The timeout field: after the protocol (and, with -o extended, the family) name and number. */
    private static final Pattern TIMEOUT = Pattern.compile("^((?:ipv[46] +\\d+ +)?\\S+ +\\d+ )(\\d+) ");

    @RegisterExtension
    final NetworkLab lab = new NetworkLab();

    private static void insertAll(NetNs ns) {
        TwinNamespaces.insertAll(ns, ENTRIES);
    }

    private static CommandResult ct4j(NetNs ns, String... args) {
        return TwinNamespaces.ct4j(ns, args);
    }

    private static CommandResult conntrack(NetNs ns, String... args) {
        return TwinNamespaces.conntrack(ns, args);
    }

    /**
     * Runs conntrack, ct4j, conntrack, and checks ct4j against them. Timeouts tick down while the
     * JVM starts (a second or two), so a line of ct4j's is right when it equals a line of
     * conntrack's in everything but the timeout, and its timeout lies between what conntrack
     * printed before and after (inclusive). Everything else must be equal byte for byte.
     */
    private static void assertSameAsConntrack(NetNs ns, int expectedLines, String... args) {
        CommandResult before = conntrack(ns, args);
        CommandResult ours = ct4j(ns, args);
        CommandResult after = conntrack(ns, args);
        String context = "ct4j " + String.join(" ", args) + "\n" + ours + "\nconntrack:\n" + before;
        assertEquals(before.exitCode(), ours.exitCode(), context);
        assertEquals(before.stderr(), ours.stderr(), context);
        assertEquals(before.stderr(), after.stderr(), "the table changed during the test");
        List<String> expected = before.stdout().lines().toList();
        List<String> got = ours.stdout().lines().toList();
        if (expectedLines >= 0) {
            assertEquals(expectedLines, expected.size(), context);
        }
        assertEquals(expected.size(), got.size(), context);
        Map<String, long[]> window = new HashMap<>();
        for (String line : expected) {
            window(window, line)[1] = timeout(line);
        }
        for (String line : after.stdout().lines().toList()) {
            window(window, line)[0] = timeout(line);
        }
        List<String> seen = new ArrayList<>();
        for (String line : got) {
            long[] range = window.get(withoutTimeout(line));
            assertTrue(range != null, "conntrack printed no such line:\n" + line + "\n" + context);
            long timeout = timeout(line);
            assertTrue(timeout >= range[0] && timeout <= range[1],
                    "timeout " + timeout + " outside [" + range[0] + ", " + range[1] + "]: " + line);
            assertFalse(seen.contains(withoutTimeout(line)), "printed twice: " + line);
            seen.add(withoutTimeout(line));
        }
    }

    private static long[] window(Map<String, long[]> window, String line) {
        return window.computeIfAbsent(withoutTimeout(line), key -> new long[] {-1, -1});
    }

    private static String withoutTimeout(String line) {
        Matcher m = TIMEOUT.matcher(line);
        return m.find() ? m.group(1) + "T " + line.substring(m.end()) : line;
    }

    private static long timeout(String line) {
        Matcher m = TIMEOUT.matcher(line);
        return m.find() ? Long.parseLong(m.group(2)) : -1;
    }

    @Test
    void listsWhatConntrackLists() {
        NetNs ns = lab.namespace("list");
        assertSameAsConntrack(ns, 0, "-L");
        insertAll(ns);
        assertSameAsConntrack(ns, ENTRIES.length, "-L");
        assertSameAsConntrack(ns, ENTRIES.length, "--dump", "-o", "extended,id");
        assertSameAsConntrack(ns, ENTRIES.length, "-L", "-o", "id");
        assertSameAsConntrack(ns, 3, "-L", "-f", "ipv6", "-o", "extended");
        assertSameAsConntrack(ns, 5, "-L", "--family=ipv4", "-p", "tcp");
        assertSameAsConntrack(ns, 1, "-L", "-p", "99", "-o", "id");
        assertSameAsConntrack(ns, 0, "-L", "-p", "dccp");
    }

    /**
     * conntrack reads -o, -u and -e lists word by word: any case, any prefix of a word (the first in
     * its table wins), prefixes of SRC_NAT/DST_NAT ignored with a warning, {@code !WORD} and
     * UNREPLIED for -u, empty words refused.
     */
    @Test
    void readsParameterListsAsConntrackDoes() {
        NetNs ns = lab.namespace("words");
        insertAll(ns);
        String[][] lines = {
            {"-L", "-o", "ext"}, {"-L", "-o", "e,i"}, {"-L", "-o", "EXTENDED,ID"}, {"-L", "-o", "s"},
            {"-L", "-o", "d,e"}, {"-L", "-o", "s", "--bogus"}, {"-L", "-o", ","}, {"-L", "-o", "id,"},
            {"-L", "-u", "ASSURED"}, {"-L", "-u", "!ASSURED"}, {"-L", "-u", "UNREPLIED"}, {"-L", "-u", "seen"},
            {"-L", "-u", "UNSET"}, {"-L", "-u", "S"}, {"-L", "-u", "!"}, {"-L", "-u", "!,X"}, {"-L", "-u", "ASSUREDX"},
            {"-L", "-u", "ASSURED,!SEEN_REPLY"}, {"-L", "-u", "UNREPLIEDX,ASSURED"}, {"-L", "-p", "tcp", "-u", "a"},
            {"-E", "-e", "FOO"}, {"-E", "-e", "NEW,,UPDATE"}, {"-E", "-e", "UPDATESX"}, {"-E", "-e", "!NEW"},
            {"-L", "-o", "save,id"}, {"-L", "-o", "id", "-o", "save"}, {"-L", "-o", "sa", "-p", "dccp"},
        };
        for (String[] args : lines) {
            assertSameAsConntrack(ns, -1, args);
        }
    }

    @Test
    void countsWhatConntrackCounts() {
        NetNs ns = lab.namespace("count");
        assertSameAsConntrack(ns, 1, "-C");
        insertAll(ns);
        assertSameAsConntrack(ns, 1, "--count");
    }

    @Test
    void refusesWhatConntrackRefusesWithTheSameMessage() {
        NetNs ns = lab.namespace("refuse");
        String[][] lines = {
            {"-L", "--bogus"}, {"-L", "-o", "foo"}, {"-L", "-o", "extended,,id"}, {"-L", "-f", "foo"},
            {"-L", "-p", "300"}, {"-L", "-p"}, {"-L", "-L"}, {"-C", "-f", "ipv4"}, {"-C", "-o", "id", "-f", "ipv4"},
            {"-L", "-f", "ipv4", "-f", "ipv6"}, {"-L", "foo"},
        };
        for (String[] args : lines) {
            assertSameAsConntrack(ns, 0, args);
        }
    }
}

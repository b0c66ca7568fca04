package io.conntrack4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.testkit.CommandResult;
import io.conntrack4j.testkit.KernelTest;
import io.conntrack4j.testkit.NetNs;
import io.conntrack4j.testkit.NetworkLab;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code ct4j -I/-U/-D/-G/-F} against conntrack: two namespaces start with the same entries; each
 * command runs with conntrack in one and with ct4j in the other, and standard output, standard
 * error, exit code and then the whole table ({@code conntrack -L}) must be the same in both, apart
 * from timeouts, which tick down while the JVM starts.
 */
@KernelTest(requires = {"conntrack"})
class Ct4jWriteKernelTest {
    private static final String[][] ENTRIES = {
        {"-p", "tcp", "-s", "10.1.1.1", "-d", "10.2.2.2", "--sport", "1111", "--dport", "80",
            "--state", "ESTABLISHED", "-t", "300", "-u", "SEEN_REPLY,ASSURED", "-m", "7"},
        {"-p", "udp", "-s", "10.1.1.1", "-d", "10.2.2.3", "--sport", "5353", "--dport", "53", "-t", "300", "-m", "7"},
        {"-p", "udp", "-s", "10.1.1.2", "-d", "10.2.2.3", "--sport", "1", "--dport", "55", "-t", "300", "-w", "4"},
        {"-p", "udp", "-s", "2001:db8::1", "-d", "2001:db8::2", "--sport", "4000", "--dport", "4001", "-t", "300"},
        {"-p", "icmp", "-s", "10.1.1.1", "-d", "10.2.2.2", "--icmp-type", "8", "--icmp-code", "0",
            "--icmp-id", "77", "-t", "300"},
    };
    @RegisterExtension
    final NetworkLab lab = new NetworkLab();

    static CommandResult ct4j(NetNs ns, String... args) {
        return TwinNamespaces.ct4j(ns, args);
    }

    static CommandResult conntrack(NetNs ns, String... args) {
        return TwinNamespaces.conntrack(ns, args);
    }

    static String blank(String text) {
        return TwinNamespaces.blank(text);
    }

    static String table(NetNs ns) {
        return TwinNamespaces.table(ns);
    }

    private static void insert(NetNs ns) {
        TwinNamespaces.insertAll(ns, ENTRIES);
    }

    /** Runs {@code args} with conntrack in {@code oracle} and ct4j in {@code ours}; returns the exit code. */
    static int same(NetNs oracle, NetNs ours, String... args) {
        return TwinNamespaces.same(oracle, ours, false, args);
    }

    @Test
    void writeCommandsBehaveLikeConntrack() {
        NetNs oracle = lab.namespace("oracle");
        NetNs ours = lab.namespace("ours");
        insert(oracle);
        insert(ours);
        // creates: TCP with status and mark, UDP in a zone, ICMP, IPv6, NAT with ports, a duplicate
        assertEquals(0, same(oracle, ours, "-I", "-p", "tcp", "-s", "10.9.0.1", "-d", "10.9.0.2", "--sport", "40000",
                "--dport", "22", "--state", "SYN_SENT", "-t", "120", "-m", "0x10"));
        assertEquals(0, same(oracle, ours, "-I", "-p", "tcp", "-s", "10.9.0.1", "-d", "10.9.0.2", "--sport", "40001",
                "--dport", "22", "--state", "ESTABLISHED", "-t", "120", "-u", "SEEN_REPLY,ASSURED"));
        assertEquals(0, same(oracle, ours, "-I", "-p", "udp", "-s", "10.9.0.1", "-d", "10.9.0.2", "--sport", "1",
                "--dport", "2", "-t", "600", "-w", "9"));
        assertEquals(0, same(oracle, ours, "-I", "--protonum", "icmp", "--src", "10.9.0.1", "--dst", "10.9.0.2",
                "--icmp-type", "8", "--icmp-code", "0", "--icmp-id", "3", "--timeout=300"));
        assertEquals(0, same(oracle, ours, "-I", "-p", "udp", "-s", "2001:db8::9", "-d", "2001:db8::a", "--sport", "7",
                "--dport", "8", "-t", "600"));
        assertEquals(0, same(oracle, ours, "-I", "-p", "tcp", "-s", "192.168.1.10", "-d", "198.51.100.7", "--sport",
                "33000", "--dport", "80", "-r", "198.51.100.7", "-q", "203.0.113.1", "--reply-port-src", "80",
                "--reply-port-dst", "61000", "--state", "ESTABLISHED", "-t", "300", "-u", "SEEN_REPLY"));
        assertEquals(1, same(oracle, ours, "-I", "-p", "udp", "-s", "10.9.0.1", "-d", "10.9.0.2", "--sport", "1",
                "--dport", "2", "-t", "600", "-w", "9"));
        // a new entry marked EXPECTED: the kernel says EBUSY to conntrack
        assertEquals(1, same(oracle, ours, "-I", "-p", "udp", "-s", "10.9.0.1", "-d", "10.9.0.2", "--sport", "3",
                "--dport", "4", "-t", "600", "-u", "EXPECTED"));
        // gets
        assertEquals(0, same(oracle, ours, "-G", "-p", "tcp", "-s", "10.1.1.1", "-d", "10.2.2.2", "--sport", "1111",
                "--dport", "80"));
        assertEquals(0, same(oracle, ours, "-G", "-p", "udp", "-s", "2001:db8::1", "-d", "2001:db8::2", "--sport",
                "4000", "--dport", "4001", "-o", "extended"));
        assertEquals(1, same(oracle, ours, "-G", "-p", "tcp", "-s", "10.1.1.1", "-d", "10.2.2.2", "--sport", "1111",
                "--dport", "81"));
        // updates: mark and timeout of the entries the filter matches
        assertEquals(0, same(oracle, ours, "-U", "-p", "udp", "-s", "10.1.1.1", "-m", "5"));
        assertEquals(1, same(oracle, ours, "-U", "-s", "10.99.0.1", "-m", "5"));
        // deletes: by tuple fields, by mark, by family; no match is exit 1
        assertEquals(0, same(oracle, ours, "-D", "-p", "udp", "--dport", "55"));
        assertEquals(0, same(oracle, ours, "-D", "-m", "7"));
        assertEquals(1, same(oracle, ours, "-D", "-p", "tcp", "-s", "10.1.1.1", "-d", "10.2.2.2", "--sport", "1111",
                "--dport", "81"));
        assertEquals(0, same(oracle, ours, "-D", "-s", "2001:db8::1"));
        assertEquals(0, same(oracle, ours, "-D", "-p", "tcp", "-d", "10.9.0.2", "--dport", "22"));
        assertEquals(0, same(oracle, ours, "-D", "-w", "9"));
        assertEquals(0, same(oracle, ours, "-F"));
        assertEquals(1, same(oracle, ours, "-D"));
        assertTrue(table(ours).isEmpty());
    }

    @Test
    void refusesWhatConntrackRefusesWithTheSameMessage() {
        NetNs oracle = lab.namespace("oracle");
        String[][] lines = {
            {"-I", "-s", "10.0.0.1", "-d", "10.0.0.2"},
            {"-I", "-p", "tcp", "-s", "10.0.0.1", "-d", "10.0.0.2"},
            {"-I", "-p", "tcp", "-t", "5"},
            {"-I", "-p", "tcp", "-s", "10.0.0.1", "-d", "10.0.0.2", "-t", "5"},
            {"-I", "-p", "tcp", "--state", "ESTABLISHED", "-t", "5", "-s", "10.0.0.1", "-d", "10.0.0.2"},
            {"-I", "-p", "udp", "-t", "5", "-s", "10.0.0.1", "-d", "10.0.0.2", "--dport", "2"},
            {"-I", "-p", "tcp", "-s", "10.0.0.1", "-d", "10.0.0.2", "--sport", "1", "--dport", "2", "-t", "5",
                "--state", "FOO"},
            {"-I", "-p", "udp", "-s", "10.0.0.1", "-d", "10.0.0.2", "--sport", "1", "--dport", "2", "-t", "5",
                "-u", "ASSURED,FOO,BAR"},
            {"-I", "-p", "udp", "-s", "10.0.0.1", "-d", "::1", "--sport", "1", "--dport", "2", "-t", "5"},
            {"-I", "-p", "udp", "-s", "10.0.0.300", "-d", "10.0.0.2", "--sport", "1", "--dport", "2", "-t", "5"},
            {"-I", "-p", "udp", "-s", "10.0.0.1", "-d", "10.0.0.2", "--sport", "1", "--dport", "2", "-t", "5",
                "-o", "id"},
            {"-I", "-p", "icmp", "-s", "10.0.0.1", "-d", "10.0.0.2", "-t", "5"},
            {"-I", "-p", "icmp", "-s", "10.0.0.1", "-d", "10.0.0.2", "-t", "5", "--icmp-type", "8"},
            {"-G", "-s", "10.0.0.1", "-d", "10.0.0.2"},
            {"-G", "-p", "udp", "-s", "10.0.0.1", "-d", "10.0.0.2", "--sport", "1", "--dport", "2", "-m", "5"},
            {"-G", "-p", "udp", "-s", "10.0.0.1", "-d", "10.0.0.2", "--sport", "1", "--dport", "2", "-w", "5"},
            {"-G", "-p", "tcp", "-s", "10.0.0.1", "-d", "10.0.0.2", "--sport", "1"},
            {"-D", "--sport", "1"}, {"-D", "-p", "foo"}, {"-D", "-s", "10.0.0.1", "-f", "ipv6"},
            {"-F", "-p", "tcp"}, {"-U", "-w", "3"}, {"-C", "-s", "10.0.0.1"}, {"-I", "-D"},
        };
        TwinNamespaces.refusedLikeConntrack(oracle, java.util.Arrays.asList(lines));
    }
}

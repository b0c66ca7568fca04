package io.conntrack4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.testkit.KernelTest;
import io.conntrack4j.testkit.NetNs;
import io.conntrack4j.testkit.NetworkLab;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * ct4j against conntrack on twin namespaces (as {@link Ct4jWriteKernelTest}): {@code -I} with
 * {@code --src-nat}/{@code --dst-nat} (which conntrack turns into kernel NAT of the reply tuple)
 * and directional zones; the NAT, CIDR, mask and zone filters of {@code -L} and {@code -D};
 * {@code -G}/{@code -D} with {@code -o xml} and {@code -o save}; {@code -L dying} and
 * {@code -L unconfirmed}; and conntrack's refusals of addresses, prefixes and tables.
 */
@KernelTest(requires = {"conntrack"})
class Ct4jNatZoneCidrKernelTest {
    private static final String[][] ENTRIES = {
        {"-p", "udp", "-s", "10.1.1.1", "-d", "10.2.2.2", "--sport", "1", "--dport", "2", "-t", "300"},
        {"-p", "udp", "-s", "10.1.2.1", "-d", "10.2.2.3", "--sport", "1", "--dport", "2", "-t", "300",
            "--orig-zone", "4"},
        {"-p", "tcp", "-s", "10.3.0.1", "-d", "10.2.2.3", "--sport", "9", "--dport", "80", "-t", "300",
            "--state", "ESTABLISHED", "--reply-zone", "5"},
        {"-p", "udp", "-s", "2001:db8::1", "-d", "2001:db8::2", "--sport", "1", "--dport", "2", "-t", "300",
            "--reply-zone", "4"},
        {"-p", "udp", "-s", "2001:db9::1", "-d", "2001:db8::2", "--sport", "1", "--dport", "2", "-t", "300"},
        {"-p", "icmp", "-s", "10.1.1.1", "-d", "10.2.2.2", "--icmp-type", "8", "--icmp-code", "0", "--icmp-id",
            "5", "-t", "300", "--src-nat", "10.9.9.9"},
        {"-p", "udp", "-s", "10.1.1.1", "-d", "10.2.2.2", "--sport", "3", "--dport", "2", "-t", "300",
            "--dst-nat", "10.9.9.8:1001"},
    };
    @RegisterExtension
    final NetworkLab lab = new NetworkLab();

    private static void insert(NetNs ns) {
        TwinNamespaces.insertAll(ns, ENTRIES);
    }

    private static int same(NetNs oracle, NetNs ours, String... args) {
        return TwinNamespaces.same(oracle, ours, false, args);
    }

    @Test
    void createsWithNatAndDirectionalZonesLikeConntrack() {
        NetNs oracle = lab.namespace("oracle");
        NetNs ours = lab.namespace("ours");
        String[] udp = {"-I", "-p", "udp", "-s", "10.1.1.1", "-d", "10.2.2.2", "--dport", "2", "-t", "200",
            "--sport"};
        assertEquals(0, same(oracle, ours, concat(udp, "1", "--src-nat", "10.9.9.9:1000")));
        assertEquals(0, same(oracle, ours, concat(udp, "2", "--dst-nat", "10.9.9.8")));
        // a NAT option without an address asks for nothing
        assertEquals(0, same(oracle, ours, concat(udp, "3", "--src-nat")));
        // NAT wins over -r/-q and the reply ports
        assertEquals(0, same(oracle, ours, concat(udp, "4", "--src-nat", "10.9.9.9:1000", "--dst-nat",
                "10.7.7.7:77", "-r", "1.1.1.1", "-q", "2.2.2.2", "--reply-port-src", "5", "--reply-port-dst", "6")));
        assertEquals(0, same(oracle, ours, concat(udp, "5", "--orig-zone", "3")));
        assertEquals(0, same(oracle, ours, concat(udp, "6", "--reply-zone", "4")));
        // the kernel refuses two directional zones, or one with -w: conntrack's "invalid parameters"
        assertEquals(1, same(oracle, ours, concat(udp, "7", "--orig-zone", "3", "--reply-zone", "4")));
        assertEquals(1, same(oracle, ours, concat(udp, "8", "--orig-zone", "3", "-w", "3")));
        assertEquals(0, same(oracle, ours, "-I", "-p", "udp", "-s", "2001:db8::1", "-d", "2001:db8::2", "--sport",
                "1", "--dport", "2", "-t", "200", "--src-nat", "[2001:db8::9]:1000", "--orig-zone", "2"));
        // the port is sent for TCP and UDP only: ICMP keeps its id, UDP-Lite its port
        assertEquals(0, same(oracle, ours, "-I", "-p", "icmp", "-s", "10.1.1.1", "-d", "10.2.2.2", "--icmp-type", "8",
                "--icmp-code", "0", "--icmp-id", "5", "-t", "200", "--src-nat", "10.9.9.9:1000"));
        assertEquals(0, same(oracle, ours, "-I", "-p", "udplite", "-s", "10.1.1.1", "-d", "10.2.2.2", "--sport", "7",
                "--dport", "2", "-t", "200", "--src-nat", "10.9.9.9:99"));
        assertEquals(0, same(oracle, ours, "-I", "-p", "tcp", "-s", "10.1.1.1", "-d", "10.2.2.2", "--sport", "9",
                "--dport", "2", "-t", "200", "--state", "ESTABLISHED", "--dst-nat", "10.9.9.7:8080"));
        // what the kernel made of them, through conntrack's NAT filters: ICMP's id counts as a
        // translated port, yet a wanted port is compared with the port an ICMP entry lacks (0)
        for (String[] filter : new String[][] {{"--src-nat"}, {"--dst-nat"}, {"--any-nat"},
            {"--src-nat", "10.9.9.9:1000"}, {"--src-nat", "10.9.9.9:0"}, {"-p", "icmp", "--dst-nat"},
            // conntrack compares IPv4 NAT addresses only: an IPv6 one filters nothing
            {"--any-nat", "2001:db8::5"}}) {
            same(oracle, ours, concat(new String[] {"-L"}, filter));
        }
        assertEquals(0, same(oracle, ours, "-D", "--dst-nat", "10.7.7.7:77"));
        assertEquals(0, same(oracle, ours, "-D", "-f", "ipv6", "--src-nat"));
    }

    @Test
    void cidrZoneAndOutputOptionsOfListGetDeleteBehaveLikeConntrack() {
        NetNs oracle = lab.namespace("oracle");
        NetNs ours = lab.namespace("ours");
        insert(oracle);
        insert(ours);
        for (String[] args : new String[][] {
            {"-L", "-s", "10.1.0.0/16"}, {"-L", "-s", "10.1.1.1/32"}, {"-L", "-d", "10.2.2.2/31", "-p", "udp"},
            {"-L", "-s", "10.0.0.0/"}, {"-L", "-f", "ipv6", "-s", "2001:db8::/64"}, {"-L", "-s", "2001:db8::/31"},
            {"-L", "-s", "10.3.0.0", "--mask-src", "255.0.255.0"}, {"-L", "-s", "1.2.3.4/8", "-s", "10.9.9.9"},
            {"-L", "--orig-zone", "0"}, {"-L", "--reply-zone", "0"}, {"-L", "--orig-zone", "4"},
            {"-L", "dying"}, {"-L", "unconf", "-o", "xml"}, {"-L", "conn", "-s", "10.0.0.0/8"},
            {"-G", "-p", "udp", "-s", "10.1.1.1", "-d", "10.2.2.2", "--sport", "3", "--dport", "2", "-o", "save"},
            {"-G", "-p", "udp", "-s", "10.1.1.1/32", "-d", "10.2.2.2", "--sport", "1", "--dport", "2", "-o", "xml"},
        }) {
            assertEquals(0, same(oracle, ours, args));
        }
        assertEquals(0, same(oracle, ours, "-D", "--orig-zone", "0", "-f", "ipv6"));
        assertEquals(0, same(oracle, ours, "-D", "-s", "10.1.2.0/24", "-o", "xml"));
        assertEquals(0, same(oracle, ours, "-D", "-d", "10.2.2.0/24", "-p", "tcp", "-o", "save"));
        assertEquals(1, same(oracle, ours, "-D", "-s", "10.1.2.0/24"));
        assertEquals(0, same(oracle, ours, "-D", "-s", "0.0.0.0/0", "-o", "save"));
        assertTrue(Ct4jWriteKernelTest.table(ours).isEmpty());
    }

    @Test
    void refusesAddressesPrefixesAndTablesAsConntrackDoes() {
        NetNs oracle = lab.namespace("oracle");
        String[][] lines = {
            {"-L", "-r", "10.0.0.0/24"}, {"-L", "-q", "::/0"}, {"-D", "-r", "10.0.0.0/24"},
            {"-E", "-q", "10.0.0.0/8"}, {"-U", "-r", "10.0.0.1/32", "-m", "1"}, {"-L", "-s", "10.0.0.0/33"},
            {"-L", "-s", "::/129"}, {"-L", "-s", "10.0.0.0/x"}, {"-L", "-s", "10.0.0.0/-1"}, {"-L", "-s", "10.0.0.0/ "},
            {"-L", "-s", "foo/24"}, {"-L", "-s", "10.0.0.1/24", "-d", "::1/24"}, {"-L", "--mask-src", "255.0.0.0"},
            {"-L", "-s", "10.0.0.0", "--mask-src", "255.0.0.0", "--mask-dst", "255.0.0.0"},
            {"-L", "--mask-dst", "255.0.0.0/8"}, {"-L", "--src-nat", "10.0.0.0/8"}, {"-L", "-j", "10.0.0.0/8"},
            {"-L", "--dst-nat", "10.0.0.0/8:80"}, {"-L", "-s", "10.0.0.0/9999999999999999999"},
            {"-G", "-s", "10.0.0.0/8", "-d", "1.1.1.1", "-p", "udp", "--sport", "1", "--dport", "2"},
            {"-I", "-s", "10.0.0.0/8", "-d", "1.1.1.1", "-p", "udp", "--sport", "1", "--dport", "2", "-t", "10"},
            {"-I", "-p", "udp", "-s", "2001:db8::1", "-d", "2001:db8::2", "--sport", "1", "--dport", "2", "-t", "9",
                "--dst-nat", "10.1.1.1"},
            {"-D", "dying"}, {"-C", "unconfirmed"}, {"-L", "dyingx"}, {"-I", "-o", "xml"},
        };
        TwinNamespaces.refusedLikeConntrack(oracle, java.util.Arrays.asList(lines));
    }

    private static String[] concat(String[] head, String... tail) {
        String[] all = new String[head.length + tail.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(tail, 0, all, head.length, tail.length);
        return all;
    }
}

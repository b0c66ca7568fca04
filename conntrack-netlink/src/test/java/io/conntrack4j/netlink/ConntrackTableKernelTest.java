package io.conntrack4j.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.core.AddressFamily;
import io.conntrack4j.netlink.internal.Cta;
import io.conntrack4j.netlink.internal.CtMessageType;
import io.conntrack4j.netlink.internal.MessageWriter;
import io.conntrack4j.netlink.internal.NativeLibC;
import io.conntrack4j.netlink.internal.Netlink;
import io.conntrack4j.testkit.KernelTest;
import io.conntrack4j.testkit.NetNs;
import io.conntrack4j.testkit.NetworkLab;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Every operation against the live kernel, with conntrack(8) inside the same namespace as the oracle. */
@KernelTest(requires = {"conntrack"})
class ConntrackTableKernelTest {
    private static final Pattern FIELD = Pattern.compile("(\\w+)=(\\S+)");
    private static final String[][] ENTRIES = {
        {"-p", "tcp", "-s", "10.1.1.1", "-d", "10.2.2.2", "--sport", "1111", "--dport", "80",
            "--state", "ESTABLISHED", "-t", "300", "-u", "SEEN_REPLY,ASSURED", "-m", "7", "-w", "5"},
        {"-p", "tcp", "-s", "10.1.1.2", "-d", "10.2.2.2", "--sport", "2222", "--dport", "443",
            "--state", "SYN_SENT", "-t", "100"},
        {"-p", "udp", "-s", "10.1.1.1", "-d", "10.2.2.3", "--sport", "5353", "--dport", "53", "-t", "30",
            "-m", "4294967295"},
        {"-p", "icmp", "-s", "10.1.1.1", "-d", "10.2.2.2", "--icmp-type", "8", "--icmp-code", "0",
            "--icmp-id", "77", "-t", "30", "-w", "9"},
        {"-p", "tcp", "-s", "2001:db8::1", "-d", "2001:db8::2", "--sport", "1111", "--dport", "443",
            "--state", "ESTABLISHED", "-t", "200", "-u", "SEEN_REPLY", "-m", "3"},
        {"-p", "udp", "-s", "2001:db8::1", "-d", "2001:db8:0:0:1::2", "--sport", "4000", "--dport", "4001",
            "-t", "30"},
        {"-p", "icmpv6", "-s", "2001:db8::1", "-d", "2001:db8::2", "--icmpv6-type", "128", "--icmpv6-code", "0",
            "--icmpv6-id", "9", "-t", "30"},
    };

    @RegisterExtension
    final NetworkLab lab = new NetworkLab();

    private static void insertAll(NetNs ns) {
        for (String[] entry : ENTRIES) {
            insert(ns, entry);
        }
    }

    private static void insert(NetNs ns, String... args) {
        String[] argv = new String[args.length + 2];
        argv[0] = "conntrack";
        argv[1] = "-I";
        System.arraycopy(args, 0, argv, 2, args.length);
        ns.execOk(argv);
    }

    private static ConntrackTable tableIn(NetNs ns) {
        return new ConntrackTable(NetlinkSocket.openInNamespace(ns.name(), NetlinkSocket.Options.DEFAULT));
    }

    private static long conntrackCount(NetNs ns) {
        return Long.parseLong(ns.execOk("conntrack", "-C").trim());
    }

    @Test
    void countMatchesConntrackDashC() {
        NetNs ns = lab.namespace("count");
        try (ConntrackTable table = tableIn(ns)) {
            assertEquals(0, table.count());
            insertAll(ns);
            long count = table.count();
            assertEquals(conntrackCount(ns), count);
            assertEquals(ENTRIES.length, count);
        }
    }

    @Test
    void perCpuStatisticsPrintLikeConntrackDashS() {
        NetNs ns = lab.namespace("stats");
        insertAll(ns);
        try (ConntrackTable table = tableIn(ns)) {
            List<CpuStatistics> cpus = table.cpuStatistics();
            List<String> lines = ns.execOk("conntrack", "-S").lines().toList();
            assertEquals(lines.size(), cpus.size(), String.join("\n", lines));
            long inserts = 0;
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                List<String> names = new ArrayList<>();
                Matcher m = FIELD.matcher(line);
                while (m.find()) {
                    names.add(m.group(1));
                }
                assertEquals("cpu", names.remove(0), line);
                assertEquals(CpuStatistics.FIELD_NAMES, names, line);
                assertEquals(line, cpus.get(i).toString(), "line " + i);
                inserts += cpus.get(i).insert();
            }
            assertEquals(ENTRIES.length, inserts);
        }
    }

    @Test
    void dumpSeesExactlyTheEntriesConntrackLists() throws Exception {
        NetNs ns = lab.namespace("dump");
        insertAll(ns);
        String listing = ns.execOk("conntrack", "-L", "-o", "id");
        Set<String> expected = new TreeSet<>();
        Map<String, String> idByEntry = new HashMap<>();
        for (String line : listing.lines().toList()) {
            String key = keyOfConntrackLine(line);
            expected.add(key);
            idByEntry.put(key, line.substring(line.lastIndexOf("id=") + 3).trim());
        }
        assertEquals(ENTRIES.length, expected.size(), listing);

        try (ConntrackTable table = tableIn(ns)) {
            Set<String> seen = new TreeSet<>();
            Map<String, Integer> tcpStates = new HashMap<>();
            DumpSummary summary = table.dump(entry -> {
                String key = keyOf(entry);
                seen.add(key);
                assertEquals(idByEntry.get(key), Long.toString(entry.id()), key);
                assertTrue(entry.timeout() > 0 && entry.timeout() <= 300, key + " timeout " + entry.timeout());
                assertTrue((entry.status() & 0x8) != 0, key + " is CONFIRMED");
                assertTrue(entry.reply().present(), key);
                assertEquals(entry.original().protocol(), entry.reply().protocol(), key);
                if (entry.original().protocol() == 6) {
                    tcpStates.put(entry.original().sourceAddress().getHostAddress(), entry.tcpState());
                }
                return true;
            });
            assertEquals(expected, seen);
            assertEquals(new DumpSummary(ENTRIES.length, 0, 0, 0), summary);
            assertEquals(Map.of("10.1.1.1", 3, "10.1.1.2", 1, "2001:db8:0:0:0:0:0:1", 3), tcpStates);

            Set<String> v6 = new TreeSet<>();
            table.dump(AddressFamily.IPV6, entry -> v6.add(keyOf(entry)));
            Set<String> expectedV6 = new TreeSet<>();
            for (String line : ns.execOk("conntrack", "-L", "-f", "ipv6").lines().toList()) {
                expectedV6.add(keyOfConntrackLine(line));
            }
            assertEquals(3, expectedV6.size());
            assertEquals(expectedV6, v6);

            int[] visited = {0};
            DumpSummary stopped = table.dump(entry -> ++visited[0] < 2);
            assertEquals(2, stopped.entries());
            assertEquals(ENTRIES.length, table.count(), "the socket is usable after an early stop");
        }
    }

    @Test
    void familyAwareFlushEmptiesOnlyThatFamily() {
        NetNs ns = lab.namespace("flush");
        insertAll(ns);
        try (ConntrackTable table = tableIn(ns)) {
            table.flush(AddressFamily.IPV6);
            assertEquals(4, conntrackCount(ns));
            assertEquals("", ns.execOk("conntrack", "-L", "-f", "ipv6").trim());
            table.flush();
            assertEquals(0, conntrackCount(ns));
        }
        insertAll(ns);
        long ipv6 = ns.execOk("conntrack", "-L", "-f", "ipv6").lines().count();
        assertTrue(ipv6 > 0);
        try (ConntrackTable table = tableIn(ns)) {
            table.flush(AddressFamily.IPV4);
            assertEquals("", ns.execOk("conntrack", "-L", "-f", "ipv4").trim());
            assertEquals(ipv6, conntrackCount(ns));
        }
    }

    @Test
    void deleteByOriginalTupleRemovesOnlyThatEntry() throws Exception {
        NetNs ns = lab.namespace("delete");
        insertAll(ns);
        try (ConntrackTable table = tableIn(ns)) {
            KernelTuple tcp = KernelTuple.ports(InetAddress.getByName("10.1.1.1"), InetAddress.getByName("10.2.2.2"),
                    KernelTuple.TCP, 1111, 80);
            NetlinkException wrongZone = assertThrows(NetlinkException.class, () -> table.delete(tcp, 0));
            assertEquals("ENOENT", wrongZone.errnoName());
            table.delete(tcp, 5);
            KernelTuple icmp6 = KernelTuple.icmp(InetAddress.getByName("2001:db8::1"),
                    InetAddress.getByName("2001:db8::2"), 128, 0, 9);
            table.delete(icmp6, 0);

            String listing = ns.execOk("conntrack", "-L");
            assertFalse(listing.contains("sport=1111 dport=80 "), listing);
            assertFalse(listing.contains("type=128"), listing);
            assertEquals(ENTRIES.length - 2, listing.lines().count(), listing);

            NetlinkException missing = assertThrows(NetlinkException.class, () -> table.delete(tcp, 5));
            assertEquals("ENOENT", missing.errnoName());
            assertEquals(2, missing.errno());
            assertEquals(ENTRIES.length - 2, table.count(), "the socket is usable after an error");
        }
    }

    @Test
    void invalidRequestsCarryTheKernelsExtendedAck() throws Exception {
        NetNs ns = lab.namespace("errors");
        KernelTuple orig = KernelTuple.ports(InetAddress.getByName("10.1.1.1"), InetAddress.getByName("10.2.2.2"),
                KernelTuple.TCP, 1, 2);
        KernelTuple reply = KernelTuple.ports(InetAddress.getByName("10.2.2.2"), InetAddress.getByName("10.1.1.1"),
                KernelTuple.TCP, 2, 1);
        try (ConntrackTable table = tableIn(ns)) {
            NetlinkSocket socket = table.socket();

            MessageWriter noTimeout = socket.request(CtMessageType.NEW,
                    Netlink.NLM_F_ACK | Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL, 2, 0);
            ConntrackTable.writeTuple(noTimeout, Cta.TUPLE_ORIG, orig);
            ConntrackTable.writeTuple(noTimeout, Cta.TUPLE_REPLY, reply);
            NetlinkException missing = assertThrows(NetlinkException.class,
                    () -> socket.execute("create without timeout", messages -> { }));
            System.out.println("CT_NEW without CTA_TIMEOUT: " + missing.getMessage());
            assertEquals("EINVAL", missing.errnoName());

            MessageWriter badSize = socket.request(CtMessageType.NEW,
                    Netlink.NLM_F_ACK | Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL, 2, 0);
            ConntrackTable.writeTuple(badSize, Cta.TUPLE_ORIG, orig);
            ConntrackTable.writeTuple(badSize, Cta.TUPLE_REPLY, reply);
            badSize.putU16(Cta.TIMEOUT, 30);
            NetlinkException policy = assertThrows(NetlinkException.class,
                    () -> socket.execute("create with a 2-byte timeout", messages -> { }));
            System.out.println("CT_NEW with a 2-byte CTA_TIMEOUT: " + policy.getMessage());
            assertEquals("ERANGE", policy.errnoName());
            assertTrue(policy.kernelMessage() != null && !policy.kernelMessage().isEmpty(), policy.getMessage());
            assertTrue(policy.getMessage().endsWith(policy.kernelMessage()), policy.getMessage());

            assertEquals(0, table.count(), "nothing was created and the socket still works");
        }
    }

    @Test
    void aSocketOpenedInANamedNamespaceSeesOnlyThatNamespace() throws Exception {
        NetNs a = lab.namespace("nsa");
        NetNs b = lab.namespace("nsb");
        insert(a, ENTRIES[0]);
        Path self = Path.of("/proc/thread-self/ns/net");
        Path before = Files.readSymbolicLink(self);
        try (ConntrackTable inA = tableIn(a);
                ConntrackTable inB = new ConntrackTable(NetlinkSocket.openInNamespace(
                        Path.of("/run/netns", b.name()), NetlinkSocket.Options.DEFAULT))) {
            assertEquals(before, Files.readSymbolicLink(self));
            assertEquals(1, inA.dump(entry -> true).entries());
            assertEquals(0, inB.dump(entry -> true).entries());
            assertEquals(1, inA.count());
            assertEquals(0, inB.count());
        }
        assertEquals(before, Files.readSymbolicLink(self));
        NetlinkException missing = assertThrows(NetlinkException.class,
                () -> NetlinkSocket.openInNamespace("ct4j-no-such-namespace", NetlinkSocket.Options.DEFAULT));
        assertEquals("ENOENT", missing.errnoName());
        assertEquals(before, Files.readSymbolicLink(self));
    }

    @Test
    void nonBlockingSocketWithAForcedReceiveBufferWorks() {
        NetNs ns = lab.namespace("options");
        insertAll(ns);
        NetlinkSocket.Options options = NetlinkSocket.Options.DEFAULT.withNonBlocking(true)
                .withReceiveBufferBytes(8 << 20);
        try (ConntrackTable table = new ConntrackTable(NetlinkSocket.openInNamespace(ns.name(), options))) {
            // 8 MiB is above this machine's rmem_max, so only SO_RCVBUFFORCE gets it; the kernel doubles it.
            assertEquals(16 << 20, table.socket().receiveBufferBytes());
            assertEquals(ENTRIES.length, table.dump(entry -> true).entries());
            assertEquals(ENTRIES.length, table.count());
            table.close();
            assertThrows(IllegalStateException.class, table::count);
        }
    }

    @Test
    void aVisitorThatThrowsLeavesTheSocketUsable() {
        NetNs ns = lab.namespace("throws");
        insertAll(ns);
        try (ConntrackTable table = tableIn(ns)) {
            IllegalStateException thrown = assertThrows(IllegalStateException.class,
                    () -> table.dump(entry -> {
                        throw new IllegalStateException("visitor failed");
                    }));
            assertEquals("visitor failed", thrown.getMessage());
            assertEquals(ENTRIES.length, table.dump(entry -> true).entries());
            assertEquals(ENTRIES.length, table.count());
        }
    }

    @Test
    void aSocketOpensInTheNamespaceOfADescriptor() throws Exception {
        NetNs ns = lab.namespace("byfd");
        insert(ns, ENTRIES[1]);
        Path self = Path.of("/proc/thread-self/ns/net");
        Path before = Files.readSymbolicLink(self);
        int fd = NativeLibC.LIBC.open("/run/netns/" + ns.name(), Netlink.O_RDONLY | Netlink.O_CLOEXEC);
        assertTrue(fd >= 0, "errno " + NativeLibC.errno());
        try (ConntrackTable table = new ConntrackTable(NetlinkSocket.openInNamespace(fd, NetlinkSocket.Options.DEFAULT))) {
            assertEquals(1, table.count());
            assertEquals(before, Files.readSymbolicLink(self));
            // The descriptor is still ours: it opens a second socket in the same namespace.
            try (NetlinkSocket again = NetlinkSocket.openInNamespace(fd, NetlinkSocket.Options.DEFAULT)) {
                assertEquals(1, new ConntrackTable(again).count());
            }
        } finally {
            NativeLibC.LIBC.close(fd);
        }
    }

    @Test
    void theDumpAllocatesNothingPerEntry() throws Exception {
        NetNs ns = lab.namespace("alloc");
        int entries = 5000;
        try (ConntrackTable table = tableIn(ns)) {
            NetlinkSocket socket = table.socket();
            InetAddress server = InetAddress.getByName("10.3.0.1");
            for (int i = 0; i < entries; i++) {
                InetAddress client = InetAddress.getByAddress(new byte[] {10, 4, (byte) (i >> 8), (byte) i});
                MessageWriter create = socket.request(CtMessageType.NEW,
                        Netlink.NLM_F_ACK | Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL, 2, 0);
                ConntrackTable.writeTuple(create, Cta.TUPLE_ORIG,
                        KernelTuple.ports(client, server, KernelTuple.UDP, 40000 + i % 20000, 53));
                ConntrackTable.writeTuple(create, Cta.TUPLE_REPLY,
                        KernelTuple.ports(server, client, KernelTuple.UDP, 53, 40000 + i % 20000));
                create.putU32(Cta.TIMEOUT, 600);
                socket.execute("create", messages -> { });
            }
            assertEquals(entries, conntrackCount(ns));

            long[] checksum = new long[1];
            ConntrackVisitor visitor = entry -> {
                TupleView t = entry.original();
                checksum[0] += t.sourceIPv4() + t.sourcePort() + entry.status() + entry.timeout() + entry.mark();
                return true;
            };
            for (int warmup = 0; warmup < 20; warmup++) {
                assertEquals(entries, table.dump(AddressFamily.IPV4, visitor).entries());
            }
            long before = allocatedBytes();
            DumpSummary summary = table.dump(AddressFamily.IPV4, visitor);
            long allocated = allocatedBytes() - before;
            assertEquals(entries, summary.entries());
            System.out.println("dump of " + entries + " entries allocated " + allocated + " bytes");
            // The smallest object is 16 bytes: anything allocated per entry would exceed this.
            assertTrue(allocated < entries * 4L, allocated + " bytes allocated for " + entries + " entries");
        }
    }

    /** Bytes this thread allocated so far (reflection: the test module does not read jdk.management). */
    static long allocatedBytes() throws Exception {
        Object threads = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean")
                .invoke(null);
        return (Long) Class.forName("com.sun.management.ThreadMXBean").getMethod("getCurrentThreadAllocatedBytes")
                .invoke(threads);
    }

    /** The key conntrack(8) prints for an entry: protocol, original tuple, mark, zone, flags. */
    private static String keyOfConntrackLine(String line) throws Exception {
        String protocol = line.split("\\s+")[0];
        Map<String, String> first = new HashMap<>();
        Map<String, String> second = new HashMap<>();
        Matcher m = FIELD.matcher(line);
        while (m.find()) {
            if (first.putIfAbsent(m.group(1), m.group(2)) != null) {
                second.putIfAbsent(m.group(1), m.group(2));
            }
        }
        StringBuilder key = new StringBuilder(protocol)
                .append(" src=").append(InetAddress.getByName(first.get("src")).getHostAddress())
                .append(" dst=").append(InetAddress.getByName(first.get("dst")).getHostAddress());
        if (first.containsKey("sport")) {
            key.append(" sport=").append(first.get("sport")).append(" dport=").append(first.get("dport"));
        } else {
            key.append(" type=").append(first.get("type")).append(" code=").append(first.get("code"))
                    .append(" id=").append(first.get("id"));
        }
        key.append(" reply src=").append(InetAddress.getByName(second.get("src")).getHostAddress())
                .append(" dst=").append(InetAddress.getByName(second.get("dst")).getHostAddress());
        if (second.containsKey("sport")) {
            key.append(" sport=").append(second.get("sport")).append(" dport=").append(second.get("dport"));
        } else {
            key.append(" type=").append(second.get("type")).append(" code=").append(second.get("code"));
        }
        key.append(" mark=").append(first.get("mark")).append(" zone=").append(first.getOrDefault("zone", "0"));
        key.append(line.contains("[UNREPLIED]") ? " unreplied" : "").append(line.contains("[ASSURED]") ? " assured" : "");
        return key.toString();
    }

    private static String keyOf(ConntrackEntry entry) {
        TupleView t = entry.original();
        String protocol = switch (t.protocol()) {
            case 1 -> "icmp";
            case 6 -> "tcp";
            case 17 -> "udp";
            case 58 -> "icmpv6";
            default -> "unknown";
        };
        StringBuilder key = new StringBuilder(protocol)
                .append(" src=").append(t.sourceAddress().getHostAddress())
                .append(" dst=").append(t.destinationAddress().getHostAddress());
        if (t.sourcePort() >= 0) {
            key.append(" sport=").append(t.sourcePort()).append(" dport=").append(t.destinationPort());
        } else {
            key.append(" type=").append(t.icmpType()).append(" code=").append(t.icmpCode()).append(" id=").append(t.icmpId());
        }
        TupleView r = entry.reply();
        key.append(" reply src=").append(r.sourceAddress().getHostAddress())
                .append(" dst=").append(r.destinationAddress().getHostAddress());
        if (r.sourcePort() >= 0) {
            key.append(" sport=").append(r.sourcePort()).append(" dport=").append(r.destinationPort());
        } else {
            key.append(" type=").append(r.icmpType()).append(" code=").append(r.icmpCode());
        }
        key.append(" mark=").append(entry.mark()).append(" zone=").append(Math.max(0, entry.zone()));
        key.append((entry.status() & 0x2) == 0 ? " unreplied" : "").append((entry.status() & 0x4) != 0 ? " assured" : "");
        return key.toString();
    }
}

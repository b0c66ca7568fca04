package io.conntrack4j.core.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.core.Connection;
import io.conntrack4j.core.Expectation;
import io.conntrack4j.core.L4Protocol;
import io.conntrack4j.core.Tuple;
import io.conntrack4j.testkit.Await;
import io.conntrack4j.testkit.BackgroundProcess;
import io.conntrack4j.testkit.KernelTest;
import io.conntrack4j.testkit.NetNs;
import io.conntrack4j.testkit.NetworkLab;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The oracle for {@link ConntrackdDumpFormat} and {@link ConntrackXmlFormat}: two real conntrackd
 * 1.4.7 daemons (NOTRACK over UDP between two namespaces). Entries are made with
 * {@code conntrack -I} and a real FTP exchange through the kernel's FTP helper in namespace A;
 * every line of A's {@code conntrackd -i} ({@code -x}, {@code expect}) and B's {@code conntrackd -e}
 * must equal our formatting of the same flow as the real {@code conntrack -L} in A lists it, with
 * the active-since seconds taken from the real line. In ALARM mode the external lines'
 * {@code [expires in Ns]} is checked the same way.
 */
@KernelTest(requires = {"conntrackd", "conntrack", "nft", "nc", "ss"})
class ConntrackdDumpKernelTest {

    @RegisterExtension
    final NetworkLab lab = new NetworkLab();

    @TempDir
    Path dir;

    static final Duration WAIT = Duration.ofSeconds(15);

    static final List<List<String>> INSERTS = List.of(
            List.of("-p", "tcp", "-s", "10.1.1.1", "-d", "10.2.2.2", "--sport", "1111", "--dport", "80", "--state",
                    "ESTABLISHED", "-t", "500", "-u", "SEEN_REPLY,ASSURED", "-m", "66"),
            List.of("-p", "udp", "-s", "10.3.3.3", "-d", "10.4.4.4", "--sport", "5353", "--dport", "53", "-t", "300",
                    "-m", "7", "--zone", "5"),
            List.of("-p", "icmp", "-s", "10.5.5.5", "-d", "10.6.6.6", "--icmp-type", "8", "--icmp-code", "0",
                    "--icmp-id", "77", "-t", "300"),
            List.of("-p", "tcp", "-s", "2001:db8::1", "-d", "2001:db8::2", "--sport", "1", "--dport", "2", "--state",
                    "SYN_SENT", "-t", "300"),
            List.of("-p", "tcp", "-s", "10.7.7.7", "-d", "10.8.8.8", "--sport", "3000", "--dport", "22", "--state",
                    "ESTABLISHED", "-t", "500", "-u", "SEEN_REPLY", "-r", "10.9.9.9", "-q", "10.7.7.7",
                    "--reply-port-src", "2222", "--reply-port-dst", "3000"),
            List.of("-p", "gre", "-s", "10.11.0.1", "-d", "10.11.0.2", "--srckey", "1", "--dstkey", "2", "-t", "300",
                    "-m", "4294967295"));

    Path config(String name, String self, String peer, String device) throws IOException {
        return config(name, self, peer, device, "NOTRACK {\n    }");
    }

    Path config(String name, String self, String peer, String device, String mode) throws IOException {
        Path d = Files.createDirectories(dir.resolve(name));
        String text = "Sync {\n"
                + "    Mode " + mode + "\n"
                + "    UDP {\n        IPv4_address " + self + "\n        IPv4_Destination_Address " + peer + "\n"
                + "        Port 3780\n        Interface " + device + "\n        Checksum on\n    }\n"
                + "    Options {\n        ExpectationSync {\n            ftp\n        }\n    }\n"
                + "}\n"
                + "General {\n    HashSize 1024\n    HashLimit 8192\n    LogFile " + d.resolve("log") + "\n"
                + "    Syslog off\n    LockFile " + d.resolve("lock") + "\n    UNIX {\n        Path " + d.resolve("ctl")
                + "\n    }\n    NetlinkEventsReliable off\n"
                + "    Filter From Userspace {\n        Address Ignore {\n            IPv4_address " + self
                + "\n            IPv4_address " + peer + "\n        }\n    }\n}\n";
        Path file = d.resolve("conntrackd.conf");
        Files.writeString(file, text);
        return file;
    }

    static List<String> lines(String text) {
        List<String> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (!line.isEmpty()) {
                out.add(line);
            }
        }
        return out;
    }

    /** What conntrackd's cache holds of a listed connection: no timeout, no use count. */
    static Connection cached(Connection listed) {
        Connection.Builder b = listed.toBuilder().clearTimeout().clearUse();
        if (listed.helper() != null && listed.mark() == 0) {
            // A flow from the packet path reaches conntrackd by events, and the kernel puts the
            // mark in an event only when it is not zero (or has changed).
            b.clearMark();
        }
        return b.build();
    }

    /**
     * What the peer receives of a flow: the sync protocol has no GRE key attribute (spec Q22), so
     * a GRE flow arrives with keys 0.
     */
    static Connection received(Connection c) {
        if (c.protocol().keyKind() != L4Protocol.KeyKind.GRE) {
            return c;
        }
        Tuple o = c.original();
        Tuple keyless = new Tuple(o.source(), o.destination(), o.protocol(), 0, 0, o.zone());
        return c.toBuilder().tuples(keyless, keyless.inverse()).build();
    }

    @Test
    void cacheDumpsEqualOurFormattingOfTheSameFlows() throws IOException {
        NetNs a = lab.namespace("cda");
        NetNs b = lab.namespace("cdb");
        String[] sync = lab.link(a, "10.9.0.1/24", b, "10.9.0.2/24");
        lab.link(a, "10.10.0.2/24", b, "10.10.0.1/24");
        a.enableConntrack();
        b.enableConntrack();
        a.exec(Duration.ofSeconds(30), "table inet ct4j_helpers {\n"
                + "  ct helper ftp-standard { type \"ftp\" protocol tcp; }\n"
                + "  chain pre { type filter hook prerouting priority 0; tcp dport 21 ct helper set \"ftp-standard\"; }\n"
                + "}\n", "nft", "-f", "-").stdoutOrThrow();
        String confA = config("a", "10.9.0.1", "10.9.0.2", sync[0]).toString();
        String confB = config("b", "10.9.0.2", "10.9.0.1", sync[1]).toString();
        lab.start(a, "conntrackd", "-C", confA);
        lab.start(b, "conntrackd", "-C", confB);
        Await.until(WAIT, "both daemons answer", () -> a.exec("conntrackd", "-C", confA, "-s").ok()
                && b.exec("conntrackd", "-C", confB, "-s").ok());

        for (List<String> insert : INSERTS) {
            List<String> argv = new ArrayList<>(List.of("conntrack", "-I"));
            argv.addAll(insert);
            a.execOk(argv.toArray(String[]::new));
        }
        lab.start(a, "nc", "-l", "-p", "21");
        Await.until(WAIT, "FTP server listening", () -> a.exec("ss", "-Hltn", "sport", "=", ":21").stdout()
                .contains(":21"));
        BackgroundProcess ftp = lab.start(b, "nc", "10.10.0.2", "21");
        ftp.write("USER anonymous\r\n");
        Await.until(WAIT, "FTP control connection", () ->
                a.exec("conntrack", "-L", "-p", "tcp", "--dport", "21").stdout().contains("[ASSURED]"));
        ftp.write("PORT 10,10,0,1,4,1\r\n");
        int flows = INSERTS.size() + 1;
        Await.until(WAIT, "A's internal cache and B's external cache", () ->
                lines(a.exec("conntrackd", "-C", confA, "-i").stdout()).size() >= flows
                        && lines(b.exec("conntrackd", "-C", confB, "-e").stdout()).size() >= flows
                        && lines(a.exec("conntrackd", "-C", confA, "-i", "expect").stdout()).size() >= 1
                        && lines(b.exec("conntrackd", "-C", confB, "-e", "expect").stdout()).size() >= 1);

        ConntrackFormat plain = ConntrackFormat.builder().build();
        ConntrackFormat withId = ConntrackFormat.builder().id(true).build();
        Map<Tuple, Connection> listed = new HashMap<>();
        Map<Tuple, Connection> listedWithId = new HashMap<>();
        for (String line : lines(a.execOk("conntrack", "-L"))) {
            Connection c = plain.parse(line);
            listed.put(c.original(), c);
        }
        for (String line : lines(a.execOk("conntrack", "-L", "-o", "id"))) {
            Connection c = withId.parse(line);
            listedWithId.put(c.original(), c);
        }

        // conntrackd -i: text, then XML for the same flows
        List<String> internal = lines(a.execOk("conntrackd", "-C", confA, "-i"));
        assertEquals(flows, internal.size(), String.join("\n", internal));
        TreeSet<String> expectedInternalXml = new TreeSet<>();
        TreeSet<String> expectedExternalXml = new TreeSet<>();
        ConntrackXmlFormat xml = ConntrackXmlFormat.builder().build();
        for (String line : internal) {
            CachedConnection real = ConntrackdDumpFormat.parseConnection(line, false);
            Connection c = listed.get(real.connection().original());
            assertNotNull(c, "no conntrack -L line for " + line);
            assertEquals(line, ConntrackdDumpFormat.formatInternal(cached(c), real.activeSeconds()));
            expectedInternalXml.add(xml.format(cached(listedWithId.get(c.original()))));
            expectedExternalXml.add(xml.formatOriginalOnly(received(cached(c))));
        }
        assertEquals(expectedInternalXml, new TreeSet<>(lines(a.execOk("conntrackd", "-C", confA, "-i", "-x"))));

        // conntrackd -e on the peer: original direction only
        Map<Tuple, Connection> receivedFlows = new HashMap<>();
        for (Connection c : listed.values()) {
            receivedFlows.put(received(c).original(), c);
        }
        List<String> external = lines(b.execOk("conntrackd", "-C", confB, "-e"));
        assertEquals(flows, external.size(), String.join("\n", external));
        for (String line : external) {
            CachedConnection real = ConntrackdDumpFormat.parseConnection(line, true);
            Connection c = receivedFlows.get(real.connection().original());
            assertNotNull(c, "no conntrack -L line for " + line);
            assertEquals(line, ConntrackdDumpFormat.formatExternal(received(cached(c)), real.activeSeconds(),
                    CachedConnection.NO_EXPIRY));
        }
        assertEquals(expectedExternalXml, new TreeSet<>(lines(b.execOk("conntrackd", "-C", confB, "-e", "-x"))));

        // expectations: the kernel's (conntrack -L expect) as conntrackd prints them
        Map<Tuple, Expectation> kernel = new HashMap<>();
        for (String line : lines(a.execOk("conntrack", "-L", "expect"))) {
            Expectation e = ExpectationFormat.plain().parse(line);
            kernel.put(e.tuple(), e);
        }
        List<String> cachedExpectations = new ArrayList<>(lines(a.execOk("conntrackd", "-C", confA, "-i", "expect")));
        cachedExpectations.addAll(lines(b.execOk("conntrackd", "-C", confB, "-e", "expect")));
        assertTrue(cachedExpectations.size() >= 2, String.join("\n", cachedExpectations));
        for (String line : cachedExpectations) {
            CachedExpectation real = ConntrackdDumpFormat.parseExpectation(line);
            Expectation e = kernel.get(real.expectation().tuple());
            assertNotNull(e, "no conntrack -L expect line for " + line);
            assertEquals(line, ConntrackdDumpFormat.formatExpectation(e, real.activeSeconds()));
            assertEquals("ftp", e.helper());
        }
        TreeSet<String> expectedXml = new TreeSet<>();
        for (Expectation e : kernel.values()) {
            expectedXml.add(xml.appendTo(new StringBuilder(), e, false).toString());
        }
        assertEquals(expectedXml, new TreeSet<>(lines(a.execOk("conntrackd", "-C", confA, "-i", "expect", "-x"))));
        assertEquals(expectedXml, new TreeSet<>(lines(b.execOk("conntrackd", "-C", confB, "-e", "expect", "-x"))));
    }

    @Test
    void alarmModeExternalLinesCarryTheirExpiry() throws IOException {
        NetNs a = lab.namespace("ala");
        NetNs b = lab.namespace("alb");
        String[] sync = lab.link(a, "10.9.0.1/24", b, "10.9.0.2/24");
        a.enableConntrack();
        b.enableConntrack();
        String alarm = "ALARM {\n        RefreshTime 5\n        CacheTimeout 30\n    }";
        String confA = config("a", "10.9.0.1", "10.9.0.2", sync[0], alarm).toString();
        String confB = config("b", "10.9.0.2", "10.9.0.1", sync[1], alarm).toString();
        lab.start(a, "conntrackd", "-C", confA);
        lab.start(b, "conntrackd", "-C", confB);
        Await.until(WAIT, "both daemons answer", () -> a.exec("conntrackd", "-C", confA, "-s").ok()
                && b.exec("conntrackd", "-C", confB, "-s").ok());
        for (List<String> insert : INSERTS.subList(0, 3)) {
            List<String> argv = new ArrayList<>(List.of("conntrack", "-I"));
            argv.addAll(insert);
            a.execOk(argv.toArray(String[]::new));
        }
        List<String> external = Await.value(WAIT, "B's external cache",
                () -> lines(b.exec("conntrackd", "-C", confB, "-e").stdout()), l -> l.size() >= 3);
        ConntrackFormat plain = ConntrackFormat.builder().build();
        Map<Tuple, Connection> listed = new HashMap<>();
        for (String line : lines(a.execOk("conntrack", "-L"))) {
            Connection c = plain.parse(line);
            listed.put(c.original(), c);
        }
        for (String line : external) {
            CachedConnection real = ConntrackdDumpFormat.parseConnection(line, true);
            assertTrue(real.expiresInSeconds() >= 0 && real.expiresInSeconds() <= 30, line);
            Connection c = listed.get(real.connection().original());
            assertNotNull(c, "no conntrack -L line for " + line);
            assertEquals(line, ConntrackdDumpFormat.formatExternal(cached(c), real.activeSeconds(),
                    real.expiresInSeconds()));
        }
        for (String line : lines(a.execOk("conntrackd", "-C", confA, "-i"))) {
            CachedConnection real = ConntrackdDumpFormat.parseConnection(line, false);
            Connection c = listed.get(real.connection().original());
            assertNotNull(c, "no conntrack -L line for " + line);
            assertEquals(line, ConntrackdDumpFormat.formatInternal(cached(c), real.activeSeconds()));
        }
    }
}

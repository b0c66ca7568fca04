package io.conntrack4j.core.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.core.EventType;
import io.conntrack4j.core.Expectation;
import io.conntrack4j.core.ExpectationFlag;
import io.conntrack4j.core.IpAddress;
import io.conntrack4j.core.L4Protocol;
import io.conntrack4j.core.Tuple;
import io.conntrack4j.testkit.Await;
import io.conntrack4j.testkit.BackgroundProcess;
import io.conntrack4j.testkit.KernelTest;
import io.conntrack4j.testkit.NetNs;
import io.conntrack4j.testkit.NetworkLab;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The oracle for {@link ExpectationFormat}: real expectations made by the kernel's FTP and SIP
 * helpers (an FTP {@code PORT} command, a SIP {@code REGISTER}) and by {@code conntrack -I expect},
 * listed with the real {@code conntrack -L expect} and {@code -E expect}; every line must parse,
 * print back byte for byte, and equal the expectation built independently from what was sent.
 */
@KernelTest(requires = {"conntrack", "nft", "nc", "ss", "timeout"})
class ExpectationFormatKernelTest {

    @RegisterExtension
    final NetworkLab lab = new NetworkLab();

    static final Duration WAIT = Duration.ofSeconds(10);

    static IpAddress ip(String s) {
        return IpAddress.parse(s);
    }

    /** Sets up client 10.9.0.1 and server 10.9.0.2 with FTP (port 21) and SIP (udp 5060) helpers. */
    static void helpers(NetNs server) {
        server.exec(Duration.ofSeconds(30), "table inet ct4j_helpers {\n"
                + "  ct helper ftp-standard { type \"ftp\" protocol tcp; }\n"
                + "  ct helper sip-5060 { type \"sip\" protocol udp; }\n"
                + "  chain pre { type filter hook prerouting priority 0; tcp dport 21 ct helper set \"ftp-standard\";"
                + " udp dport 5060 ct helper set \"sip-5060\"; }\n"
                + "}\n", "nft", "-f", "-").stdoutOrThrow();
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

    @Test
    void realExpectationsParseAndPrintBackByteForByte() {
        NetNs client = lab.namespace("ftpc");
        NetNs server = lab.namespace("ftps");
        lab.link(client, "10.9.0.1/24", server, "10.9.0.2/24");
        server.enableConntrack();
        helpers(server);
        BackgroundProcess events = lab.start(server, "conntrack", "-E", "expect", "-o", "timestamp");
        BackgroundProcess plainEvents = lab.start(server, "conntrack", "-E", "expect");
        // The listeners subscribe while the FTP connection is set up; the SIP and inserted
        // expectations come seconds later, so at least their NEW events are seen.
        BackgroundProcess ftpServer = lab.start(server, "nc", "-l", "-p", "21");
        Await.until(WAIT, "FTP server listening", () -> server.exec("ss", "-Hltn", "sport", "=", ":21").stdout()
                .contains(":21"));
        BackgroundProcess ftp = lab.start(client, "nc", "10.9.0.2", "21");
        // The FTP helper reads a command only in a segment that starts after a newline it has seen:
        // send a first line, wait until the kernel has seen data (ASSURED), then the PORT command.
        // One write only: a second pending one could share the PORT command's segment.
        ftp.write("USER anonymous\r\n");
        // ASSURED alone is not enough: on a busy machine nc may not have sent the line yet, and would
        // then send both lines in one segment, where the helper does not look for PORT
        Await.until(WAIT, "the FTP server to receive the first line", () -> ftpServer.stdoutSoFar().contains("USER"));
        Await.until(WAIT, "FTP control connection", () ->
                server.exec("conntrack", "-L", "-p", "tcp", "--dport", "21").stdout().contains("[ASSURED]"));
        ftp.write("PORT 10,9,0,1,4,1\r\n");
        String register = "REGISTER sip:10.9.0.2 SIP/2.0\r\nVia: SIP/2.0/UDP 10.9.0.1:5060;branch=z9hG4bK1\r\n"
                + "From: <sip:a@10.9.0.2>;tag=1\r\nTo: <sip:a@10.9.0.2>\r\nCall-ID: 1@10.9.0.1\r\nCSeq: 1 REGISTER\r\n"
                + "Contact: <sip:a@10.9.0.1:5060>\r\nExpires: 3600\r\nContent-Length: 0\r\n\r\n";
        client.exec(Duration.ofSeconds(10), register, "timeout", "1", "nc", "-u", "-p", "5060", "10.9.0.2", "5060");
        String helperListing = Await.value(WAIT, "the FTP and SIP expectations",
                () -> server.exec("conntrack", "-L", "expect").stdout(), s -> lines(s).size() >= 2);
        assertTrue(helperListing.contains("PERMANENT,INACTIVE"), helperListing);
        // A user-space expectation with a /16 source mask on the SIP master (the SIP helper allows
        // one signalling expectation per master, so this one replaces the REGISTER's).
        server.execOk("conntrack", "-I", "expect", "-p", "udp", "-s", "10.9.0.1", "-d", "10.9.0.2", "--sport", "5060",
                "--dport", "5060", "--tuple-src", "10.9.0.2", "--tuple-dst", "10.9.0.1", "--tuple-port-src", "0",
                "--tuple-port-dst", "7000", "--mask-src", "255.255.0.0", "--mask-dst", "255.255.255.255",
                "--mask-port-src", "0", "--mask-port-dst", "65535", "-t", "200");
        String inserted = Await.value(WAIT, "the inserted expectation",
                () -> server.exec("conntrack", "-L", "expect").stdout(), s -> s.contains("dport=7000"));
        List<String> all = new ArrayList<>(lines(helperListing));
        all.addAll(lines(inserted));

        ExpectationFormat f = ExpectationFormat.plain();
        Tuple exact4 = Tuple.ofPorts(ip("255.255.255.255"), ip("255.255.255.255"), L4Protocol.TCP, 0, 65535);
        int checked = 0;
        for (String line : all) {
            Expectation e = f.parse(line);
            assertEquals(line, f.format(e));
            Expectation expected = null;
            if (e.helper().equals("ftp")) {
                int masterPort = e.master().sourcePort();
                expected = new Expectation(Tuple.ofPorts(ip("10.9.0.1"), ip("10.9.0.2"), L4Protocol.TCP, masterPort, 21),
                        Tuple.ofPorts(ip("10.9.0.2"), ip("10.9.0.1"), L4Protocol.TCP, 0, 1025), exact4, e.timeout(),
                        0, 0, "ftp", null, null, 0, 0);
            } else if (e.tuple().destinationPort() == 7000) {
                expected = new Expectation(Tuple.ofPorts(ip("10.9.0.1"), ip("10.9.0.2"), L4Protocol.UDP, 5060, 5060),
                        Tuple.ofPorts(ip("10.9.0.2"), ip("10.9.0.1"), L4Protocol.UDP, 0, 7000),
                        Tuple.ofPorts(ip("255.255.0.0"), ip("255.255.255.255"), L4Protocol.UDP, 0, 65535), e.timeout(),
                        0, 0, "sip", null, null, 0, 0);
            } else if (e.helper().equals("sip")) {
                expected = new Expectation(Tuple.ofPorts(ip("10.9.0.1"), ip("10.9.0.2"), L4Protocol.UDP, 5060, 5060),
                        Tuple.ofPorts(ip("10.9.0.2"), ip("10.9.0.1"), L4Protocol.UDP, 0, 5060),
                        Tuple.ofPorts(ip("255.255.255.255"), ip("255.255.255.255"), L4Protocol.UDP, 0, 65535),
                        e.timeout(), ExpectationFlag.PERMANENT.mask() | ExpectationFlag.INACTIVE.mask(), 0, "sip", null,
                        null, 0, 0);
            }
            assertNotNull(expected, "unexpected expectation " + line);
            assertEquals(line, f.format(expected));
            assertEquals(expected, e);
            checked++;
        }
        assertEquals(all.size(), checked);
        // the same expectations in XML, matched on the listing taken at the same moment
        String both = server.execOk("sh", "-c", "conntrack -L expect; conntrack -L expect -o xml");
        ConntrackXmlFormat xml = ConntrackXmlFormat.builder().build();
        List<String> xmlExpected = new ArrayList<>();
        List<String> xmlReal = new ArrayList<>();
        for (String line : lines(both)) {
            if (line.startsWith("<flow>")) {
                xmlReal.add(line);
            } else if (!line.startsWith("<")) {
                xmlExpected.add(xml.format(f.parse(line)));
            }
        }
        assertEquals(xmlExpected.size(), xmlReal.size(), both);
        for (int i = 0; i < xmlReal.size(); i++) {
            // the timeout may tick between the two listings
            assertEquals(xmlExpected.get(i).replaceAll("<timeout>\\d+</timeout>", ""),
                    xmlReal.get(i).replaceAll("<timeout>\\d+</timeout>", ""));
        }
        assertTrue(inserted.contains(" mask-src=255.255.0.0 "), inserted);

        server.execOk("conntrack", "-F", "expect");
        // conntrack -I expect -p tcp on the FTP master makes an expectation of protocol 27 whose
        // line shows no keys for it but ports for the master
        int masterPort = f.parse(lines(helperListing).stream().filter(l -> l.contains("helper=ftp")).findFirst()
                .orElseThrow()).master().sourcePort();
        server.execOk("conntrack", "-I", "expect", "-p", "tcp", "-s", "10.9.0.1", "-d", "10.9.0.2", "--sport",
                "" + masterPort, "--dport", "21", "--tuple-src", "10.9.0.2", "--tuple-dst", "10.9.0.1",
                "--tuple-port-src", "0", "--tuple-port-dst", "7001", "--mask-src", "255.255.255.255",
                "--mask-dst", "255.255.255.255", "--mask-port-src", "0", "--mask-port-dst", "65535", "-t", "200");
        String odd = Await.value(WAIT, "the expectation inserted on the FTP master",
                () -> server.exec("conntrack", "-L", "expect").stdout(), s -> s.contains("helper=ftp"));
        for (String line : lines(odd)) {
            Expectation e = f.parse(line);
            assertEquals(line, f.format(e));
            assertEquals(L4Protocol.TCP, e.master().protocol(), line);
            assertEquals(masterPort, e.master().sourcePort(), line);
        }
        String timed = events.stop(Duration.ofSeconds(2)).stdout();
        String plain = plainEvents.stop(Duration.ofSeconds(2)).stdout();
        List<String> eventLines = new ArrayList<>(lines(timed));
        eventLines.addAll(lines(plain));
        boolean sawNew = false;
        for (String line : eventLines) {
            ExpectationEvent event = f.parseEvent(line);
            assertEquals(line, f.formatEvent(event));
            sawNew |= event.type() == EventType.NEW;
        }
        assertTrue(sawNew, timed + plain);
        assertFalse(lines(timed).isEmpty(), "no timestamped events");
        assertTrue(lines(timed).stream().allMatch(l -> l.startsWith("[")), timed);
    }
}

package io.conntrack4j.core.tracker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.core.Expectation;
import io.conntrack4j.core.L4Protocol;
import io.conntrack4j.core.StatusBit;
import io.conntrack4j.core.format.ExpectationFormat;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * FTP and TFTP helpers and the expectation table, with hand-built packets. The expected
 * {@code conntrack -L expect} lines were printed by Linux 6.18 for the same exchange (client
 * 10.9.0.1:40000, server 10.9.0.2:21 with {@code ct helper set "ftp"}; {@code USER x}, then
 * {@code PORT 10,9,0,1,156,65}, then {@code EPRT |1|10.9.0.1|40002|}; a TFTP read request from
 * port 40100), with the kernel's 298/299 seconds left replaced by ours.
 */
class ExpectationTrackerTest {

    static final String CLIENT = "10.9.0.1";
    static final String SERVER = "10.9.0.2";
    static final String PORT_LINE = "300 proto=6 src=10.9.0.2 dst=10.9.0.1 sport=0 dport=40001"
            + " mask-src=255.255.255.255 mask-dst=255.255.255.255 sport=0 dport=65535"
            + " master-src=10.9.0.1 master-dst=10.9.0.2 sport=40000 dport=21 class=0 helper=ftp";
    static final String EPRT_LINE = PORT_LINE.replace("dport=40001", "dport=40002");
    static final String TFTP_LINE = "300 proto=17 src=10.9.0.2 dst=10.9.0.1 sport=0 dport=40100"
            + " mask-src=255.255.255.255 mask-dst=255.255.255.255 sport=0 dport=65535"
            + " master-src=10.9.0.1 master-dst=10.9.0.2 sport=40100 dport=69 class=0 helper=tftp";

    final long[] now = {7_000_000_000_000L};
    final ConnectionTracker tracker = new ConnectionTracker(TrackerConfig.builder().maxConnections(64).seed(1)
            .clock(() -> now[0]).helper(L4Protocol.TCP, 21, ConnectionHelper.FTP)
            .helper(L4Protocol.UDP, 69, ConnectionHelper.TFTP).build());
    final ProcessResult result = new ProcessResult();
    final ExpectationFormat format = ExpectationFormat.plain();
    long clientSeq = 1000;
    long serverSeq = 5000;

    Verdict tcp(String src, String dst, int sport, int dport, long seq, long ack, int flags, String text) {
        byte[] data = text.getBytes(StandardCharsets.ISO_8859_1);
        byte[] t = Wire.tcp(sport, dport, seq, ack, flags, 65535, -1, data.length);
        System.arraycopy(data, 0, t, 20, data.length);
        return tracker.process(Wire.view(Wire.ipv4(L4Protocol.TCP_NUMBER, src, dst, t)), 0, result);
    }

    Verdict client(String text) {
        Verdict v = tcp(CLIENT, SERVER, 40000, 21, clientSeq, serverSeq, Wire.ACK | Wire.PSH, text);
        clientSeq += text.length();
        return v;
    }

    Verdict server(String text) {
        Verdict v = tcp(SERVER, CLIENT, 21, 40000, serverSeq, clientSeq, Wire.ACK | Wire.PSH, text);
        serverSeq += text.length();
        return v;
    }

    void handshake() {
        assertEquals(Verdict.NEW, tcp(CLIENT, SERVER, 40000, 21, clientSeq - 1, 0, Wire.SYN, ""));
        assertEquals(Verdict.ESTABLISHED, tcp(SERVER, CLIENT, 21, 40000, serverSeq - 1, clientSeq, Wire.SYN | Wire.ACK, ""));
        assertEquals(Verdict.ESTABLISHED, tcp(CLIENT, SERVER, 40000, 21, clientSeq, serverSeq, Wire.ACK, ""));
    }

    List<String> listing() {
        List<String> out = new ArrayList<>();
        for (Expectation e : tracker.expectations()) {
            out.add(format.format(e));
        }
        return out;
    }

    @Test
    void portCommandExpectsTheDataConnectionAndMakesItRelated() {
        List<String> events = new ArrayList<>();
        tracker.addExpectationListener((type, e) -> events.add(type + " " + format.format(e)));
        handshake();
        assertEquals(Verdict.ESTABLISHED, server("220 hello\r\n"));
        // the first line of each direction only teaches where lines start: not read (as in Linux)
        assertEquals(Verdict.ESTABLISHED, client("PORT 10,9,0,1,156,64\r\n"));
        assertEquals(List.of(), listing());
        assertEquals(Verdict.ESTABLISHED, client("PORT 10,9,0,1,156,65\r\n"));
        assertEquals(List.of(PORT_LINE), listing());
        assertEquals(List.of("NEW " + PORT_LINE), events);
        // the data connection from the server's any port to 40001 is RELATED and EXPECTED
        assertEquals(Verdict.RELATED, tcp(SERVER, CLIENT, 20, 40001, 1, 0, Wire.SYN, ""));
        TrackedConnection data = tracker.find(result.handle());
        assertTrue((data.toConnection().status() & StatusBit.EXPECTED.mask()) != 0);
        assertEquals(List.of(), listing());
        assertEquals(2, events.size());
        assertTrue(events.get(1).startsWith("DESTROY 300 proto=6"), events.get(1));
        // ...until its reply
        assertEquals(Verdict.RELATED, tcp(SERVER, CLIENT, 20, 40001, 1, 0, Wire.SYN, ""));
        TrackerStatistics s = tracker.statistics();
        assertEquals(1, s.expectNew());
        assertEquals(1, s.expectCreate());
        assertEquals(1, s.expectDelete());
    }

    @Test
    void oneExpectationPerMasterTheNewestWins() {
        handshake();
        client("USER x\r\n");
        client("PORT 10,9,0,1,156,65\r\n");
        client("EPRT |1|10.9.0.1|40002|\r\n");
        assertEquals(List.of(EPRT_LINE), listing());
        assertEquals(2, tracker.statistics().expectCreate());
        assertEquals(1, tracker.statistics().expectDelete());
        // the replaced one no longer makes anything RELATED
        assertEquals(Verdict.NEW, tcp(SERVER, CLIENT, 20, 40001, 1, 0, Wire.SYN, ""));
    }

    @Test
    void passiveRepliesFromTheServer() {
        handshake();
        server("220 hello\r\n");
        server("227 Entering Passive Mode (10,9,0,2,156,70).\r\n");
        assertEquals(List.of("300 proto=6 src=10.9.0.1 dst=10.9.0.2 sport=0 dport=40006"
                + " mask-src=255.255.255.255 mask-dst=255.255.255.255 sport=0 dport=65535"
                + " master-src=10.9.0.1 master-dst=10.9.0.2 sport=40000 dport=21 class=0 helper=ftp"), listing());
        server("229 Entering Extended Passive Mode (|||40007|)\r\n");
        assertEquals(1, listing().size());
        assertTrue(listing().get(0).contains("sport=0 dport=40007 mask-src"), listing().toString());
        assertEquals(Verdict.RELATED, tcp(CLIENT, SERVER, 50000, 40007, 1, 0, Wire.SYN, ""));
    }

    @Test
    void anotherAddressOrALineNotAfterANewlineOpensNothing() {
        handshake();
        client("USER x\r\n");
        // not the client's address: Linux's "NOT RECORDING" (loose=0)
        assertEquals(Verdict.ESTABLISHED, client("PORT 10,9,0,3,156,65\r\n"));
        // a segment not starting a line: the previous one did not end in a newline
        client("NOOP");
        assertEquals(Verdict.ESTABLISHED, client("PORT 10,9,0,1,156,65\r\n"));
        assertEquals(List.of(), listing());
    }

    @Test
    void partialCommandDropsThePacket() {
        handshake();
        client("USER x\r\n");
        assertEquals(Verdict.INVALID, client("PORT 10,9,0,1\r\n"));
        assertEquals(InvalidReason.HELPER_DROP, result.invalidReason());
        // the dropped segment is sent again, cut short: still a partial match
        clientSeq -= "PORT 10,9,0,1\r\n".length();
        assertEquals(Verdict.INVALID, client("POR"));
        assertEquals(List.of(), listing());
    }

    @Test
    void expectationsTimeOutAfterFiveMinutesAndDieWithTheirMaster() {
        handshake();
        client("USER x\r\n");
        client("PORT 10,9,0,1,156,65\r\n");
        // acknowledged, so that the master is not under the 300 s unacknowledged-data timeout
        tcp(SERVER, CLIENT, 21, 40000, serverSeq, clientSeq, Wire.ACK, "");
        now[0] += 299_500_000_000L;
        assertEquals(List.of(PORT_LINE.replace("300 ", "0 ")), listing());
        now[0] += 1_000_000_000L;
        assertEquals(List.of(), listing());
        assertEquals(Verdict.ESTABLISHED, client("PORT 10,9,0,1,156,65\r\n"), () -> tracker.statistics().toString());
        assertEquals(1, listing().size(), () -> tracker.statistics().toString());
        assertTrue(tracker.delete(tracker.find(io.conntrack4j.core.Tuple.ofPorts(
                io.conntrack4j.core.IpAddress.parse(CLIENT), io.conntrack4j.core.IpAddress.parse(SERVER),
                L4Protocol.TCP, 40000, 21), 0).handle()));
        assertEquals(List.of(), listing());
        assertEquals(Verdict.NEW, tcp(SERVER, CLIENT, 20, 40001, 1, 0, Wire.SYN, ""));
    }

    @Test
    void tftpReadRequestExpectsTheServerFromAnyPort() {
        byte[] rrq = "\u0000\u0001file\u0000octet\u0000".getBytes(StandardCharsets.ISO_8859_1);
        byte[] u = Wire.udp(40100, 69, rrq.length);
        System.arraycopy(rrq, 0, u, 8, rrq.length);
        assertEquals(Verdict.NEW, tracker.process(Wire.view(Wire.ipv4(L4Protocol.UDP_NUMBER, CLIENT, SERVER, u)), 0,
                result));
        assertEquals(List.of(TFTP_LINE), listing());
        assertEquals(Verdict.RELATED, tracker.process(Wire.view(Wire.ipv4(L4Protocol.UDP_NUMBER, SERVER, CLIENT,
                Wire.udp(51234, 40100, 4))), 0, result));
        assertEquals(List.of(), listing());
    }

    @Test
    void eprtOverIpv6ExpectsTheIpv6DataConnection() {
        String c = "fd00::1";
        String v = "fd00::2";
        long cs = 100;
        long ss = 900;
        assertEquals(Verdict.NEW, tcp6(c, v, 40000, 21, cs - 1, 0, Wire.SYN, ""));
        tcp6(v, c, 21, 40000, ss - 1, cs, Wire.SYN | Wire.ACK, "");
        tcp6(c, v, 40000, 21, cs, ss, Wire.ACK, "");
        tcp6(c, v, 40000, 21, cs, ss, Wire.ACK | Wire.PSH, "USER x\r\n");
        cs += 8;
        // an IPv4 EPRT on an IPv6 connection is not a command Linux accepts: partial, dropped
        assertEquals(Verdict.INVALID, tcp6(c, v, 40000, 21, cs, ss, Wire.ACK | Wire.PSH, "EPRT |1|10.9.0.1|40002|\r\n"));
        assertEquals(Verdict.ESTABLISHED, tcp6(c, v, 40000, 21, cs, ss, Wire.ACK | Wire.PSH, "EPRT |2|fd00::1|40002|\r\n"));
        List<Expectation> pending = tracker.expectations();
        assertEquals(1, pending.size());
        assertEquals("fd00::2", pending.get(0).tuple().source().toString());
        assertEquals(40002, pending.get(0).tuple().destinationKey());
        assertEquals(Verdict.RELATED, tcp6(v, c, 20, 40002, 1, 0, Wire.SYN, ""));
    }

    Verdict tcp6(String src, String dst, int sport, int dport, long seq, long ack, int flags, String text) {
        byte[] data = text.getBytes(StandardCharsets.ISO_8859_1);
        byte[] t = Wire.tcp(sport, dport, seq, ack, flags, 65535, -1, data.length);
        System.arraycopy(data, 0, t, 20, data.length);
        return tracker.process(Wire.view(Wire.ipv6(L4Protocol.TCP_NUMBER, src, dst, t)), 0, result);
    }

    @Test
    void withoutAssignedHelperNothingIsExpected() {
        ConnectionTracker plain = new ConnectionTracker(TrackerConfig.builder().maxConnections(64).seed(1).build());
        byte[] rrq = "\u0000\u0001file\u0000octet\u0000".getBytes(StandardCharsets.ISO_8859_1);
        byte[] u = Wire.udp(40100, 69, rrq.length);
        System.arraycopy(rrq, 0, u, 8, rrq.length);
        plain.process(Wire.view(Wire.ipv4(L4Protocol.UDP_NUMBER, CLIENT, SERVER, u)), 0, result);
        assertEquals(List.of(), plain.expectations());
    }
}

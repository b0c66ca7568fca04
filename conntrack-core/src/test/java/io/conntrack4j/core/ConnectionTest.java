package io.conntrack4j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ConnectionTest {

    static final IpAddress CLIENT = IpAddress.parse("10.0.0.1");
    static final IpAddress SERVER = IpAddress.parse("198.51.100.1");
    static final Tuple ORIG = Tuple.ofPorts(CLIENT, SERVER, L4Protocol.TCP, 40000, 443);

    @Test
    void optionalPartsAreAbsentUntilSet() {
        Connection c = Connection.builder(ORIG).build();
        assertEquals(ORIG.inverse(), c.reply());
        assertFalse(c.hasStatus() || c.hasTimeout() || c.hasMark() || c.hasSecmark() || c.hasZone() || c.hasUse()
                || c.hasId() || c.hasLabels() || c.hasCountersOriginal() || c.hasCountersReply() || c.hasStart()
                || c.hasStop() || c.hasProtocolState() || c.hasTcpWindow() || c.hasSctpVtags());
        assertNull(c.helper());
        assertNull(c.master());
        assertNull(c.secctx());
        assertNull(c.seqAdjustOriginal());
        assertNull(c.tcpState());
        assertEquals(-1, c.protocolState());
        assertFalse(c.isNat());
    }

    @Test
    void everyPartIsKept() {
        Tuple master = Tuple.ofPorts(CLIENT, SERVER, L4Protocol.TCP, 40001, 21);
        Connection c = Connection.builder(ORIG)
                .status(0xe).tcpState(TcpState.TIME_WAIT)
                .tcpWindow(TcpFlag.mask(TcpFlag.WINDOW_SCALE, TcpFlag.SACK_PERM), TcpFlag.BE_LIBERAL.mask(), 7, 14)
                .timeout(-1).mark(0x80000000).secmark(3).zone(65535).use(2).id(0xdeadbeef)
                .labels(1L << 63, 1).countersOriginal(-1L, 2).countersReply(3, 4).start(5).stop(6)
                .helper("ftp").master(master).seqAdjust(new SequenceAdjustment(1, 2, 3), null).secctx("ctx")
                .build();
        assertEquals(TcpState.TIME_WAIT, c.tcpState());
        assertEquals(3, c.tcpFlagsOriginal());
        assertEquals(8, c.tcpFlagsReply());
        assertEquals(7, c.tcpWindowScaleOriginal());
        assertEquals(14, c.tcpWindowScaleReply());
        assertEquals("4294967295", Integer.toUnsignedString(c.timeout()));
        assertEquals(0x80000000, c.mark());
        assertEquals(65535, c.zone());
        assertTrue(c.hasLabel(0) && c.hasLabel(127) && !c.hasLabel(64));
        assertEquals(-1L, c.packetsOriginal());
        assertEquals(4, c.bytesReply());
        assertEquals(5, c.startNanos());
        assertEquals(6, c.stopNanos());
        assertSame(master, c.master());
        assertEquals(new SequenceAdjustment(1, 2, 3), c.seqAdjustOriginal());
        assertEquals(c, c.toBuilder().build());
        assertEquals(c.hashCode(), c.toBuilder().build().hashCode());
        assertNotEquals(c, c.toBuilder().clearMark().build());
        assertNotEquals(c, c.toBuilder().mark(0x80000000).secctx(null).build());
        assertTrue(c.toString().contains("id=3735928559"), c.toString());
    }

    @Test
    void natIsSeenInTheReplyTuple() {
        Tuple masqueraded = Tuple.ofPorts(SERVER, IpAddress.parse("192.0.2.1"), L4Protocol.TCP, 443, 61000);
        Connection snat = Connection.builder(ORIG, masqueraded).build();
        assertTrue(snat.isSourceNat());
        assertFalse(snat.isDestinationNat());
        Tuple portOnly = Tuple.ofPorts(SERVER, CLIENT, L4Protocol.TCP, 443, 1);
        assertTrue(Connection.builder(ORIG, portOnly).build().isSourceNat());
        Tuple forwarded = Tuple.ofPorts(IpAddress.parse("10.9.9.9"), CLIENT, L4Protocol.TCP, 8443, 40000);
        Connection dnat = Connection.builder(ORIG, forwarded).build();
        assertTrue(dnat.isDestinationNat());
        assertFalse(dnat.isSourceNat());
        Tuple both = Tuple.ofPorts(IpAddress.parse("10.9.9.9"), IpAddress.parse("192.0.2.1"), L4Protocol.TCP, 443, 40000);
        Connection twice = Connection.builder(ORIG, both).build();
        assertTrue(twice.isSourceNat() && twice.isDestinationNat() && twice.isNat());
        Tuple ping = Tuple.ofIcmp(CLIENT, SERVER, 8, 0, 7);
        assertFalse(Connection.builder(ping).build().isNat());
        Tuple pingNat = Tuple.ofIcmp(SERVER, IpAddress.parse("192.0.2.1"), 0, 0, 9);
        assertTrue(Connection.builder(ping, pingNat).build().isSourceNat());
    }

    @Test
    void validation() {
        Tuple udp = Tuple.ofPorts(CLIENT, SERVER, L4Protocol.UDP, 1, 2);
        assertThrows(IllegalArgumentException.class, () -> Connection.builder(ORIG, udp));
        assertThrows(IllegalStateException.class, () -> Connection.builder(udp).tcpState(TcpState.CLOSE));
        assertThrows(IllegalStateException.class, () -> Connection.builder(udp).protocolState(1).build());
        assertThrows(IllegalStateException.class, () -> Connection.builder(ORIG).sctpVtags(1, 2));
        assertThrows(IllegalArgumentException.class, () -> Connection.builder(ORIG).zone(65536));
        assertThrows(IllegalArgumentException.class, () -> Connection.builder(ORIG).tcpWindow(256, 0, 0, 0));
        assertThrows(IllegalStateException.class, () -> Connection.builder(Tuple.ofIcmp(CLIENT, SERVER, 3, 0, 0)));
        assertThrows(IllegalArgumentException.class, () -> Connection.builder(ORIG).build().hasLabel(128));
        Tuple sctp = Tuple.ofPorts(CLIENT, SERVER, L4Protocol.SCTP, 1, 2);
        Connection s = Connection.builder(sctp).sctpState(SctpState.COOKIE_ECHOED).sctpVtags(-1, 5).build();
        assertEquals(SctpState.COOKIE_ECHOED, s.sctpState());
        assertEquals(-1, s.sctpVtagOriginal());
        Tuple dccp = Tuple.ofPorts(CLIENT, SERVER, L4Protocol.DCCP, 1, 2);
        assertEquals(DccpState.PARTOPEN, Connection.builder(dccp).dccpState(DccpState.PARTOPEN).build().dccpState());
    }

    @Test
    void expectations() {
        Tuple master = Tuple.ofPorts(CLIENT, SERVER, L4Protocol.TCP, 40000, 21);
        Tuple expected = Tuple.ofPorts(CLIENT, SERVER, L4Protocol.TCP, 0, 50000);
        Tuple mask = new Tuple(IpAddress.ofIpv4(-1), IpAddress.ofIpv4(-1), L4Protocol.TCP, 0, 0xffff, Tuple.NO_ZONE);
        Expectation e = new Expectation(master, expected, mask, 300, ExpectationFlag.PERMANENT.mask(), 0, "ftp",
                null, new Expectation.Nat(1, expected), 0, 42);
        assertTrue(e.has(ExpectationFlag.PERMANENT));
        assertFalse(e.has(ExpectationFlag.USERSPACE));
        assertTrue(e.matches(Tuple.ofPorts(CLIENT, SERVER, L4Protocol.TCP, 33333, 50000)));
        assertFalse(e.matches(Tuple.ofPorts(CLIENT, SERVER, L4Protocol.TCP, 33333, 50001)));
        assertFalse(e.matches(Tuple.ofPorts(CLIENT, SERVER, L4Protocol.UDP, 33333, 50000)));
        assertFalse(e.matches(Tuple.ofPorts(SERVER, SERVER, L4Protocol.TCP, 33333, 50000)));
        assertThrows(IllegalArgumentException.class, () -> new Expectation.Nat(2, expected));
        assertThrows(IllegalArgumentException.class,
                () -> new Expectation(master, expected, mask, 0, 0, 0, null, null, null, -1, 0));
    }
}

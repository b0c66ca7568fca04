package io.conntrack4j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import org.junit.jupiter.api.Test;

class StatesAndBitsTest {

    @Test
    void statusBitsHaveTheKernelValues() {
        int[] expected = {0x1, 0x2, 0x4, 0x8, 0x10, 0x20, 0x40, 0x80, 0x100, 0x200, 0x400, 0x800, 0x1000,
            0x2000, 0x4000, 0x8000};
        StatusBit[] bits = StatusBit.values();
        assertEquals(16, bits.length);
        for (int i = 0; i < bits.length; i++) {
            assertEquals(expected[i], bits[i].mask(), bits[i].name());
        }
        assertEquals(0xe, StatusBit.mask(StatusBit.SEEN_REPLY, StatusBit.ASSURED, StatusBit.CONFIRMED));
        assertEquals("SEEN_REPLY|ASSURED|CONFIRMED", StatusBit.toString(0xe));
        assertEquals("0", StatusBit.toString(0));
        assertEquals("EXPECTED|0x10000", StatusBit.toString(0x10001));
        assertEquals(EnumSet.of(StatusBit.OFFLOAD, StatusBit.HW_OFFLOAD), StatusBit.toSet(0xc000));
        assertEquals(0xc000, StatusBit.mask(StatusBit.toSet(0xc000)));
        assertTrue(StatusBit.DYING.isSet(0x200));
        assertFalse(StatusBit.SEEN_REPLY.isSet(StatusBit.UNCHANGEABLE_MASK));
        assertFalse(StatusBit.ASSURED.isSet(StatusBit.UNCHANGEABLE_MASK));
    }

    @Test
    void protocolStatesHaveKernelNumbersAndConntrackNames() {
        String[] tcp = {"NONE", "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT", "CLOSE_WAIT", "LAST_ACK",
            "TIME_WAIT", "CLOSE", "SYN_SENT2"};
        for (int i = 0; i < tcp.length; i++) {
            assertEquals(tcp[i], TcpState.ofNumber(i).conntrackName());
            assertEquals(i, TcpState.ofConntrackName(tcp[i]).number());
        }
        assertNull(TcpState.ofNumber(10));
        assertNull(TcpState.ofConntrackName("LISTEN"));
        assertSame(SctpState.HEARTBEAT_SENT, SctpState.ofNumber(8));
        assertSame(SctpState.SHUTDOWN_ACK_SENT, SctpState.ofConntrackName("SHUTDOWN_ACK_SENT"));
        assertSame(DccpState.TIMEWAIT, DccpState.ofNumber(7));
        assertEquals(9, DccpState.INVALID.number());
    }

    @Test
    void tcpFlagsAndEvents() {
        assertEquals(0x01, TcpFlag.WINDOW_SCALE.mask());
        assertEquals(0x80, TcpFlag.SIMULTANEOUS_OPEN.mask());
        assertEquals(0x28, TcpFlag.mask(TcpFlag.BE_LIBERAL, TcpFlag.MAXACK_SET));
        assertEquals(EnumSet.of(TcpFlag.SACK_PERM, TcpFlag.CHALLENGE_ACK), TcpFlag.toSet(0x42));
        assertEquals(1, EventType.NEW.group());
        assertEquals(3, EventType.DESTROY.group());
        assertEquals(4, EventType.NEW.expectationGroup());
        assertEquals(5, EventType.UPDATE.expectationGroup());
        assertEquals(6, EventType.DESTROY.expectationGroup());
        assertEquals(0x4, EventType.DESTROY.groupMask());
        assertEquals(4, ExpectationFlag.USERSPACE.mask());
    }

    @Test
    void protocolNumbering() {
        assertSame(L4Protocol.TCP, L4Protocol.of(6));
        assertEquals("udplite", L4Protocol.of(136).conntrackName());
        assertEquals("unknown", L4Protocol.of(4).conntrackName());
        assertEquals("unknown", L4Protocol.of(50).conntrackName());
        assertEquals("dccp", L4Protocol.of(33).conntrackName());
        assertSame(L4Protocol.GRE, L4Protocol.ofConntrackName("gre"));
        assertNull(L4Protocol.ofConntrackName("unknown"));
        assertEquals(L4Protocol.KeyKind.PORTS, L4Protocol.SCTP.keyKind());
        assertEquals(L4Protocol.KeyKind.ICMP, L4Protocol.ICMPV6.keyKind());
        assertEquals(L4Protocol.KeyKind.NONE, L4Protocol.of(132 - 1).keyKind());
        assertEquals(AddressFamily.IPV6, AddressFamily.ofNumber(10));
        assertEquals("ipv4", AddressFamily.IPV4.conntrackName());
        assertNull(AddressFamily.ofNumber(7));
    }
}

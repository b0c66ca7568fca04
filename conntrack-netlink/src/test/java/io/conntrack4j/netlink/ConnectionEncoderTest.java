package io.conntrack4j.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.core.Connection;
import io.conntrack4j.core.IpAddress;
import io.conntrack4j.core.L4Protocol;
import io.conntrack4j.core.SctpState;
import io.conntrack4j.core.StatusBit;
import io.conntrack4j.core.TcpState;
import io.conntrack4j.core.Tuple;
import io.conntrack4j.netlink.internal.CtMessageType;
import io.conntrack4j.netlink.internal.MessageWriter;
import io.conntrack4j.netlink.internal.Netlink;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/**
 * What the encoder writes is read back by the dump-path reader as the same connection: the two
 * sides of the attribute layout agree (the kernel tests check that the kernel agrees too).
 */
class ConnectionEncoderTest {
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(4096).order(ByteOrder.nativeOrder());
    private final MessageWriter writer = new MessageWriter(buffer);

    private Connection roundTrip(Connection c) {
        writer.reset();
        writer.begin(CtMessageType.NEW, Netlink.NLM_F_REQUEST, 1, c.family().number(), 0);
        ConnectionEncoder.writeCreate(writer, c);
        int length = writer.end();
        ConntrackEntry entry = new ConntrackEntry();
        assertTrue(entry.wrap(buffer, buffer.duplicate().order(ByteOrder.BIG_ENDIAN), 0, length));
        Connection back = entry.toConnection();
        assertNotNull(back);
        assertEquals(0, entry.malformedAttributes());
        return back;
    }

    private static Tuple ports(String source, String destination, L4Protocol protocol, int sport, int dport) {
        return Tuple.ofPorts(IpAddress.parse(source), IpAddress.parse(destination), protocol, sport, dport);
    }

    @Test
    void tcpWithEverythingComesBackTheSame() {
        Connection c = Connection.builder(ports("2001:db8::1", "2001:db8::2", L4Protocol.TCP, 40000, 443))
                .tcpState(TcpState.ESTABLISHED).tcpWindow(0x23, 0x02, 7, 9).timeout(432000).mark(0xFFFFFFF0)
                .zone(65535).labels(1L << 63, 5).status(StatusBit.mask(StatusBit.SEEN_REPLY, StatusBit.ASSURED))
                .helper("ftp").build();
        Connection back = roundTrip(c);
        assertEquals(c.original(), back.original());
        assertEquals(c.reply(), back.reply());
        assertEquals(TcpState.ESTABLISHED, back.tcpState());
        assertEquals(0x23, back.tcpFlagsOriginal());
        assertEquals(0x02, back.tcpFlagsReply());
        assertEquals(7, back.tcpWindowScaleOriginal());
        assertEquals(9, back.tcpWindowScaleReply());
        assertEquals(432000, back.timeout());
        assertEquals(0xFFFFFFF0, back.mark());
        assertEquals(65535, back.zone());
        assertEquals(1L << 63, back.labelsHigh());
        assertEquals(5, back.labelsLow());
        assertEquals("ftp", back.helper());
        assertEquals(StatusBit.mask(StatusBit.SEEN_REPLY, StatusBit.ASSURED, StatusBit.CONFIRMED), back.status(),
                "CONFIRMED is added: the kernel refuses a new entry without it");
    }

    @Test
    void icmpSctpAndDirectionalZonesComeBackTheSame() {
        Tuple icmp = Tuple.ofIcmp(IpAddress.parse("10.0.0.1"), IpAddress.parse("10.0.0.2"), 8, 0, 77).withZone(3);
        Connection back = roundTrip(Connection.builder(icmp).timeout(30).build());
        assertEquals(icmp, back.original());
        assertEquals(0, back.reply().icmpType(), "echo reply");
        Tuple icmpv6 = Tuple.ofIcmp(IpAddress.parse("::1"), IpAddress.parse("::2"), 128, 0, 9);
        assertEquals(icmpv6, roundTrip(Connection.builder(icmpv6).timeout(30).build()).original());
        Connection sctp = Connection.builder(ports("10.0.0.1", "10.0.0.2", L4Protocol.SCTP, 5000, 6000))
                .sctpState(SctpState.ESTABLISHED).sctpVtags(0x1234, 0x5678).timeout(100).build();
        Connection sctpBack = roundTrip(sctp);
        assertEquals(SctpState.ESTABLISHED, sctpBack.sctpState());
        assertEquals(0x1234, sctpBack.sctpVtagOriginal());
        assertEquals(0x5678, sctpBack.sctpVtagReply());
        Tuple gre = Tuple.ofGre(IpAddress.parse("10.0.0.1"), IpAddress.parse("10.0.0.2"), 1, 2);
        assertEquals(gre, roundTrip(Connection.builder(gre).timeout(100).build()).original());
    }

    @Test
    void aCreateWithoutATimeoutIsRefusedBeforeSending() {
        Connection c = Connection.builder(ports("10.0.0.1", "10.0.0.2", L4Protocol.UDP, 1, 2)).build();
        writer.reset();
        writer.begin(CtMessageType.NEW, Netlink.NLM_F_REQUEST, 1, 2, 0);
        assertThrows(IllegalArgumentException.class, () -> ConnectionEncoder.writeCreate(writer, c));
    }
}

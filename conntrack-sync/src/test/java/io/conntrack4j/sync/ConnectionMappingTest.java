package io.conntrack4j.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.core.Connection;
import io.conntrack4j.core.IpAddress;
import io.conntrack4j.core.L4Protocol;
import io.conntrack4j.core.SequenceAdjustment;
import io.conntrack4j.core.StatusBit;
import io.conntrack4j.core.TcpState;
import io.conntrack4j.core.Tuple;
import io.conntrack4j.core.format.ConntrackFormat;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/**
 * The captured conntrackd 1.4.7 messages of {@link GoldenBytesTest}, from and to core
 * connections. The lines are what {@code conntrack -L} (1.4.7, kernel 6.18) printed for the
 * very {@code conntrack -I} commands whose sync messages were captured. A line does not show the
 * status word (only [ASSURED] and [UNREPLIED]) and shows the timeout a little later, so those
 * two come from the captured message.
 */
class ConnectionMappingTest {
    static final String TCP_LINE = "tcp      6 299 ESTABLISHED src=10.1.1.1 dst=10.2.2.2 sport=1111 dport=80"
            + " src=10.2.2.2 dst=10.1.1.1 sport=80 dport=1111 [ASSURED] mark=66 use=1";
    static final String UDP_NAT_LINE = "udp      17 119 src=10.3.3.3 dst=10.4.4.4 sport=5353 dport=53"
            + " src=10.9.9.9 dst=192.168.77.1 sport=53 dport=5353 mark=7 zone=5 use=1";
    static final String ICMP_NAT_LINE = "icmp     1 29 src=10.15.0.1 dst=10.16.0.1 type=8 code=0 id=777"
            + " src=10.99.0.2 dst=192.168.77.1 type=0 code=0 id=777 mark=0 use=1";

    private final ConntrackFormat format = ConntrackFormat.builder().build();
    private final UnsafeBuffer out = new UnsafeBuffer(new byte[ConntrackCodec.MAX_MESSAGE_LENGTH]);

    private Connection parsed(String line, int status, int timeout) {
        return format.parse(line).toBuilder().status(status).timeout(timeout).build();
    }

    private String encodeViaFlow(Connection connection, int sequence) {
        int length = new ConntrackCodec().encode(out, 0, MessageType.CT_NEW, 0, sequence,
                new SyncFlow().from(connection).synproxy(0, 0, 0));
        return Hex.of(out, 0, length);
    }

    private static Connection decode(String hex) {
        DataMessage message = new DataMessage();
        assertTrue(message.wrap(new UnsafeBuffer(Hex.bytes(hex)), 0), message.error());
        return new ConntrackCodec().decode(message);
    }

    @Test
    void connectionsFromConntrackLinesEncodeToTheCapturedBytes() {
        assertEquals(Hex.normalized(GoldenBytesTest.TCP_ESTABLISHED), encodeViaFlow(parsed(TCP_LINE, 0x0e, 300),
                0x6b066347));
        assertEquals(Hex.normalized(GoldenBytesTest.UDP_NAT_ZONE), encodeViaFlow(parsed(UDP_NAT_LINE, 0x1ba, 120),
                0x6b06635d));
        assertEquals(Hex.normalized(GoldenBytesTest.ICMP_NAT), encodeViaFlow(parsed(ICMP_NAT_LINE, 0x1ba, 30),
                0x6b067d0d));
    }

    @Test
    void theCodecEncodesAConnectionDirectlyWithoutSynproxy() {
        // The core model has no SYN proxy values: the same message without its last attribute.
        int length = new ConntrackCodec().encode(out, 0, MessageType.CT_NEW, 0, 0x6b066347,
                parsed(TCP_LINE, 0x0e, 300));
        String expected = Hex.normalized(GoldenBytesTest.TCP_ESTABLISHED).replaceFirst("^10000054", "10000044")
                .replace("0010001f000000000000000000000000", "");
        assertEquals(expected, Hex.of(out, 0, length));
    }

    @Test
    void capturedMessagesDecodeToTheConnectionsConntrackListed() {
        assertDecodesTo(GoldenBytesTest.TCP_ESTABLISHED, parsed(TCP_LINE, 0x0e, 300));
        assertDecodesTo(GoldenBytesTest.UDP_NAT_ZONE, parsed(UDP_NAT_LINE, 0x1ba, 120));
        assertDecodesTo(GoldenBytesTest.ICMP_NAT, parsed(ICMP_NAT_LINE, 0x1ba, 30));
    }

    private void assertDecodesTo(String hex, Connection expected) {
        Connection decoded = decode(hex);
        assertEquals(CarriedFields.of(expected), CarriedFields.of(decoded));
        // And on the fields the line shows, against the line as it was printed.
        Connection line = format.parse(switch (expected.protocol().number()) {
            case L4Protocol.TCP_NUMBER -> TCP_LINE;
            case L4Protocol.UDP_NUMBER -> UDP_NAT_LINE;
            default -> ICMP_NAT_LINE;
        });
        assertEquals(CarriedFields.of(line, ConntrackFormat.VISIBLE_STATUS, false, false),
                CarriedFields.of(decoded, ConntrackFormat.VISIBLE_STATUS, false, false));
        assertFalse(decoded.hasUse(), "use is not on the wire");
    }

    @Test
    void portNatIsRebuiltIntoTheReplyTuple() {
        // --src-nat 192.168.77.1:40000 on 10.1.1.1:1234 -> 10.2.2.2:80 (spec 2.9).
        Tuple original = Tuple.ofPorts(IpAddress.parse("10.1.1.1"), IpAddress.parse("10.2.2.2"), L4Protocol.TCP,
                1234, 80);
        Tuple reply = Tuple.ofPorts(IpAddress.parse("10.2.2.2"), IpAddress.parse("192.168.77.1"), L4Protocol.TCP,
                80, 40000);
        Connection snat = Connection.builder(original, reply).status(0x1be).tcpState(TcpState.ESTABLISHED).build();
        int length = new ConntrackCodec().encode(out, 0, MessageType.CT_UPD, 0, 1, snat);
        String hex = Hex.of(out, 0, length);
        assertTrue(hex.contains("0008000cc0a84d01" + "0006000e409c0000"), hex);
        DataMessage message = new DataMessage();
        assertTrue(message.wrap(out, 0), message.error());
        Connection decoded = new ConntrackCodec().decode(message);
        assertEquals(reply, decoded.reply());
        assertTrue(decoded.isSourceNat());
        assertFalse(decoded.isDestinationNat());
    }

    @Test
    void natWithoutTheDoneBitIsNotSentAndComesBackInverted() {
        // conntrackd's "is SNAT" needs SRC_NAT_DONE: a reply tuple alone is not enough.
        Tuple original = Tuple.ofPorts(IpAddress.parse("10.1.1.1"), IpAddress.parse("10.2.2.2"), L4Protocol.UDP,
                1, 2);
        Tuple reply = Tuple.ofPorts(IpAddress.parse("10.2.2.2"), IpAddress.parse("192.168.77.1"), L4Protocol.UDP,
                2, 1);
        Connection c = Connection.builder(original, reply).status(StatusBit.SEEN_REPLY.mask()).build();
        int length = new ConntrackCodec().encode(out, 0, MessageType.CT_NEW, 0, 1, c);
        assertFalse(Hex.of(out, 0, length).contains("0008000c"));
        DataMessage message = new DataMessage();
        assertTrue(message.wrap(out, 0));
        assertEquals(original.inverse(), new ConntrackCodec().decode(message).reply());
    }

    @Test
    void withoutAStatusWordTheReplyTupleAloneDecidesNat() {
        // libnetfilter_conntrack's getobjopt_is_snat: "status unknown" counts as NAT done.
        Tuple original = Tuple.ofPorts(IpAddress.parse("10.1.1.1"), IpAddress.parse("10.2.2.2"), L4Protocol.UDP,
                1, 2);
        Tuple reply = Tuple.ofPorts(IpAddress.parse("10.2.2.2"), IpAddress.parse("192.168.77.1"), L4Protocol.UDP,
                2, 40000);
        int length = new ConntrackCodec().encode(out, 0, MessageType.CT_NEW, 0, 1,
                Connection.builder(original, reply).build());
        String hex = Hex.of(out, 0, length);
        assertTrue(hex.contains("00080005" + "00000000"), "STATUS 0 is still sent: " + hex);
        assertTrue(hex.contains("0008000cc0a84d01" + "0006000e409c0000"), hex);
        DataMessage message = new DataMessage();
        assertTrue(message.wrap(out, 0));
        assertEquals(reply, new ConntrackCodec().decode(message).reply());
    }

    @Test
    void labelsHelperMasterAndSequenceAdjustmentRoundTrip() {
        Tuple master = Tuple.ofPorts(IpAddress.parse("2001:db8::1"), IpAddress.parse("2001:db8::2"), L4Protocol.TCP,
                40000, 21);
        Tuple data = Tuple.ofPorts(IpAddress.parse("2001:db8::2"), IpAddress.parse("2001:db8::1"), L4Protocol.TCP,
                20, 40001);
        Connection c = Connection.builder(data).status(0x200e).tcpState(TcpState.SYN_SENT).timeout(120).mark(-1)
                .zone(0).labels(1L << 63, 1).helper("ftp").master(master)
                .seqAdjust(new SequenceAdjustment(-2, 3, 4), new SequenceAdjustment(5, 6, -7)).build();
        int length = new ConntrackCodec().encode(out, 0, MessageType.CT_NEW, 0, 1, c);
        String hex = Hex.of(out, 0, length);
        // Label 0 is bit 0 of word 0, label 127 bit 31 of word 3.
        assertTrue(hex.contains("0014001c" + "00000001" + "00000000" + "00000000" + "80000000"), hex);
        assertTrue(hex.contains("00060020" + "0000"), "zone 0 is sent when known: " + hex);
        DataMessage message = new DataMessage();
        assertTrue(message.wrap(out, 0), message.error());
        Connection decoded = new ConntrackCodec().decode(message);
        assertEquals(CarriedFields.of(c), CarriedFields.of(decoded));
        assertEquals(master, decoded.master());
        assertEquals(0xffffffffL, Integer.toUnsignedLong(decoded.mark()));
    }

    @Test
    void udpLitePortsAreNotCarried() {
        Tuple original = Tuple.ofPorts(IpAddress.parse("10.1.1.1"), IpAddress.parse("10.2.2.2"), L4Protocol.UDPLITE,
                1000, 2000);
        int length = new ConntrackCodec().encode(out, 0, MessageType.CT_NEW, 0, 1,
                Connection.builder(original).status(0).build());
        assertFalse(Hex.of(out, 0, length).contains("00080003"), "no PORT attribute");
        DataMessage message = new DataMessage();
        assertTrue(message.wrap(out, 0));
        assertEquals(Tuple.ofPorts(original.source(), original.destination(), L4Protocol.UDPLITE, 0, 0),
                new ConntrackCodec().decode(message).original());
    }

    @Test
    void flowAddressesAreCoreAddresses() {
        SyncFlow flow = new SyncFlow().origin(IpAddress.parse("2001:db8::1"), IpAddress.parse("2001:db8::2"), 1, 2)
                .protocol(SyncFlow.UDP);
        assertEquals(IpAddress.parse("2001:db8::2"), flow.replySourceAddress());
        assertTrue(flow.toString().startsWith("proto=17 src=2001:db8::1 dst=2001:db8::2 sport=1 dport=2"
                + " | src=2001:db8::2 dst=2001:db8::1"), flow.toString());
        assertThrows(IllegalArgumentException.class, () -> flow.origin(IpAddress.parse("10.0.0.1"),
                IpAddress.parse("::1"), 1, 2));
        assertNull(flow.labels());
    }

    @Test
    void expectationMessagesAndTooLongHelpersAreRefusedByName() {
        DataMessage message = new DataMessage();
        assertTrue(message.wrap(new UnsafeBuffer(Hex.bytes(GoldenBytesTest.FTP_EXPECTATION)), 0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ConntrackCodec().decode(message));
        assertTrue(e.getMessage().contains("expectation"), e.getMessage());
        Connection longHelper = format.parse(TCP_LINE).toBuilder().helper("abcdefghijkl").build();
        e = assertThrows(IllegalArgumentException.class,
                () -> new ConntrackCodec().encode(out, 0, MessageType.CT_NEW, 0, 1, longHelper));
        assertTrue(e.getMessage().contains("abcdefghijkl"), e.getMessage());
    }
}

package io.conntrack4j.sync;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/**
 * Messages captured from conntrackd 1.4.7 on x86_64 (spec 2.8, 2.9 and Appendix A): decoding
 * them gives the flows that were inserted with conntrack -I, and encoding those flows gives the
 * same bytes.
 */
class GoldenBytesTest {

    /** TCP ESTABLISHED, mark 0x42 (spec 2.9). */
    static final String TCP_ESTABLISHED = """
            10000054 6b066347
            000c0000 0a010101 0a020202
            00080005 0000000e
            00050002 06000000
            00080003 04570050
            00050004 03000000
            00080006 0000012c
            00080007 00000042
            0010001f 00000000 00000000 00000000
            """;

    /** UDP with SNAT and DNAT, zone 5 (spec 2.9). */
    static final String UDP_NAT_ZONE = """
            10000064 6b06635d  000c0000 0a030303 0a040404  00080005 000001ba  00050002 11000000
            00080003 14e90035  00080006 00000078  00080007 00000007
            0008000c c0a84d01
            0008000d 0a090909
            0010001f 00000000 00000000 00000000
            00060020 00050000
            """;

    /** FTP PASV expectation (spec 2.8). */
    static final String FTP_EXPECTATION = """
            1300007c 6b0663ad
            000c0000 0a320001 0a320002
            00050002 06000000
            00080003 aadd0015
            000c0004 0a320001 0a320002
            00050006 06000000
            00080007 0000a30b
            000c0008 ffffffff ffffffff
            0005000a 06000000
            0008000b 0000ffff
            0008000c 0000012c
            0008000d 00000000
            0008000e 00000000
            00080013 66747000
            """;

    /**
     * ICMP echo, id 777, with source and destination NAT (captured from conntrackd 1.4.7 by
     * ConntrackdInteropKernelTest): SPAT and DPAT carry zeros (quirk Q2).
     */
    static final String ICMP_NAT = """
            1000007c 6b067d0d
            000c0000 0a0f0001 0a100001
            00080005 000001ba
            00050002 01000000
            00050016 08000000  00050017 00000000  00060018 09030000
            00080006 0000001e
            00080007 00000000
            0008000c c0a84d01
            0008000d 0a630002
            0006000e 00000000
            0006000f 00000000
            0010001f 00000000 00000000 00000000
            """;

    private final UnsafeBuffer out = new UnsafeBuffer(new byte[ConntrackCodec.MAX_MESSAGE_LENGTH]);
    private final ReceiveCounters counters = new ReceiveCounters();

    static byte[] ip(int a, int b, int c, int d) {
        return new byte[] {(byte) a, (byte) b, (byte) c, (byte) d};
    }

    static SyncFlow tcpEstablished() {
        return new SyncFlow().origin(ip(10, 1, 1, 1), ip(10, 2, 2, 2), 1111, 80).protocol(SyncFlow.TCP)
                .status(0x0e).tcpState(3).timeout(300).mark(0x42).synproxy(0, 0, 0);
    }

    static SyncFlow udpNatZone() {
        return new SyncFlow().origin(ip(10, 3, 3, 3), ip(10, 4, 4, 4), 5353, 53).protocol(SyncFlow.UDP)
                .reply(ip(10, 9, 9, 9), ip(192, 168, 77, 1), 53, 5353)
                .status(0x1ba).timeout(120).mark(7).synproxy(0, 0, 0).zone(5);
    }

    private RecordingHandler decode(String hex) {
        byte[] bytes = Hex.bytes(hex);
        RecordingHandler handler = new RecordingHandler();
        new MessageDecoder(handler, counters, false).onDatagram(new UnsafeBuffer(bytes), 0, bytes.length);
        assertEquals(0, counters.malformed(), counters.toString());
        return handler;
    }

    @Test
    void decodesTheCapturedTcpFlow() {
        RecordingHandler handler = decode(TCP_ESTABLISHED);
        assertEquals(1, handler.flows.size());
        assertEquals(0x6b066347, handler.sequences.get(0));
        SyncFlow flow = handler.flows.get(0);
        assertArrayEquals(ip(10, 1, 1, 1), flow.originSource());
        assertArrayEquals(ip(10, 2, 2, 2), flow.originDestination());
        assertEquals(1111, flow.originSourcePort());
        assertEquals(80, flow.originDestinationPort());
        assertEquals(3, flow.tcpState());
        assertEquals(300, flow.timeout());
        assertEquals(0x42, flow.mark());
        assertEquals(-1, flow.zone());
        assertTrue(flow.hasSynproxy());
        assertEquals(tcpEstablished(), flow);
    }

    @Test
    void decodesTheCapturedNatFlowAndRebuildsItsReplyTuple() {
        SyncFlow flow = decode(UDP_NAT_ZONE).flows.get(0);
        assertArrayEquals(ip(10, 9, 9, 9), flow.replySource(), "DNAT address");
        assertArrayEquals(ip(192, 168, 77, 1), flow.replyDestination(), "SNAT address");
        assertEquals(53, flow.replySourcePort());
        assertEquals(5353, flow.replyDestinationPort());
        assertEquals(5, flow.zone());
        assertEquals(udpNatZone(), flow);
    }

    @Test
    void encodesTheCapturedTcpFlowByteForByte() {
        int length = new ConntrackCodec().encode(out, 0, MessageType.CT_NEW, 0, 0x6b066347, tcpEstablished());
        assertEquals(84, length);
        assertEquals(Hex.normalized(TCP_ESTABLISHED), Hex.of(out, 0, length));
    }

    @Test
    void encodesTheCapturedNatFlowByteForByte() {
        int length = new ConntrackCodec().encode(out, 0, MessageType.CT_NEW, 0, 0x6b06635d, udpNatZone());
        assertEquals(100, length);
        assertEquals(Hex.normalized(UDP_NAT_ZONE), Hex.of(out, 0, length));
    }

    @Test
    void portNatAndIcmpIdsAreLittleEndianAsCaptured() {
        // --src-nat 192.168.77.1:40000 gave "0006000e 409c"; --dst-nat 10.99.0.1:2121 gave "0006000f 4908".
        SyncFlow snat = new SyncFlow().origin(ip(10, 1, 1, 1), ip(10, 2, 2, 2), 1234, 80).protocol(SyncFlow.TCP)
                .reply(ip(10, 2, 2, 2), ip(192, 168, 77, 1), 80, 40000).status(0x1be);
        String hex = encode(snat);
        assertTrue(hex.contains("0008000cc0a84d01" + "0006000e409c0000"), hex);
        // A big-endian peer (s390x, ppc64) writes the same fields in network order.
        hex = encodeWith(new ConntrackCodec().hostByteOrder(java.nio.ByteOrder.BIG_ENDIAN), snat);
        assertTrue(hex.contains("0006000e9c400000"), hex);
        SyncFlow dnat = new SyncFlow().origin(ip(10, 1, 1, 1), ip(10, 2, 2, 2), 1234, 21).protocol(SyncFlow.TCP)
                .reply(ip(10, 99, 0, 1), ip(10, 1, 1, 1), 2121, 1234).status(0x12e);
        hex = encode(dnat);
        assertTrue(hex.endsWith("0008000d0a630001" + "0006000f49080000"), hex);
        // ICMP id 4660 went on the wire as "0006 0018 3412", id 777 as "0903".
        SyncFlow ping = new SyncFlow().origin(ip(10, 1, 1, 1), ip(10, 2, 2, 2), 0, 0).protocol(SyncFlow.ICMP)
                .icmp(8, 0, 4660).status(0xe);
        assertTrue(encode(ping).contains("000500160800000000050017000000000006001834120000"), encode(ping));
        assertTrue(encode(ping.icmp(8, 0, 777)).contains("0006001809030000"));
    }

    @Test
    void natdIcmpFlowsCarryTheZeroPortQuirk() {
        SyncFlow ping = new SyncFlow().origin(ip(10, 15, 0, 1), ip(10, 16, 0, 1), 0, 0).protocol(SyncFlow.ICMP)
                .icmp(8, 0, 777).reply(ip(10, 99, 0, 2), ip(192, 168, 77, 1), 0, 0).status(0x1ba).timeout(30)
                .mark(0).synproxy(0, 0, 0);
        int length = new ConntrackCodec().encode(out, 0, MessageType.CT_NEW, 0, 0x6b067d0d, ping);
        assertEquals(Hex.normalized(ICMP_NAT), Hex.of(out, 0, length));
        SyncFlow decoded = decode(ICMP_NAT).flows.get(0);
        assertEquals(777, decoded.icmpId());
        assertArrayEquals(ip(192, 168, 77, 1), decoded.replyDestination());
    }

    @Test
    void helperNamesAreNulTerminatedAndLabelsAreWords() {
        SyncFlow flow = tcpEstablished().helper("ftp").labels(0x1, 0, 0, 0x80000000);
        String hex = encode(flow);
        assertTrue(hex.contains("0008001b66747000"), hex);
        assertTrue(hex.contains("0014001c" + "00000001" + "00000000" + "00000000" + "80000000"), hex);
        int helperAt = hex.indexOf("0008001b");
        int labelsAt = hex.indexOf("0014001c");
        int synproxyAt = hex.indexOf("0010001f");
        assertTrue(helperAt < labelsAt && labelsAt < synproxyAt, "emission order helper, labels, synproxy: " + hex);
    }

    @Test
    void decodesTheCapturedExpectation() {
        byte[] bytes = Hex.bytes(FTP_EXPECTATION);
        DataMessage message = new DataMessage();
        assertTrue(message.wrap(new UnsafeBuffer(bytes), 0), message.error());
        assertTrue(message.isExpectation());
        assertEquals(MessageType.EXP_NEW, message.header().type());
        assertEquals(124, message.header().length());
        assertEquals(6, message.u8(ExpectationAttribute.MASTER_L4PROTO));
        assertEquals(43741, message.u16At(ExpectationAttribute.MASTER_PORT, 0));
        assertEquals(21, message.u16At(ExpectationAttribute.MASTER_PORT, 2));
        assertEquals(41739, message.u16At(ExpectationAttribute.EXPECT_PORT, 2));
        assertEquals(0xffff, message.u16At(ExpectationAttribute.MASK_PORT, 2));
        assertEquals(300, message.u32(ExpectationAttribute.TIMEOUT));
        assertEquals(0, message.u32(ExpectationAttribute.FLAGS));
        assertEquals("ftp", message.string(ExpectationAttribute.HELPER_NAME));
        assertFalse(message.has(ExpectationAttribute.NAT_IPV4));
        assertNull(message.error());
        RecordingHandler handler = decode(FTP_EXPECTATION);
        assertEquals(1, handler.expectations);
    }

    static SyncExpectation ftpExpectation() {
        byte[] client = ip(10, 50, 0, 1);
        byte[] server = ip(10, 50, 0, 2);
        byte[] ones = ip(255, 255, 255, 255);
        return new SyncExpectation()
                .tuple(SyncExpectation.MASTER, client, server, SyncFlow.TCP, 43741, 21)
                .tuple(SyncExpectation.EXPECTED, client, server, SyncFlow.TCP, 0, 41739)
                .tuple(SyncExpectation.MASK, ones, ones, SyncFlow.TCP, 0, 0xffff)
                .timeout(300).flags(0).expectationClass(0).helper("ftp");
    }

    @Test
    void encodesAndDecodesTheCapturedExpectationByteForByte() {
        ExpectationCodec codec = new ExpectationCodec();
        int length = codec.encode(out, 0, MessageType.EXP_NEW, 0, 0x6b0663ad, ftpExpectation());
        assertEquals(124, length);
        assertEquals(Hex.normalized(FTP_EXPECTATION), Hex.of(out, 0, length));
        DataMessage message = new DataMessage();
        assertTrue(message.wrap(new UnsafeBuffer(Hex.bytes(FTP_EXPECTATION)), 0));
        assertEquals(ftpExpectation(), codec.decode(message, new SyncExpectation()));
    }

    @Test
    void expectationNatTupleFollowsTheClass() {
        SyncExpectation nat = ftpExpectation().tuple(SyncExpectation.NAT, ip(192, 168, 77, 1), ip(10, 50, 0, 2),
                SyncFlow.TCP, 0, 50000).natDirection(1).function("nat-follow-master");
        int length = new ExpectationCodec().sendTimeout(false).encode(out, 0, MessageType.EXP_UPD, 0, 1, nat);
        String hex = Hex.of(out, 0, length);
        assertFalse(hex.contains("0008000c"), "no TIMEOUT with a CommitTimeout: " + hex);
        // FLAGS, CLASS, NAT_IPV4, NAT_L4PROTO, NAT_PORT 0 -> 50000, NAT_DIR, HELPER_NAME "ftp", then
        // FN "nat-follow-master": 17 characters + NUL (nta_len 22) + 2 bytes of padding.
        String tail = Hex.normalized("""
                0008000d 00000000
                0008000e 00000000
                000c000f c0a84d01 0a320002
                00050011 06000000
                00080010 0000c350
                00080012 00000001
                00080013 66747000
                00160014 6e61742d 666f6c6c 6f772d6d 61737465 72000000
                """);
        assertTrue(hex.endsWith(tail), hex + "\n" + tail);
        DataMessage message = new DataMessage();
        assertTrue(message.wrap(out, 0), message.error());
        assertEquals(nat.timeout(-1), new ExpectationCodec().decode(message, new SyncExpectation()));
    }

    @Test
    void decodesCapturedControlTraces() {
        // Appendix A: two ACKs in one 32-byte datagram; a NACK; a RESYNC; ALIVE|HELLO.
        RecordingHandler handler = decode("1a080010 6b066344 6b066343 6b066343  1a080010 6b066345 6b066344 6b066344"
                + "1a040010 00000375 0000036f 00000371  1a020010 00000001 00000000 00000000  1a300008 6b066333");
        assertEquals(java.util.List.of("ACK 1795580739..1795580739", "ACK 1795580740..1795580740", "NACK 879..881",
                "RESYNC 0..0", "ALIVE"), handler.controls);
    }

    @Test
    void olderPeersGetNoZoneAndReversedNatAddresses() {
        ConntrackCodec old = new ConntrackCodec().peerVersion(PeerVersion.V1_4_6);
        int length = old.encode(out, 0, MessageType.CT_NEW, 0, 0x6b06635d, udpNatZone());
        String hex = Hex.of(out, 0, length);
        assertEquals(92, length);
        assertFalse(hex.contains("00060020"), hex);
        assertTrue(hex.contains("0008000c014da8c0" + "0008000d0909090a"), hex);
        // And a 1.4.6 sender's reversed bytes decode back to the right addresses.
        DataMessage message = new DataMessage();
        assertTrue(message.wrap(out, 0));
        SyncFlow flow = old.decode(message, new SyncFlow());
        assertArrayEquals(ip(192, 168, 77, 1), flow.replyDestination());
        assertEquals(udpNatZone().zone(-1), flow);
    }

    @Test
    void optionsLeaveOutTimeoutAndAddWindowScales() {
        String hex = encodeWith(new ConntrackCodec().sendTimeout(false).tcpWindowTracking(true),
                tcpEstablished().tcpWindowScale(7, 9));
        assertFalse(hex.contains("00080006"), hex);
        assertTrue(hex.contains("00050004030000000005001907000000000500" + "1a09000000"), hex);
    }

    private String encode(SyncFlow flow) {
        return encodeWith(new ConntrackCodec(), flow);
    }

    private String encodeWith(ConntrackCodec codec, SyncFlow flow) {
        int length = codec.encode(out, 0, MessageType.CT_UPD, 0, 1, flow);
        return Hex.of(out, 0, length);
    }
}

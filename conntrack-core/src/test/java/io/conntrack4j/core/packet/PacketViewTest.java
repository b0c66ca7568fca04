package io.conntrack4j.core.packet;

import static io.conntrack4j.core.packet.Packets.bytes;
import static io.conntrack4j.core.packet.Packets.concat;
import static io.conntrack4j.core.packet.Packets.ethernet;
import static io.conntrack4j.core.packet.Packets.extension;
import static io.conntrack4j.core.packet.Packets.fragmentHeader;
import static io.conntrack4j.core.packet.Packets.icmp;
import static io.conntrack4j.core.packet.Packets.ipv4;
import static io.conntrack4j.core.packet.Packets.ipv6;
import static io.conntrack4j.core.packet.Packets.put16;
import static io.conntrack4j.core.packet.Packets.tcp;
import static io.conntrack4j.core.packet.Packets.udp;
import static io.conntrack4j.core.packet.Packets.withTransportChecksum;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.core.IpAddress;
import io.conntrack4j.core.L4Protocol;
import io.conntrack4j.core.Tuple;
import io.conntrack4j.core.internal.TupleKeys;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PacketViewTest {

    private final PacketView view = new PacketView();

    private static final byte[] SYN_OPTIONS = bytes(
            2, 4, 0x05, 0xb4,       // MSS 1460
            4, 2,                   // SACK permitted
            8, 10, 0, 0, 0, 1, 0, 0, 0, 0, // timestamps
            1,                      // NOP
            3, 3, 7);               // window scale 7

    private static byte[] tcpSyn() {
        byte[] ip = ipv4(6, "10.0.0.1", "192.168.1.2",
                tcp(40000, 443, 0xfffffff0L, 0, 0x02, 64240, SYN_OPTIONS, new byte[0]));
        return withTransportChecksum(ip, 20, 16);
    }

    @Test
    void tcpSynInQinQFrameFillsEveryField() {
        byte[] frame = ethernet(0x0800, tcpSyn(), 0x88a8_0000 | 100, 0x8100_0000 | 0xe000 | 200);
        assertEquals(ParseResult.OK, view.parseEthernet(frame, 0, frame.length));
        assertEquals(2, view.vlanCount());
        assertEquals(100, view.vlanId(0));
        assertEquals(200, view.vlanId(1));
        assertEquals(0xe000 | 200, view.vlanTci(1));
        assertEquals(0x0800, view.etherType());
        assertEquals(4, view.ipVersion());
        assertEquals(22, view.networkOffset());
        assertEquals(42, view.transportOffset());
        assertEquals(0x0a000001, view.sourceIpv4());
        assertEquals(0xc0a80102, view.destinationIpv4());
        assertEquals(64, view.ttl());
        assertEquals(0x1234, view.ipId());
        assertTrue(view.dontFragment());
        assertFalse(view.isFragment());
        assertEquals(6, view.protocol());
        assertEquals(40000, view.sourcePort());
        assertEquals(443, view.destinationPort());
        assertEquals(0xfffffff0L, view.tcpSequence());
        assertEquals(PacketView.TCP_SYN, view.tcpFlags());
        assertEquals(64240, view.tcpWindow());
        assertEquals(40, view.tcpHeaderLength());
        assertEquals(1460, view.tcpMss());
        assertEquals(7, view.tcpWindowScale());
        assertTrue(view.tcpSackPermitted());
        assertEquals(0, view.payloadLength());
        assertEquals(Tuple.ofPorts(IpAddress.parse("10.0.0.1"), IpAddress.parse("192.168.1.2"), L4Protocol.TCP,
                40000, 443), view.toTuple());
    }

    private int sackEdge(int ack, byte[] options) {
        byte[] ip = ipv4(6, "10.0.0.1", "10.0.0.2", tcp(1, 2, 3, ack & 0xffff_ffffL, 0x10, 5, options, new byte[0]));
        assertEquals(ParseResult.OK, view.parseIp(ip, 0, ip.length));
        return view.tcpSackEdge(ack);
    }

    @Test
    void sackEdgeIsTheHighestRightEdgeAfterTheAck() {
        // NOP, NOP, SACK with three blocks (right edges 3000, 9000, 5000), as Linux sends them
        byte[] sack = bytes(1, 1, 5, 26, 0, 0, 0x0b, 0xb8, 0, 0, 0x0b, 0xb8, 0, 0, 0x1f, 0x40, 0, 0, 0x23, 0x28,
                0, 0, 0x0f, 0xa0, 0, 0, 0x13, 0x88);
        assertEquals(9000, sackEdge(1000, sack));
        assertEquals(10_000, sackEdge(10_000, sack), "edges before the ACK do not count");
        // sequence-number order: 9000 is after an ACK just below 2^32
        assertEquals(9000, sackEdge(-100, sack));
        // timestamps first, then SACK
        assertEquals(9000, sackEdge(1000, concat(bytes(1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2), sack)));
    }

    @Test
    void sackEdgeFollowsLinuxsOptionWalk() {
        byte[] block = bytes(5, 10, 0, 0, 0, 100, 0, 0, 0, 200);
        assertEquals(200, sackEdge(50, concat(block, bytes(0, 0))));
        assertEquals(50, sackEdge(50, bytes(1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2)), "timestamp-only fast path");
        assertEquals(50, sackEdge(50, concat(bytes(0, 0), block)), "end of options stops the walk");
        assertEquals(50, sackEdge(50, concat(bytes(8, 1), block)), "a silly option size stops the walk");
        assertEquals(50, sackEdge(50, bytes(1, 1, 5, 18, 0, 0, 0, 100, 0, 0, 0, 200)), "partial option");
        assertEquals(50, sackEdge(50, bytes(5, 11, 0, 0, 0, 100, 0, 0, 0, 200, 0, 0)), "size not 2 + 8n");
        // only the first SACK option counts
        assertEquals(200, sackEdge(50, concat(block, bytes(5, 10, 0, 0, 0, 100, 0, 0, 1, 0), bytes(0, 0, 0, 0))));
        assertEquals(50, sackEdge(50, new byte[0]));
    }

    @Test
    void ethernetPaddingIsNotPayload() {
        byte[] ip = ipv4(6, "10.0.0.1", "10.0.0.2", tcp(1, 2, 3, 4, 0x10, 5, new byte[0], bytes('h', 'i')));
        byte[] frame = concat(ethernet(0x0800, ip), new byte[12]);
        assertEquals(ParseResult.OK, view.parseEthernet(frame, 0, frame.length));
        assertEquals(2, view.payloadLength());
        assertEquals(14 + ip.length, view.networkEnd());
        assertEquals('h', view.byteAt(view.payloadOffset()));
        assertEquals(-1, view.tcpWindowScale());
    }

    @Test
    void ipv4OptionsMoveTheTransportHeader() {
        byte[] p = ipv4(17, "10.0.0.1", "10.0.0.2", 7, 0, 3, udp(5, 6, bytes(9)), 7);
        assertEquals(ParseResult.OK, view.checkChecksums(true, false).parseIp(p, 0, p.length));
        assertEquals(28, view.transportOffset());
        assertEquals(6, view.destinationPort());
        assertEquals(1, view.payloadLength());
        assertEquals(3, view.ttl());
        assertFalse(view.dontFragment());
        assertThrows(IndexOutOfBoundsException.class, () -> view.parseIp(p, 1, p.length));
    }

    @Test
    void keysMatchTupleKeysOfTheTuple() {
        byte[] p = tcpSyn();
        view.parseIp(p, 0, p.length);
        long[] key = new long[PacketView.MAX_KEY_LONGS];
        assertEquals(2, view.writeKey(key, 7));
        Tuple t = Tuple.ofPorts(IpAddress.parse("10.0.0.1"), IpAddress.parse("192.168.1.2"), L4Protocol.TCP,
                40000, 443);
        assertEquals(TupleKeys.ipv4Key0(t), key[0]);
        assertEquals(TupleKeys.key1(t, 7), key[1]);

        byte[] v6 = ipv6(17, "2001:db8::1", "2001:db8::2", 64, udp(53, 5353, bytes(1, 2, 3)));
        assertEquals(ParseResult.OK, view.parseIp(v6, 0, v6.length));
        assertEquals(5, view.writeKey(key, 0));
        IpAddress s = IpAddress.parse("2001:db8::1");
        IpAddress d = IpAddress.parse("2001:db8::2");
        assertEquals(s.high(), key[0]);
        assertEquals(s.low(), key[1]);
        assertEquals(d.high(), key[2]);
        assertEquals(d.low(), key[3]);
        assertEquals(TupleKeys.key1(53, 5353, 17, 0), key[4]);
        assertEquals(Tuple.ofPorts(s, d, L4Protocol.UDP, 53, 5353), view.toTuple());
    }

    @Test
    void ipv6ExtensionHeadersAreWalkedToTheFirstFragment() {
        byte[] payload = concat(extension(60, 0), extension(44, 1), fragmentHeader(17, 0, true, 0xdeadbeefL),
                udp(1000, 2000, new byte[24]));
        byte[] p = ipv6(0, "fe80::1", "ff02::1", 1, payload);
        assertEquals(ParseResult.OK, view.parseIp(p, 0, p.length));
        assertEquals(3, view.extensionHeaderCount());
        assertEquals(40 + 8 + 16 + 8, view.transportOffset());
        assertTrue(view.hasFragmentHeader());
        assertTrue(view.isFragment());
        assertTrue(view.moreFragments());
        assertEquals(0xdeadbeef, view.ipId());
        assertEquals(17, view.protocol());
        assertEquals(1000, view.sourcePort());
        assertEquals(1, view.ttl());
        assertEquals(0xa1234, view.flowLabel());
    }

    @Test
    void nonFirstFragmentsHaveNoKey() {
        byte[] v6 = ipv6(44, "2001:db8::1", "2001:db8::2", 64, concat(fragmentHeader(58, 1448, false, 77), new byte[100]));
        assertEquals(ParseResult.NON_FIRST_FRAGMENT, view.parseIp(v6, 0, v6.length));
        assertEquals(1448, view.fragmentOffset());
        assertEquals(77, view.ipId());
        assertEquals(58, view.protocol());
        assertFalse(view.hasKey());
        assertEquals(0, view.writeKey(new long[5], 0));
        assertThrows(IllegalStateException.class, view::toTuple);

        byte[] v4 = ipv4(1, "10.0.0.1", "10.0.0.2", 4321, 0x2000 | 185, 64, new byte[64], 5);
        assertEquals(ParseResult.NON_FIRST_FRAGMENT, view.parseIp(v4, 0, v4.length));
        assertEquals(1480, view.fragmentOffset());
        assertTrue(view.moreFragments());
        assertEquals(4321, view.ipId());
        assertFalse(view.result().isError());
    }

    @Test
    void espAndNoNextHeaderStopTheWalk() {
        byte[] esp = ipv6(0, "::1", "::2", 64, concat(extension(50, 0), new byte[16]));
        assertEquals(ParseResult.OK, view.parseIp(esp, 0, esp.length));
        assertEquals(50, view.protocol());
        assertEquals(Tuple.ofAddresses(IpAddress.parse("::1"), IpAddress.parse("::2"), L4Protocol.of(50)), view.toTuple());
        byte[] none = ipv6(59, "::1", "::2", 64, new byte[4]);
        assertEquals(ParseResult.OK, view.parseIp(none, 0, none.length));
        assertEquals(59, view.protocol());
        byte[] ah = concat(bytes(17, 1, 0, 0), new byte[8], udp(7, 9, new byte[0])); // AH of (1 + 2) * 4 bytes
        byte[] withAh = ipv6(51, "::1", "::2", 64, ah);
        assertEquals(ParseResult.OK, view.parseIp(withAh, 0, withAh.length));
        assertEquals(17, view.protocol());
        assertEquals(9, view.destinationPort());
    }

    @Test
    void tooManyExtensionHeadersIsCounted() {
        byte[][] parts = new byte[PacketView.MAX_EXTENSION_HEADERS + 2][];
        for (int i = 0; i < parts.length - 1; i++) {
            parts[i] = extension(60, 0);
        }
        parts[parts.length - 1] = udp(1, 2, new byte[0]);
        byte[] p = ipv6(60, "::1", "::2", 64, concat(parts));
        assertEquals(ParseResult.TOO_MANY_EXTENSION_HEADERS, view.parseIp(p, 0, p.length));
    }

    @Test
    void icmpErrorQuotesAPacketThatParsesTheSameWay() {
        byte[] quoted = ipv4(17, "10.0.0.1", "10.0.0.2", udp(33000, 9999, new byte[40]));
        byte[] cut = java.util.Arrays.copyOf(quoted, 28); // IP header + 8 bytes, as routers may quote
        put16(cut, 2, quoted.length); // the quoted header still declares the full length
        byte[] error = ipv4(1, "10.0.0.2", "10.0.0.1", icmp(3, 3, 0, 0, cut));
        assertEquals(ParseResult.OK, view.parseIp(error, 0, error.length));
        assertTrue(view.isIcmpError());
        assertEquals(3, view.icmpType());
        assertEquals(3, view.icmpCode());
        assertEquals(28, PacketView.embeddedOffset(view));
        PacketView inner = new PacketView();
        assertEquals(ParseResult.OK, inner.parseEmbedded(view));
        assertEquals(33000, inner.sourcePort());
        assertEquals(9999, inner.destinationPort());
        assertEquals(Tuple.ofPorts(IpAddress.parse("10.0.0.1"), IpAddress.parse("10.0.0.2"), L4Protocol.UDP, 33000, 9999),
                inner.toTuple());

        byte[] tcpQuoted = java.util.Arrays.copyOf(ipv4(6, "10.0.0.1", "10.0.0.2",
                tcp(5, 6, 99, 0, 2, 0, new byte[0], new byte[0])), 28);
        byte[] tcpError = ipv4(1, "10.0.0.2", "10.0.0.1", icmp(11, 0, 0, 0, tcpQuoted));
        view.parseIp(tcpError, 0, tcpError.length);
        assertEquals(ParseResult.OK, inner.parseEmbedded(view));
        assertTrue(inner.isL4Truncated());
        assertEquals(99, inner.tcpSequence());
        assertEquals(6, inner.destinationPort());

        byte[] echo = ipv4(1, "10.0.0.2", "10.0.0.1", icmp(8, 0, 0x4242, 1, new byte[8]));
        view.parseIp(echo, 0, echo.length);
        assertFalse(view.isIcmpError());
        assertEquals(ParseResult.NOT_IP, inner.parseEmbedded(view));
        assertEquals(Tuple.ofIcmp(IpAddress.parse("10.0.0.2"), IpAddress.parse("10.0.0.1"), 8, 0, 0x4242), view.toTuple());
    }

    @Test
    void icmpv6ErrorsAndEcho() {
        byte[] quoted = ipv6(17, "2001:db8::1", "2001:db8::2", 64, udp(1234, 53, new byte[4]));
        byte[] error = ipv6(58, "2001:db8::2", "2001:db8::1", 64, icmp(1, 4, 0, 0, quoted));
        assertEquals(ParseResult.OK, view.parseIp(error, 0, error.length));
        assertTrue(view.isIcmpError());
        PacketView inner = new PacketView();
        assertEquals(ParseResult.OK, inner.parseEmbedded(view));
        assertEquals(53, inner.destinationPort());
        byte[] echo = ipv6(58, "2001:db8::2", "2001:db8::1", 64, icmp(128, 0, 7, 1, new byte[0]));
        assertEquals(ParseResult.OK, view.parseIp(echo, 0, echo.length));
        assertFalse(view.isIcmpError());
        assertEquals(7, view.sourceKey());
        assertEquals(128 << 8, view.destinationKey());
    }

    @Test
    void sctpChunksAreWalked() {
        byte[] sctp = concat(bytes(0x0b, 0xb8, 0x0b, 0xb9, 0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 0),
                bytes(1, 0, 0, 6, 9, 9, 0, 0),      // INIT, length 6 padded to 8
                bytes(10, 0, 0, 4));                // COOKIE_ECHO, length 4
        byte[] p = ipv4(132, "10.0.0.1", "10.0.0.2", sctp);
        assertEquals(ParseResult.OK, view.parseIp(p, 0, p.length));
        assertEquals(3000, view.sourcePort());
        assertEquals(3001, view.destinationPort());
        assertEquals(0xcafebabeL, view.sctpVerificationTag());
        assertEquals(1, view.sctpFirstChunkType());
        assertEquals(2, view.sctpChunkCount());
        List<Integer> types = new ArrayList<>();
        for (int c = view.firstSctpChunk(); c >= 0; c = view.nextSctpChunk(c)) {
            types.add(view.sctpChunkType(c));
        }
        assertEquals(List.of(1, 10), types);

        byte[] bad = ipv4(132, "10.0.0.1", "10.0.0.2", concat(java.util.Arrays.copyOf(sctp, 12), bytes(1, 0, 0, 2)));
        assertEquals(ParseResult.BAD_SCTP_CHUNK, view.parseIp(bad, 0, bad.length));
        byte[] empty = ipv4(132, "10.0.0.1", "10.0.0.2", java.util.Arrays.copyOf(sctp, 12));
        assertEquals(ParseResult.BAD_SCTP_CHUNK, view.parseIp(empty, 0, empty.length));
        assertEquals(-1, view.firstSctpChunk());
    }

    @Test
    void dccpRequest() {
        byte[] dccp = bytes(0x13, 0x88, 0x00, 0x50, 4, 0, 0, 0, 0 << 1 | 1, 0, 0, 0, 0, 0, 0, 1);
        byte[] p = ipv4(33, "10.0.0.1", "10.0.0.2", dccp);
        assertEquals(ParseResult.OK, view.parseIp(p, 0, p.length));
        assertEquals(5000, view.sourcePort());
        assertEquals(80, view.destinationPort());
        assertEquals(0, view.dccpType());
        dccp[4] = 3; // 12 bytes cannot hold the extended sequence number
        p = ipv4(33, "10.0.0.1", "10.0.0.2", dccp);
        assertEquals(ParseResult.BAD_DCCP_HEADER, view.parseIp(p, 0, p.length));
    }

    @Test
    void greVersionOneCarriesThePptpCallId() {
        byte[] pptp = bytes(0x30, 0x81, 0x88, 0x0b, 0x00, 0x10, 0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0);
        byte[] p = ipv4(47, "10.0.0.1", "10.0.0.2", concat(pptp, new byte[16]));
        assertEquals(ParseResult.OK, view.parseIp(p, 0, p.length));
        assertEquals(1, view.greVersion());
        assertTrue(view.isPptpGre());
        assertEquals(0x1234, view.greCallId());
        assertEquals(16, view.payloadLength());
        assertEquals(new Tuple(IpAddress.parse("10.0.0.1"), IpAddress.parse("10.0.0.2"), L4Protocol.GRE, 0, 0x1234,
                Tuple.NO_ZONE), view.toTuple());
        byte[] keyed = bytes(0x20, 0x00, 0x08, 0x00, 0xaa, 0xbb, 0xcc, 0xdd);
        p = ipv4(47, "10.0.0.1", "10.0.0.2", keyed);
        assertEquals(ParseResult.OK, view.parseIp(p, 0, p.length));
        assertEquals(0xaabbccdd, view.greKey());
        assertFalse(view.isPptpGre());
        assertEquals(0, view.destinationKey());
    }

    @Test
    void linuxCookedHeaders() {
        byte[] ip = tcpSyn();
        byte[] sll = new byte[16 + ip.length];
        put16(sll, 14, 0x0800);
        System.arraycopy(ip, 0, sll, 16, ip.length);
        assertEquals(ParseResult.OK, view.parse(LinkType.LINUX_SLL, sll, 0, sll.length));
        assertEquals(443, view.destinationPort());
        byte[] sll2 = new byte[20 + ip.length];
        put16(sll2, 0, 0x0800);
        System.arraycopy(ip, 0, sll2, 20, ip.length);
        assertEquals(ParseResult.OK, view.parse(LinkType.LINUX_SLL2, sll2, 0, sll2.length));
        assertEquals(20, view.networkOffset());
        put16(sll2, 0, 0x0806);
        assertEquals(ParseResult.NOT_IP, view.parse(LinkType.LINUX_SLL2, sll2, 0, sll2.length));
        assertEquals(ParseResult.BAD_IP_VERSION, view.parse(LinkType.IPV6, ip, 0, ip.length));
        assertEquals(ParseResult.OK, view.parse(LinkType.IPV4, ip, 0, ip.length));
    }

    @Test
    void directAndHeapBuffersGiveTheSameView() {
        byte[] frame = ethernet(0x86dd, ipv6(6, "2001:db8::1", "2001:db8::2", 64,
                tcp(1, 2, 3, 4, 0x18, 5, new byte[0], bytes(1, 2, 3))), 0x8100_0005);
        byte[] padded = concat(new byte[7], frame, new byte[5]);
        ByteBuffer direct = ByteBuffer.allocateDirect(padded.length).put(padded);
        direct.position(7).limit(7 + frame.length);
        long[] fromDirect = new long[5];
        assertEquals(ParseResult.OK, view.parseEthernet(direct));
        view.writeKey(fromDirect, 0);
        assertEquals(7, direct.position());
        assertEquals(3, view.payloadLength());
        long[] fromArray = new long[5];
        assertEquals(ParseResult.OK, view.parseEthernet(padded, 7, frame.length));
        view.writeKey(fromArray, 0);
        assertArrayEquals(fromArray, fromDirect);
        ByteBuffer heap = ByteBuffer.wrap(padded, 7, frame.length).slice();
        assertEquals(ParseResult.OK, view.parseEthernet(heap));
        assertEquals(5, view.vlanId(0));
        assertEquals(PacketView.TCP_PSH | PacketView.TCP_ACK, view.tcpFlags());
    }

    @Test
    void malformedHeadersGiveReasons() {
        byte[] p = tcpSyn();
        p[0] = 0x44; // IHL 16 bytes
        assertEquals(ParseResult.BAD_IPV4_HEADER_LENGTH, view.parseIp(p, 0, p.length));
        p = tcpSyn();
        p[0] = 0x4f; // IHL 60 bytes fits the 60-byte packet, but the total length says 40
        put16(p, 2, 40);
        assertEquals(ParseResult.BAD_IP_LENGTH, view.parseIp(p, 0, p.length));
        p = tcpSyn();
        put16(p, 2, p.length + 1);
        assertEquals(ParseResult.BAD_IP_LENGTH, view.parseIp(p, 0, p.length));
        p = tcpSyn();
        p[20 + 12] = 0x40; // data offset 4 words
        assertEquals(ParseResult.BAD_TCP_DATA_OFFSET, view.parseIp(p, 0, p.length));
        p = tcpSyn();
        p[20 + 12] = (byte) 0xf0; // 60 bytes: beyond the 40-byte segment
        assertEquals(ParseResult.BAD_TCP_DATA_OFFSET, view.parseIp(p, 0, p.length));
        p = ipv4(17, "10.0.0.1", "10.0.0.2", udp(1, 2, new byte[4]));
        put16(p, 24, 13);
        assertEquals(ParseResult.BAD_UDP_LENGTH, view.parseIp(p, 0, p.length));
        put16(p, 24, 7);
        assertEquals(ParseResult.BAD_UDP_LENGTH, view.parseIp(p, 0, p.length));
        p[0] = 0x55;
        assertEquals(ParseResult.BAD_IP_VERSION, view.parseIp(p, 0, p.length));
        byte[] arp = ethernet(0x0806, new byte[28]);
        assertEquals(ParseResult.NOT_IP, view.parseEthernet(arp, 0, arp.length));
        int[] tags = new int[PacketView.MAX_VLAN_TAGS + 1];
        java.util.Arrays.fill(tags, 0x8100_0001);
        byte[] deep = ethernet(0x0800, tcpSyn(), tags);
        assertEquals(ParseResult.TOO_MANY_VLAN_TAGS, view.parseEthernet(deep, 0, deep.length));
        assertEquals(ParseResult.NOT_IP, view.parse(999, deep, 0, deep.length));
    }

    @Test
    void everyTruncationIsAReasonNotACrash() {
        byte[] frame = ethernet(0x86dd, ipv6(0, "2001:db8::1", "2001:db8::2", 64,
                concat(extension(6, 0), tcp(1, 2, 3, 4, 2, 5, SYN_OPTIONS, new byte[0]))), 0x8100_0001);
        assertEquals(ParseResult.OK, view.parseEthernet(frame, 0, frame.length));
        for (int n = 0; n < frame.length; n++) {
            byte[] cut = java.util.Arrays.copyOf(frame, n);
            ParseResult r = view.parseEthernet(cut, 0, n);
            assertTrue(r.isError(), n + " bytes gave " + r);
        }
    }

    @Test
    void checksumsAreCheckedOnlyWhenAsked() {
        byte[] p = tcpSyn();
        view.checkChecksums(true, true);
        assertEquals(ParseResult.OK, view.parseIp(p, 0, p.length));
        p[10] ^= 1;
        assertEquals(ParseResult.BAD_IPV4_CHECKSUM, view.parseIp(p, 0, p.length));
        p = tcpSyn();
        p[p.length - 1] ^= 1;
        assertEquals(ParseResult.BAD_L4_CHECKSUM, view.parseIp(p, 0, p.length));
        byte[] u6 = withTransportChecksum(ipv6(17, "2001:db8::1", "2001:db8::2", 64, udp(1, 2, bytes(1, 2, 3))), 40, 6);
        assertEquals(ParseResult.OK, view.parseIp(u6, 0, u6.length));
        u6[49] ^= 0x10; // a payload byte
        assertEquals(ParseResult.BAD_L4_CHECKSUM, view.parseIp(u6, 0, u6.length));
        byte[] u4 = ipv4(17, "10.0.0.1", "10.0.0.2", udp(1, 2, bytes(1, 2, 3)));
        assertEquals(ParseResult.OK, view.parseIp(u4, 0, u4.length)); // zero: no checksum over IPv4
        byte[] echo = icmp(8, 0, 1, 2, bytes(1, 2, 3));
        put16(echo, 2, ~Packets.sum(echo, 0, echo.length, 0) & 0xffff);
        byte[] e4 = ipv4(1, "10.0.0.1", "10.0.0.2", echo);
        assertEquals(ParseResult.OK, view.parseIp(e4, 0, e4.length));
        e4[e4.length - 1] ^= 1;
        assertEquals(ParseResult.BAD_L4_CHECKSUM, view.parseIp(e4, 0, e4.length));
        byte[] e6 = withTransportChecksum(ipv6(58, "2001:db8::1", "2001:db8::2", 64, icmp(128, 0, 1, 2, bytes(7))), 40, 2);
        assertEquals(ParseResult.OK, view.parseIp(e6, 0, e6.length));
        e6[8] ^= 1; // the source address is covered through the pseudo-header
        assertEquals(ParseResult.BAD_L4_CHECKSUM, view.parseIp(e6, 0, e6.length));
        view.checkChecksums(false, false);
        assertEquals(ParseResult.OK, view.parseIp(p, 0, p.length));
    }

    @Test
    void snapLengthCutCapturesParseOnlyWhenAccepted() {
        byte[] whole = tcpSyn();
        byte[] cut = java.util.Arrays.copyOf(whole, 28);
        assertEquals(ParseResult.BAD_IP_LENGTH, view.parseIp(cut, 0, cut.length));
        view.acceptTruncatedCaptures(true).checkChecksums(true, true);
        assertEquals(ParseResult.OK, view.parseIp(cut, 0, cut.length));
        assertTrue(view.isTruncated());
        assertTrue(view.isL4Truncated());
        assertEquals(443, view.destinationPort());
        assertEquals(60, whole.length);
        assertEquals(ParseResult.OK, view.parseIp(whole, 0, whole.length));
        assertFalse(view.isTruncated());
        assertEquals(1460, view.tcpMss());
        byte[] tooShort = java.util.Arrays.copyOf(whole, 27);
        assertEquals(ParseResult.TRUNCATED_L4_HEADER, view.parseIp(tooShort, 0, tooShort.length));
        byte[] badUdp = ipv4(17, "10.0.0.1", "10.0.0.2", udp(1, 2, new byte[4]));
        put16(badUdp, 24, 13); // a whole packet stays strict
        assertEquals(ParseResult.BAD_UDP_LENGTH, view.parseIp(badUdp, 0, badUdp.length));
    }

    @Test
    void udpLiteCoverage() {
        byte[] u = udp(1, 2, new byte[12]);
        put16(u, 4, 8);
        byte[] p = ipv4(136, "10.0.0.1", "10.0.0.2", u);
        assertEquals(ParseResult.OK, view.parseIp(p, 0, p.length));
        assertEquals(8, view.udpliteCoverage());
        assertEquals(20, view.udpLength());
        put16(p, 24, 21);
        assertEquals(ParseResult.BAD_UDP_LENGTH, view.parseIp(p, 0, p.length));
    }
}

package io.conntrack4j.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.core.Connection;
import io.conntrack4j.core.L4Protocol;
import io.conntrack4j.core.SequenceAdjustment;
import io.conntrack4j.core.format.ConntrackFormat;
import io.conntrack4j.netlink.internal.Cta;
import io.conntrack4j.netlink.internal.CtaCounters;
import io.conntrack4j.netlink.internal.CtaHelp;
import io.conntrack4j.netlink.internal.CtaProtoInfo;
import io.conntrack4j.netlink.internal.CtaSecCtx;
import io.conntrack4j.netlink.internal.CtaSeqAdj;
import io.conntrack4j.netlink.internal.CtaTimestamp;
import io.conntrack4j.netlink.internal.CtMessageType;
import io.conntrack4j.netlink.internal.MessageIterator;
import io.conntrack4j.netlink.internal.MessageWriter;
import io.conntrack4j.netlink.internal.Netlink;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link ConntrackEntry#toConnection()} on every attribute the kernel can send, and on garbage. */
class ConntrackEntryConversionTest {
    private final ByteBuffer host = ByteBuffer.allocateDirect(32 * 1024).order(ByteOrder.nativeOrder());
    private final ByteBuffer network = host.duplicate().order(ByteOrder.BIG_ENDIAN);
    private final ConntrackEntry entry = new ConntrackEntry();
    private final MessageIterator messages = new MessageIterator();

    private static void putU64(MessageWriter writer, int type, long value) {
        writer.putBytes(type, ByteBuffer.allocate(8).putLong(value).array());
    }

    /** A NATed, helped, accounted, time-stamped, labelled TCP entry, then an SCTP one. */
    private static byte[] corpus() throws Exception {
        ByteBuffer buffer = ByteBuffer.allocateDirect(4096);
        MessageWriter writer = new MessageWriter(buffer);
        writer.reset();
        writer.begin(CtMessageType.NEW, Netlink.NLM_F_MULTI, 1, 2, 0);
        ConntrackTable.writeTuple(writer, Cta.TUPLE_ORIG, KernelTuple.ports(InetAddress.getByName("10.0.0.1"),
                InetAddress.getByName("10.0.0.2"), 6, 40000, 21));
        ConntrackTable.writeTuple(writer, Cta.TUPLE_REPLY, KernelTuple.ports(InetAddress.getByName("192.168.1.9"),
                InetAddress.getByName("10.0.0.1"), 6, 2121, 40000));
        ConntrackTable.writeTuple(writer, Cta.TUPLE_MASTER, KernelTuple.ports(InetAddress.getByName("10.0.0.1"),
                InetAddress.getByName("10.0.0.2"), 6, 39999, 21));
        writer.putU32(Cta.STATUS, 0x1AE);
        int protoinfo = writer.beginNest(Cta.PROTOINFO);
        int tcp = writer.beginNest(CtaProtoInfo.TCP);
        writer.putU8(CtaProtoInfo.TCP_STATE, 3);
        writer.putU8(CtaProtoInfo.TCP_WSCALE_ORIGINAL, 7);
        writer.putU8(CtaProtoInfo.TCP_WSCALE_REPLY, 9);
        writer.putBytes(CtaProtoInfo.TCP_FLAGS_ORIGINAL, new byte[] {0x23, 0});
        writer.putBytes(CtaProtoInfo.TCP_FLAGS_REPLY, new byte[] {0x03, 0});
        writer.endNest(tcp);
        writer.endNest(protoinfo);
        int counters = writer.beginNest(Cta.COUNTERS_ORIG);
        putU64(writer, CtaCounters.PACKETS, 10);
        putU64(writer, CtaCounters.BYTES, 1500);
        writer.endNest(counters);
        counters = writer.beginNest(Cta.COUNTERS_REPLY);
        putU64(writer, CtaCounters.PACKETS, 8);
        putU64(writer, CtaCounters.BYTES, 0xFFFF_FFFF_FFFFL);
        writer.endNest(counters);
        int stamp = writer.beginNest(Cta.TIMESTAMP);
        putU64(writer, CtaTimestamp.START, 1_700_000_000_000_000_000L);
        writer.endNest(stamp);
        byte[] labels = new byte[16];
        ByteBuffer.wrap(labels).order(ByteOrder.nativeOrder()).putLong(0, 1L << 5).putLong(8, 1L);
        writer.putBytes(Cta.LABELS, labels);
        int help = writer.beginNest(Cta.HELP);
        writer.putBytes(CtaHelp.NAME, "ftp\0".getBytes(StandardCharsets.US_ASCII));
        writer.endNest(help);
        int seq = writer.beginNest(Cta.SEQ_ADJ_ORIG);
        writer.putU32(CtaSeqAdj.CORRECTION_POS, 1000);
        writer.putU32(CtaSeqAdj.OFFSET_BEFORE, 0);
        writer.putU32(CtaSeqAdj.OFFSET_AFTER, 0xFFFF_FFFEL);
        writer.endNest(seq);
        int secctx = writer.beginNest(Cta.SECCTX);
        writer.putBytes(CtaSecCtx.NAME, "system_u:object_r:unlabeled_t:s0\0".getBytes(StandardCharsets.US_ASCII));
        writer.endNest(secctx);
        writer.putU32(Cta.TIMEOUT, 431999);
        writer.putU32(Cta.MARK, 0x80000000L);
        writer.putU32(Cta.USE, 1);
        writer.putU32(Cta.ID, 0xDEADBEEFL);
        writer.putU16(Cta.ZONE, 12);
        writer.end();

        writer.begin(CtMessageType.NEW, Netlink.NLM_F_MULTI, 1, 10, 0);
        ConntrackTable.writeTuple(writer, Cta.TUPLE_ORIG, KernelTuple.ports(InetAddress.getByName("2001:db8::1"),
                InetAddress.getByName("2001:db8::2"), 132, 5000, 6000));
        protoinfo = writer.beginNest(Cta.PROTOINFO);
        int sctp = writer.beginNest(CtaProtoInfo.SCTP);
        writer.putU8(CtaProtoInfo.SCTP_STATE, 4);
        writer.putU32(CtaProtoInfo.SCTP_VTAG_ORIGINAL, 0xCAFEBABEL);
        writer.putU32(CtaProtoInfo.SCTP_VTAG_REPLY, 0x1234);
        writer.endNest(sctp);
        writer.endNest(protoinfo);
        writer.putU32(Cta.STATUS, 0xA);
        writer.end();
        return Datagrams.written(writer, buffer);
    }

    private Connection next() {
        assertTrue(messages.next());
        assertTrue(entry.wrap(host, network, messages.offset(), messages.length()));
        return entry.toConnection();
    }

    @Test
    void everyAttributeReachesTheConnection() throws Exception {
        byte[] corpus = corpus();
        messages.wrap(host, Datagrams.load(host, corpus, corpus.length));

        Connection tcp = next();
        assertEquals("src=10.0.0.1 dst=10.0.0.2 sport=40000 dport=21", tcp.original().toString());
        assertEquals("src=192.168.1.9 dst=10.0.0.1 sport=2121 dport=40000", tcp.reply().toString());
        assertTrue(tcp.isDestinationNat());
        assertEquals("src=10.0.0.1 dst=10.0.0.2 sport=39999 dport=21", tcp.master().toString());
        assertEquals(0x1AE, tcp.status());
        assertEquals(3, tcp.protocolState());
        assertTrue(tcp.hasTcpWindow());
        assertEquals(0x23, tcp.tcpFlagsOriginal());
        assertEquals(0x03, tcp.tcpFlagsReply());
        assertEquals(7, tcp.tcpWindowScaleOriginal());
        assertEquals(9, tcp.tcpWindowScaleReply());
        assertEquals(10, tcp.packetsOriginal());
        assertEquals(1500, tcp.bytesOriginal());
        assertEquals(8, tcp.packetsReply());
        assertEquals(0xFFFF_FFFF_FFFFL, tcp.bytesReply());
        assertEquals(1_700_000_000_000_000_000L, tcp.startNanos());
        assertTrue(!tcp.hasStop());
        assertTrue(tcp.hasLabel(5));
        assertTrue(tcp.hasLabel(64));
        assertTrue(!tcp.hasLabel(0));
        assertEquals("ftp", tcp.helper());
        assertEquals(new SequenceAdjustment(1000, 0, 0xFFFF_FFFE), tcp.seqAdjustOriginal());
        assertNull(tcp.seqAdjustReply());
        assertEquals("system_u:object_r:unlabeled_t:s0", tcp.secctx());
        assertEquals(431999, tcp.timeout());
        assertEquals(0x80000000, tcp.mark());
        assertEquals(1, tcp.use());
        assertEquals(0xDEADBEEF, tcp.id());
        assertEquals(12, tcp.zone());
        ConntrackFormat format = ConntrackFormat.builder().extended(true).id(true)
                .clock(Clock.fixed(Instant.ofEpochSecond(1_700_000_100L), ZoneOffset.UTC)).build();
        assertEquals("ipv4     2 tcp      6 431999 ESTABLISHED src=10.0.0.1 dst=10.0.0.2 sport=40000 dport=21"
                + " packets=10 bytes=1500 src=192.168.1.9 dst=10.0.0.1 sport=2121 dport=40000 packets=8"
                + " bytes=281474976710655 [ASSURED] mark=2147483648 secctx=system_u:object_r:unlabeled_t:s0"
                + " zone=12 delta-time=100 helper=ftp use=1 id=3735928559", format.format(tcp));

        Connection sctp = next();
        assertEquals(L4Protocol.SCTP, sctp.protocol());
        assertEquals("src=2001:db8::2 dst=2001:db8::1 sport=6000 dport=5000", sctp.reply().toString(),
                "a missing reply tuple is the inverted original");
        assertEquals(4, sctp.protocolState());
        assertEquals(0xCAFEBABE, sctp.sctpVtagOriginal());
        assertEquals(0x1234, sctp.sctpVtagReply());
        assertTrue(!sctp.hasTimeout());
        assertTrue(!sctp.hasMark());
        assertEquals(0, entry.malformedAttributes());
        assertEquals(0, entry.unknownAttributes());
    }

    @Test
    void anEntryWithoutAUsableOriginalTupleIsNoConnection() throws Exception {
        ByteBuffer buffer = ByteBuffer.allocateDirect(512);
        MessageWriter writer = new MessageWriter(buffer);
        writer.begin(CtMessageType.NEW, 0, 1, 2, 0);
        writer.putU32(Cta.STATUS, 8);
        writer.end();
        writer.begin(CtMessageType.NEW, 0, 1, 2, 0);
        int orig = writer.beginNest(Cta.TUPLE_ORIG);
        int ip = writer.beginNest(1);
        writer.putBytes(1, new byte[] {10, 0, 0, 1});
        writer.putBytes(4, InetAddress.getByName("2001:db8::1").getAddress());
        writer.endNest(ip);
        writer.endNest(orig);
        writer.end();
        byte[] bytes = Datagrams.written(writer, buffer);
        messages.wrap(host, Datagrams.load(host, bytes, bytes.length));
        assertNull(next(), "no tuple");
        assertNull(next(), "mixed families, no protocol");
    }

    @Test
    void randomAndMutatedEntriesNeverThrow() throws Exception {
        byte[] corpus = corpus();
        Random random = new Random(20261125L);
        byte[] input = new byte[2048];
        long connections = 0;
        for (int iteration = 0; iteration < 100_000; iteration++) {
            System.arraycopy(corpus, 0, input, 0, corpus.length);
            int length = corpus.length;
            if (iteration % 3 == 0) {
                length = random.nextInt(corpus.length + 1);
            } else {
                for (int flips = 1 + random.nextInt(6); flips > 0; flips--) {
                    input[random.nextInt(length)] = (byte) random.nextInt(256);
                }
            }
            messages.wrap(host, Datagrams.load(host, input, length));
            while (messages.next()) {
                if (entry.wrap(host, network, messages.offset(), messages.length())) {
                    Connection c = entry.toConnection();
                    if (c != null) {
                        connections++;
                        ConntrackFormat.builder().build().format(c);
                    }
                }
            }
        }
        assertTrue(connections > 50_000, "most mutated entries still convert: " + connections);
        assertTrue(entry.malformedAttributes() + entry.unknownAttributes() > 1_000);
    }
}

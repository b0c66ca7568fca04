package io.conntrack4j.netlink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.netlink.internal.Cta;
import io.conntrack4j.netlink.internal.CtaProtoInfo;
import io.conntrack4j.netlink.internal.CtMessageType;
import io.conntrack4j.netlink.internal.MessageIterator;
import io.conntrack4j.netlink.internal.MessageWriter;
import io.conntrack4j.netlink.internal.Netlink;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The dump-path reader on hand-built and on random or mutated input: it never throws, it counts. */
class ConntrackEntryReaderTest {
    private final ByteBuffer host = ByteBuffer.allocateDirect(32 * 1024).order(ByteOrder.nativeOrder());
    private final ByteBuffer network = host.duplicate().order(ByteOrder.BIG_ENDIAN);
    private final ConntrackEntry entry = new ConntrackEntry();
    private final MessageIterator messages = new MessageIterator();

    /** Three entries (TCP/IPv4 with protoinfo and zone, UDP/IPv6, ICMP) as the kernel lays them out. */
    private static byte[] corpus() throws Exception {
        ByteBuffer buffer = ByteBuffer.allocateDirect(4096);
        MessageWriter writer = new MessageWriter(buffer);
        writer.reset();
        writer.begin(CtMessageType.NEW, Netlink.NLM_F_MULTI, 9, 2, 0);
        ConntrackTable.writeTuple(writer, Cta.TUPLE_ORIG, KernelTuple.ports(InetAddress.getByName("10.1.1.1"),
                InetAddress.getByName("10.2.2.2"), 6, 1111, 80));
        ConntrackTable.writeTuple(writer, Cta.TUPLE_REPLY, KernelTuple.ports(InetAddress.getByName("10.2.2.2"),
                InetAddress.getByName("10.1.1.1"), 6, 80, 1111));
        int protoinfo = writer.beginNest(Cta.PROTOINFO);
        int tcp = writer.beginNest(CtaProtoInfo.TCP);
        writer.putU8(CtaProtoInfo.TCP_STATE, 3);
        writer.endNest(tcp);
        writer.endNest(protoinfo);
        writer.putU32(Cta.STATUS, 0xE);
        writer.putU32(Cta.TIMEOUT, 299);
        writer.putU32(Cta.MARK, 0xFFFF_FFFFL);
        writer.putU32(Cta.ID, 557892785);
        writer.putU16(Cta.ZONE, 5);
        writer.end();
        writer.begin(CtMessageType.NEW, Netlink.NLM_F_MULTI, 9, 10, 0);
        ConntrackTable.writeTuple(writer, Cta.TUPLE_ORIG, KernelTuple.ports(InetAddress.getByName("2001:db8::1"),
                InetAddress.getByName("2001:db8::2"), 17, 53, 5353));
        writer.putU32(Cta.STATUS, 0x8);
        writer.putU32(Cta.MARK, 0);
        writer.end();
        writer.begin(CtMessageType.NEW, Netlink.NLM_F_MULTI, 9, 2, 0);
        ConntrackTable.writeTuple(writer, Cta.TUPLE_ORIG, KernelTuple.icmp(InetAddress.getByName("10.1.1.1"),
                InetAddress.getByName("10.2.2.2"), 8, 0, 77));
        writer.end();
        return Datagrams.written(writer, buffer);
    }

    /** Reads every message and every accessor, as a visitor would; returns the entries read. */
    private int readAll(int length, byte[] scratch) {
        int entries = 0;
        messages.wrap(host, length);
        while (messages.next()) {
            if (entry.wrap(host, network, messages.offset(), messages.length())) {
                entries++;
                for (TupleView t : new TupleView[] {entry.original(), entry.reply()}) {
                    t.source(scratch);
                    t.destination(scratch);
                    t.sourceIPv4();
                    t.destinationIPv4();
                    t.sourceAddress();
                    t.destinationAddress();
                    t.protocol();
                    t.sourcePort();
                    t.destinationPort();
                    t.icmpType();
                    t.icmpCode();
                    t.icmpId();
                    t.zone();
                }
                entry.status();
                entry.timeout();
                entry.mark();
                entry.id();
                entry.zone();
                entry.tcpState();
                entry.family();
            }
        }
        return entries;
    }

    @Test
    void readsWhatTheKernelLayoutCarries() throws Exception {
        byte[] corpus = corpus();
        int length = Datagrams.load(host, corpus, corpus.length);
        messages.wrap(host, length);

        assertTrue(messages.next());
        assertTrue(entry.wrap(host, network, messages.offset(), messages.length()));
        assertEquals(2, entry.family());
        assertEquals(InetAddress.getByName("10.1.1.1"), entry.original().sourceAddress());
        assertEquals(0x0A020202, entry.original().destinationIPv4());
        assertEquals(6, entry.original().protocol());
        assertEquals(1111, entry.original().sourcePort());
        assertEquals(80, entry.original().destinationPort());
        assertEquals(1111, entry.reply().destinationPort());
        assertEquals(0xE, entry.status());
        assertEquals(299, entry.timeout());
        assertEquals(0xFFFF_FFFFL, entry.mark());
        assertEquals(557892785, entry.id());
        assertEquals(5, entry.zone());
        assertEquals(3, entry.tcpState());

        assertTrue(messages.next());
        assertTrue(entry.wrap(host, network, messages.offset(), messages.length()));
        assertEquals(10, entry.family());
        byte[] address = new byte[16];
        assertEquals(16, entry.original().destination(address));
        assertArrayEquals(InetAddress.getByName("2001:db8::2").getAddress(), address);
        assertEquals(-1, entry.timeout(), "absent");
        assertEquals(-1, entry.zone(), "absent");
        assertEquals(-1, entry.tcpState(), "absent");
        assertFalse(entry.reply().present());

        assertTrue(messages.next());
        assertTrue(entry.wrap(host, network, messages.offset(), messages.length()));
        assertEquals(1, entry.original().protocol());
        assertEquals(8, entry.original().icmpType());
        assertEquals(0, entry.original().icmpCode());
        assertEquals(77, entry.original().icmpId());
        assertEquals(-1, entry.original().sourcePort());

        assertFalse(messages.next());
        assertEquals(0, messages.malformed());
        assertEquals(0, entry.malformedAttributes());
        assertEquals(0, entry.unknownAttributes());
    }

    @Test
    void aWrongSizedAttributeIsCountedAndReadsAsAbsent() {
        ByteBuffer buffer = ByteBuffer.allocateDirect(256);
        MessageWriter writer = new MessageWriter(buffer);
        writer.begin(CtMessageType.NEW, 0, 1, 2, 0);
        writer.putU16(Cta.TIMEOUT, 30);
        writer.putU32(Cta.MARK, 4);
        writer.putU32(200, 1);
        int length = writer.end();
        byte[] bytes = new byte[length];
        buffer.get(0, bytes);
        Datagrams.load(host, bytes, length);
        assertTrue(entry.wrap(host, network, 0, length));
        assertEquals(-1, entry.timeout());
        assertEquals(4, entry.mark(), "the walk goes on after a wrong-sized attribute");
        assertEquals(1, entry.malformedAttributes());
        assertEquals(1, entry.unknownAttributes());
    }

    @Test
    void cutOffAndImpossibleLengthsEndTheWalkAndAreCounted() throws Exception {
        byte[] corpus = corpus();
        int first = ByteBuffer.wrap(corpus).order(ByteOrder.nativeOrder()).getInt(0);

        // The first message's header says it is longer than the datagram.
        Datagrams.load(host, corpus, first - 1);
        assertEquals(0, readAll(first - 1, new byte[16]));
        assertEquals(1, messages.malformed());

        // An attribute length below the header size, inside an otherwise valid message.
        Datagrams.load(host, corpus, corpus.length);
        host.putShort(20, (short) 2);
        assertEquals(3, readAll(corpus.length, new byte[16]));
        assertEquals(1, entry.malformedAttributes());

        // An attribute that claims more than its message holds.
        Datagrams.load(host, corpus, corpus.length);
        host.putShort(20, (short) 0x7FFF);
        readAll(corpus.length, new byte[16]);
        assertEquals(2, entry.malformedAttributes());

        // A message too short for nfgenmsg is no entry.
        host.putInt(0, 18);
        assertFalse(entry.wrap(host, network, 0, 18));
    }

    @Test
    void randomAndMutatedDatagramsNeverThrowAndAreCounted() throws Exception {
        byte[] corpus = corpus();
        Random random = new Random(0xC0FFEEL);
        byte[] scratch = new byte[16];
        byte[] input = new byte[2048];
        long entries = 0;
        for (int iteration = 0; iteration < 200_000; iteration++) {
            int length = Datagrams.fuzzInput(random, iteration, corpus, input);
            Datagrams.load(host, input, length);
            entries += readAll(length, scratch);
        }
        assertTrue(entries > 100_000, "most mutated datagrams still hold entries: " + entries);
        assertTrue(messages.malformed() > 1_000, "malformed headers counted: " + messages.malformed());
        assertTrue(entry.malformedAttributes() > 1_000, "malformed attributes counted: " + entry.malformedAttributes());
        assertTrue(entry.unknownAttributes() > 1_000, "unknown attributes counted: " + entry.unknownAttributes());
    }
}

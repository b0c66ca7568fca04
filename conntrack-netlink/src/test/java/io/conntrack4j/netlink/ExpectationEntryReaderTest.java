package io.conntrack4j.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.core.Expectation;
import io.conntrack4j.core.IpAddress;
import io.conntrack4j.core.L4Protocol;
import io.conntrack4j.core.Tuple;
import io.conntrack4j.core.format.ExpectationFormat;
import io.conntrack4j.netlink.internal.CtaExpect;
import io.conntrack4j.netlink.internal.ExpMessageType;
import io.conntrack4j.netlink.internal.MessageIterator;
import io.conntrack4j.netlink.internal.MessageWriter;
import io.conntrack4j.netlink.internal.Netlink;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The expectation reader on hand-built messages, and on random and mutated ones: it never throws, it counts. */
class ExpectationEntryReaderTest {
    private final ByteBuffer host = ByteBuffer.allocateDirect(32 * 1024).order(ByteOrder.nativeOrder());
    private final ByteBuffer network = host.duplicate().order(ByteOrder.BIG_ENDIAN);
    private final ExpectationEntry entry = new ExpectationEntry();
    private final MessageIterator messages = new MessageIterator();

    private static IpAddress ip(String text) {
        return IpAddress.parse(text);
    }

    private static final Tuple MASTER = Tuple.ofPorts(ip("10.9.0.1"), ip("10.9.0.2"), L4Protocol.TCP, 40000, 21);
    private static final Tuple EXPECTED = Tuple.ofPorts(ip("10.9.0.2"), ip("10.9.0.1"), L4Protocol.TCP, 0, 1025);
    private static final Tuple MASK = Tuple.ofPorts(ip("255.255.255.255"), ip("255.255.255.255"), L4Protocol.TCP, 0,
            65535);
    private static final Tuple NAT = Tuple.ofPorts(ip("192.0.2.7"), ip("0.0.0.0"), L4Protocol.TCP, 2021, 0);
    private static final Tuple MASTER6 = Tuple.ofIcmp(ip("2001:db8::1"), ip("2001:db8::2"), 128, 0, 9);
    private static final Tuple EXPECTED6 = Tuple.ofPorts(ip("2001:db8::2"), ip("2001:db8::1"), L4Protocol.UDP, 0,
            5060);
    private static final Tuple MASK6 = Tuple.ofPorts(ip("ffff:ffff::"), ip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
            L4Protocol.UDP, 0, 65535);

    private static byte[] cString(String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        byte[] z = new byte[b.length + 1];
        System.arraycopy(b, 0, z, 0, b.length);
        return z;
    }

    /** Two expectations as ctnetlink_exp_dump_expect lays them out (IPv4 with NAT and a function; IPv6). */
    private static byte[] corpus() {
        ByteBuffer buffer = ByteBuffer.allocateDirect(4096);
        MessageWriter writer = new MessageWriter(buffer);
        writer.reset();
        writer.begin(ExpMessageType.NEW, Netlink.NLM_F_MULTI, 3, 2, 0);
        ConnectionEncoder.writeTuple(writer, CtaExpect.TUPLE, EXPECTED);
        ConnectionEncoder.writeTuple(writer, CtaExpect.MASK, MASK);
        ConnectionEncoder.writeTuple(writer, CtaExpect.MASTER, MASTER);
        int nat = writer.beginNest(CtaExpect.NAT);
        writer.putU32(CtaExpect.NAT_DIR, 1);
        ConnectionEncoder.writeTuple(writer, CtaExpect.NAT_TUPLE, NAT);
        writer.endNest(nat);
        writer.putU32(CtaExpect.TIMEOUT, 298);
        writer.putU32(CtaExpect.ID, 0xDEADBEEFL);
        writer.putU32(CtaExpect.FLAGS, 3);
        writer.putU32(CtaExpect.CLASS, 1);
        writer.putBytes(CtaExpect.HELP_NAME, cString("ftp"));
        writer.putBytes(CtaExpect.FN, cString("nat-follow-master"));
        writer.putU32(CtaExpect.MAX + 1, 12345);
        writer.end();
        writer.begin(ExpMessageType.NEW, Netlink.NLM_F_MULTI, 3, 10, 0);
        ConnectionEncoder.writeTuple(writer, CtaExpect.TUPLE, EXPECTED6);
        ConnectionEncoder.writeTuple(writer, CtaExpect.MASK, MASK6);
        ConnectionEncoder.writeTuple(writer, CtaExpect.MASTER, MASTER6);
        writer.putU32(CtaExpect.TIMEOUT, 7);
        writer.putU16(CtaExpect.ZONE, 42);
        writer.end();
        return Datagrams.written(writer, buffer);
    }

    @Test
    void readsWhatTheKernelLayoutCarries() {
        byte[] corpus = corpus();
        messages.wrap(host, Datagrams.load(host, corpus, corpus.length));
        assertTrue(messages.next());
        assertTrue(entry.wrap(host, network, messages.offset(), messages.length()));
        assertEquals(2, entry.family());
        assertEquals(0xDEADBEEFL, entry.id());
        assertEquals(1025, entry.tuple().destinationPort());
        assertEquals(21, entry.master().destinationPort());
        assertEquals(0, entry.mask().sourcePort());
        assertEquals(1, entry.natDirection());
        assertEquals(-1, entry.zone());
        assertEquals(new Expectation(MASTER, EXPECTED, MASK, 298, 3, 1, "ftp", "nat-follow-master",
                new Expectation.Nat(1, NAT), 0, 0xDEADBEEF), entry.toExpectation());
        // the line conntrack -L expect prints for it (conntrack shows neither NAT, function nor id)
        assertEquals("298 proto=6 src=10.9.0.2 dst=10.9.0.1 sport=0 dport=1025 mask-src=255.255.255.255 "
                + "mask-dst=255.255.255.255 sport=0 dport=65535 master-src=10.9.0.1 master-dst=10.9.0.2 sport=40000 "
                + "dport=21 PERMANENT,INACTIVE class=1 helper=ftp", ExpectationFormat.plain().format(entry.toExpectation()));
        assertEquals(1, entry.unknownAttributes());
        assertEquals(0, entry.malformedAttributes());

        assertTrue(messages.next());
        assertTrue(entry.wrap(host, network, messages.offset(), messages.length()));
        assertEquals(10, entry.family());
        assertEquals(-1, entry.natDirection());
        assertNull(entry.helper());
        assertEquals(new Expectation(MASTER6, EXPECTED6, MASK6, 7, 0, 0, null, null, null, 42, 0),
                entry.toExpectation());
    }

    @Test
    void wrongSizesAndMissingPartsAreCountedNotThrown() {
        ByteBuffer buffer = ByteBuffer.allocateDirect(1024);
        MessageWriter writer = new MessageWriter(buffer);
        writer.reset();
        writer.begin(ExpMessageType.NEW, 0, 0, 2, 0);
        ConnectionEncoder.writeTuple(writer, CtaExpect.TUPLE, EXPECTED);
        ConnectionEncoder.writeTuple(writer, CtaExpect.MASTER, MASTER);
        writer.putU16(CtaExpect.TIMEOUT, 5);
        int nat = writer.beginNest(CtaExpect.NAT);
        writer.putU32(CtaExpect.NAT_DIR, 7);
        ConnectionEncoder.writeTuple(writer, CtaExpect.NAT_TUPLE, NAT);
        writer.endNest(nat);
        writer.end();
        byte[] bytes = Datagrams.written(writer, buffer);
        messages.wrap(host, Datagrams.load(host, bytes, bytes.length));
        assertTrue(messages.next());
        assertTrue(entry.wrap(host, network, messages.offset(), messages.length()));
        assertEquals(-1, entry.timeout());
        assertEquals(1, entry.malformedAttributes());
        assertNull(entry.toExpectation(), "no mask: not an expectation");
    }

    @Test
    void randomAndMutatedMessagesNeverThrowAndAreCounted() {
        byte[] corpus = corpus();
        Random random = new Random(0xE4BEC7L);
        byte[] input = new byte[2048];
        long read = 0;
        long converted = 0;
        for (int iteration = 0; iteration < 100_000; iteration++) {
            int length = Datagrams.fuzzInput(random, iteration, corpus, input);
            messages.wrap(host, Datagrams.load(host, input, length));
            while (messages.next()) {
                if (entry.wrap(host, network, messages.offset(), messages.length())) {
                    read++;
                    entry.helper();
                    entry.function();
                    entry.master().sourceAddress();
                    entry.natTuple().toTuple();
                    Expectation e = entry.toExpectation();
                    if (e != null) {
                        converted++;
                        assertNotNull(ExpectationFormat.plain().format(e));
                    }
                }
            }
        }
        assertTrue(read > 50_000, "most mutated messages are still read: " + read);
        assertTrue(converted > 20_000, "many still make expectations: " + converted);
        assertTrue(entry.malformedAttributes() > 1_000, "malformed counted: " + entry.malformedAttributes());
        assertTrue(entry.unknownAttributes() > 1_000, "unknown counted: " + entry.unknownAttributes());
    }
}

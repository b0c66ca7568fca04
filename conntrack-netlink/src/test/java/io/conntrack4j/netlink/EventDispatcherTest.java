package io.conntrack4j.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.core.Connection;
import io.conntrack4j.core.EventType;
import io.conntrack4j.netlink.internal.Cta;
import io.conntrack4j.netlink.internal.CtaCounters;
import io.conntrack4j.netlink.internal.CtMessageType;
import io.conntrack4j.netlink.internal.CtaExpect;
import io.conntrack4j.netlink.internal.ExpMessageType;
import io.conntrack4j.netlink.internal.MessageWriter;
import io.conntrack4j.netlink.internal.Netlink;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The event reader on hand-built event datagrams, and on random and mutated ones: counted, never thrown. */
class EventDispatcherTest {
    private static final int OWN_PORT = 0x7abc_0001;
    private static final int OTHER_PORT = -12345;

    private final ByteBuffer host = ByteBuffer.allocateDirect(32 * 1024).order(ByteOrder.nativeOrder());
    private final EventDispatcher dispatcher = new EventDispatcher(host);

    /** One event message as ctnetlink sends it: seq 0, nlmsg_pid = the causing socket. */
    private static byte[] event(int type, int flags, int portId, boolean counters) throws Exception {
        ByteBuffer buffer = ByteBuffer.allocateDirect(1024).order(ByteOrder.nativeOrder());
        MessageWriter writer = new MessageWriter(buffer);
        writer.reset();
        writer.begin(type, flags, 0, 2, 0);
        ConntrackTable.writeTuple(writer, Cta.TUPLE_ORIG, KernelTuple.ports(InetAddress.getByName("10.1.1.1"),
                InetAddress.getByName("10.2.2.2"), 17, 1111, 53));
        ConntrackTable.writeTuple(writer, Cta.TUPLE_REPLY, KernelTuple.ports(InetAddress.getByName("10.2.2.2"),
                InetAddress.getByName("10.1.1.1"), 17, 53, 1111));
        writer.putU32(Cta.STATUS, 0x8);
        writer.putU32(Cta.TIMEOUT, 30);
        writer.putU32(Cta.MARK, 7);
        if (counters) {
            int nest = writer.beginNest(Cta.COUNTERS_ORIG);
            writer.putBytes(CtaCounters.PACKETS, new byte[] {0, 0, 0, 0, 0, 0, 0, 3});
            writer.putBytes(CtaCounters.BYTES, new byte[] {0, 0, 0, 0, 0, 0, 0, (byte) 200});
            writer.endNest(nest);
        }
        writer.putU32(Cta.ID, 99);
        writer.end();
        buffer.putInt(12, portId);
        return Datagrams.written(writer, buffer);
    }

    private static List<byte[]> corpus() throws Exception {
        return List.of(
                event(CtMessageType.NEW, Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL, OWN_PORT, false),
                event(CtMessageType.NEW, 0, 0, false),
                event(CtMessageType.DELETE, 0, OTHER_PORT, true));
    }

    record Seen(EventType type, Connection connection, int portId, boolean own) {
    }

    @Test
    void typesPortIdsAndOwnershipComeFromTheHeader() throws Exception {
        dispatcher.addOwnPortId(OWN_PORT);
        List<Seen> seen = new ArrayList<>();
        for (byte[] datagram : corpus()) {
            assertEquals(1, dispatcher.dispatch(Datagrams.load(host, datagram, datagram.length),
                    (type, entry, portId, own) -> seen.add(new Seen(type, entry.toConnection(), portId, own))));
        }
        assertEquals(List.of(EventType.NEW, EventType.UPDATE, EventType.DESTROY), seen.stream().map(Seen::type).toList());
        assertEquals(List.of(OWN_PORT, 0, OTHER_PORT), seen.stream().map(Seen::portId).toList());
        assertEquals(List.of(true, false, false), seen.stream().map(Seen::own).toList());
        assertEquals(7, seen.get(0).connection().mark());
        assertFalse(seen.get(1).connection().hasCountersOriginal());
        assertEquals(3, seen.get(2).connection().packetsOriginal());
        assertEquals(200, seen.get(2).connection().bytesOriginal());
        assertEquals(3, dispatcher.events());
        assertEquals(0, dispatcher.ignored() + dispatcher.malformed());
    }

    @Test
    void badAttributesOfADeliveredEventAreSkippedAndCounted() throws Exception {
        ByteBuffer buffer = ByteBuffer.allocateDirect(1024).order(ByteOrder.nativeOrder());
        MessageWriter writer = new MessageWriter(buffer);
        writer.reset();
        writer.begin(CtMessageType.NEW, 0, 0, 2, 0);
        ConntrackTable.writeTuple(writer, Cta.TUPLE_ORIG, KernelTuple.ports(InetAddress.getByName("10.1.1.1"),
                InetAddress.getByName("10.2.2.2"), 17, 1111, 53));
        writer.putU16(Cta.MARK, 7);           // a mark is 4 bytes: malformed, skipped
        writer.putU32(Cta.MAX + 1, 1);        // a newer kernel's attribute: unknown, skipped
        writer.putU32(Cta.TIMEOUT, 30);       // still read after both
        writer.end();
        byte[] datagram = Datagrams.written(writer, buffer);
        Connection[] seen = {null};
        assertEquals(1, dispatcher.dispatch(Datagrams.load(host, datagram, datagram.length),
                (type, entry, portId, own) -> seen[0] = entry.toConnection()));
        assertEquals(1, dispatcher.malformedAttributes());
        assertEquals(1, dispatcher.unknownAttributes());
        assertEquals(0, seen[0].mark());
        assertEquals(30, seen[0].timeout());
    }

    @Test
    void otherMessagesAreCountedNotHandedOver() throws Exception {
        // a conntrack-statistics reply is no event
        byte[] expectation = event(CtMessageType.GET_STATS, Netlink.NLM_F_CREATE, 0, false);
        byte[] shortEvent = new byte[Netlink.NLMSG_HDRLEN];
        ByteBuffer.wrap(shortEvent).order(ByteOrder.nativeOrder()).putInt(0, Netlink.NLMSG_HDRLEN)
                .putShort(4, (short) CtMessageType.DELETE);
        int[] calls = {0};
        assertEquals(0, dispatcher.dispatch(Datagrams.load(host, expectation, expectation.length), (t, e, p, o) -> calls[0]++));
        assertEquals(0, dispatcher.dispatch(Datagrams.load(host, shortEvent, shortEvent.length), (t, e, p, o) -> calls[0]++));
        assertEquals(0, calls[0]);
        assertEquals(1, dispatcher.ignored());
        assertEquals(1, dispatcher.malformed());
    }

    @Test
    void randomAndMutatedDatagramsAreCountedNeverThrown() throws Exception {
        List<byte[]> corpus = corpus();
        Random random = new Random(0xE7E27L);
        byte[] scratch = new byte[16];
        long handed = 0;
        long converted = 0;
        for (int iteration = 0; iteration < 200_000; iteration++) {
            byte[] datagram;
            if (iteration % 10 == 0) {
                datagram = new byte[random.nextInt(300)];
                random.nextBytes(datagram);
            } else {
                datagram = corpus.get(random.nextInt(corpus.size())).clone();
                int mutations = 1 + random.nextInt(4);
                for (int m = 0; m < mutations && datagram.length > 0; m++) {
                    int at = random.nextInt(datagram.length);
                    switch (random.nextInt(3)) {
                        case 0 -> datagram[at] = (byte) random.nextInt(256);
                        case 1 -> datagram[at] ^= (byte) (1 << random.nextInt(8));
                        default -> datagram = Arrays.copyOf(datagram, at);
                    }
                }
            }
            int before = (int) dispatcher.events();
            int[] calls = {0, 0};
            int delivered = dispatcher.dispatch(Datagrams.load(host, datagram, datagram.length), new ConntrackEventHandler() {
                @Override
                public void onEvent(EventType type, ConntrackEntry entry, int portId, boolean own) {
                    calls[0]++;
                    assertNotNull(type);
                    entry.original().source(scratch);
                    entry.reply().destination(scratch);
                    if (entry.toConnection() != null) {
                        calls[1]++;
                    }
                }

                @Override
                public void onExpectation(EventType type, ExpectationEntry expectation, int portId, boolean own) {
                    // a mutated type can make an expectation message of a conntrack one
                    calls[0]++;
                    assertNotNull(type);
                    expectation.toExpectation();
                }
            });
            assertEquals(calls[0], delivered);
            assertEquals(before + delivered, dispatcher.events());
            handed += delivered;
            converted += calls[1];
        }
        // the mutations left most events readable and broke many: both paths were exercised
        assertTrue(handed > 50_000, "handed " + handed);
        assertTrue(converted > 20_000, "converted " + converted);
        assertTrue(dispatcher.ignored() + dispatcher.malformed() > 10_000,
                "counted " + (dispatcher.ignored() + dispatcher.malformed()));
        assertTrue(dispatcher.malformedAttributes() > 1_000, "malformed attributes " + dispatcher.malformedAttributes());
        assertTrue(dispatcher.unknownAttributes() > 100, "unknown attributes " + dispatcher.unknownAttributes());
    }

    @Test
    void expectationEventsGoToTheirOwnCallback() throws Exception {
        dispatcher.addOwnPortId(OWN_PORT);
        ByteBuffer buffer = ByteBuffer.allocateDirect(1024).order(ByteOrder.nativeOrder());
        MessageWriter writer = new MessageWriter(buffer);
        writer.reset();
        io.conntrack4j.core.Tuple master = io.conntrack4j.core.Tuple.ofPorts(io.conntrack4j.core.IpAddress.parse("10.0.0.1"),
                io.conntrack4j.core.IpAddress.parse("10.0.0.2"), io.conntrack4j.core.L4Protocol.TCP, 4000, 21);
        for (int type : new int[] {ExpMessageType.NEW, ExpMessageType.DELETE}) {
            writer.begin(type, type == ExpMessageType.NEW ? Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL : 0, 0, 2, 0);
            ConnectionEncoder.writeTuple(writer, CtaExpect.MASTER, master);
            ConnectionEncoder.writeTuple(writer, CtaExpect.TUPLE, master.inverse());
            ConnectionEncoder.writeTuple(writer, CtaExpect.MASK, master);
            writer.end();
        }
        buffer.putInt(12, OWN_PORT);
        byte[] bytes = Datagrams.written(writer, buffer);
        List<String> seen = new ArrayList<>();
        int delivered = dispatcher.dispatch(Datagrams.load(host, bytes, bytes.length), new ConntrackEventHandler() {
            @Override
            public void onEvent(EventType type, ConntrackEntry entry, int portId, boolean own) {
                seen.add("conntrack " + type);
            }

            @Override
            public void onExpectation(EventType type, ExpectationEntry e, int portId, boolean own) {
                seen.add(type + " " + e.toExpectation().master().sourcePort() + " " + own);
            }
        });
        assertEquals(2, delivered);
        assertEquals(List.of("NEW 4000 true", "DESTROY 4000 false"), seen);
    }
}

package io.conntrack4j.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/** The receive checks of spec 2.11, one by one, with the counter each failure must land in. */
class MessageDecoderTest {

    private static final String GOOD = GoldenBytesTest.TCP_ESTABLISHED;
    private static final String ALIVE = "1a100008 00000009";
    private static final String ACK = "1a080010 0000000a 00000001 00000002";

    private final ReceiveCounters counters = new ReceiveCounters();
    private final RecordingHandler handler = new RecordingHandler();

    private void datagram(String hex) {
        byte[] bytes = Hex.bytes(hex);
        new MessageDecoder(handler, counters, false).onDatagram(new UnsafeBuffer(bytes), 0, bytes.length);
    }

    /** The good TCP message with its header kept and its body replaced. */
    private static String withBody(String body) {
        int length = 8 + Hex.bytes(body).length;
        return String.format("1000%04x 00000001", length) + body;
    }

    @Test
    void severalMessagesInOneDatagramAreAllDelivered() {
        datagram(GOOD + ALIVE + GoldenBytesTest.UDP_NAT_ZONE + ACK);
        assertEquals(0, counters.malformed());
        assertEquals(2, handler.flows.size());
        assertEquals(List.of("ALIVE", "ACK 1..2"), handler.controls);
    }

    @Test
    void truncatedTailIsCountedAndTheRestDiscarded() {
        datagram(ALIVE + "1a1000");
        assertEquals(1, counters.truncated());
        assertEquals(1, counters.malformed());
        assertEquals(List.of("ALIVE"), handler.controls);
    }

    @Test
    void zeroOrOversizedLengthIsBadSize() {
        datagram("1a100000 00000001" + ALIVE);
        assertEquals(1, counters.badSize());
        datagram("1a100009 00000001");
        assertEquals(2, counters.badSize());
        datagram("1a100007 00000001" + ALIVE);
        assertEquals(3, counters.badSize());
        assertEquals(3, counters.malformed());
        assertEquals(0, handler.delivered(), "the rest of each datagram is discarded");
    }

    @Test
    void controlMessagesWithARangeNeedSixteenBytes() {
        datagram("1a080008 00000001");
        assertEquals(1, counters.truncated(), "fewer than 16 bytes left");
        datagram("1a08000c 00000001 00000000 00000000");
        assertEquals(1, counters.badSize(), "length below 16");
        datagram("1a02000c 00000001 00000000 00000000");
        assertEquals(2, counters.badSize(), "RESYNC too");
        assertEquals(0, handler.delivered());
    }

    @Test
    void wrongVersionSkipsOnlyThatMessage() {
        datagram(GOOD.replaceFirst("10000054", "20000054") + ALIVE);
        assertEquals(1, counters.wrongVersion());
        assertEquals(1, counters.malformed());
        assertEquals(List.of("ALIVE"), handler.controls);
        assertEquals(0, handler.flows.size());
    }

    @Test
    void badTypesAndFlagsAreMalformedHeaders() {
        datagram("17000008 00000001" + "1a000008 00000002" + "10080008 00000003" + ALIVE);
        assertEquals(3, counters.malformedHeader(), "type 7, CTL without bits, data with ACK");
        assertEquals(0, counters.badType(), "conntrackd counts data types 6-9 as malformed header (Q21)");
        assertEquals(List.of("ALIVE"), handler.controls);
    }

    @Test
    void theHandlerCanRefuseOrDropAHeader() {
        MessageHandler notrack = new MessageHandler() {
            @Override
            public HeaderVerdict onHeader(MessageHeader header, MessageKind kind) {
                return kind == MessageKind.ACK ? HeaderVerdict.MALFORMED_HEADER
                        : kind == MessageKind.ALIVE ? HeaderVerdict.DROP : HeaderVerdict.PROCESS;
            }

            @Override
            public void onControl(MessageHeader header, MessageKind kind) {
                handler.onControl(header, kind);
            }

            @Override
            public void onData(DataMessage message) {
                handler.onData(message);
            }
        };
        byte[] bytes = Hex.bytes(ACK + ALIVE + GOOD);
        new MessageDecoder(notrack, counters, false).onDatagram(new UnsafeBuffer(bytes), 0, bytes.length);
        assertEquals(1, counters.malformedHeader());
        assertEquals(1, counters.malformed());
        assertEquals(List.of(), handler.controls);
        assertEquals(1, handler.flows.size());
    }

    @Test
    void badAttributesDropTheWholeMessage() {
        // Each was probed against a real conntrackd receiver (spec Appendix B).
        datagram(withBody("000c0000 0a010101 0a020202  00050028 06000000") + ALIVE);
        assertEquals(1, counters.malformedPayload(), "unknown attribute 40");
        datagram(withBody("000c0000 0a010101 0a020202  00080002 06000000"));
        assertEquals(2, counters.malformedPayload(), "L4PROTO with nta_len 8");
        datagram(withBody("000c0000 0a010101 0a020202  0011001b 61626364 65666768 696a6b6c 00000000"));
        assertEquals(3, counters.malformedPayload(), "12-character helper");
        datagram(withBody("000c0000 0a010101 0a020202  00210005 00000000"));
        assertEquals(4, counters.malformedPayload(), "type 33");
        datagram(withBody("000c0000 0a010101 0a020202  00030002 00000000"));
        assertEquals(5, counters.malformedPayload(), "nta_len below 4");
        datagram(withBody("000c0000 0a010101 0a020202  00100002 06000000"));
        assertEquals(6, counters.malformedPayload(), "nta_len beyond the message");
        datagram("13000010 00000001 00050015 06000000");
        assertEquals(7, counters.malformedPayload(), "expectation type 21");
        assertEquals(7, counters.malformed());
        assertEquals(List.of("ALIVE"), handler.controls, "the next message is still processed");
        assertEquals(0, handler.flows.size());
    }

    @Test
    void acceptsWhatConntrackdAccepts() {
        // An 11-character helper fits; zone and labels are fine; trailing bytes of 4 or fewer are ignored.
        datagram(withBody("""
                000c0000 0a010101 0a020202
                00050002 06000000
                0010001b 61626364 65666768 696a6b00
                00060020 00050000
                0014001c 00000001 00000000 00000000 00000000
                deadbeef
                """));
        assertEquals(0, counters.malformed(), counters.toString());
        SyncFlow flow = handler.flows.get(0);
        assertEquals("abcdefghijk", flow.helper());
        assertEquals(5, flow.zone());
        assertEquals(1, flow.labels()[0]);
    }

    @Test
    void lastAttributeWinsWhenRepeated() {
        datagram(withBody("000c0000 0a010101 0a020202  00080007 00000001  00080007 00000002"));
        assertEquals(2, handler.flows.get(0).mark());
    }

    @Test
    void streamModeKeepsAPartialTrailingMessage() {
        byte[] bytes = Hex.bytes(GOOD + ACK + ALIVE);
        MessageDecoder decoder = new MessageDecoder(handler, counters, true);
        UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        // Split inside the first header, inside the body, and inside the ACK's range.
        decoder.onStreamBytes(buffer, 0, 5);
        assertEquals(5, decoder.pendingBytes());
        decoder.onStreamBytes(buffer, 5, 50);
        assertEquals(55, decoder.pendingBytes());
        decoder.onStreamBytes(buffer, 55, 84 + 10 - 55);
        assertEquals(1, handler.flows.size());
        assertEquals(10, decoder.pendingBytes());
        decoder.onStreamBytes(buffer, 94, bytes.length - 94);
        assertEquals(0, decoder.pendingBytes());
        assertEquals(List.of("ACK 1..2", "ALIVE"), handler.controls);
        assertEquals(0, counters.malformed());
    }

    @Test
    void streamModeFeedsByteByByte() {
        byte[] bytes = Hex.bytes(GOOD + GoldenBytesTest.UDP_NAT_ZONE + ACK);
        MessageDecoder decoder = new MessageDecoder(handler, counters, true);
        UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        for (int i = 0; i < bytes.length; i++) {
            decoder.onStreamBytes(buffer, i, 1);
        }
        assertEquals(2, handler.flows.size());
        assertEquals(1, handler.controls.size());
        assertEquals(0, counters.malformed());
    }

    @Test
    void streamModeStillCountsLengthsThatCanNeverBeRight() {
        MessageDecoder decoder = new MessageDecoder(handler, counters, true);
        byte[] bytes = Hex.bytes("1a100000 00000001 " + ALIVE);
        decoder.onStreamBytes(new UnsafeBuffer(bytes), 0, bytes.length);
        assertEquals(1, counters.badSize());
        assertEquals(0, decoder.pendingBytes());
    }

    @Test
    void largeStreamWritesAreProcessedInReceiveBufferSizedChunks() {
        UnsafeBuffer one = new UnsafeBuffer(Hex.bytes(GOOD));
        int count = 2000; // 168000 bytes, more than two receive buffers
        UnsafeBuffer big = new UnsafeBuffer(new byte[84 * count]);
        for (int i = 0; i < count; i++) {
            big.putBytes(84 * i, one, 0, 84);
        }
        MessageDecoder decoder = new MessageDecoder(handler, counters, true);
        decoder.onStreamBytes(big, 0, big.capacity());
        assertEquals(count, handler.flows.size());
        assertEquals(0, counters.malformed());
        assertTrue(decoder.lastRejection() == null);
    }
}

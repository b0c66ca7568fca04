package io.conntrack4j.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class MessageHeaderTest {

    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);

    @Test
    void capturedControlHeadersClassify() {
        // First bytes of control messages captured from conntrackd 1.4.7 (spec 2.4, Appendix A).
        assertEquals(MessageKind.ALIVE, kindOf("1a300008 00000001"));
        assertEquals(MessageKind.ACK, kindOf("1a680010 00000001 00000002 00000003"));
        assertEquals(MessageKind.ACK, kindOf("1a480010 00000001 00000002 00000003"));
        assertEquals(MessageKind.ACK, kindOf("1a080010 00000001 00000002 00000003"));
        assertEquals(MessageKind.NACK, kindOf("1a040010 00000001 00000002 00000003"));
        assertEquals(MessageKind.RESYNC, kindOf("1a020010 00000001 00000000 00000000"));
        assertEquals(MessageKind.DATA, kindOf("10000054 6b066347"));
        assertEquals(MessageKind.DATA, kindOf("13000054 6b066347"));
    }

    @Test
    void firstControlBitWinsInTheOrderAckNackResyncAlive() {
        assertEquals(MessageKind.ACK, MessageKind.classify(10, 0x08 | 0x04 | 0x02 | 0x10));
        assertEquals(MessageKind.NACK, MessageKind.classify(10, 0x04 | 0x02 | 0x10));
        assertEquals(MessageKind.RESYNC, MessageKind.classify(10, 0x02 | 0x10));
        assertEquals(MessageKind.ALIVE, MessageKind.classify(10, 0x10 | 0x20 | 0x40));
    }

    @Test
    void badCombinationsAreBadHeaders() {
        assertEquals(MessageKind.BAD_HEADER, MessageKind.classify(10, 0), "CTL without a control bit");
        assertEquals(MessageKind.BAD_HEADER, MessageKind.classify(10, 0x20), "CTL with only HELLO");
        assertEquals(MessageKind.BAD_HEADER, MessageKind.classify(0, 0x08), "data with ACK");
        assertEquals(MessageKind.BAD_HEADER, MessageKind.classify(1, 0x01), "data with the unused bit");
        assertEquals(MessageKind.BAD_HEADER, MessageKind.classify(2, 0x80), "data with bit 7");
        for (int type : new int[] {6, 7, 8, 9, 11, 15}) {
            assertEquals(MessageKind.BAD_HEADER, MessageKind.classify(type, 0), "type " + type);
            assertEquals(MessageKind.BAD_HEADER, MessageKind.classify(type, 0x08), "type " + type + " ACK");
        }
        assertEquals(MessageKind.DATA, MessageKind.classify(5, 0x60), "HELLO bits are allowed on data");
    }

    @Test
    void writesTheCapturedAckAndAliveBytes() {
        // Appendix A: "1a 08 0010 | seq from to" and "1a 10 0008 | seq".
        int length = MessageHeader.writeControl(buffer, 0, MessageFlags.ACK, 0x6b066336, 0x6b066335, 0x6b066335);
        assertEquals(16, length);
        assertEquals("1a0800106b0663366b0663356b066335", Hex.of(buffer, 0, length));
        length = MessageHeader.writeAlive(buffer, 0, MessageFlags.HELLO, 0x6b066338);
        assertEquals("1a3000086b066338", Hex.of(buffer, 0, length));
        length = MessageHeader.writeControl(buffer, 0, MessageFlags.RESYNC, 7, 0, 0);
        assertEquals("1a0200100000000700000000" + "00000000", Hex.of(buffer, 0, length));
    }

    @Test
    void readsAllFieldsBigEndian() {
        buffer.putBytes(0, Hex.bytes("1a680010 fffffffe 80000001 00000102"));
        MessageHeader header = new MessageHeader().wrap(buffer, 0);
        assertEquals(1, header.version());
        assertEquals(MessageType.CTL, header.type());
        assertEquals(0x68, header.flags());
        assertEquals(16, header.length());
        assertEquals(-2, header.sequence());
        assertEquals(0x80000001, header.from());
        assertEquals(0x102, header.to());
    }

    private MessageKind kindOf(String hex) {
        byte[] bytes = Hex.bytes(hex);
        buffer.putBytes(0, bytes);
        return new MessageHeader().wrap(buffer, 0).kind();
    }
}

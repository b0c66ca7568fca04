package io.conntrack4j.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class DataMessageTest {

    private final DataMessage message = new DataMessage();

    @Test
    void aMessageLongerThanItsBufferIsRefusedNotThrown() {
        byte[] bytes = Hex.bytes(GoldenBytesTest.TCP_ESTABLISHED);
        assertFalse(message.wrap(new UnsafeBuffer(bytes, 0, 60), 0));
        assertTrue(message.error().contains("runs past the buffer"), message.error());
    }

    @Test
    void errorsNameTheAttributeAndItsPosition() {
        byte[] bytes = Hex.bytes("1000001c 00000001 000c0000 0a010101 0a020202 00080002 06000000");
        assertFalse(message.wrap(new UnsafeBuffer(bytes), 0));
        assertEquals("L4PROTO has length 8, not 5", message.error());
        assertEquals(20, message.errorOffset());
        assertFalse(message.has(ConntrackAttribute.IPV4), "nothing is readable from a refused message");
    }

    @Test
    void readingAnAbsentAttributeIsAClearError() {
        assertTrue(message.wrap(new UnsafeBuffer(Hex.bytes(GoldenBytesTest.TCP_ESTABLISHED)), 0));
        IllegalStateException absent = assertThrows(IllegalStateException.class,
                () -> message.u16(ConntrackAttribute.ZONE));
        assertEquals("attribute ZONE (32) is absent", absent.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> message.u32At(ConntrackAttribute.PORT, 2));
        assertEquals(0x0457, message.u16At(ConntrackAttribute.PORT, 0));
    }

    @Test
    void aReusedFlyweightForgetsThePreviousMessage() {
        assertTrue(message.wrap(new UnsafeBuffer(Hex.bytes(GoldenBytesTest.UDP_NAT_ZONE)), 0));
        assertTrue(message.has(ConntrackAttribute.ZONE));
        assertTrue(message.wrap(new UnsafeBuffer(Hex.bytes(GoldenBytesTest.TCP_ESTABLISHED)), 0));
        assertFalse(message.has(ConntrackAttribute.ZONE));
        assertFalse(message.has(ConntrackAttribute.SNAT_IPV4));
    }
}

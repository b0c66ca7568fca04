package io.conntrack4j.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class MessageTypeTest {

    @Test
    void capturedFirstBytesDecode() {
        // 0x10, 0x11, 0x12, 0x13 and 0x1a were seen on the wire from conntrackd 1.4.7.
        assertEquals(MessageType.CT_NEW, MessageType.fromWire(0x10 & 0x0f));
        assertEquals(MessageType.CT_UPD, MessageType.fromWire(0x11 & 0x0f));
        assertEquals(MessageType.CT_DEL, MessageType.fromWire(0x12 & 0x0f));
        assertEquals(MessageType.EXP_NEW, MessageType.fromWire(0x13 & 0x0f));
        assertEquals(MessageType.CTL, MessageType.fromWire(0x1a & 0x0f));
    }

    @Test
    void typesConntrackdRejectsHaveNoConstant() {
        for (int nibble : new int[] {6, 7, 8, 9, 11, 12, 13, 14, 15, -1, 16}) {
            assertNull(MessageType.fromWire(nibble), "nibble " + nibble);
        }
    }
}

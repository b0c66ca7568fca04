package io.conntrack4j.sync;

import java.nio.ByteOrder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Writes attribute TLVs: {@code nta_len} (u16 BE, unpadded) then {@code nta_attr} (u16 BE), the
 * payload, and zero padding to the next multiple of 4. Each method returns the next free offset.
 */
final class AttributeWriter {
    static final int HEADER = 4;

    private AttributeWriter() {
    }

    private static int header(MutableDirectBuffer buffer, int offset, int type, int payloadLength) {
        int length = HEADER + payloadLength;
        buffer.putShort(offset, (short) length, ByteOrder.BIG_ENDIAN);
        buffer.putShort(offset + 2, (short) type, ByteOrder.BIG_ENDIAN);
        int end = offset + ((length + 3) & ~3);
        // Zero the padding now; the payload overwrites the rest.
        for (int i = offset + length; i < end; i++) {
            buffer.putByte(i, (byte) 0);
        }
        return end;
    }

    static int u8(MutableDirectBuffer buffer, int offset, int type, int value) {
        int end = header(buffer, offset, type, 1);
        buffer.putByte(offset + HEADER, (byte) value);
        return end;
    }

    static int u16(MutableDirectBuffer buffer, int offset, int type, int value, ByteOrder order) {
        int end = header(buffer, offset, type, 2);
        buffer.putShort(offset + HEADER, (short) value, order);
        return end;
    }

    static int u32(MutableDirectBuffer buffer, int offset, int type, long value) {
        int end = header(buffer, offset, type, 4);
        buffer.putInt(offset + HEADER, (int) value, ByteOrder.BIG_ENDIAN);
        return end;
    }

    static int u32x3(MutableDirectBuffer buffer, int offset, int type, long first, long second, long third) {
        int end = header(buffer, offset, type, 12);
        buffer.putInt(offset + HEADER, (int) first, ByteOrder.BIG_ENDIAN);
        buffer.putInt(offset + HEADER + 4, (int) second, ByteOrder.BIG_ENDIAN);
        buffer.putInt(offset + HEADER + 8, (int) third, ByteOrder.BIG_ENDIAN);
        return end;
    }

    static int u32s(MutableDirectBuffer buffer, int offset, int type, long[] values) {
        int end = header(buffer, offset, type, 4 * values.length);
        for (int i = 0; i < values.length; i++) {
            buffer.putInt(offset + HEADER + 4 * i, (int) values[i], ByteOrder.BIG_ENDIAN);
        }
        return end;
    }

    static int u32s(MutableDirectBuffer buffer, int offset, int type, int[] values) {
        int end = header(buffer, offset, type, 4 * values.length);
        for (int i = 0; i < values.length; i++) {
            buffer.putInt(offset + HEADER + 4 * i, values[i], ByteOrder.BIG_ENDIAN);
        }
        return end;
    }

    /** Two byte ranges back to back: a source and destination address pair. */
    static int pair(MutableDirectBuffer buffer, int offset, int type, byte[] first, byte[] second, int each) {
        int end = header(buffer, offset, type, 2 * each);
        buffer.putBytes(offset + HEADER, first, 0, each);
        buffer.putBytes(offset + HEADER + each, second, 0, each);
        return end;
    }

    static int bytes(MutableDirectBuffer buffer, int offset, int type, byte[] value, int length) {
        int end = header(buffer, offset, type, length);
        buffer.putBytes(offset + HEADER, value, 0, length);
        return end;
    }

    static int bytes(MutableDirectBuffer buffer, int offset, int type, DirectBuffer value, int at, int length) {
        int end = header(buffer, offset, type, length);
        buffer.putBytes(offset + HEADER, value, at, length);
        return end;
    }

    /** Two u16 big-endian values: a port group (source, destination). */
    static int ports(MutableDirectBuffer buffer, int offset, int type, int source, int destination) {
        int end = header(buffer, offset, type, 4);
        buffer.putShort(offset + HEADER, (short) source, ByteOrder.BIG_ENDIAN);
        buffer.putShort(offset + HEADER + 2, (short) destination, ByteOrder.BIG_ENDIAN);
        return end;
    }

    /** A NUL-terminated US-ASCII string; nta_len = 4 + length + 1. */
    static int string(MutableDirectBuffer buffer, int offset, int type, CharSequence value) {
        int length = value.length();
        int end = header(buffer, offset, type, length + 1);
        for (int i = 0; i < length; i++) {
            buffer.putByte(offset + HEADER + i, (byte) value.charAt(i));
        }
        buffer.putByte(offset + HEADER + length, (byte) 0);
        return end;
    }
}

package io.conntrack4j.netlink.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Walks netlink attributes in a region of a buffer without allocating. It never reads outside the
 * region: an attribute whose header is cut off, whose length is below 4 or beyond the region ends
 * the walk and is counted in {@link #malformed()}. Payload accessors check the payload length and
 * return -1 when it does not match, so a wrong-sized attribute is never read past its end.
 *
 * <pre>{@code
 * AttributeIterator it = new AttributeIterator();
 * it.wrap(host, network, offset, length);
 * while (it.next()) {
 *     if (it.type() == Cta.MARK) mark = it.u32();
 * }
 * }</pre>
 */
public final class AttributeIterator {
    private ByteBuffer host;
    private ByteBuffer network;
    private int next;
    private int end;
    private int type;
    private boolean nested;
    private int payloadOffset;
    private int payloadLength;
    private long malformed;

    /**
     * Starts a walk over {@code [offset, offset + length)}; the region must lie within the buffers.
     *
     * @param host the buffer in native byte order
     * @param network the same memory in big-endian order
     * @param offset first attribute
     * @param length region length
     * @return this
     */
    public AttributeIterator wrap(ByteBuffer host, ByteBuffer network, int offset, int length) {
        this.host = host;
        this.network = network;
        this.next = offset;
        this.end = offset + Math.max(0, length);
        this.type = -1;
        return this;
    }

    /**
     * Starts a walk over the payload of the current attribute of another iterator.
     *
     * @param parent an iterator positioned on a nest
     * @return this
     */
    public AttributeIterator wrapNested(AttributeIterator parent) {
        return wrap(parent.host, parent.network, parent.payloadOffset, parent.payloadLength);
    }

    /**
     * Moves to the next attribute.
     *
     * @return false at the end or at a malformed attribute (counted)
     */
    public boolean next() {
        int remaining = end - next;
        if (remaining < Netlink.NLA_HDRLEN) {
            if (remaining > 0) {
                malformed++;
                next = end;
            }
            return false;
        }
        int length = host.getShort(next) & 0xFFFF;
        if (length < Netlink.NLA_HDRLEN || length > remaining) {
            malformed++;
            next = end;
            return false;
        }
        int rawType = host.getShort(next + 2) & 0xFFFF;
        type = rawType & Netlink.NLA_TYPE_MASK;
        nested = (rawType & Netlink.NLA_F_NESTED) != 0;
        payloadOffset = next + Netlink.NLA_HDRLEN;
        payloadLength = length - Netlink.NLA_HDRLEN;
        next = Math.min(end, next + Netlink.align(length));
        return true;
    }

    /**
     * The current attribute's type with the NESTED and byte-order flags masked off.
     *
     * @return type
     */
    public int type() {
        return type;
    }

    /**
     * Whether the sender set NLA_F_NESTED (older kernels and tools may not).
     *
     * @return the flag
     */
    public boolean nestedFlag() {
        return nested;
    }

    /**
     * Where the current payload starts in the buffer.
     *
     * @return offset
     */
    public int payloadOffset() {
        return payloadOffset;
    }

    /**
     * The current payload's length, without padding.
     *
     * @return bytes
     */
    public int payloadLength() {
        return payloadLength;
    }

    /**
     * The current payload as u8.
     *
     * @return 0..255, or -1 when the payload is not 1 byte
     */
    public int u8() {
        return payloadLength == 1 ? host.get(payloadOffset) & 0xFF : -1;
    }

    /**
     * One byte of the current payload.
     *
     * @param index 0-based position in the payload
     * @return 0..255, or -1 when the payload is shorter
     */
    public int u8At(int index) {
        return index >= 0 && index < payloadLength ? host.get(payloadOffset + index) & 0xFF : -1;
    }

    /**
     * The current payload as big-endian u16.
     *
     * @return 0..65535, or -1 when the payload is not 2 bytes
     */
    public int u16() {
        return payloadLength == 2 ? network.getShort(payloadOffset) & 0xFFFF : -1;
    }

    /**
     * The current payload as big-endian u32.
     *
     * @return 0..2^32-1, or -1 when the payload is not 4 bytes
     */
    public long u32() {
        return payloadLength == 4 ? network.getInt(payloadOffset) & 0xFFFF_FFFFL : -1;
    }

    /**
     * The current payload as big-endian u64. Every 64-bit value is valid, so check
     * {@link #payloadLength()} {@code == 8} first.
     *
     * @return the value, or 0 when the payload is not 8 bytes
     */
    public long u64() {
        return payloadLength == 8 ? network.getLong(payloadOffset) : 0;
    }

    /**
     * The length of the current payload read as a C string: up to the first NUL, or the whole
     * payload when the sender left the NUL out.
     *
     * @return bytes before the NUL
     */
    public int stringLength() {
        for (int i = 0; i < payloadLength; i++) {
            if (host.get(payloadOffset + i) == 0) {
                return i;
            }
        }
        return payloadLength;
    }

    /**
     * The current payload as u8, counting it as malformed when it is not 1 byte.
     *
     * @return 0..255, or -1 (counted) when the payload is not 1 byte
     */
    public int checkedU8() {
        return counted(u8());
    }

    /**
     * The current payload as big-endian u16, counting it as malformed when it is not 2 bytes.
     *
     * @return 0..65535, or -1 (counted) when the payload is not 2 bytes
     */
    public int checkedU16() {
        return counted(u16());
    }

    /**
     * The current payload as big-endian u32, counting it as malformed when it is not 4 bytes.
     *
     * @return 0..2^32-1, or -1 (counted) when the payload is not 4 bytes
     */
    public long checkedU32() {
        long value = u32();
        if (value < 0) {
            malformed++;
        }
        return value;
    }

    /**
     * The current payload as big-endian u64, counting it as malformed when it is not 8 bytes.
     *
     * @param otherwise what to return for a wrong-sized payload
     * @return the value, or {@code otherwise} (counted)
     */
    public long checkedU64(long otherwise) {
        if (payloadLength != 8) {
            malformed++;
            return otherwise;
        }
        return u64();
    }

    private int counted(int value) {
        if (value < 0) {
            malformed++;
        }
        return value;
    }

    /**
     * Copies {@code length} bytes at {@code offset} of {@code host} into a UTF-8 string
     * (allocates); used for string attributes whose place was kept during the walk.
     *
     * @param host the message buffer
     * @param offset where the string starts
     * @param length its length, or negative when the attribute was absent
     * @return the string, or null when {@code length} is negative
     */
    public static String utf8(ByteBuffer host, int offset, int length) {
        if (length < 0) {
            return null;
        }
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = host.get(offset + i);
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /**
     * Malformed attributes met by this iterator since it was created (not reset by wrap).
     *
     * @return count
     */
    public long malformed() {
        return malformed;
    }

    /**
     * Counts a malformed attribute found by the caller (for example a wrong payload size).
     */
    public void countMalformed() {
        malformed++;
    }
}

package io.conntrack4j.sync;

import java.nio.ByteOrder;
import java.util.Arrays;
import org.agrona.DirectBuffer;

/**
 * Flyweight over one conntrack or expectation data message whose attributes have been checked
 * the way conntrackd 1.4.7 checks them, with an index from attribute type to its place in the
 * buffer. Nothing is copied and nothing is allocated per message.
 *
 * <p>When an attribute appears twice the last one wins, as in conntrackd, whose parser simply
 * overwrites. Byte-order quirks are left to the caller: {@link #u16LittleEndian(int)} reads
 * SPAT_PORT, DPAT_PORT and ICMP_ID as an x86 conntrackd writes them.
 *
 * <pre>{@code
 * DataMessage message = new DataMessage();
 * if (message.wrap(buffer, offset)) {
 *     int proto = message.u8(ConntrackAttribute.L4PROTO);
 *     int zone = message.has(ConntrackAttribute.ZONE) ? message.u16(ConntrackAttribute.ZONE) : 0;
 * } else {
 *     System.out.println(message.error() + " at byte " + message.errorOffset());
 * }
 * }</pre>
 */
public final class DataMessage {
    private final MessageHeader header = new MessageHeader();
    // Value offsets and nta_len per type; the stamp says which entries belong to this message.
    private final int[] valueOffsets = new int[ConntrackAttribute.COUNT];
    private final int[] lengths = new int[ConntrackAttribute.COUNT];
    private final int[] stamps = new int[ConntrackAttribute.COUNT];
    private int stamp;
    private DirectBuffer buffer;
    private boolean expectation;
    private String error;
    private int errorOffset;

    /**
     * Points this flyweight at a data message and checks its attributes. The header must
     * already have passed the framing checks (its length fits the buffer).
     *
     * @param buffer the buffer holding the message
     * @param offset where the message (its header) starts
     * @return true if conntrackd would accept the payload; otherwise {@link #error()} says why
     */
    public boolean wrap(DirectBuffer buffer, int offset) {
        this.buffer = buffer;
        header.wrap(buffer, offset);
        int typeNibble = header.typeNibble();
        expectation = typeNibble >= MessageType.EXP_NEW.wire() && typeNibble <= MessageType.EXP_DEL.wire();
        if (++stamp == 0) {
            Arrays.fill(stamps, 0);
            stamp = 1;
        }
        error = null;
        errorOffset = -1;
        int count = expectation ? ExpectationAttribute.COUNT : ConntrackAttribute.COUNT;
        if (header.length() > buffer.capacity() - offset) {
            return fail("message length " + header.length() + " runs past the buffer", offset);
        }
        int left = header.length() - MessageHeader.LENGTH;
        int position = offset + MessageHeader.LENGTH;
        // conntrackd stops once 4 bytes or fewer remain: trailing bytes are ignored, not errors.
        while (left > 4) {
            int length = buffer.getShort(position, ByteOrder.BIG_ENDIAN) & 0xffff;
            int type = buffer.getShort(position + 2, ByteOrder.BIG_ENDIAN) & 0xffff;
            if (length > left) {
                return fail("attribute length " + length + " exceeds the " + left + " bytes left", position);
            }
            if (length < 4) {
                return fail("attribute length " + length + " is below 4", position);
            }
            if (type >= count) {
                return fail("unknown attribute type " + type, position);
            }
            int fixed = expectation ? ExpectationAttribute.fixedLength(type) : ConntrackAttribute.fixedLength(type);
            if (fixed != 0 && length != fixed) {
                return fail(attributeName(type) + " has length " + length + ", not " + fixed, position);
            }
            int max = expectation ? ExpectationAttribute.maxLength(type) : ConntrackAttribute.maxLength(type);
            if (max != 0 && length > max) {
                return fail(attributeName(type) + " has length " + length + ", above " + max, position);
            }
            valueOffsets[type] = position + 4;
            lengths[type] = length;
            stamps[type] = stamp;
            int aligned = (length + 3) & ~3;
            left -= aligned;
            position += aligned;
        }
        return true;
    }

    private boolean fail(String reason, int position) {
        error = reason;
        errorOffset = position;
        return false;
    }

    private String attributeName(int type) {
        return expectation ? ExpectationAttribute.name(type) : ConntrackAttribute.name(type);
    }

    /**
     * Why the last {@link #wrap} rejected the message.
     *
     * @return the reason, or null if it was accepted
     */
    public String error() {
        return error;
    }

    /**
     * Where in the buffer the offending attribute starts.
     *
     * @return the offset, or -1 if the message was accepted
     */
    public int errorOffset() {
        return errorOffset;
    }

    /**
     * The message header.
     *
     * @return a flyweight over this message's header
     */
    public MessageHeader header() {
        return header;
    }

    /**
     * Whether the message carries expectation attributes ({@link ExpectationAttribute}) rather
     * than conntrack ones ({@link ConntrackAttribute}).
     *
     * @return true for EXP_NEW, EXP_UPD and EXP_DEL
     */
    public boolean isExpectation() {
        return expectation;
    }

    /**
     * The wrapped buffer.
     *
     * @return the buffer
     */
    public DirectBuffer buffer() {
        return buffer;
    }

    /**
     * Whether the attribute is present.
     *
     * @param type the attribute type
     * @return true if present
     */
    public boolean has(int type) {
        return type >= 0 && type < stamps.length && stamps[type] == stamp && error == null;
    }

    /**
     * Where the attribute's value starts in {@link #buffer()}.
     *
     * @param type a present attribute type
     * @return the offset
     */
    public int valueOffset(int type) {
        check(type);
        return valueOffsets[type];
    }

    /**
     * The attribute's payload length ({@code nta_len} minus 4, without padding).
     *
     * @param type a present attribute type
     * @return the length in bytes
     */
    public int valueLength(int type) {
        check(type);
        return lengths[type] - 4;
    }

    /**
     * A u8 value.
     *
     * @param type a present attribute type
     * @return 0 to 255
     */
    public int u8(int type) {
        return buffer.getByte(valueOffset(type)) & 0xff;
    }

    /**
     * A big-endian u16 value (ZONE).
     *
     * @param type a present attribute type
     * @return 0 to 65535
     */
    public int u16(int type) {
        return buffer.getShort(valueOffset(type), ByteOrder.BIG_ENDIAN) & 0xffff;
    }

    /**
     * A little-endian u16 value: SPAT_PORT, DPAT_PORT and ICMP_ID as x86 senders write them.
     *
     * @param type a present attribute type
     * @return 0 to 65535
     */
    public int u16LittleEndian(int type) {
        return buffer.getShort(valueOffset(type), ByteOrder.LITTLE_ENDIAN) & 0xffff;
    }

    /**
     * A big-endian u16 at a byte offset inside the value, e.g. the destination port of PORT
     * at 2.
     *
     * @param type a present attribute type
     * @param at offset inside the value
     * @return 0 to 65535
     */
    public int u16At(int type, int at) {
        checkInside(type, at, 2);
        return buffer.getShort(valueOffset(type) + at, ByteOrder.BIG_ENDIAN) & 0xffff;
    }

    /**
     * A big-endian u32 value (STATUS, TIMEOUT, MARK, ...).
     *
     * @param type a present attribute type
     * @return 0 to 2^32-1
     */
    public long u32(int type) {
        return u32At(type, 0);
    }

    /**
     * A big-endian u32 at a byte offset inside the value (the words of NAT_SEQ_ADJ, SYNPROXY,
     * LABELS).
     *
     * @param type a present attribute type
     * @param at offset inside the value
     * @return 0 to 2^32-1
     */
    public long u32At(int type, int at) {
        checkInside(type, at, 4);
        return buffer.getInt(valueOffset(type) + at, ByteOrder.BIG_ENDIAN) & 0xffffffffL;
    }

    /**
     * Copies bytes of the value (addresses are in network order).
     *
     * @param type a present attribute type
     * @param at offset inside the value
     * @param destination where to copy
     * @param destinationOffset where in destination
     * @param length how many bytes
     */
    public void getBytes(int type, int at, byte[] destination, int destinationOffset, int length) {
        checkInside(type, at, length);
        buffer.getBytes(valueOffset(type) + at, destination, destinationOffset, length);
    }

    /**
     * A NUL-terminated string value (HELPER_NAME, FN). Allocates; meant for slow paths. Reads up
     * to the first NUL, or the whole value when there is none (conntrackd does not check).
     *
     * @param type a present attribute type
     * @return the string (US-ASCII)
     */
    public String string(int type) {
        int start = valueOffset(type);
        int length = valueLength(type);
        int end = 0;
        while (end < length && buffer.getByte(start + end) != 0) {
            end++;
        }
        return buffer.getStringWithoutLengthAscii(start, end);
    }

    private void check(int type) {
        if (!has(type)) {
            throw new IllegalStateException("attribute " + attributeName(type) + " (" + type + ") is absent");
        }
    }

    private void checkInside(int type, int at, int length) {
        check(type);
        if (at < 0 || at + length > lengths[type] - 4) {
            throw new IndexOutOfBoundsException(attributeName(type) + ": bytes " + at + ".." + (at + length)
                    + " outside its " + (lengths[type] - 4) + "-byte value");
        }
    }
}

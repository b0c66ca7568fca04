package io.conntrack4j.sync;

import java.nio.ByteOrder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Flyweight over the header of one conntrackd sync message ({@code nethdr}, 8 bytes), and over
 * the 16-byte control form ({@code nethdr_ack}) that ACK, NACK and RESYNC messages use.
 *
 * <pre>
 * offset 0  ver/type  high nibble = version (1), low nibble = {@link MessageType}
 *        1  flags     {@link MessageFlags}
 *        2  len       u16 big-endian, whole message including this header
 *        4  seq       u32 big-endian
 *        8  from      u32 big-endian (control form only)
 *       12  to        u32 big-endian (control form only)
 * </pre>
 *
 * <p>Reading allocates nothing; wrap it again for every message. The static {@code write*}
 * methods build headers.
 *
 * <pre>{@code
 * UnsafeBuffer buffer = new UnsafeBuffer(new byte[16]);
 * int length = MessageHeader.writeControl(buffer, 0, MessageFlags.ACK, 839, 837, 838);
 * MessageHeader header = new MessageHeader().wrap(buffer, 0);
 * header.kind(); // MessageKind.ACK
 * header.to();   // 838
 * }</pre>
 */
public final class MessageHeader {
    /** Length of the common header. */
    public static final int LENGTH = 8;
    /** Length of an ACK, NACK or RESYNC message. */
    public static final int CONTROL_LENGTH = 16;
    /** The only protocol version conntrackd speaks. */
    public static final int VERSION = 1;

    static final int VERSION_TYPE_OFFSET = 0;
    static final int FLAGS_OFFSET = 1;
    static final int LENGTH_OFFSET = 2;
    static final int SEQUENCE_OFFSET = 4;
    static final int FROM_OFFSET = 8;
    static final int TO_OFFSET = 12;

    private DirectBuffer buffer;
    private int offset;

    /**
     * Points this flyweight at a header.
     *
     * @param buffer the buffer holding the message
     * @param offset where the message starts
     * @return this
     */
    public MessageHeader wrap(DirectBuffer buffer, int offset) {
        this.buffer = buffer;
        this.offset = offset;
        return this;
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
     * Where the wrapped message starts in {@link #buffer()}.
     *
     * @return the offset
     */
    public int offset() {
        return offset;
    }

    /**
     * The version nibble.
     *
     * @return 0 to 15; conntrackd accepts only 1
     */
    public int version() {
        return (buffer.getByte(offset + VERSION_TYPE_OFFSET) >> 4) & 0x0f;
    }

    /**
     * The type nibble.
     *
     * @return 0 to 15
     */
    public int typeNibble() {
        return buffer.getByte(offset + VERSION_TYPE_OFFSET) & 0x0f;
    }

    /**
     * The message type.
     *
     * @return the type, or null for a nibble conntrackd does not know
     */
    public MessageType type() {
        return MessageType.fromWire(typeNibble());
    }

    /**
     * The flags byte.
     *
     * @return 0 to 255, see {@link MessageFlags}
     */
    public int flags() {
        return buffer.getByte(offset + FLAGS_OFFSET) & 0xff;
    }

    /**
     * The length field: the whole message, header included.
     *
     * @return 0 to 65535
     */
    public int length() {
        return buffer.getShort(offset + LENGTH_OFFSET, ByteOrder.BIG_ENDIAN) & 0xffff;
    }

    /**
     * The sender's sequence number, to be compared with serial arithmetic.
     *
     * @return the 32 bits as an int
     */
    public int sequence() {
        return buffer.getInt(offset + SEQUENCE_OFFSET, ByteOrder.BIG_ENDIAN);
    }

    /**
     * The first sequence number of an ACK, NACK or RESYNC range. Only meaningful when
     * {@link #kind()} is one of those (the message is then at least 16 bytes long).
     *
     * @return the 32 bits as an int
     */
    public int from() {
        return buffer.getInt(offset + FROM_OFFSET, ByteOrder.BIG_ENDIAN);
    }

    /**
     * The last sequence number (inclusive) of an ACK, NACK or RESYNC range.
     *
     * @return the 32 bits as an int
     * @see #from()
     */
    public int to() {
        return buffer.getInt(offset + TO_OFFSET, ByteOrder.BIG_ENDIAN);
    }

    /**
     * How conntrackd classifies this header.
     *
     * @return the kind
     * @see MessageKind#classify(int, int)
     */
    public MessageKind kind() {
        return MessageKind.classify(typeNibble(), flags());
    }

    /**
     * Writes a common header.
     *
     * @param buffer where to write
     * @param offset where the message starts
     * @param typeNibble the type, 0 to 15
     * @param flags the flags byte
     * @param length the whole message length, 8 to 65535
     * @param sequence the sequence number
     * @return {@link #LENGTH}
     */
    public static int write(MutableDirectBuffer buffer, int offset, int typeNibble, int flags, int length,
            int sequence) {
        buffer.putByte(offset + VERSION_TYPE_OFFSET, (byte) ((VERSION << 4) | (typeNibble & 0x0f)));
        buffer.putByte(offset + FLAGS_OFFSET, (byte) flags);
        buffer.putShort(offset + LENGTH_OFFSET, (short) length, ByteOrder.BIG_ENDIAN);
        buffer.putInt(offset + SEQUENCE_OFFSET, sequence, ByteOrder.BIG_ENDIAN);
        return LENGTH;
    }

    /**
     * Writes a 16-byte control message: ACK, NACK or RESYNC (RESYNC carries from = to = 0), plus
     * any HELLO bits.
     *
     * @param buffer where to write
     * @param offset where the message starts
     * @param flags e.g. {@code MessageFlags.ACK | MessageFlags.HELLO_BACK}
     * @param sequence the sequence number
     * @param from the first sequence number of the range
     * @param to the last sequence number of the range, inclusive
     * @return {@link #CONTROL_LENGTH}
     */
    public static int writeControl(MutableDirectBuffer buffer, int offset, int flags, int sequence, int from,
            int to) {
        write(buffer, offset, MessageType.CTL.wire(), flags, CONTROL_LENGTH, sequence);
        buffer.putInt(offset + FROM_OFFSET, from, ByteOrder.BIG_ENDIAN);
        buffer.putInt(offset + TO_OFFSET, to, ByteOrder.BIG_ENDIAN);
        return CONTROL_LENGTH;
    }

    /**
     * Writes an ALIVE message: a bare 8-byte header.
     *
     * @param buffer where to write
     * @param offset where the message starts
     * @param extraFlags HELLO or HELLO_BACK bits to add to ALIVE, or 0
     * @param sequence the sequence number
     * @return {@link #LENGTH}
     */
    public static int writeAlive(MutableDirectBuffer buffer, int offset, int extraFlags, int sequence) {
        return write(buffer, offset, MessageType.CTL.wire(), MessageFlags.ALIVE | extraFlags, LENGTH, sequence);
    }
}

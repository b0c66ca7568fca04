package io.conntrack4j.sync;

/**
 * The type nibble of a conntrackd sync message header ({@code nethdr}): the low four bits of its
 * first byte, whose high four bits hold the protocol version (always 1).
 *
 * <pre>{@code
 * MessageType type = MessageType.fromWire(buffer.getByte(0) & 0x0f); // CT_NEW for 0x10
 * }</pre>
 */
public enum MessageType {
    /** A new conntrack; the body holds its attributes. */
    CT_NEW(0),
    /** The full current state of a known conntrack (not a delta). */
    CT_UPD(1),
    /** The last known state of a destroyed conntrack. */
    CT_DEL(2),
    /** A new expectation. */
    EXP_NEW(3),
    /** An updated expectation. */
    EXP_UPD(4),
    /** A destroyed expectation. */
    EXP_DEL(5),
    /** Control: ALIVE, or ACK, NACK and RESYNC with a sequence range, chosen by the flags. */
    CTL(10);

    private static final MessageType[] BY_WIRE = new MessageType[16];

    static {
        for (MessageType type : values()) {
            BY_WIRE[type.wire] = type;
        }
    }

    private final int wire;

    MessageType(int wire) {
        this.wire = wire;
    }

    /**
     * The value of the type nibble.
     *
     * @return 0 to 5, or 10
     */
    public int wire() {
        return wire;
    }

    /**
     * Whether messages of this type carry conntrack or expectation attributes.
     *
     * @return true for the six data types
     */
    public boolean isData() {
        return this != CTL;
    }

    /**
     * The type for a nibble value, or null for the values conntrackd rejects (6 to 9, 11 to 15).
     *
     * @param nibble the low four bits of the first header byte
     * @return the type, or null
     */
    public static MessageType fromWire(int nibble) {
        return nibble >= 0 && nibble < BY_WIRE.length ? BY_WIRE[nibble] : null;
    }
}

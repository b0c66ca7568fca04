package io.conntrack4j.sync;

/**
 * What a received message is, decided from its type nibble and flags the way conntrackd's FTFW
 * receiver decides it: data first, then the control bits in the order ACK, NACK, RESYNC, ALIVE
 * (the first matching bit wins), else a bad header.
 *
 * <pre>{@code
 * MessageKind kind = MessageKind.classify(0x0a, MessageFlags.ACK | MessageFlags.HELLO); // ACK
 * }</pre>
 */
public enum MessageKind {
    /** Type 0 to 5 and no flags other than HELLO and HELLO_BACK. */
    DATA,
    /** Type 10 with the ACK bit. */
    ACK,
    /** Type 10 with the NACK bit and not the ACK bit. */
    NACK,
    /** Type 10 with the RESYNC bit and neither ACK nor NACK. */
    RESYNC,
    /** Type 10 with the ALIVE bit and no other control bit. */
    ALIVE,
    /** Anything else: conntrackd counts it as "Malformed header". */
    BAD_HEADER;

    private static final int HELLO_BITS = MessageFlags.HELLO | MessageFlags.HELLO_BACK;

    /**
     * Classifies a header.
     *
     * @param typeNibble the low four bits of the first header byte
     * @param flags the flags byte
     * @return the kind; never null
     */
    public static MessageKind classify(int typeNibble, int flags) {
        if (typeNibble >= 0 && typeNibble <= MessageType.EXP_DEL.wire() && (flags & ~HELLO_BITS & 0xff) == 0) {
            return DATA;
        }
        if (typeNibble != MessageType.CTL.wire()) {
            return BAD_HEADER;
        }
        if ((flags & MessageFlags.ACK) != 0) {
            return ACK;
        }
        if ((flags & MessageFlags.NACK) != 0) {
            return NACK;
        }
        if ((flags & MessageFlags.RESYNC) != 0) {
            return RESYNC;
        }
        if ((flags & MessageFlags.ALIVE) != 0) {
            return ALIVE;
        }
        return BAD_HEADER;
    }

    /**
     * Whether conntrackd reads a 16-byte control header ({@code from} and {@code to}) for this
     * header: type 10 with any of ACK, NACK or RESYNC set, whatever else is set.
     *
     * @param typeNibble the low four bits of the first header byte
     * @param flags the flags byte
     * @return true when the message must be at least 16 bytes long
     */
    public static boolean hasRange(int typeNibble, int flags) {
        return typeNibble == MessageType.CTL.wire()
                && (flags & (MessageFlags.ACK | MessageFlags.NACK | MessageFlags.RESYNC)) != 0;
    }
}

package io.conntrack4j.sync;

/**
 * The bits of the flags byte (offset 1) of a conntrackd message header.
 *
 * <pre>{@code
 * boolean hello = (header.flags() & MessageFlags.HELLO) != 0;
 * }</pre>
 */
public final class MessageFlags {
    /** Never set by conntrackd. */
    public static final int UNUSED = 0x01;
    /** Control: "send me your whole internal cache" (FTFW, NOTRACK); from and to are 0. */
    public static final int RESYNC = 0x02;
    /** Control (FTFW): please retransmit the sequence range [from, to]. */
    public static final int NACK = 0x04;
    /** Control (FTFW): the sequence range [from, to] was received. */
    public static final int ACK = 0x08;
    /** Control: keep-alive, a bare 8-byte header. */
    public static final int ALIVE = 0x10;
    /** FTFW: set on any message until the peer answers with {@link #HELLO_BACK}. */
    public static final int HELLO = 0x20;
    /** FTFW: set once, on the next message sent after a {@link #HELLO} was received. */
    public static final int HELLO_BACK = 0x40;

    private MessageFlags() {
    }
}

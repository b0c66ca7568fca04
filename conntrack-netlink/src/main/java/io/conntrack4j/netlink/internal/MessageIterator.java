package io.conntrack4j.netlink.internal;

import java.nio.ByteBuffer;

/**
 * Walks the netlink messages of one received datagram without allocating. A header that is cut
 * off or declares a length below 16 or beyond the datagram ends the walk and is counted in
 * {@link #malformed()}.
 *
 * <pre>{@code
 * messages.wrap(host, received);
 * while (messages.next()) {
 *     if (messages.type() == Netlink.NLMSG_DONE) ...
 * }
 * }</pre>
 */
public final class MessageIterator {
    private ByteBuffer host;
    private int next;
    private int end;
    private int offset;
    private int length;
    private long malformed;

    /**
     * Starts a walk over {@code [0, length)} of the buffer.
     *
     * @param host the buffer in native byte order
     * @param length bytes received
     * @return this
     */
    public MessageIterator wrap(ByteBuffer host, int length) {
        this.host = host;
        this.next = 0;
        this.end = Math.min(Math.max(0, length), host.capacity());
        return this;
    }

    /**
     * Moves to the next message.
     *
     * @return false at the end or at a malformed header (counted)
     */
    public boolean next() {
        int remaining = end - next;
        if (remaining < Netlink.NLMSG_HDRLEN) {
            if (remaining > 0) {
                malformed++;
                next = end;
            }
            return false;
        }
        int declared = host.getInt(next);
        if (declared < Netlink.NLMSG_HDRLEN || declared > remaining) {
            malformed++;
            next = end;
            return false;
        }
        offset = next;
        length = declared;
        next = Math.min(end, next + Netlink.align(declared));
        return true;
    }

    /**
     * Where the current message starts.
     *
     * @return offset of its nlmsghdr
     */
    public int offset() {
        return offset;
    }

    /**
     * nlmsg_len of the current message.
     *
     * @return bytes, header included
     */
    public int length() {
        return length;
    }

    /**
     * nlmsg_type.
     *
     * @return type
     */
    public int type() {
        return host.getShort(offset + 4) & 0xFFFF;
    }

    /**
     * nlmsg_flags.
     *
     * @return flags
     */
    public int flags() {
        return host.getShort(offset + 6) & 0xFFFF;
    }

    /**
     * nlmsg_seq.
     *
     * @return sequence number
     */
    public int seq() {
        return host.getInt(offset + 8);
    }

    /**
     * Malformed headers met since this iterator was created.
     *
     * @return count
     */
    public long malformed() {
        return malformed;
    }
}

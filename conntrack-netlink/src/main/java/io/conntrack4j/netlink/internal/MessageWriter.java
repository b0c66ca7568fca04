package io.conntrack4j.netlink.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Builds netfilter netlink requests in place in a direct buffer: nlmsghdr (host order), nfgenmsg
 * and attributes (headers in host order, payloads big-endian as ctnetlink wants). Several messages
 * may be appended before one send. Nothing is allocated after construction.
 *
 * <pre>{@code
 * writer.reset();
 * writer.begin(CtMessageType.DELETE, Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK, seq, 2, 0);
 * int tuple = writer.beginNest(Cta.TUPLE_ORIG);
 * ...
 * writer.endNest(tuple);
 * writer.end();
 * }</pre>
 */
public final class MessageWriter {
    private final ByteBuffer host;
    private final ByteBuffer network;
    private int position;
    private int messageStart = -1;
    private int lastMessage = -1;

    /**
     * Writes into {@code buffer} from offset 0 up to its capacity.
     *
     * @param buffer a direct buffer; its byte order and position are not used
     */
    public MessageWriter(ByteBuffer buffer) {
        this.host = buffer.duplicate().order(ByteOrder.nativeOrder());
        this.network = buffer.duplicate().order(ByteOrder.BIG_ENDIAN);
    }

    /** Forgets everything written. */
    public void reset() {
        position = 0;
        messageStart = -1;
        lastMessage = -1;
    }

    /**
     * Bytes written so far (all messages).
     *
     * @return length
     */
    public int length() {
        return position;
    }

    /**
     * Starts a message: nlmsghdr and nfgenmsg.
     *
     * @param type nlmsg_type
     * @param flags nlmsg_flags
     * @param seq sequence number
     * @param family nfgen_family (AF_UNSPEC 0, AF_INET 2, AF_INET6 10)
     * @param version nfgenmsg version
     */
    public void begin(int type, int flags, int seq, int family, int version) {
        if (messageStart >= 0) {
            throw new IllegalStateException("the previous message was not ended");
        }
        ensure(Netlink.NLMSG_HDRLEN + Netlink.NFGENMSG_LEN);
        messageStart = position;
        host.putInt(position, 0);
        host.putShort(position + 4, (short) type);
        host.putShort(position + 6, (short) flags);
        host.putInt(position + 8, seq);
        host.putInt(position + 12, 0);
        host.put(position + 16, (byte) family);
        host.put(position + 17, (byte) version);
        network.putShort(position + 18, (short) 0);
        position += Netlink.NLMSG_HDRLEN + Netlink.NFGENMSG_LEN;
    }

    /**
     * Ends the current message, writing its length.
     *
     * @return the message length
     */
    public int end() {
        if (messageStart < 0) {
            throw new IllegalStateException("no message was begun");
        }
        int length = position - messageStart;
        host.putInt(messageStart, length);
        lastMessage = messageStart;
        messageStart = -1;
        return length;
    }

    /**
     * Adds flags to the last ended message (a batch asks only its last request for an ACK).
     *
     * @param flags nlmsg_flags bits to set
     */
    public void addFlagsToLastMessage(int flags) {
        if (lastMessage < 0) {
            throw new IllegalStateException("no message was ended");
        }
        host.putShort(lastMessage + 6, (short) (host.getShort(lastMessage + 6) | flags));
    }

    /**
     * Appends a u8 attribute.
     *
     * @param type attribute type
     * @param value the low 8 bits are written
     */
    public void putU8(int type, int value) {
        int payload = header(type, 1);
        host.put(payload, (byte) value);
        pad(payload + 1);
    }

    /**
     * Appends a big-endian u16 attribute.
     *
     * @param type attribute type
     * @param value the low 16 bits are written
     */
    public void putU16(int type, int value) {
        int payload = header(type, 2);
        network.putShort(payload, (short) value);
        pad(payload + 2);
    }

    /**
     * Appends a big-endian u32 attribute.
     *
     * @param type attribute type
     * @param value the low 32 bits are written
     */
    public void putU32(int type, long value) {
        int payload = header(type, 4);
        network.putInt(payload, (int) value);
        position = payload + 4;
    }

    /**
     * Appends a u32 attribute in host byte order (the CTA_FILTER flag words are the exception to
     * ctnetlink's big-endian payloads).
     *
     * @param type attribute type
     * @param value the low 32 bits are written
     */
    public void putU32Host(int type, long value) {
        int payload = header(type, 4);
        host.putInt(payload, (int) value);
        position = payload + 4;
    }

    /**
     * Appends a 4-byte IPv4 address attribute without allocating.
     *
     * @param type attribute type
     * @param address the address bits, most significant byte first on the wire
     */
    public void putIpv4(int type, int address) {
        int payload = header(type, 4);
        network.putInt(payload, address);
        position = payload + 4;
    }

    /**
     * Appends a 16-byte IPv6 address attribute without allocating.
     *
     * @param type attribute type
     * @param high the first 8 bytes, big-endian
     * @param low the last 8 bytes, big-endian
     */
    public void putIpv6(int type, long high, long low) {
        int payload = header(type, 16);
        network.putLong(payload, high);
        network.putLong(payload + 8, low);
        position = payload + 16;
    }

    /**
     * Appends a raw attribute (addresses, labels): the bytes as given.
     *
     * @param type attribute type
     * @param value the payload
     */
    public void putBytes(int type, byte[] value) {
        int payload = header(type, value.length);
        for (int i = 0; i < value.length; i++) {
            host.put(payload + i, value[i]);
        }
        pad(payload + value.length);
    }

    /**
     * Opens a nest; {@link Netlink#NLA_F_NESTED} is always set, since some ctnetlink nests
     * (CTA_FILTER) are parsed strictly.
     *
     * @param type attribute type
     * @return the token for {@link #endNest(int)}
     */
    public int beginNest(int type) {
        int start = position;
        position = header(type | Netlink.NLA_F_NESTED, 0);
        return start;
    }

    /**
     * Closes a nest.
     *
     * @param token what {@link #beginNest(int)} returned
     */
    public void endNest(int token) {
        host.putShort(token, (short) (position - token));
    }

    private int header(int type, int payloadLength) {
        if (messageStart < 0) {
            throw new IllegalStateException("no message was begun");
        }
        ensure(Netlink.align(Netlink.NLA_HDRLEN + payloadLength));
        host.putShort(position, (short) (Netlink.NLA_HDRLEN + payloadLength));
        host.putShort(position + 2, (short) type);
        return position + Netlink.NLA_HDRLEN;
    }

    private void pad(int end) {
        int aligned = Netlink.align(end);
        for (int i = end; i < aligned; i++) {
            host.put(i, (byte) 0);
        }
        position = aligned;
    }

    private void ensure(int bytes) {
        if (position + bytes > host.capacity()) {
            throw new IllegalStateException("request exceeds the " + host.capacity() + "-byte send buffer");
        }
    }
}

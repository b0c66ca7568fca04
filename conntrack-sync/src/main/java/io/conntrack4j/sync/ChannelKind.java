package io.conntrack4j.sync;

/**
 * The transport of a sync channel, which decides how much of the interface MTU a datagram or
 * TCP write may use: conntrackd's send buffer is MTU minus the IP and transport headers.
 *
 * <pre>{@code
 * int capacity = ChannelKind.UDP.bufferSize(1500); // 1472
 * }</pre>
 */
public enum ChannelKind {
    /** UDP unicast: IPv4 20 + UDP 8 bytes of headers. */
    UDP(28, false),
    /** Multicast UDP: IPv4 20 + UDP 8 bytes of headers. */
    MULTICAST(28, false),
    /** TCP: IPv4 20 + TCP 20 bytes of headers; the receiver reassembles messages. */
    TCP(40, true);

    private final int headerOverhead;
    private final boolean stream;

    ChannelKind(int headerOverhead, boolean stream) {
        this.headerOverhead = headerOverhead;
        this.stream = stream;
    }

    /**
     * The send buffer size for an interface MTU.
     *
     * @param mtu the interface MTU
     * @return MTU - 28 for UDP and multicast, MTU - 40 for TCP
     * @throws IllegalArgumentException if the MTU leaves no room for a control message
     */
    public int bufferSize(int mtu) {
        int size = mtu - headerOverhead;
        if (size <= MessageHeader.CONTROL_LENGTH) {
            throw new IllegalArgumentException("MTU " + mtu + " leaves no room for a message on " + this);
        }
        return size;
    }

    /**
     * Whether the channel is a byte stream whose receiver must keep partial messages.
     *
     * @return true for TCP
     */
    public boolean isStream() {
        return stream;
    }
}

package io.conntrack4j.netlink;

/**
 * The kernel dropped netlink messages because the socket's receive buffer was full ({@code ENOBUFS}).
 * Whatever was being received is incomplete: a dump must be repeated, an event stream resynchronised.
 * A bigger {@link NetlinkSocket.Options#receiveBufferBytes() receive buffer} makes it rarer.
 *
 * <pre>{@code
 * try {
 *     table.dump(visitor);
 * } catch (NetlinkOverrunException e) {
 *     // start over with a bigger buffer
 * }
 * }</pre>
 */
public final class NetlinkOverrunException extends NetlinkException {
    private static final long serialVersionUID = 1L;

    /** The errno the kernel reports for an overrun. */
    static final int ENOBUFS = 105;

    /**
     * Creates the exception.
     *
     * @param operation what was being received
     */
    public NetlinkOverrunException(String operation) {
        super(operation, ENOBUFS, "receive buffer overrun, messages were lost");
    }
}

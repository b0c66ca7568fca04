package io.conntrack4j.netlink;

/**
 * An error reported by the kernel over netlink: the errno, its symbolic name, and the extended
 * ACK message text when the kernel sent one ({@code NETLINK_EXT_ACK}).
 *
 * <pre>{@code
 * try {
 *     table.create(entry);
 * } catch (NetlinkException e) {
 *     if (e.errnoName().equals("EEXIST")) { ... }
 * }
 * }</pre>
 */
public class NetlinkException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int errno;
    private final String kernelMessage;

    /**
     * Creates an exception for a kernel error.
     *
     * @param operation what was being done, for the message
     * @param errno the positive errno value
     * @param kernelMessage the extended ACK text, or null
     */
    public NetlinkException(String operation, int errno, String kernelMessage) {
        super(operation + ": " + Errno.name(errno) + " (" + Errno.description(errno) + ")"
                + (kernelMessage == null || kernelMessage.isEmpty() ? "" : ": " + kernelMessage));
        this.errno = errno;
        this.kernelMessage = kernelMessage;
    }

    /**
     * The positive errno value.
     *
     * @return errno
     */
    public int errno() {
        return errno;
    }

    /**
     * The symbolic errno name, such as {@code ENOENT}.
     *
     * @return the name, or {@code errno N} when unknown
     */
    public String errnoName() {
        return Errno.name(errno);
    }

    /**
     * The kernel's extended ACK message, or null when it sent none.
     *
     * @return the text, or null
     */
    public String kernelMessage() {
        return kernelMessage;
    }
}

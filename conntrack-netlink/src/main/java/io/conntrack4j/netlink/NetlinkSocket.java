package io.conntrack4j.netlink;

import io.conntrack4j.netlink.internal.ExtendedAck;
import io.conntrack4j.netlink.internal.MessageIterator;
import io.conntrack4j.netlink.internal.MessageWriter;
import io.conntrack4j.netlink.internal.NamespaceSwitch;
import io.conntrack4j.netlink.internal.SocketSetup;
import io.conntrack4j.netlink.internal.NativeLibC;
import io.conntrack4j.netlink.internal.Netlink;
import io.conntrack4j.netlink.internal.ffi.LibC;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A netfilter netlink socket ({@code AF_NETLINK}, {@code NETLINK_NETFILTER}) bound to one network
 * namespace: the caller's, a named one ({@code /run/netns/NAME}, as {@code ip netns} creates them), or
 * any namespace file or descriptor. Opening in another namespace happens on a short-lived platform
 * thread, so the calling thread never changes namespace.
 *
 * <p>Extended ACKs and capped ACKs are always on, so kernel errors carry the kernel's explanation.
 * Receiving uses one 32 KiB direct buffer and sending one direct buffer, both reused: the dump path
 * allocates nothing per message. 32 KiB is the most the kernel puts in one dump datagram
 * (netlink_dump sizes each datagram to the largest recvmsg length seen on the socket, capped at
 * 32 KiB less the skb overhead), so a bigger buffer would not mean fewer receives. A dump that
 * receives ahead ({@link ConntrackTable#receiveAhead(boolean)}) adds a ring of such buffers, made
 * once per socket.
 *
 * <p>Not thread-safe: use one socket per thread, or lock around it. Operations are in
 * {@link ConntrackTable}.
 *
 * <pre>{@code
 * try (NetlinkSocket socket = NetlinkSocket.openInNamespace("blue", NetlinkSocket.Options.DEFAULT);
 *      ConntrackTable table = new ConntrackTable(socket)) {
 *     long entries = table.count();
 * }
 * }</pre>
 */
public final class NetlinkSocket implements AutoCloseable {
    /** The receive buffer: the kernel never fills a dump datagram beyond 32 KiB. */
    static final int RECEIVE_BUFFER_BYTES = 32 * 1024;
    private static final int SEND_BUFFER_BYTES = 64 * 1024;
    private static final short POLLIN = 0x1;
    private static final short POLLOUT = 0x4;

    /**
     * How to open a socket.
     *
     * @param receiveBufferBytes the kernel receive buffer to ask for (SO_RCVBUFFORCE, falling back
     *     to SO_RCVBUF), or 0 to keep the system default
     * @param nonBlocking whether the descriptor is non-blocking (waits then use poll(2) with
     *     {@code replyTimeoutMillis})
     * @param replyTimeoutMillis how long a non-blocking socket waits for each reply datagram
     */
    public record Options(int receiveBufferBytes, boolean nonBlocking, int replyTimeoutMillis) {
        /** System default receive buffer, blocking. */
        public static final Options DEFAULT = new Options(0, false, 30_000);

        /**
         * Checks the values.
         *
         * @param receiveBufferBytes receive buffer, 0 for the default
         * @param nonBlocking non-blocking descriptor
         * @param replyTimeoutMillis reply timeout for non-blocking sockets
         */
        public Options {
            if (receiveBufferBytes < 0) {
                throw new IllegalArgumentException("receiveBufferBytes must be >= 0: " + receiveBufferBytes);
            }
            if (replyTimeoutMillis <= 0) {
                throw new IllegalArgumentException("replyTimeoutMillis must be > 0: " + replyTimeoutMillis);
            }
        }

        /**
         * A copy with another receive buffer size.
         *
         * @param bytes receive buffer, 0 for the default
         * @return new options
         */
        public Options withReceiveBufferBytes(int bytes) {
            return new Options(bytes, nonBlocking, replyTimeoutMillis);
        }

        /**
         * A copy with another blocking mode.
         *
         * @param value non-blocking or not
         * @return new options
         */
        public Options withNonBlocking(boolean value) {
            return new Options(receiveBufferBytes, value, replyTimeoutMillis);
        }
    }

    /** Receives the messages that answer a request, one at a time. */
    interface ReplyHandler {
        /**
         * One reply message that is neither an ACK, an error, nor the end of a dump.
         *
         * @param messages the iterator positioned on the message (over {@link #host()})
         */
        void onMessage(MessageIterator messages);
    }

    private final LibC libc = NativeLibC.LIBC;
    private final int fd;
    private final int portId;
    private final Options options;
    private final ByteBuffer receive = ByteBuffer.allocateDirect(RECEIVE_BUFFER_BYTES).order(ByteOrder.nativeOrder());
    private final ByteBuffer receiveNetwork = receive.duplicate().order(ByteOrder.BIG_ENDIAN);
    private final ByteBuffer send = ByteBuffer.allocateDirect(SEND_BUFFER_BYTES).order(ByteOrder.nativeOrder());
    private final ByteBuffer pollFd = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
    private final MessageWriter writer = new MessageWriter(send);
    private final MessageIterator messages = new MessageIterator();
    /** The memory the handler reads: {@link #receive}, or the slot of a receive-ahead dump. */
    private ByteBuffer currentHost = receive;
    private ByteBuffer currentNetwork = receiveNetwork;
    /** Created on the first receive-ahead dump, then reused: its buffers live as long as the socket. */
    private ReceiveAhead receiveAhead;
    /** The first exception a reply handler threw during the operation in progress. */
    private RuntimeException handlerFailure;
    private int seq;
    private long unmatchedMessages;
    private boolean closed;

    private NetlinkSocket(int fd, Options options) {
        this.fd = fd;
        this.options = options;
        try {
            this.portId = SocketSetup.bind(fd, 0, "netlink socket");
            optional(Netlink.SOL_NETLINK, Netlink.NETLINK_EXT_ACK, 1);
            optional(Netlink.SOL_NETLINK, Netlink.NETLINK_CAP_ACK, 1);
            if (options.receiveBufferBytes() > 0) {
                SocketSetup.receiveBuffer(fd, options.receiveBufferBytes());
            }
            pollFd.putInt(0, fd);
        } catch (RuntimeException e) {
            libc.close(fd);
            throw e;
        }
    }

    /**
     * Opens a socket in the calling thread's network namespace with default options.
     *
     * @return the socket
     * @throws NetlinkException when the kernel refuses
     */
    public static NetlinkSocket open() {
        return open(Options.DEFAULT);
    }

    /**
     * Opens a socket in the calling thread's network namespace.
     *
     * @param options socket options
     * @return the socket
     * @throws NetlinkException when the kernel refuses
     */
    public static NetlinkSocket open(Options options) {
        Objects.requireNonNull(options, "options");
        return new NetlinkSocket(createSocket(options), options);
    }

    /**
     * Opens a socket in the named network namespace {@code /run/netns/NAME} (what
     * {@code ip netns add NAME} creates).
     *
     * @param name the namespace name, without slashes
     * @param options socket options
     * @return the socket
     * @throws NetlinkException when the namespace or the socket cannot be opened
     */
    public static NetlinkSocket openInNamespace(String name, Options options) {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty() || name.contains("/") || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("not a network namespace name: \"" + name + "\"");
        }
        return openInNamespace(Path.of("/run/netns", name), options);
    }

    /**
     * Opens a socket in the network namespace of a namespace file, such as
     * {@code /proc/PID/ns/net} or {@code /run/netns/NAME}.
     *
     * @param namespaceFile the namespace file
     * @param options socket options
     * @return the socket
     * @throws NetlinkException when the namespace or the socket cannot be opened
     */
    public static NetlinkSocket openInNamespace(Path namespaceFile, Options options) {
        Objects.requireNonNull(options, "options");
        int fd = NamespaceSwitch.callIn(namespaceFile.toString(), () -> createSocket(options));
        return new NetlinkSocket(fd, options);
    }

    /**
     * Opens a socket in the network namespace an open descriptor refers to; the descriptor is not
     * closed.
     *
     * @param namespaceFd a network namespace descriptor
     * @param options socket options
     * @return the socket
     * @throws NetlinkException when the namespace or the socket cannot be opened
     */
    public static NetlinkSocket openInNamespace(int namespaceFd, Options options) {
        Objects.requireNonNull(options, "options");
        int fd = NamespaceSwitch.callIn(namespaceFd, () -> createSocket(options));
        return new NetlinkSocket(fd, options);
    }

    private static int createSocket(Options options) {
        int type = Netlink.SOCK_RAW | Netlink.SOCK_CLOEXEC | (options.nonBlocking() ? Netlink.SOCK_NONBLOCK : 0);
        int fd = NativeLibC.LIBC.socket(Netlink.AF_NETLINK, type, Netlink.NETLINK_NETFILTER);
        if (fd < 0) {
            throw new NetlinkException("open netfilter netlink socket", NativeLibC.errno(), null);
        }
        return fd;
    }

    /**
     * The netlink port id the kernel assigned to this socket.
     *
     * @return port id
     */
    public int portId() {
        return portId;
    }

    /**
     * The options this socket was opened with.
     *
     * @return options
     */
    public Options options() {
        return options;
    }

    /**
     * The kernel's receive buffer size for this socket (SO_RCVBUF as read back: the kernel doubles
     * what was asked for, to account for its own overhead).
     *
     * @return bytes
     * @throws NetlinkException when the kernel refuses
     */
    public int receiveBufferBytes() {
        ensureOpen();
        return SocketSetup.receiveBufferBytes(fd);
    }

    /**
     * Messages received that answered no pending request (stale replies of an abandoned
     * operation, or malformed headers), since the socket was opened.
     *
     * @return count
     */
    public long unmatchedMessages() {
        return unmatchedMessages + messages.malformed();
    }

    /** Closes the descriptor; further operations throw {@link IllegalStateException}. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            libc.close(fd);
        }
    }

    /** The received datagram being handled, in native order (attribute headers). */
    ByteBuffer host() {
        return currentHost;
    }

    /** The same memory in big-endian order (ctnetlink payloads). */
    ByteBuffer network() {
        return currentNetwork;
    }

    /**
     * Starts a new request in the send buffer.
     *
     * @param type nlmsg_type
     * @param flags flags besides NLM_F_REQUEST
     * @param family nfgen_family
     * @param version nfgenmsg version
     * @return the writer, positioned after nfgenmsg; the sequence number is {@link #lastSeq()}
     */
    MessageWriter request(int type, int flags, int family, int version) {
        ensureOpen();
        writer.reset();
        seq = seq == Integer.MAX_VALUE ? 1 : seq + 1;
        writer.begin(type, flags | Netlink.NLM_F_REQUEST, seq, family, version);
        return writer;
    }

    /** Receives the errors of a batch, one per failed request. */
    interface BatchErrorHandler {
        /**
         * One request of the batch failed.
         *
         * @param seq the failed request's sequence number
         * @param errno the positive errno
         * @param kernelMessage the extended ACK text, or null
         */
        void onError(int seq, int errno, String kernelMessage);
    }

    /**
     * Starts a batch of independent requests packed into one datagram; add each with
     * {@link #appendRequest(int, int, int, int)} and end it with {@link MessageWriter#end()}.
     *
     * @return the writer, empty
     */
    MessageWriter beginBatch() {
        ensureOpen();
        writer.reset();
        // keep the sequence numbers of one batch increasing, so they map to request indexes
        if (seq > Integer.MAX_VALUE - SEND_BUFFER_BYTES) {
            seq = 0;
        }
        return writer;
    }

    /**
     * Begins the next request of a batch.
     *
     * @param type nlmsg_type
     * @param flags flags besides NLM_F_REQUEST
     * @param family nfgen_family
     * @param version nfgenmsg version
     * @return the request's sequence number
     */
    int appendRequest(int type, int flags, int family, int version) {
        seq++;
        writer.begin(type, flags | Netlink.NLM_F_REQUEST, seq, family, version);
        return seq;
    }

    /**
     * Bytes still free in the send buffer.
     *
     * @return bytes
     */
    int batchRoom() {
        return SEND_BUFFER_BYTES - writer.length();
    }

    /**
     * Sends a batch whose requests have sequence numbers {@code firstSeq..lastSeq} (only the last
     * asks for an ACK: the kernel reports every failure anyway), then receives until the last
     * request is answered.
     *
     * @param operation what is being done, for error messages
     * @param firstSeq the first request's sequence number
     * @param lastSeq the last request's sequence number
     * @param handler called once per failed request
     */
    void executeBatch(String operation, int firstSeq, int lastSeq, BatchErrorHandler handler) {
        transmit(operation, writer.length());
        while (true) {
            int received = receiveInto(operation, receive);
            messages.wrap(receive, received);
            boolean done = false;
            while (messages.next()) {
                int messageSeq = messages.seq();
                if (messageSeq < firstSeq || messageSeq > lastSeq) {
                    unmatchedMessages++;
                    continue;
                }
                if (messages.type() == Netlink.NLMSG_ERROR) {
                    int errno = messages.length() >= Netlink.NLMSG_HDRLEN + 4
                            ? -receive.getInt(messages.offset() + Netlink.NLMSG_HDRLEN) : 0;
                    if (errno != 0) {
                        handler.onError(messageSeq, errno,
                                ExtendedAck.message(receive, receiveNetwork, messages.offset(), messages.length()));
                    }
                    done |= messageSeq == lastSeq;
                } else if (messages.type() == Netlink.NLMSG_OVERRUN) {
                    throw new NetlinkOverrunException(operation);
                }
            }
            if (done) {
                return;
            }
        }
    }

    /** The sequence number of the request being built or last sent. */
    int lastSeq() {
        return seq;
    }

    /**
     * Ends and sends the request being built, then receives until the kernel acknowledges it, ends
     * the dump it started, or reports an error. Every other message with its sequence number goes
     * to {@code handler}. If the handler throws, the remaining replies are still drained (so the
     * socket stays usable) and the first exception is rethrown.
     *
     * @param operation what is being done, for error messages
     * @param handler the replies
     * @throws NetlinkException when the kernel reports an error
     */
    void execute(String operation, ReplyHandler handler) {
        writer.end();
        int requestSeq = seq;
        transmit(operation, writer.length());
        handlerFailure = null;
        while (true) {
            int received = receiveInto(operation, receive);
            if (handleReply(operation, requestSeq, receive, receiveNetwork, received, handler)) {
                return;
            }
        }
    }

    /**
     * {@link #execute(String, ReplyHandler)} with the receiving on a second thread: a
     * {@link ReceiveAhead} calls recv(2) into a ring of buffers while this thread runs the handler
     * on the datagrams already received. Replies, errors and the handler's exceptions are the same
     * as with {@code execute}; the receiving thread has ended when this returns or throws, so the
     * socket is again used by one thread only.
     *
     * @param operation what is being done, for error messages
     * @param handler the replies, called on this thread
     * @throws NetlinkException when the kernel reports an error or a receive fails
     */
    void executeReceivingAhead(String operation, ReplyHandler handler) {
        writer.end();
        int requestSeq = seq;
        transmit(operation, writer.length());
        handlerFailure = null;
        if (receiveAhead == null) {
            receiveAhead = new ReceiveAhead(this, RECEIVE_BUFFER_BYTES);
        }
        ReceiveAhead ring = receiveAhead;
        ring.start(operation, requestSeq);
        try {
            while (true) {
                int slot = ring.take();
                currentHost = ring.host(slot);
                currentNetwork = ring.network(slot);
                boolean ended = handleReply(operation, requestSeq, currentHost, currentNetwork, ring.length(slot), handler);
                ring.release();
                if (ended) {
                    return;
                }
            }
        } finally {
            currentHost = receive;
            currentNetwork = receiveNetwork;
            ring.stop();
        }
    }

    /**
     * Hands the messages of one received datagram that answer {@code requestSeq} to the handler.
     *
     * @return whether the datagram ended the reply (ACK or NLMSG_DONE)
     * @throws NetlinkException for an error reply, or the handler's first exception at the end
     */
    private boolean handleReply(String operation, int requestSeq, ByteBuffer host, ByteBuffer network, int received,
            ReplyHandler handler) {
        messages.wrap(host, received);
        while (messages.next()) {
            if (messages.seq() != requestSeq) {
                unmatchedMessages++;
                continue;
            }
            int type = messages.type();
            if (type == Netlink.NLMSG_ERROR || type == Netlink.NLMSG_DONE) {
                int errno = messages.length() >= Netlink.NLMSG_HDRLEN + 4
                        ? -host.getInt(messages.offset() + Netlink.NLMSG_HDRLEN) : 0;
                if (errno != 0) {
                    throw new NetlinkException(operation, errno,
                            ExtendedAck.message(host, network, messages.offset(), messages.length()));
                }
                RuntimeException failure = handlerFailure;
                handlerFailure = null;
                if (failure != null) {
                    throw failure;
                }
                return true;
            }
            if (type == Netlink.NLMSG_NOOP) {
                continue;
            }
            if (type == Netlink.NLMSG_OVERRUN) {
                throw new NetlinkOverrunException(operation);
            }
            if (handlerFailure == null) {
                try {
                    handler.onMessage(messages);
                } catch (RuntimeException e) {
                    handlerFailure = e;
                }
            }
        }
        return false;
    }

    private void transmit(String operation, int length) {
        while (true) {
            long sent = libc.send(fd, send, length, 0);
            if (sent >= 0) {
                if (sent != length) {
                    throw new NetlinkException(operation + ": sent " + sent + " of " + length + " bytes",
                            NativeLibC.EMSGSIZE, null);
                }
                return;
            }
            int errno = NativeLibC.errno();
            if (errno == NativeLibC.EINTR) {
                continue;
            }
            if (errno == NativeLibC.EAGAIN && options.nonBlocking()) {
                await(operation, POLLOUT);
                continue;
            }
            throw new NetlinkException(operation + ": send", errno, null);
        }
    }

    /**
     * Receives one datagram into {@code into} (a {@link #RECEIVE_BUFFER_BYTES} direct buffer),
     * retrying after EINTR and, on a non-blocking socket, waiting with poll(2).
     *
     * @return its length
     * @throws NetlinkOverrunException after ENOBUFS
     * @throws NetlinkException when recv fails, or the datagram did not fit
     */
    int receiveInto(String operation, ByteBuffer into) {
        while (true) {
            long received = libc.recv(fd, into, RECEIVE_BUFFER_BYTES, Netlink.MSG_TRUNC);
            if (received >= 0) {
                if (received > RECEIVE_BUFFER_BYTES) {
                    throw new NetlinkException(operation + ": a " + received + "-byte datagram did not fit the "
                            + RECEIVE_BUFFER_BYTES + "-byte receive buffer", NativeLibC.EMSGSIZE, null);
                }
                return (int) received;
            }
            int errno = NativeLibC.errno();
            if (errno == NativeLibC.EINTR) {
                continue;
            }
            if (errno == NativeLibC.ENOBUFS) {
                throw new NetlinkOverrunException(operation);
            }
            if (errno == NativeLibC.EAGAIN && options.nonBlocking()) {
                await(operation, POLLIN);
                continue;
            }
            throw new NetlinkException(operation + ": recv", errno, null);
        }
    }

    private void await(String operation, short events) {
        while (true) {
            pollFd.putShort(4, events);
            pollFd.putShort(6, (short) 0);
            int ready = libc.poll(pollFd, 1, options.replyTimeoutMillis());
            if (ready > 0) {
                return;
            }
            if (ready == 0) {
                throw new NetlinkException(operation + ": no reply within " + options.replyTimeoutMillis() + " ms",
                        NativeLibC.EAGAIN, null);
            }
            int errno = NativeLibC.errno();
            if (errno != NativeLibC.EINTR) {
                throw new NetlinkException(operation + ": poll", errno, null);
            }
        }
    }

    private void optional(int level, int option, int value) {
        if (SocketSetup.setIntOption(fd, level, option, value) != 0 && NativeLibC.errno() != NativeLibC.ENOPROTOOPT) {
            throw new NetlinkException("setsockopt " + level + "/" + option, NativeLibC.errno(), null);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the netlink socket is closed");
        }
    }
}

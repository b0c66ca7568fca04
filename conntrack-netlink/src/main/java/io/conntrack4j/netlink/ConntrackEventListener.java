package io.conntrack4j.netlink;

import io.conntrack4j.core.EventType;
import io.conntrack4j.netlink.internal.NamespaceSwitch;
import io.conntrack4j.netlink.internal.SocketSetup;
import io.conntrack4j.netlink.internal.NativeLibC;
import io.conntrack4j.netlink.internal.Netlink;
import io.conntrack4j.netlink.internal.ffi.LibC;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import jnr.ffi.byref.IntByReference;

/**
 * A subscription to conntrack events (what {@code conntrack -E} shows) on a netfilter netlink
 * socket bound to the chosen event groups, in the caller's network namespace or another one.
 *
 * <p>The kernel sends one datagram per event. {@link #poll(int, int, ConntrackEventHandler)} reads
 * what is queued into one reused buffer and hands each event to the handler as a reused
 * {@link ConntrackEntry}: nothing is allocated per event.
 *
 * <p>Loss: when the receive buffer is full the kernel drops events, counts them on the socket, and
 * (unless {@link Options#noEnobufs()}) reports one ENOBUFS per overrun episode. The listener never
 * dies of it: it counts the overrun, tells {@link ConntrackEventHandler#onOverrun(long, long)} with
 * the kernel's drop count, and keeps receiving. {@link #kernelDrops()} reads that count any time.
 * {@link Options#broadcastError()} makes ctnetlink retry undelivered DESTROY events later, so
 * DESTROY is not lost (and a dropped DESTROY is then both counted and delivered).
 *
 * <p>Not thread-safe: poll from one thread.
 *
 * <pre>{@code
 * try (ConntrackEventListener events = ConntrackEventListener.open(
 *         ConntrackEventListener.Options.ALL.withReceiveBufferBytes(64 << 20))) {
 *     events.treatAsOwn(mySyncSocket);
 *     while (running) {
 *         events.poll(4096, 500, (type, entry, portId, own) -> System.out.println(type + " " + entry));
 *     }
 * }
 * }</pre>
 */
public final class ConntrackEventListener implements AutoCloseable {
    private static final int RECEIVE_BUFFER_BYTES = 32 * 1024;
    private static final short POLLIN = 0x1;

    /**
     * How to subscribe.
     *
     * @param events the conntrack event types to receive (their groups: NEW 1, UPDATE 2, DESTROY 3);
     *     may be empty when {@code expectationEvents} is not
     * @param receiveBufferBytes the kernel receive buffer to ask for, SO_RCVBUFFORCE falling back to
     *     SO_RCVBUF (the kernel doubles it); 0 keeps the system default. This is what VyOS calls
     *     event-listen-queue-size.
     * @param noEnobufs set NETLINK_NO_ENOBUFS: overruns are not reported as ENOBUFS (only
     *     {@link #kernelDrops()} shows them)
     * @param broadcastError set NETLINK_BROADCAST_ERROR: ctnetlink learns of failed deliveries and
     *     retries DESTROY events, at the cost of dying entries occupying the table until delivered
     * @param expectationEvents the expectation event types to receive (groups NFNLGRP_CONNTRACK_EXP_NEW 4,
     *     _EXP_UPDATE 5, which the kernel never uses, and _EXP_DESTROY 6), handed to
     *     {@link ConntrackEventHandler#onExpectation}; what {@code conntrack -E expect} shows
     */
    public record Options(Set<EventType> events, int receiveBufferBytes, boolean noEnobufs,
                          boolean broadcastError, Set<EventType> expectationEvents) {
        /** NEW, UPDATE and DESTROY, default buffer, ENOBUFS reported, no BROADCAST_ERROR, no expectations. */
        public static final Options ALL = new Options(EnumSet.allOf(EventType.class), 0, false, false);

        /**
         * Checks and copies the values.
         *
         * @param events conntrack event types
         * @param receiveBufferBytes receive buffer, 0 for the default
         * @param noEnobufs NETLINK_NO_ENOBUFS
         * @param broadcastError NETLINK_BROADCAST_ERROR
         * @param expectationEvents expectation event types; at least one type in all
         */
        public Options {
            Objects.requireNonNull(events, "events");
            Objects.requireNonNull(expectationEvents, "expectationEvents");
            if (events.isEmpty() && expectationEvents.isEmpty()) {
                throw new IllegalArgumentException("subscribe to at least one event type");
            }
            events = Set.copyOf(events);
            expectationEvents = Set.copyOf(expectationEvents);
            if (receiveBufferBytes < 0) {
                throw new IllegalArgumentException("receiveBufferBytes must be >= 0: " + receiveBufferBytes);
            }
        }

        /**
         * Conntrack events only.
         *
         * @param events event types, at least one
         * @param receiveBufferBytes receive buffer, 0 for the default
         * @param noEnobufs NETLINK_NO_ENOBUFS
         * @param broadcastError NETLINK_BROADCAST_ERROR
         */
        public Options(Set<EventType> events, int receiveBufferBytes, boolean noEnobufs, boolean broadcastError) {
            this(events, receiveBufferBytes, noEnobufs, broadcastError, Set.of());
        }

        /**
         * A copy for other conntrack event types.
         *
         * @param types event types (may be empty when expectation events are chosen)
         * @return new options
         */
        public Options withEvents(Set<EventType> types) {
            return new Options(types, receiveBufferBytes, noEnobufs, broadcastError, expectationEvents);
        }

        /**
         * A copy that also (or only, with {@code withEvents(Set.of())}) receives expectation events.
         *
         * <pre>{@code
         * Options o = Options.ALL.withExpectationEvents(EnumSet.of(EventType.NEW, EventType.DESTROY)).withEvents(Set.of());
         * }</pre>
         *
         * @param types expectation event types (may be empty)
         * @return new options
         */
        public Options withExpectationEvents(Set<EventType> types) {
            return new Options(events, receiveBufferBytes, noEnobufs, broadcastError, types);
        }

        /**
         * A copy with another receive buffer.
         *
         * @param bytes receive buffer, 0 for the default
         * @return new options
         */
        public Options withReceiveBufferBytes(int bytes) {
            return new Options(events, bytes, noEnobufs, broadcastError, expectationEvents);
        }

        /**
         * A copy in "reliable" mode, as conntrackd's NetlinkEventsReliable: NETLINK_BROADCAST_ERROR
         * and NETLINK_NO_ENOBUFS both on (or both off).
         *
         * @param reliable on or off
         * @return new options
         */
        public Options withReliable(boolean reliable) {
            return new Options(events, receiveBufferBytes, reliable, reliable, expectationEvents);
        }

        int groupMask() {
            int mask = 0;
            for (EventType type : events) {
                mask |= type.groupMask();
            }
            for (EventType type : expectationEvents) {
                mask |= 1 << (type.expectationGroup() - 1);
            }
            return mask;
        }
    }

    private final LibC libc = NativeLibC.LIBC;
    private final int fd;
    private final int portId;
    private final Options options;
    private final ByteBuffer receive = ByteBuffer.allocateDirect(RECEIVE_BUFFER_BYTES).order(ByteOrder.nativeOrder());
    private final ByteBuffer pollFd = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
    private final ByteBuffer memInfo = ByteBuffer.allocateDirect(4 * Netlink.SK_MEMINFO_VARS)
            .order(ByteOrder.nativeOrder());
    private final EventDispatcher dispatcher = new EventDispatcher(receive);
    private long overruns;
    private long truncated;
    private boolean closed;

    private ConntrackEventListener(int fd, Options options) {
        this.fd = fd;
        this.options = options;
        try {
            if (options.receiveBufferBytes() > 0) {
                SocketSetup.receiveBuffer(fd, options.receiveBufferBytes());
            }
            if (options.noEnobufs()) {
                required(Netlink.NETLINK_NO_ENOBUFS, "NETLINK_NO_ENOBUFS");
            }
            if (options.broadcastError()) {
                required(Netlink.NETLINK_BROADCAST_ERROR, "NETLINK_BROADCAST_ERROR");
            }
            this.portId = SocketSetup.bind(fd, options.groupMask(), "to conntrack event groups " + options.events()
                    + " and expectation event groups " + options.expectationEvents());
            pollFd.putInt(0, fd);
        } catch (RuntimeException e) {
            libc.close(fd);
            throw e;
        }
    }

    /**
     * Subscribes in the calling thread's network namespace.
     *
     * @param options what to receive and how
     * @return the listener
     * @throws NetlinkException when the kernel refuses
     */
    public static ConntrackEventListener open(Options options) {
        Objects.requireNonNull(options, "options");
        return new ConntrackEventListener(createSocket(), options);
    }

    /**
     * Subscribes in the named network namespace {@code /run/netns/NAME}.
     *
     * @param name the namespace name, without slashes
     * @param options what to receive and how
     * @return the listener
     * @throws NetlinkException when the namespace or the socket cannot be opened
     */
    public static ConntrackEventListener openInNamespace(String name, Options options) {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty() || name.contains("/") || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("not a network namespace name: \"" + name + "\"");
        }
        return openInNamespace(Path.of("/run/netns", name), options);
    }

    /**
     * Subscribes in the network namespace of a namespace file ({@code /proc/PID/ns/net},
     * {@code /run/netns/NAME}); the calling thread does not change namespace.
     *
     * @param namespaceFile the namespace file
     * @param options what to receive and how
     * @return the listener
     * @throws NetlinkException when the namespace or the socket cannot be opened
     */
    public static ConntrackEventListener openInNamespace(Path namespaceFile, Options options) {
        Objects.requireNonNull(options, "options");
        int fd = NamespaceSwitch.callIn(namespaceFile.toString(), ConntrackEventListener::createSocket);
        return new ConntrackEventListener(fd, options);
    }

    /**
     * Subscribes in the network namespace an open descriptor refers to (from {@code open(2)} of a
     * namespace file, or a pidfd's namespace); the descriptor is not closed and the calling thread
     * does not change namespace.
     *
     * <pre>{@code
     * try (ConntrackEventListener l = ConntrackEventListener.openInNamespace(nsFd, Options.ALL)) { ... }
     * }</pre>
     *
     * @param namespaceFd a network namespace descriptor
     * @param options what to receive and how
     * @return the listener
     * @throws NetlinkException when the namespace or the socket cannot be opened
     */
    public static ConntrackEventListener openInNamespace(int namespaceFd, Options options) {
        Objects.requireNonNull(options, "options");
        int fd = NamespaceSwitch.callIn(namespaceFd, ConntrackEventListener::createSocket);
        return new ConntrackEventListener(fd, options);
    }

    private static int createSocket() {
        int fd = NativeLibC.LIBC.socket(Netlink.AF_NETLINK, Netlink.SOCK_RAW | Netlink.SOCK_CLOEXEC,
                Netlink.NETLINK_NETFILTER);
        if (fd < 0) {
            throw new NetlinkException("open netfilter netlink socket", NativeLibC.errno(), null);
        }
        return fd;
    }

    /**
     * Marks events caused by this socket as own ({@code own == true} in the handler), so that a
     * replica can skip the changes it committed itself.
     *
     * @param socket a socket of this process that changes the table
     * @return this
     */
    public ConntrackEventListener treatAsOwn(NetlinkSocket socket) {
        return treatAsOwn(socket.portId());
    }

    /**
     * Marks events caused by the socket with this netlink port id as own.
     *
     * @param netlinkPortId a port id, not 0 (0 means the packet path)
     * @return this
     */
    public ConntrackEventListener treatAsOwn(int netlinkPortId) {
        if (netlinkPortId == 0) {
            throw new IllegalArgumentException("port id 0 is the kernel, not a socket");
        }
        dispatcher.addOwnPortId(netlinkPortId);
        return this;
    }

    /**
     * Has the kernel drop, before queueing, every conntrack event that does not meet
     * {@code filter}: the filter is compiled to a classic BPF program and attached with
     * SO_ATTACH_FILTER (conntrackd's kernel-space filtering). Filtered events cost no receive buffer
     * and never reach {@link #poll}; expectation events are not filtered. Replaces an earlier filter.
     * An absent mark or zone counts as 0, as in {@link DumpFilter#test(ConntrackEntry)}.
     *
     * <pre>{@code
     * events.attachFilter(DumpFilter.builder().protocol(L4Protocol.TCP).mark(0, 0x1).build());
     * }</pre>
     *
     * @param filter the events to keep
     * @return this
     * @throws NetlinkException when the kernel refuses the program
     */
    public ConntrackEventListener attachFilter(DumpFilter filter) {
        Objects.requireNonNull(filter, "filter");
        ensureOpen();
        attach(EventFilterProgram.compile(filter), filter.toString());
        dispatcher.userSpaceFilter(null);
        return this;
    }

    /**
     * Delivers only the conntrack events that pass a core {@link io.conntrack4j.core.Filter}
     * (conntrackd's "Filter From Kernelspace"): the rules are compiled to a classic BPF program
     * attached with SO_ATTACH_FILTER, so the kernel drops, before queueing, every event that fails
     * family, protocol, original/reply source prefix (IPv4 and IPv6), TCP state, zone, mark or
     * status rules. Every event that does reach user space is checked again with the same rules
     * (allocation-free), so what the handler sees is exactly what {@code filter.test} keeps, even
     * where the program leaves a rule out: a list whose checks are longer than classic BPF's
     * 255-instruction jumps reach (roughly 40 IPv4 or 15 IPv6 prefixes, or some 240 protocols) is
     * checked in user space only, and the events it would have dropped still cost receive buffer. {@link #filteredInUserSpace()}
     * counts the events dropped there. Expectation events are not filtered. Replaces an earlier
     * filter.
     *
     * <pre>{@code
     * events.attachFilter(Filter.builder()
     *         .acceptProtocols(L4Protocol.TCP, L4Protocol.UDP)
     *         .ignoreAddresses(Cidr.parse("192.168.77.0/24"), Cidr.parse("fe80::/10"))
     *         .build());
     * }</pre>
     *
     * @param filter the events to keep
     * @return this
     * @throws NetlinkException when the kernel refuses the program
     */
    public ConntrackEventListener attachFilter(io.conntrack4j.core.Filter filter) {
        Objects.requireNonNull(filter, "filter");
        ensureOpen();
        attach(EventFilterProgram.compile(filter), filter.toString());
        dispatcher.userSpaceFilter(new EntryFilter(filter));
        return this;
    }

    /**
     * Conntrack events that reached this socket but failed the core filter of
     * {@link #attachFilter(io.conntrack4j.core.Filter)} in user space (0 while the kernel-side
     * program covers every rule).
     *
     * @return events dropped in user space since the listener was opened
     */
    public long filteredInUserSpace() {
        return dispatcher.filtered();
    }

    private void attach(ByteBuffer program, String what) {
        // struct sock_fprog {unsigned short len; struct sock_filter *filter;}
        ByteBuffer fprog = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder());
        fprog.putShort(0, (short) (program.capacity() / 8));
        fprog.putLong(8, NativeLibC.address(program));
        int result = libc.setsockopt(fd, Netlink.SOL_SOCKET, Netlink.SO_ATTACH_FILTER, fprog, 16);
        int errno = NativeLibC.errno();
        java.lang.ref.Reference.reachabilityFence(program);
        if (result != 0) {
            throw new NetlinkException("attach event filter " + what, errno, null);
        }
    }

    /**
     * Removes the filter of {@link #attachFilter(DumpFilter)}: every subscribed event is delivered again.
     *
     * @return this
     * @throws NetlinkException when the kernel refuses (ENOENT: no filter attached)
     */
    public ConntrackEventListener detachFilter() {
        ensureOpen();
        if (SocketSetup.setIntOption(fd, Netlink.SOL_SOCKET, Netlink.SO_DETACH_FILTER, 0) != 0) {
            throw new NetlinkException("detach event filter", NativeLibC.errno(), null);
        }
        dispatcher.userSpaceFilter(null);
        return this;
    }

    /**
     * Reads queued events and hands each to the handler. Waits up to {@code timeoutMillis} only when
     * nothing is queued; returns as soon as the queue is empty or {@code maxEvents} were handed
     * over. An overrun (ENOBUFS) is reported to the handler and receiving goes on.
     *
     * @param maxEvents stop after this many events (at least 1)
     * @param timeoutMillis how long to wait for the first event: 0 not at all, -1 for ever
     * @param handler receives the events; its exceptions propagate (the events after it in the
     *     same datagram are lost)
     * @return the events handed over, 0 on timeout
     * @throws NetlinkException when receiving fails for another reason than an overrun
     */
    public int poll(int maxEvents, int timeoutMillis, ConntrackEventHandler handler) {
        Objects.requireNonNull(handler, "handler");
        if (maxEvents < 1) {
            throw new IllegalArgumentException("maxEvents must be >= 1: " + maxEvents);
        }
        ensureOpen();
        int delivered = 0;
        boolean waited = timeoutMillis == 0;
        while (delivered < maxEvents) {
            long received = libc.recv(fd, receive, RECEIVE_BUFFER_BYTES, Netlink.MSG_DONTWAIT | Netlink.MSG_TRUNC);
            if (received >= 0) {
                if (received > RECEIVE_BUFFER_BYTES) {
                    truncated++;
                    continue;
                }
                delivered += dispatcher.dispatch((int) received, handler);
                continue;
            }
            int errno = NativeLibC.errno();
            if (errno == NativeLibC.EINTR) {
                continue;
            }
            if (errno == NativeLibC.ENOBUFS) {
                overruns++;
                handler.onOverrun(overruns, kernelDrops());
                continue;
            }
            if (errno != NativeLibC.EAGAIN) {
                throw new NetlinkException("receive conntrack events", errno, null);
            }
            if (waited || delivered > 0) {
                return delivered;
            }
            waited = true;
            if (!awaitReadable(timeoutMillis)) {
                return 0;
            }
        }
        return delivered;
    }

    private boolean awaitReadable(int timeoutMillis) {
        while (true) {
            pollFd.putShort(4, POLLIN);
            pollFd.putShort(6, (short) 0);
            int ready = libc.poll(pollFd, 1, timeoutMillis);
            if (ready >= 0) {
                return ready > 0;
            }
            int errno = NativeLibC.errno();
            if (errno != NativeLibC.EINTR) {
                throw new NetlinkException("wait for conntrack events", errno, null);
            }
        }
    }

    /**
     * Events the kernel dropped for this socket because its receive buffer was full, since it was
     * opened (the socket's drop counter, as {@code /proc/net/netlink} "Drops" shows it, read with
     * SO_MEMINFO). With {@link Options#broadcastError()} dropped DESTROY events are counted here and
     * later delivered anyway.
     *
     * @return dropped events, or -1 when the kernel does not report it
     */
    public long kernelDrops() {
        ensureOpen();
        // jnr-ffi's by-reference int is immutable on the Java side: one small object per read
        IntByReference memInfoLength = new IntByReference(4 * Netlink.SK_MEMINFO_VARS);
        if (libc.getsockopt(fd, Netlink.SOL_SOCKET, Netlink.SO_MEMINFO, memInfo, memInfoLength) != 0
                || memInfoLength.getValue() < 4 * (Netlink.SK_MEMINFO_DROPS + 1)) {
            return -1;
        }
        return Integer.toUnsignedLong(memInfo.getInt(4 * Netlink.SK_MEMINFO_DROPS));
    }

    /**
     * ENOBUFS overrun reports seen so far (one per overrun episode, not per lost event).
     *
     * @return count
     */
    public long overruns() {
        return overruns;
    }

    /**
     * Events handed to handlers so far.
     *
     * @return count
     */
    public long events() {
        return dispatcher.events();
    }

    /**
     * Messages that were not conntrack events (other types), or too short to be one, or datagrams
     * that did not fit the 32 KiB buffer, or malformed netlink headers, so far.
     *
     * @return count
     */
    public long droppedMessages() {
        return dispatcher.ignored() + dispatcher.malformed() + truncated;
    }

    /**
     * Attributes of delivered events that were truncated, overran their message or nest, or had
     * the wrong size for their type, so far. Such an attribute is skipped (the entry reads as if
     * it were absent) rather than thrown past the handler; the event itself is still delivered.
     *
     * <pre>{@code
     * if (listener.malformedAttributes() > 0) log.warn("kernel sent malformed conntrack attributes");
     * }</pre>
     *
     * @return count
     */
    public long malformedAttributes() {
        return dispatcher.malformedAttributes();
    }

    /**
     * Attributes of delivered events whose type this library does not know (a newer kernel's),
     * skipped, so far.
     *
     * @return count
     */
    public long unknownAttributes() {
        return dispatcher.unknownAttributes();
    }

    /**
     * The netlink port id of this listener's socket.
     *
     * @return port id
     */
    public int portId() {
        return portId;
    }

    /**
     * The options this listener was opened with.
     *
     * @return options
     */
    public Options options() {
        return options;
    }

    /**
     * The kernel's receive buffer for this socket as read back (twice what was asked for).
     *
     * @return bytes
     * @throws NetlinkException when the kernel refuses
     */
    public int receiveBufferBytes() {
        ensureOpen();
        return SocketSetup.receiveBufferBytes(fd);
    }

    /** Unsubscribes and closes the socket; further polls throw {@link IllegalStateException}. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            libc.close(fd);
        }
    }

    private void required(int option, String name) {
        if (SocketSetup.setIntOption(fd, Netlink.SOL_NETLINK, option, 1) != 0) {
            throw new NetlinkException("set " + name, NativeLibC.errno(), null);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the event listener is closed");
        }
    }
}

package io.conntrack4j.netlink;

import io.conntrack4j.netlink.internal.MessageIterator;
import io.conntrack4j.netlink.internal.Netlink;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.locks.LockSupport;

/**
 * The receiving half of a receive-ahead dump: a platform thread that calls recv(2) on the socket
 * into a ring of direct buffers while the caller's thread handles the datagrams already received.
 *
 * <p>Why a thread: the kernel fills a dump's next datagram inside each recvmsg (netlink_recvmsg
 * calls netlink_dump once the queue is half empty), on the receiving thread. Receiving on a thread
 * of its own keeps that kernel work going on one core while the caller decodes on another, instead
 * of the two taking turns.
 *
 * <p>One producer (the receiver), one consumer (the caller); slots are recycled and nothing is
 * allocated per datagram. Each side spins briefly, then parks until the other side unparks it. The
 * receiver ends by itself after the datagram that ends the reply (NLMSG_DONE or NLMSG_ERROR with
 * the request's sequence number, or NLMSG_OVERRUN), and after a failed receive, which it hands over
 * in place of a datagram. If the consumer leaves early, {@link #stop()} makes the receiver read and
 * discard the rest of the reply, so that the socket is left as a synchronous dump leaves it.
 */
final class ReceiveAhead {
    /** Datagrams received but not yet handled, at most: the kernel queues one ahead anyway. */
    static final int SLOTS = 8;
    /** Spins before parking: a handover takes microseconds when both threads are on a core. */
    private static final int SPINS = 200;

    private final NetlinkSocket socket;
    private final ByteBuffer[] host = new ByteBuffer[SLOTS];
    private final ByteBuffer[] network = new ByteBuffer[SLOTS];
    private final int[] lengths = new int[SLOTS];
    private final RuntimeException[] failures = new RuntimeException[SLOTS];
    /** The receiver's own walk over headers, to see the end of the reply. */
    private final MessageIterator scan = new MessageIterator();

    /** Slots filled since {@link #start}; written by the receiver only. */
    private volatile long filled;
    /** Slots handed back since {@link #start}; written by the consumer only. */
    private volatile long released;
    private volatile boolean consumerParked;
    private volatile boolean receiverParked;
    /** Set by {@link #stop()}: nobody takes slots any more. */
    private volatile boolean abandoned;

    private Thread consumer;
    private Thread receiver;
    private String operation;
    private int requestSeq;

    ReceiveAhead(NetlinkSocket socket, int bufferBytes) {
        this.socket = socket;
        for (int i = 0; i < SLOTS; i++) {
            host[i] = ByteBuffer.allocateDirect(bufferBytes).order(ByteOrder.nativeOrder());
            network[i] = host[i].duplicate().order(ByteOrder.BIG_ENDIAN);
        }
    }

    /**
     * Starts receiving the reply to a request already sent.
     *
     * @param operation what is being done, for error messages
     * @param requestSeq the request's sequence number
     */
    void start(String operation, int requestSeq) {
        this.operation = operation;
        this.requestSeq = requestSeq;
        this.consumer = Thread.currentThread();
        filled = 0;
        released = 0;
        abandoned = false;
        receiver = new Thread(this::receive, "conntrack4j-dump-receiver");
        receiver.setDaemon(true);
        receiver.start();
    }

    /**
     * Waits for the next received datagram. An interrupt does not end the wait (a dump is not
     * interruptible, as with a synchronous receive); the thread's interrupt status is kept.
     *
     * @return its slot, for {@link #host(int)}, {@link #network(int)}, {@link #length(int)}
     * @throws RuntimeException what the receive threw (NetlinkException, NetlinkOverrunException)
     */
    int take() {
        long next = released;
        boolean interrupted = false;
        int spins = 0;
        while (filled == next) {
            if (spins++ < SPINS) {
                Thread.onSpinWait();
                continue;
            }
            consumerParked = true;
            if (filled == next) {
                LockSupport.park(this);
            }
            consumerParked = false;
            interrupted |= Thread.interrupted();
        }
        if (interrupted) {
            consumer.interrupt();
        }
        int slot = (int) (next % SLOTS);
        RuntimeException failure = failures[slot];
        if (failure != null) {
            failures[slot] = null;
            throw failure;
        }
        return slot;
    }

    ByteBuffer host(int slot) {
        return host[slot];
    }

    ByteBuffer network(int slot) {
        return network[slot];
    }

    int length(int slot) {
        return lengths[slot];
    }

    /** Hands the slot of the last {@link #take()} back to the receiver. */
    void release() {
        released = released + 1;
        if (receiverParked) {
            LockSupport.unpark(receiver);
        }
    }

    /**
     * Ends the dump on the consumer's side and waits for the receiver to end: at once when it has
     * seen the end of the reply or failed, else after reading and discarding the rest of it.
     */
    void stop() {
        abandoned = true;
        LockSupport.unpark(receiver);
        boolean interrupted = false;
        while (true) {
            try {
                receiver.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        receiver = null;
        consumer = null;
        for (int i = 0; i < SLOTS; i++) {
            failures[i] = null;
        }
    }

    private void receive() {
        while (true) {
            long next = filled;
            int spins = 0;
            while (!abandoned && next - released == SLOTS) {
                if (spins++ < SPINS) {
                    Thread.onSpinWait();
                    continue;
                }
                receiverParked = true;
                if (!abandoned && next - released == SLOTS) {
                    LockSupport.park(this);
                }
                receiverParked = false;
            }
            // once abandoned, every slot is free: what is received is discarded
            int slot = (int) (next % SLOTS);
            boolean ended;
            try {
                int length = socket.receiveInto(operation, host[slot]);
                lengths[slot] = length;
                ended = endsReply(host[slot], length);
            } catch (RuntimeException e) {
                lengths[slot] = 0;
                failures[slot] = e;
                ended = true;
            }
            filled = next + 1;
            if (consumerParked) {
                LockSupport.unpark(consumer);
            }
            if (ended) {
                return;
            }
        }
    }

    /** Whether the datagram holds the message that ends the reply, as NetlinkSocket reads it. */
    private boolean endsReply(ByteBuffer datagram, int length) {
        scan.wrap(datagram, length);
        while (scan.next()) {
            int type = scan.type();
            if (type == Netlink.NLMSG_OVERRUN
                    || scan.seq() == requestSeq && (type == Netlink.NLMSG_DONE || type == Netlink.NLMSG_ERROR)) {
                return true;
            }
        }
        return false;
    }
}

package io.conntrack4j.core.tracker;

import java.util.Arrays;

/**
 * The connections themselves, as a structure of arrays indexed by an {@code int} connection id
 * (tracker.md 6.3): what every packet touches ({@link #expiry}, {@link #status}) apart from the
 * per-protocol state ({@link #proto}) and the rarely used parts (marks and labels, allocated on first use). Ids are recycled
 * through a free list threaded through {@link #positions}; a generation per id, bumped on free,
 * makes stale handles detectable.
 *
 * <p>{@link #status} holds Linux's status bits (0-15), the tracker's own bits (16-23) and the
 * protocol state (24-27). {@link #proto} is a union of {@value #PROTO_STRIDE} ints per connection:
 * for TCP the window of each direction ({@code td_end, td_maxend, td_maxwin, td_maxack}) at
 * {@code 4 * direction}, then {@link #TCP_MISC} (flags, scales and the last-packet annotations
 * packed), {@link #TCP_LAST_END} and {@link #TCP_LAST_AUX}; for UDP and GRE the time after which a
 * replied flow counts as a stream.
 */
final class ConnectionStore {

    static final int PROTO_STRIDE = 11;

    static final int END = 0;
    static final int MAXEND = 1;
    static final int MAXWIN = 2;
    static final int MAXACK = 3;
    static final int TCP_MISC = 8;
    static final int TCP_LAST_END = 9;
    /** Retransmission fingerprint, the annotated ignored SYN, or the last ignored ACK number. */
    static final int TCP_LAST_AUX = 10;
    static final int UDP_STREAM_AFTER = 0;

    static final int IN_USE = 1 << 16;
    static final int IPV6 = 1 << 17;
    /** Created or updated from outside (sync, dump), not by the packet state machine. */
    static final int EXTERNAL = 1 << 18;
    static final int STATE_SHIFT = 24;
    static final int STATE_MASK = 0xf << STATE_SHIFT;

    final int capacity;
    final int[] expiry;
    final int[] status;
    final int[] generation;
    /** Allocated when the first mark is set (most tables never set one). */
    int[] marks;
    /** Index slot of each (id << 1 | direction); for a free id, {@code positions[2 * id]} links the free list. */
    final int[] positions;
    final int[] proto;
    long[] labels;

    private int freeHead = -1;
    private int highWater;
    int count;
    int ipv6Count;

    ConnectionStore(int capacity) {
        this.capacity = capacity;
        this.expiry = new int[capacity];
        this.status = new int[capacity];
        this.generation = new int[capacity];
        this.positions = new int[capacity * 2];
        this.proto = new int[capacity * PROTO_STRIDE];
    }

    /** @return a free id, or -1 when all are in use */
    int allocate(boolean ipv6) {
        int id;
        if (freeHead >= 0) {
            id = freeHead;
            freeHead = positions[2 * id];
        } else if (highWater < capacity) {
            id = highWater++;
        } else {
            return -1;
        }
        status[id] = IN_USE | (ipv6 ? IPV6 : 0);
        count++;
        if (ipv6) {
            ipv6Count++;
        }
        return id;
    }

    void free(int id) {
        if ((status[id] & IPV6) != 0) {
            ipv6Count--;
        }
        status[id] = 0;
        generation[id]++;
        if (marks != null) {
            marks[id] = 0;
        }
        expiry[id] = 0;
        Arrays.fill(proto, id * PROTO_STRIDE, (id + 1) * PROTO_STRIDE, 0);
        if (labels != null) {
            labels[2 * id] = 0;
            labels[2 * id + 1] = 0;
        }
        positions[2 * id] = freeHead;
        freeHead = id;
        count--;
    }

    boolean inUse(int id) {
        return (status[id] & IN_USE) != 0;
    }

    int highWater() {
        return highWater;
    }

    int state(int id) {
        return (status[id] & STATE_MASK) >>> STATE_SHIFT;
    }

    void setState(int id, int state) {
        status[id] = status[id] & ~STATE_MASK | state << STATE_SHIFT;
    }

    int mark(int id) {
        return marks == null ? 0 : marks[id];
    }

    void setMark(int id, int mark) {
        if (marks == null) {
            if (mark == 0) {
                return;
            }
            marks = new int[capacity];
        }
        marks[id] = mark;
    }

    long[] labels() {
        if (labels == null) {
            labels = new long[capacity * 2];
        }
        return labels;
    }

    long bytes() {
        long b = (long) capacity * Integer.BYTES * (3 + 2 + PROTO_STRIDE);
        b += marks == null ? 0 : (long) marks.length * Integer.BYTES;
        return labels == null ? b : b + (long) labels.length * Long.BYTES;
    }

    void clear() {
        Arrays.fill(status, 0);
        Arrays.fill(proto, 0);
        if (marks != null) {
            Arrays.fill(marks, 0);
        }
        if (labels != null) {
            Arrays.fill(labels, 0);
        }
        for (int i = 0; i < highWater; i++) {
            generation[i]++;
        }
        freeHead = -1;
        highWater = 0;
        count = 0;
        ipv6Count = 0;
    }
}

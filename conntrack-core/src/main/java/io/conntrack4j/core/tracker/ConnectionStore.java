package io.conntrack4j.core.tracker;

import java.util.Arrays;

/**
 * The connections themselves, indexed by an {@code int} connection id (tracker.md 6.3). What a
 * packet touches lives in one record of {@value #RECORD} ints per connection in {@link #records}
 * (status, expiry, generation and the per-protocol state side by side, 64 bytes that sit on one
 * cache line in large tables, see {@link #ORIGIN}, so that a packet costs one cache line, not one
 * per field; two ints are spare); what only the control plane touches ({@link #positions})
 * and the optional parts (marks and labels, allocated on first use) live in separate arrays. Ids are
 * recycled through a free list threaded through {@link #positions}; a generation per id, bumped on
 * free, makes stale handles detectable.
 *
 * <p>{@link #STATUS} holds Linux's status bits (0-15), the tracker's own bits (16-23) and the
 * protocol state (24-27). From {@link #PROTO} on, a union: for TCP the window of each direction
 * ({@code td_end, td_maxend, td_maxwin, td_maxack}) at {@code 4 * direction}, then {@link #TCP_MISC}
 * (flags, scales and the last-packet annotations packed), {@link #TCP_LAST_END} and
 * {@link #TCP_LAST_AUX}; for UDP the time after which a replied flow counts as a stream.
 */
final class ConnectionStore {

    static final int STATUS = 0;
    static final int EXPIRY = 1;
    static final int GENERATION = 2;
    static final int PROTO = 3;
    static final int PROTO_INTS = 13;
    /** 16 ints: one 64-byte cache line when aligned. */
    static final int RECORD = PROTO + PROTO_INTS;
    /**
     * Where record 0 starts in {@link #records}. Java gives no alignment guarantee, but G1 (the
     * default collector) puts every array larger than half a region at a region start, and an
     * {@code int[]}'s elements begin 16 bytes after the array: starting 48 bytes later puts every
     * record of a large table on its own cache line instead of 3 in 4 of them on two. Elsewhere it
     * costs 48 bytes.
     */
    static final int ORIGIN = 12;

    // offsets within the protocol part
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
    final int[] records;
    /** Index slot of each (id << 1 | direction); for a free id, {@code positions[2 * id]} links the free list. */
    final int[] positions;
    /** Allocated when the first mark is set (most tables never set one). */
    int[] marks;
    long[] labels;
    /** With accounting: packets and bytes of the original, then the reply direction, 4 per id; else null. */
    final long[] counters;

    private int freeHead = -1;
    private int highWater;
    int count;
    int ipv6Count;

    ConnectionStore(int capacity, boolean accounting) {
        this.capacity = capacity;
        this.counters = accounting ? new long[capacity * 4] : null;
        this.records = new int[ORIGIN + capacity * RECORD];
        this.positions = new int[capacity * 2];
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
        records[at(id) + STATUS] = IN_USE | (ipv6 ? IPV6 : 0);
        count++;
        if (ipv6) {
            ipv6Count++;
        }
        return id;
    }

    void free(int id) {
        int at = at(id);
        if ((records[at + STATUS] & IPV6) != 0) {
            ipv6Count--;
        }
        clear(id, at);
        positions[2 * id] = freeHead;
        freeHead = id;
        count--;
    }

    /**
     * {@link #free} followed by {@link #allocate} of the same id, as one step that keeps the id off
     * the free list and its slot positions as they are: the record, mark, labels and counters are
     * cleared and the generation bumped, so that old handles go stale exactly as after a free.
     */
    void reinit(int id) {
        int at = at(id);
        int ipv6 = records[at + STATUS] & IPV6;
        clear(id, at);
        records[at + STATUS] = IN_USE | ipv6;
    }

    /** Clears everything of an id but its generation, which it bumps: old handles go stale. */
    private void clear(int id, int at) {
        int generation = records[at + GENERATION] + 1;
        Arrays.fill(records, at, at + RECORD, 0);
        records[at + GENERATION] = generation;
        if (marks != null) {
            marks[id] = 0;
        }
        if (labels != null) {
            labels[2 * id] = 0;
            labels[2 * id + 1] = 0;
        }
        if (counters != null) {
            Arrays.fill(counters, 4 * id, 4 * id + 4, 0);
        }
    }

    int status(int id) {
        return records[at(id) + STATUS];
    }

    void setStatus(int id, int status) {
        records[at(id) + STATUS] = status;
    }

    int expiry(int id) {
        return records[at(id) + EXPIRY];
    }

    void setExpiry(int id, int expiry) {
        records[at(id) + EXPIRY] = expiry;
    }

    int generation(int id) {
        return records[at(id) + GENERATION];
    }

    /** @return where connection {@code id}'s record starts in {@link #records} */
    static int at(int id) {
        return ORIGIN + id * RECORD;
    }

    /** @return where connection {@code id}'s protocol part starts in {@link #records} */
    static int proto(int id) {
        return at(id) + PROTO;
    }

    boolean inUse(int id) {
        return (status(id) & IN_USE) != 0;
    }

    int highWater() {
        return highWater;
    }

    int state(int id) {
        return (status(id) & STATE_MASK) >>> STATE_SHIFT;
    }

    void setState(int id, int state) {
        int at = at(id) + STATUS;
        records[at] = records[at] & ~STATE_MASK | state << STATE_SHIFT;
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

    /** Counts one packet of {@code length} bytes in direction {@code dir}, when accounting. */
    void count(int id, int dir, int length) {
        if (counters != null) {
            counters[4 * id + 2 * dir]++;
            counters[4 * id + 2 * dir + 1] += length;
        }
    }

    long bytes() {
        long b = (long) Integer.BYTES * (ORIGIN + capacity * (RECORD + 2L));
        b += counters == null ? 0 : (long) counters.length * Long.BYTES;
        b += marks == null ? 0 : (long) marks.length * Integer.BYTES;
        return labels == null ? b : b + (long) labels.length * Long.BYTES;
    }
}

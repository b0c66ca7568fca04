package io.conntrack4j.core.tracker;

import io.conntrack4j.core.internal.TupleKeys;

/**
 * The hash index from a tuple key to (connection id, direction): open addressing with linear
 * probing over one {@code long[]}, the key inline in the slot so that a hit is confirmed in one
 * cache line (tracker.md 4.1, design A). Every connection has two entries, one per direction.
 *
 * <p>A slot is {@code keyLongs + 1} longs, no padding: the key ({@code keyLongs} of them: 2 for
 * IPv4, 5 for IPv6), then a reference {@code home << 32 | (id << 1 | direction) + 1} (0 = empty),
 * where {@code home} is the slot the key hashes to, kept so that deletion need not rehash. An IPv4
 * slot is 24 bytes: at load 0.5 the index costs 96 bytes per connection (two entries), and a probe
 * that moves on usually finds the next slot in the same cache line.
 *
 * <p>{@link #version()} changes whenever an entry is inserted or removed, so that a lookup made
 * ahead of time (the batch path) can tell whether its answer still stands.
 *
 * <p>Hash flooding: the hash is keyed with a secret seed, and no entry is ever stored more than
 * {@code maxProbe} slots from its home, so a lookup never walks further; an insertion that would
 * have to fails instead (counted as {@code chaintoolong}, like Linux's random 50-79 chain bound).
 * Deletion shifts later entries back (no tombstones), which only ever moves entries closer to home.
 * Single writer; not thread-safe.
 */
final class ConnectionIndex {

    static final int NOT_FOUND = -1;

    private final int keyLongs;
    private final int stride;
    private final int refOffset;
    private final long[] slots;
    private final int mask;
    private final int shift;
    private final long seed;
    private final int maxProbe;
    /** Where each (id << 1 | direction) entry sits; shared with the other family's index. */
    private final int[] positions;
    private int size;
    private int version;

    ConnectionIndex(boolean ipv6, int entries, long seed, int maxProbe, int[] positions) {
        this.keyLongs = ipv6 ? 5 : 2;
        this.stride = keyLongs + 1;
        this.refOffset = keyLongs;
        // load factor <= 0.5 when full
        int capacity = Integer.highestOneBit(Math.max(16, entries * 2 - 1)) << 1;
        this.slots = new long[capacity * stride];
        this.mask = capacity - 1;
        this.shift = 64 - Integer.numberOfTrailingZeros(capacity);
        this.seed = seed;
        this.maxProbe = Math.min(maxProbe, capacity);
        this.positions = positions;
    }

    int capacity() {
        return mask + 1;
    }

    int size() {
        return size;
    }

    /** @return a number that changes with every insertion and removal */
    int version() {
        return version;
    }

    long bytes() {
        return (long) slots.length * Long.BYTES;
    }

    int home4(long k0, long k1) {
        return (int) (TupleKeys.hash(seed, k0, k1) >>> shift);
    }

    int home(long[] key) {
        if (keyLongs == 2) {
            return home4(key[0], key[1]);
        }
        return (int) (TupleKeys.hashIpv6(seed, key[0], key[1], key[2], key[3], key[4]) >>> shift);
    }

    /**
     * @return {@code id << 1 | direction}, or {@link #NOT_FOUND}
     */
    int find4(long k0, long k1) {
        return find4(k0, k1, home4(k0, k1));
    }

    /**
     * {@link #find4(long, long)} with the home slot already computed.
     *
     * @return {@code id << 1 | direction}, or {@link #NOT_FOUND}
     */
    int find4(long k0, long k1, int home) {
        long[] s = slots;
        int i = home;
        for (int probe = 0; probe < maxProbe; probe++) {
            int at = i * 3;
            long ref = s[at + 2];
            if (ref == 0) {
                return NOT_FOUND;
            }
            if (s[at] == k0 && s[at + 1] == k1) {
                return (int) ref - 1;
            }
            i = (i + 1) & mask;
        }
        return NOT_FOUND;
    }

    /**
     * Loads the home slot of an IPv4 key, so that a lookup soon after finds it in cache.
     *
     * @return the slot's reference word (returned so that the load is not optimised away)
     */
    long touch4(int home) {
        return slots[home * 3 + 2];
    }

    int find(long[] key) {
        if (keyLongs == 2) {
            return find4(key[0], key[1]);
        }
        long[] s = slots;
        int i = home(key);
        for (int probe = 0; probe < maxProbe; probe++) {
            int at = i * stride;
            long ref = s[at + refOffset];
            if (ref == 0) {
                return NOT_FOUND;
            }
            if (s[at] == key[0] && s[at + 1] == key[1] && s[at + 2] == key[2] && s[at + 3] == key[3]
                    && s[at + 4] == key[4]) {
                return (int) ref - 1;
            }
            i = (i + 1) & mask;
        }
        return NOT_FOUND;
    }

    /**
     * Whether {@code key} has a free slot within the probe bound (it must not be present).
     */
    boolean canInsert(long[] key) {
        long[] s = slots;
        int i = home(key);
        for (int probe = 0; probe < maxProbe; probe++) {
            if (s[i * stride + refOffset] == 0) {
                return true;
            }
            i = (i + 1) & mask;
        }
        return false;
    }

    /**
     * Stores a key that is not present; {@link #canInsert} must have said yes.
     *
     * @param entry {@code id << 1 | direction}
     */
    void insert(long[] key, int entry) {
        long[] s = slots;
        int home = home(key);
        int i = home;
        while (s[i * stride + refOffset] != 0) {
            i = (i + 1) & mask;
        }
        int at = i * stride;
        System.arraycopy(key, 0, s, at, keyLongs);
        s[at + refOffset] = (long) home << 32 | (entry + 1L);
        positions[entry] = i;
        size++;
        version++;
    }

    /** Copies the key stored for an entry into {@code out}. */
    void key(int entry, long[] out) {
        System.arraycopy(slots, positions[entry] * stride, out, 0, keyLongs);
    }

    long key0(int entry) {
        return slots[positions[entry] * stride];
    }

    long key1(int entry) {
        return slots[positions[entry] * stride + keyLongs - 1];
    }

    /** The entry stored at a slot ({@code id << 1 | direction}), or -1 when empty. */
    int entryAt(int slot) {
        return (int) slots[slot * stride + refOffset] - 1;
    }

    int homeOf(int entry) {
        return (int) (slots[positions[entry] * stride + refOffset] >>> 32);
    }

    int maskValue() {
        return mask;
    }

    /** Removes an entry, shifting later entries of its cluster back. */
    void remove(int entry) {
        long[] s = slots;
        int hole = positions[entry];
        int j = hole;
        while (true) {
            j = (j + 1) & mask;
            int at = j * stride;
            long ref = s[at + refOffset];
            if (ref == 0) {
                break;
            }
            int home = (int) (ref >>> 32);
            // the entry at j may fill the hole unless its home lies cyclically in (hole, j]
            boolean stays = hole <= j ? hole < home && home <= j : hole < home || home <= j;
            if (stays) {
                continue;
            }
            System.arraycopy(s, at, s, hole * stride, stride);
            positions[(int) ref - 1] = hole;
            hole = j;
        }
        int at = hole * stride;
        for (int k = 0; k < stride; k++) {
            s[at + k] = 0;
        }
        size--;
        version++;
    }
}

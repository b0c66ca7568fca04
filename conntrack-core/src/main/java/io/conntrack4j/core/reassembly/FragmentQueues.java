package io.conntrack4j.core.reassembly;

/**
 * The fragment queues of one address family in preallocated arrays: a chained hash table of queues
 * keyed by {@link #KEY_LONGS} longs, each queue's received ranges as "runs" (Linux's
 * {@code inet_frag_queue_insert()}), its bytes in fixed-size pages of one shared pool, a creation-order
 * list for time-outs, and IPv4's per-source fragment counters ({@code inet_peer.rid}).
 *
 * <p>Memory is accounted as {@link #QUEUE_COST} per queue, {@link #FRAGMENT_COST} per kept fragment and
 * {@link #PAGE_SIZE} per page in use, standing in for Linux's {@code sizeof(struct ipq)} and
 * {@code skb->truesize}. Fragments are refused while that sum is above the high threshold, as
 * {@code inet_frag_find()} does, so it can exceed the threshold by at most one queue and one
 * fragment: every pool is sized for that, and nothing is allocated after construction.
 *
 * <p>A queue's bytes live in a private address space: the first fragment's header at 0, fragment
 * data at {@link #HEADER_AREA} + offset. Overlaps discard a queue and duplicates are not written, so
 * a byte is written at most once and assembling is a copy. Single-threaded.
 */
final class FragmentQueues {

    static final int KEY_LONGS = 6;
    static final int PAGE_SIZE = 1024;
    static final int QUEUE_COST = 256;
    static final int FRAGMENT_COST = 256;
    /** Room for the first fragment's header (IPv4 at most 60 bytes; IPv6 its unfragmentable part). */
    static final int HEADER_AREA = 2048;
    /** No reassembled payload can be longer, so bytes past it are never kept. */
    static final int MAX_PAYLOAD = 65535;
    private static final int SPACE = HEADER_AREA + MAX_PAYLOAD;

    static final int FIRST_IN = 1;
    static final int LAST_IN = 2;

    static final int INSERTED = 0;
    static final int DUPLICATE = 1;
    static final int OVERLAP = 2;
    static final int NO_MEMORY = 3;

    private final ReassemblyStatistics stats;
    private final long highThreshold;
    private final long timeoutNanos;
    private final int maxDistance;
    private final long seed;

    private final long[] keys;
    private final int[] buckets;
    private final int bucketMask;
    private final int[] chain;
    private final int[] bucketOf;
    private int freeQueues;

    // Per-queue state, indexed by queue; package-private so the family rules read like Linux's.
    final int[] flags;
    final int[] len;
    final int[] meat;
    final int[] ecn;
    final int[] maxSize;
    final int[] maxDfSize;
    final int[] headerLength;
    final int[] nhOffset;
    final int[] nextHeader;
    private final int[] firstRun;
    private final int[] lastRun;
    private final int[] firstPage;
    private final int[] peer;
    private final int[] rid;
    private final long[] deadline;
    private final long[] cost;
    private final int[] timerPrev;
    private final int[] timerNext;
    private int timerHead = -1;
    private int timerTail = -1;
    private int queueCount;
    private long memory;

    private final int[] runStart;
    private final int[] runEnd;
    private final int[] runNext;
    private int freeRuns;

    private final byte[] pageData;
    private final int[] pageSlot;
    private final int[] pageNext;
    private int freePages;

    private final long[] peerKey;
    private final int[] peerRid;
    private final int[] peerRefs;
    private final int[] peerChain;
    private final int[] peerBuckets;
    private int freePeers;

    FragmentQueues(ReassemblyLimits limits, ReassemblyStatistics stats, long seed) {
        this.stats = stats;
        this.highThreshold = limits.highThreshold();
        this.timeoutNanos = limits.timeout().toNanos();
        this.maxDistance = limits.maxDistance();
        this.seed = seed;
        long worst = highThreshold + QUEUE_COST + FRAGMENT_COST + (long) (SPACE / PAGE_SIZE + 3) * PAGE_SIZE;
        int queues = highThreshold == 0 ? 1 : (int) (worst / QUEUE_COST + 1);
        int runs = highThreshold == 0 ? 1 : (int) (worst / FRAGMENT_COST + 1);
        int pages = highThreshold == 0 ? 1 : (int) (worst / PAGE_SIZE + 1);

        keys = new long[queues * KEY_LONGS];
        int b = Integer.highestOneBit(Math.max(queues, 16) - 1) << 1;
        buckets = new int[b];
        bucketMask = b - 1;
        java.util.Arrays.fill(buckets, -1);
        chain = new int[queues];
        bucketOf = new int[queues];
        flags = new int[queues];
        len = new int[queues];
        meat = new int[queues];
        ecn = new int[queues];
        maxSize = new int[queues];
        maxDfSize = new int[queues];
        headerLength = new int[queues];
        nhOffset = new int[queues];
        nextHeader = new int[queues];
        firstRun = new int[queues];
        lastRun = new int[queues];
        firstPage = new int[queues];
        peer = new int[queues];
        rid = new int[queues];
        deadline = new long[queues];
        cost = new long[queues];
        timerPrev = new int[queues];
        timerNext = new int[queues];
        freeQueues = linkFree(chain);

        runStart = new int[runs];
        runEnd = new int[runs];
        runNext = new int[runs];
        freeRuns = linkFree(runNext);

        pageData = new byte[pages * PAGE_SIZE];
        pageSlot = new int[pages];
        pageNext = new int[pages];
        freePages = linkFree(pageNext);

        int peers = maxDistance > 0 ? queues : 1;
        peerKey = new long[peers];
        peerRid = new int[peers];
        peerRefs = new int[peers];
        peerChain = new int[peers];
        peerBuckets = new int[maxDistance > 0 ? b : 1];
        java.util.Arrays.fill(peerBuckets, -1);
        freePeers = linkFree(peerChain);
    }

    private static int linkFree(int[] next) {
        for (int i = 0; i < next.length; i++) {
            next[i] = i + 1 < next.length ? i + 1 : -1;
        }
        return 0;
    }

    /** @return fragment memory in use, in this class's accounting */
    long memory() {
        return memory;
    }

    /** @return live queues */
    int queueCount() {
        return queueCount;
    }

    /**
     * Whether new fragments are refused: {@code inet_frag_find()} returns NULL when the high threshold
     * is 0 or the memory is above it, before it even looks the queue up.
     */
    boolean overThreshold() {
        return highThreshold == 0 || memory > highThreshold;
    }

    // ------------------------------------------------------------------------------------- lookup

    private int hash(long[] k) {
        long h = seed;
        for (int i = 0; i < KEY_LONGS; i++) {
            h = (h ^ k[i]) * 0x9E37_79B9_7F4A_7C15L;
            h ^= h >>> 31;
        }
        h *= 0xBF58_476D_1CE4_E5B9L;
        return (int) (h ^ h >>> 32);
    }

    private boolean keyEquals(int q, long[] k) {
        int at = q * KEY_LONGS;
        for (int i = 0; i < KEY_LONGS; i++) {
            if (keys[at + i] != k[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Finds the queue with this key or creates it (timer started, as {@code inet_frag_alloc()} does).
     *
     * @param k the key
     * @param source IPv4's peer key (source address and VRF), unused without a max distance
     * @param now the time
     * @return the queue, or -1 if none can be created (cannot happen below the threshold)
     */
    int findOrCreate(long[] k, long source, long now) {
        int bucket = hash(k) & bucketMask;
        for (int q = buckets[bucket]; q != -1; q = chain[q]) {
            if (keyEquals(q, k)) {
                return q;
            }
        }
        int q = freeQueues;
        if (q == -1) {
            return -1;
        }
        int p = -1;
        if (maxDistance > 0) {
            p = acquirePeer(source);
            if (p == -1) {
                return -1;
            }
        }
        freeQueues = chain[q];
        System.arraycopy(k, 0, keys, q * KEY_LONGS, KEY_LONGS);
        chain[q] = buckets[bucket];
        buckets[bucket] = q;
        bucketOf[q] = bucket;
        peer[q] = p;
        rid[q] = 0;
        maxSize[q] = 0;
        maxDfSize[q] = 0;
        firstPage[q] = -1;
        clearData(q);
        deadline[q] = now + timeoutNanos;
        timerAppend(q);
        cost[q] = QUEUE_COST;
        memory += QUEUE_COST;
        queueCount++;
        return q;
    }

    private void clearData(int q) {
        flags[q] = 0;
        len[q] = 0;
        meat[q] = 0;
        ecn[q] = 0;
        headerLength[q] = 0;
        nhOffset[q] = 0;
        nextHeader[q] = 0;
        firstRun[q] = -1;
        lastRun[q] = -1;
    }

    /** Frees a queue and everything it holds ({@code inet_frag_kill()} plus the final put). */
    void kill(int q) {
        freeFragments(q);
        int bucket = bucketOf[q];
        int prev = -1;
        for (int at = buckets[bucket]; at != -1; prev = at, at = chain[at]) {
            if (at == q) {
                if (prev == -1) {
                    buckets[bucket] = chain[q];
                } else {
                    chain[prev] = chain[q];
                }
                break;
            }
        }
        timerUnlink(q);
        if (peer[q] != -1) {
            releasePeer(peer[q]);
            peer[q] = -1;
        }
        memory -= cost[q];
        cost[q] = 0;
        queueCount--;
        chain[q] = freeQueues;
        freeQueues = q;
    }

    private void freeFragments(int q) {
        for (int r = firstRun[q]; r != -1; ) {
            int next = runNext[r];
            runNext[r] = freeRuns;
            freeRuns = r;
            r = next;
        }
        for (int p = firstPage[q]; p != -1; ) {
            int next = pageNext[p];
            pageNext[p] = freePages;
            freePages = p;
            p = next;
        }
        firstPage[q] = -1;
        memory -= cost[q] - QUEUE_COST;
        cost[q] = QUEUE_COST;
        clearData(q);
    }

    /**
     * Empties a queue and restarts its timer, keeping its maximum sizes ({@code ip_frag_reinit()}).
     */
    void reinit(int q, long now) {
        freeFragments(q);
        timerUnlink(q);
        deadline[q] = now + timeoutNanos;
        timerAppend(q);
    }

    // ------------------------------------------------------------------------------------- timers

    private void timerAppend(int q) {
        timerPrev[q] = timerTail;
        timerNext[q] = -1;
        if (timerTail == -1) {
            timerHead = q;
        } else {
            timerNext[timerTail] = q;
        }
        timerTail = q;
    }

    private void timerUnlink(int q) {
        int p = timerPrev[q];
        int n = timerNext[q];
        if (p == -1) {
            timerHead = n;
        } else {
            timerNext[p] = n;
        }
        if (n == -1) {
            timerTail = p;
        } else {
            timerPrev[n] = p;
        }
    }

    /**
     * Expires the queues whose timer has run out (timeout counted from creation or restart, as the
     * kernel's timer is armed once); each counts in ReasmFails and ReasmTimeout ({@code ip_expire()},
     * {@code ip6frag_expire_frag_queue()}).
     *
     * @param now the time
     * @return queues expired
     */
    int expire(long now) {
        int n = 0;
        while (timerHead != -1 && now - deadline[timerHead] >= 0) {
            stats.timeout();
            kill(timerHead);
            n++;
        }
        return n;
    }

    // ---------------------------------------------------------------------------------- max dist

    /**
     * IPv4's {@code ip_frag_too_far()}: counts this fragment against its source and tells whether
     * more than the max distance of that source's fragments arrived since this queue's previous one.
     */
    boolean tooFar(int q) {
        int p = peer[q];
        if (p == -1) {
            return false;
        }
        int start = rid[q];
        int end = ++peerRid[p];
        rid[q] = end;
        return lastRun[q] != -1 && Integer.compareUnsigned(end - start, maxDistance) > 0;
    }

    private int acquirePeer(long source) {
        long h = (source ^ seed) * 0x9E37_79B9_7F4A_7C15L;
        int bucket = (int) (h ^ h >>> 32) & bucketMask;
        for (int p = peerBuckets[bucket]; p != -1; p = peerChain[p]) {
            if (peerKey[p] == source) {
                peerRefs[p]++;
                return p;
            }
        }
        int p = freePeers;
        if (p == -1) {
            return -1;
        }
        freePeers = peerChain[p];
        peerKey[p] = source;
        peerRid[p] = 0;
        peerRefs[p] = 1;
        peerChain[p] = peerBuckets[bucket];
        peerBuckets[bucket] = p;
        return p;
    }

    /*
     * A peer lives as long as a queue refers to it. The kernel keeps inet_peer entries longer, but a
     * queue only ever compares counter values taken during its own life, so the difference is not
     * observable.
     */
    private void releasePeer(int p) {
        if (--peerRefs[p] > 0) {
            return;
        }
        long h = (peerKey[p] ^ seed) * 0x9E37_79B9_7F4A_7C15L;
        int bucket = (int) (h ^ h >>> 32) & bucketMask;
        int prev = -1;
        for (int at = peerBuckets[bucket]; at != -1; prev = at, at = peerChain[at]) {
            if (at == p) {
                if (prev == -1) {
                    peerBuckets[bucket] = peerChain[p];
                } else {
                    peerChain[prev] = peerChain[p];
                }
                break;
            }
        }
        peerChain[p] = freePeers;
        freePeers = p;
    }

    // ---------------------------------------------------------------------------------- insertion

    /**
     * Records the range [offset, end) as {@code inet_frag_queue_insert()} does: after the last run
     * (joining it when contiguous) in the common case; otherwise a duplicate if some run contains it,
     * an overlap if it touches any run, else a run of its own.
     *
     * @return {@link #INSERTED}, {@link #DUPLICATE}, {@link #OVERLAP} or {@link #NO_MEMORY}
     */
    int insert(int q, int offset, int end) {
        int last = lastRun[q];
        if (last == -1) {
            int r = newRun(offset, end);
            if (r == -1) {
                return NO_MEMORY;
            }
            firstRun[q] = r;
            lastRun[q] = r;
            return counted(q);
        }
        int lastEnd = runEnd[last];
        if (lastEnd < end) {
            if (offset < lastEnd) {
                return OVERLAP;
            }
            if (offset == lastEnd) {
                runEnd[last] = end;
                return counted(q);
            }
            int r = newRun(offset, end);
            if (r == -1) {
                return NO_MEMORY;
            }
            runNext[last] = r;
            lastRun[q] = r;
            return counted(q);
        }
        int prev = -1;
        int r = firstRun[q];
        for (; r != -1; prev = r, r = runNext[r]) {
            if (end <= runStart[r]) {
                break;
            }
            if (offset >= runEnd[r]) {
                continue;
            }
            return offset >= runStart[r] && end <= runEnd[r] ? DUPLICATE : OVERLAP;
        }
        int n = newRun(offset, end);
        if (n == -1) {
            return NO_MEMORY;
        }
        runNext[n] = r;
        if (prev == -1) {
            firstRun[q] = n;
        } else {
            runNext[prev] = n;
        }
        return counted(q);
    }

    private int counted(int q) {
        cost[q] += FRAGMENT_COST;
        memory += FRAGMENT_COST;
        return INSERTED;
    }

    private int newRun(int start, int end) {
        int r = freeRuns;
        if (r == -1) {
            return -1;
        }
        freeRuns = runNext[r];
        runStart[r] = start;
        runEnd[r] = end;
        runNext[r] = -1;
        return r;
    }

    // -------------------------------------------------------------------------------------- bytes

    /**
     * Copies fragment bytes into the queue at a data offset (bytes past {@link #MAX_PAYLOAD} are not
     * kept: no datagram that holds them can be delivered).
     *
     * @return false if the page pool ran out (cannot happen below the threshold)
     */
    boolean writeData(int q, int offset, byte[] src, int from, int n) {
        return write(q, HEADER_AREA + offset, src, from, n);
    }

    /** Copies the first fragment's header into the queue. */
    boolean writeHeader(int q, byte[] src, int from, int n) {
        headerLength[q] = n;
        return write(q, 0, src, from, n);
    }

    private boolean write(int q, int pos, byte[] src, int from, int n) {
        if (pos >= SPACE) {
            return true;
        }
        n = Math.min(n, SPACE - pos);
        while (n > 0) {
            int slot = pos / PAGE_SIZE;
            int within = pos - slot * PAGE_SIZE;
            int chunk = Math.min(n, PAGE_SIZE - within);
            int p = page(q, slot);
            if (p == -1) {
                return false;
            }
            System.arraycopy(src, from, pageData, p * PAGE_SIZE + within, chunk);
            pos += chunk;
            from += chunk;
            n -= chunk;
        }
        return true;
    }

    private int page(int q, int slot) {
        for (int p = firstPage[q]; p != -1; p = pageNext[p]) {
            if (pageSlot[p] == slot) {
                return p;
            }
        }
        int p = freePages;
        if (p == -1) {
            return -1;
        }
        freePages = pageNext[p];
        pageSlot[p] = slot;
        pageNext[p] = firstPage[q];
        firstPage[q] = p;
        cost[q] += PAGE_SIZE;
        memory += PAGE_SIZE;
        return p;
    }

    /** Copies the kept header to {@code dst} at 0. */
    void readHeader(int q, byte[] dst) {
        read(q, 0, dst, 0, headerLength[q]);
    }

    /** Copies data bytes [0, n) to {@code dst} at {@code at}. */
    void readData(int q, byte[] dst, int at, int n) {
        read(q, HEADER_AREA, dst, at, n);
    }

    private void read(int q, int pos, byte[] dst, int at, int n) {
        int end = pos + n;
        for (int p = firstPage[q]; p != -1; p = pageNext[p]) {
            int pageStart = pageSlot[p] * PAGE_SIZE;
            int from = Math.max(pos, pageStart);
            int to = Math.min(end, pageStart + PAGE_SIZE);
            if (from < to) {
                System.arraycopy(pageData, p * PAGE_SIZE + from - pageStart, dst, at + from - pos, to - from);
            }
        }
    }
}

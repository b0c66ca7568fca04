package io.conntrack4j.core.reassembly;

/**
 * What the IPv4 and IPv6 defragmenters share: their queues and counters, the output buffer, and
 * how a fragment is dropped (alone, or with its whole queue).
 */
abstract class Defragmenter {

    final ReassemblyStatistics stats = new ReassemblyStatistics();
    final FragmentQueues queues;
    final long[] key = new long[FragmentQueues.KEY_LONGS];
    final byte[] out;
    int datagramLength;
    DropReason dropReason;

    Defragmenter(ReassemblyLimits limits, long seed, byte[] out) {
        this.queues = new FragmentQueues(limits, stats, seed);
        this.out = out;
    }

    /**
     * Takes one packet of this family.
     *
     * @param b the bytes
     * @param at where the IP header starts
     * @param length the packet's length
     * @param now the time in nanoseconds
     * @param zone the conntrack zone
     * @param device the VRF (IPv4) or arrival interface (IPv6) that keys the queue
     * @return the verdict; {@link #datagramLength} and {@link #dropReason} tell the rest
     */
    abstract ReassemblyVerdict offer(byte[] b, int at, int length, long now, int zone, int device);

    /** Drops the fragment and the queue it belonged to, which counts as a failed reassembly. */
    final ReassemblyVerdict discard(int q, DropReason reason) {
        queues.kill(q);
        stats.fail();
        return drop(reason);
    }

    final ReassemblyVerdict drop(DropReason reason) {
        dropReason = reason;
        stats.drop(reason);
        return ReassemblyVerdict.DROPPED;
    }

    static int u16(byte[] b, int at) {
        return (b[at] & 0xff) << 8 | b[at + 1] & 0xff;
    }

    static int i32(byte[] b, int at) {
        return u16(b, at) << 16 | u16(b, at + 2);
    }
}

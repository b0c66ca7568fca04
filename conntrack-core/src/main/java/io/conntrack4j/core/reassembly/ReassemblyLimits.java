package io.conntrack4j.core.reassembly;

import java.time.Duration;

/**
 * The limits of one address family's fragment queues, with Linux's defaults: memory high threshold
 * ({@code net.ipv4.ipfrag_high_thresh}, {@code net.netfilter.nf_conntrack_frag6_high_thresh}, both
 * 4 MiB), queue timeout ({@code net.ipv4.ipfrag_time} 30 s, {@code nf_conntrack_frag6_timeout} 60 s)
 * and IPv4's {@code ipfrag_max_dist} (64; IPv6 has none).
 *
 * <p>The low thresholds ({@code ipfrag_low_thresh}, 3 MiB) are not modelled: since Linux 4.17 nothing
 * evicts queues when memory is high; above the high threshold new fragments are dropped
 * ({@code inet_frag_find()} in {@code net/ipv4/inet_fragment.c}) and queues leave only by completing,
 * failing or timing out.
 *
 * <pre>{@code
 * Reassembler r = new Reassembler(ReassemblyLimits.IPV4.withHighThreshold(1 << 20),
 *                                 ReassemblyLimits.IPV6);
 * }</pre>
 *
 * @param highThreshold bytes of fragment memory above which fragments are dropped
 * @param timeout how long a queue waits for its missing fragments, from its creation
 * @param maxDistance IPv4's {@code ipfrag_max_dist}: how many fragments from the same source may
 *     arrive between two fragments of one queue before it restarts; 0 disables the check
 */
public record ReassemblyLimits(long highThreshold, Duration timeout, int maxDistance) {

    /** Linux's IPv4 defaults: 4 MiB, 30 s, max distance 64. */
    public static final ReassemblyLimits IPV4 = new ReassemblyLimits(4L << 20, Duration.ofSeconds(30), 64);
    /** Linux's conntrack IPv6 defaults: 4 MiB, 60 s, no max distance. */
    public static final ReassemblyLimits IPV6 = new ReassemblyLimits(4L << 20, Duration.ofSeconds(60), 0);

    /** Largest high threshold accepted (preallocated memory grows with it). */
    public static final long MAX_HIGH_THRESHOLD = 256L << 20;

    /**
     * Checks the limits.
     *
     * @throws IllegalArgumentException if a limit is out of range
     */
    public ReassemblyLimits {
        if (highThreshold < 0 || highThreshold > MAX_HIGH_THRESHOLD) {
            throw new IllegalArgumentException("highThreshold " + highThreshold + " outside 0.." + MAX_HIGH_THRESHOLD);
        }
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        if (maxDistance < 0) {
            throw new IllegalArgumentException("maxDistance must not be negative: " + maxDistance);
        }
    }

    /**
     * These limits with another high threshold.
     *
     * @param bytes the new threshold
     * @return new limits
     */
    public ReassemblyLimits withHighThreshold(long bytes) {
        return new ReassemblyLimits(bytes, timeout, maxDistance);
    }

    /**
     * These limits with another timeout.
     *
     * @param newTimeout the new timeout
     * @return new limits
     */
    public ReassemblyLimits withTimeout(Duration newTimeout) {
        return new ReassemblyLimits(highThreshold, newTimeout, maxDistance);
    }
}

package io.conntrack4j.core.reassembly;

/**
 * Why a packet offered to a {@link Reassembler} was dropped. Each reason is counted per address
 * family ({@link ReassemblyStatistics#drops(DropReason)}). Where Linux does something other than
 * dropping, the constant says so.
 *
 * <pre>{@code
 * if (reassembler.offer(packet, 0, length, nanos) == ReassemblyVerdict.DROPPED
 *         && reassembler.dropReason() == DropReason.OVERLAP) {
 *     log("overlapping fragments: datagram discarded");
 * }
 * }</pre>
 */
public enum DropReason {
    /** Shorter than its IP header or its declared length (Linux drops it in ip_rcv_core / ip6_rcv_core). */
    TRUNCATED,
    /** Not IPv4 or IPv6, an IPv4 header length below 20 or a total length below the header length. */
    BAD_HEADER,
    /**
     * Fragment memory above the high threshold: no queue is looked up or created
     * ({@code inet_frag_find()}), so every fragment is dropped until queues complete or time out.
     */
    MEMORY_LIMIT,
    /**
     * Every byte of the fragment was already received in one run of contiguous fragments
     * ({@code IPFRAG_DUP}): the fragment is dropped, the queue kept, nothing counted as a failure.
     */
    DUPLICATE,
    /** The fragment overlaps data already received: the whole datagram is discarded (RFC 5722). */
    OVERLAP,
    /**
     * A last fragment (MF clear) ending before data already received, or a second last fragment
     * with another end. IPv4 discards the queue; IPv6 keeps it.
     */
    BAD_LAST_FRAGMENT,
    /** A fragment reaching past the end fixed by the last fragment. IPv4 discards the queue; IPv6 keeps it. */
    BEYOND_LAST_FRAGMENT,
    /** A fragment without data (after IPv4's rounding down to 8 bytes). IPv4 discards the queue; IPv6 keeps it. */
    EMPTY_FRAGMENT,
    /**
     * The datagram would exceed 65535 bytes: IPv4 finds out when the queue completes (and discards
     * it), IPv6 when a fragment ends past 65535 (queue kept) or when the queue completes.
     */
    TOO_LARGE,
    /** The fragments' ECN codepoints mix Not-ECT with ECT or CE (RFC 3168 5.3, ip_frag_ecn_table). */
    BAD_ECN,
    /**
     * IPv6 only: a fragment other than the last whose length is not a multiple of 8. The queue is
     * discarded; Linux passes the packet on untouched and the IPv6 stack answers with a Parameter
     * Problem, so it never reaches a connection.
     */
    NOT_MULTIPLE_OF_8,
    /**
     * IPv6 only: a first fragment that does not hold the whole header chain and the upper-layer header
     * (RFC 7112, RFC 8200 4.5). Linux lets it through untouched and the IPv6 stack drops it.
     */
    INCOMPLETE_FIRST_FRAGMENT,
    /**
     * IPv6 only, not a Linux rule: a first fragment whose unfragmentable part (IPv6 header and the
     * extension headers before the Fragment header) is longer than
     * {@link Reassembler#MAX_UNFRAGMENTABLE_LENGTH}, which this reassembler does not keep.
     */
    HEADER_TOO_LONG
}

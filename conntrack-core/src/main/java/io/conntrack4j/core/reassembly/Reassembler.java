package io.conntrack4j.core.reassembly;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;

/**
 * Reassembles IPv4 and IPv6 fragments before tracking, as Linux's {@code nf_defrag_ipv4} and
 * {@code nf_defrag_ipv6} do for conntrack: the same queue keys, limits, overlap and duplicate rules,
 * ECN combination and reassembled headers (see {@link DropReason} for every refusal).
 *
 * <p>Offer every raw IP packet (starting at its IPv4 or IPv6 header, link layer removed) with its
 * arrival time in nanoseconds on any monotonic clock. The answer is a {@link ReassemblyVerdict}:
 * {@code NOT_FRAGMENT} (track the packet as it is), {@code QUEUED} (kept; nothing to track),
 * {@code REASSEMBLED} (track {@link #datagram()}), or {@code DROPPED} ({@link #dropReason()}).
 *
 * <pre>{@code
 * Reassembler reassembler = new Reassembler();          // one per worker thread
 * ReassemblyVerdict v = reassembler.offer(packet, offset, length, System.nanoTime());
 * if (v == ReassemblyVerdict.REASSEMBLED) {
 *     view.parseIp(reassembler.datagram(), 0, reassembler.datagramLength());
 * } else if (v == ReassemblyVerdict.NOT_FRAGMENT) {
 *     view.parseIp(packet, offset, length);
 * }
 * }</pre>
 *
 * <p><b>Lifetime of the datagram.</b> {@link #datagram()} is one buffer owned by this reassembler,
 * overwritten by the next {@code offer}: copy what must outlive that call.
 *
 * <p><b>Memory.</b> Each family has its own budget ({@link ReassemblyLimits}, 4 MiB by default, as
 * Linux's {@code ipfrag_high_thresh} and {@code nf_conntrack_frag6_high_thresh}). Everything is
 * allocated by the constructor (about 7 MB per family with the default thresholds, in proportion
 * otherwise); offering packets allocates nothing. Queues time out lazily: on each {@code offer}, or by {@link #expire(long)}.
 *
 * <p>Differences from Linux, by design: checksums are not verified (the IPv4 header's is recomputed on
 * the reassembled datagram); an IPv6 first fragment whose unfragmentable part exceeds
 * {@link #MAX_UNFRAGMENTABLE_LENGTH} is dropped; packets Linux would pass on untouched for the IPv6
 * stack to reject are dropped here ({@link DropReason#NOT_MULTIPLE_OF_8},
 * {@link DropReason#INCOMPLETE_FIRST_FRAGMENT}). Not thread-safe.
 */
public final class Reassembler {

    /** Longest IPv6 header plus extension headers before the Fragment header kept from a first fragment. */
    public static final int MAX_UNFRAGMENTABLE_LENGTH = FragmentQueues.HEADER_AREA;

    /** Size of {@link #datagram()}: the largest reassembled datagram (an IPv6 payload of 65535 bytes plus its header). */
    public static final int MAX_DATAGRAM_LENGTH = 40 + 65535;

    private final byte[] datagram = new byte[MAX_DATAGRAM_LENGTH];
    private final ByteBuffer datagramBuffer = ByteBuffer.wrap(datagram);
    private final byte[] copy = new byte[MAX_DATAGRAM_LENGTH + 64];
    private final Ipv4Defragmenter ipv4;
    private final Ipv6Defragmenter ipv6;
    private int datagramLength;
    private DropReason dropReason;

    /** A reassembler with Linux's default limits ({@link ReassemblyLimits#IPV4}, {@link ReassemblyLimits#IPV6}). */
    public Reassembler() {
        this(ReassemblyLimits.IPV4, ReassemblyLimits.IPV6);
    }

    /**
     * A reassembler with chosen limits.
     *
     * @param ipv4Limits IPv4's limits
     * @param ipv6Limits IPv6's limits
     */
    public Reassembler(ReassemblyLimits ipv4Limits, ReassemblyLimits ipv6Limits) {
        // A per-instance hash seed, as the kernel's rhashtable uses a random one, so that nobody can
        // aim fragments at one hash chain.
        SplittableRandom random = new SplittableRandom();
        this.ipv4 = new Ipv4Defragmenter(ipv4Limits, random.nextLong(), datagram);
        this.ipv6 = new Ipv6Defragmenter(ipv6Limits, random.nextLong(), datagram);
    }

    /**
     * Offers one raw IP packet in zone 0, arriving on no particular interface.
     *
     * @param packet the bytes (read during the call only)
     * @param offset first byte of the IP header
     * @param length bytes from there (the IP length is taken from the header; trailing bytes are ignored)
     * @param nowNanos arrival time, nanoseconds on a monotonic clock
     * @return the verdict
     * @throws IndexOutOfBoundsException if the range is outside the array (a caller's bug)
     */
    public ReassemblyVerdict offer(byte[] packet, int offset, int length, long nowNanos) {
        return offer(packet, offset, length, nowNanos, 0, 0);
    }

    /**
     * Offers one raw IP packet.
     *
     * @param packet the bytes (read during the call only)
     * @param offset first byte of the IP header
     * @param length bytes from there
     * @param nowNanos arrival time, nanoseconds on a monotonic clock
     * @param zone the conntrack zone (fragments of different zones never meet, as Linux's defrag
     *     "user" keeps them apart; Linux's user also tells the input hooks from the output hook, so
     *     use one reassembler per hook when feeding both)
     * @param interfaceIndex for IPv4 the VRF (l3mdev) master's index, for IPv6 the arrival interface's
     *     index; 0 when unknown
     * @return the verdict
     * @throws IndexOutOfBoundsException if the range is outside the array (a caller's bug)
     */
    public ReassemblyVerdict offer(byte[] packet, int offset, int length, long nowNanos, int zone,
                                   int interfaceIndex) {
        if (offset < 0 || length < 0 || offset > packet.length - length) {
            throw new IndexOutOfBoundsException("range " + offset + "+" + length + " outside array of " + packet.length);
        }
        if (length < 1) {
            return drop(DropReason.TRUNCATED, ipv4.stats);
        }
        int version = (packet[offset] & 0xff) >>> 4;
        ReassemblyVerdict verdict;
        if (version == 4) {
            verdict = ipv4.offer(packet, offset, length, nowNanos, zone, interfaceIndex);
            datagramLength = ipv4.datagramLength;
            dropReason = ipv4.dropReason;
        } else if (version == 6) {
            verdict = ipv6.offer(packet, offset, length, nowNanos, zone, interfaceIndex);
            datagramLength = ipv6.datagramLength;
            dropReason = ipv6.dropReason;
        } else {
            return drop(DropReason.BAD_HEADER, ipv4.stats);
        }
        if (verdict != ReassemblyVerdict.REASSEMBLED) {
            datagramLength = 0;
        }
        if (verdict != ReassemblyVerdict.DROPPED) {
            dropReason = null;
        }
        return verdict;
    }

    /**
     * Offers one raw IP packet held between a buffer's position and limit (neither is changed). A
     * direct buffer is copied to an internal array first.
     *
     * @param packet the packet
     * @param nowNanos arrival time
     * @return the verdict
     */
    public ReassemblyVerdict offer(ByteBuffer packet, long nowNanos) {
        if (packet.hasArray()) {
            return offer(packet.array(), packet.arrayOffset() + packet.position(), packet.remaining(), nowNanos);
        }
        int n = Math.min(packet.remaining(), copy.length);
        packet.get(packet.position(), copy, 0, n);
        return offer(copy, 0, n, nowNanos);
    }

    private ReassemblyVerdict drop(DropReason reason, ReassemblyStatistics stats) {
        stats.drop(reason);
        dropReason = reason;
        datagramLength = 0;
        return ReassemblyVerdict.DROPPED;
    }

    /**
     * Times out the queues whose time has come (offer does it too, for the packet's family).
     *
     * @param nowNanos the time
     * @return queues expired, both families
     */
    public int expire(long nowNanos) {
        return ipv4.queues.expire(nowNanos) + ipv6.queues.expire(nowNanos);
    }

    /**
     * The datagram the last {@code offer} completed, from index 0 ({@link #datagramLength()} bytes):
     * IPv4 with the first fragment's header, total length, DF if the largest fragment had it, ECN
     * combined and the header checksum recomputed; IPv6 with the Fragment header removed, payload
     * length and next header fixed and ECN combined. Overwritten by the next {@code offer}.
     *
     * @return the reassembler's buffer
     */
    public byte[] datagram() {
        return datagram;
    }

    /**
     * Length of {@link #datagram()}.
     *
     * @return bytes, 0 unless the last verdict was {@link ReassemblyVerdict#REASSEMBLED}
     */
    public int datagramLength() {
        return datagramLength;
    }

    /**
     * {@link #datagram()} as a read-only-by-convention buffer view, position 0 and limit the length (the
     * same object each time).
     *
     * @return the buffer
     */
    public ByteBuffer datagramBuffer() {
        return datagramBuffer.limit(datagramLength).position(0);
    }

    /**
     * Why the last {@code offer} dropped its packet.
     *
     * @return the reason, null unless the last verdict was {@link ReassemblyVerdict#DROPPED}
     */
    public DropReason dropReason() {
        return dropReason;
    }

    /**
     * IPv4 counters.
     *
     * @return the live statistics
     */
    public ReassemblyStatistics ipv4Statistics() {
        return ipv4.stats;
    }

    /**
     * IPv6 counters.
     *
     * @return the live statistics
     */
    public ReassemblyStatistics ipv6Statistics() {
        return ipv6.stats;
    }

    /**
     * Fragment memory in use for a family, as compared with its high threshold.
     *
     * @param ipVersion 4 or 6
     * @return bytes
     */
    public long memoryInUse(int ipVersion) {
        return family(ipVersion).memory();
    }

    /**
     * Incomplete datagrams waiting for fragments.
     *
     * @param ipVersion 4 or 6
     * @return queues
     */
    public int queueCount(int ipVersion) {
        return family(ipVersion).queueCount();
    }

    private FragmentQueues family(int ipVersion) {
        if (ipVersion == 4) {
            return ipv4.queues;
        }
        if (ipVersion == 6) {
            return ipv6.queues;
        }
        throw new IllegalArgumentException("IP version must be 4 or 6: " + ipVersion);
    }
}

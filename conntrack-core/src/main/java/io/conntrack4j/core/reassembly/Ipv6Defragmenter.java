package io.conntrack4j.core.reassembly;

/**
 * IPv6 reassembly with the rules of conntrack's own IPv6 defragmenter,
 * {@code net/ipv6/netfilter/nf_conntrack_reasm.c} ({@code nf_ct_frag6_gather()},
 * {@code nf_ct_frag6_queue()}, {@code nf_ct_frag6_reasm()}), which differ from the IPv6 stack's
 * ({@code net/ipv6/reassembly.c}): no special case for atomic fragments (they go through a queue and
 * come out at once without their Fragment header), and most bad fragments are dropped while their
 * queue is kept.
 */
final class Ipv6Defragmenter extends Defragmenter {

    private static final int HEADER = 40;
    private static final int FRAGMENT_HEADER = 8;
    private static final int MAX_PAYLOAD = 65535;

    private static final int NEXTHDR_HOP = 0;
    private static final int NEXTHDR_TCP = 6;
    private static final int NEXTHDR_UDP = 17;
    private static final int NEXTHDR_ROUTING = 43;
    private static final int NEXTHDR_FRAGMENT = 44;
    private static final int NEXTHDR_AUTH = 51;
    private static final int NEXTHDR_ICMP = 58;
    private static final int NEXTHDR_NONE = 59;
    private static final int NEXTHDR_DEST = 60;

    Ipv6Defragmenter(ReassemblyLimits limits, long seed, byte[] out) {
        super(limits, seed, out);
    }

    /** The extension headers {@code ipv6_ext_hdr()} knows (ESP and the mobility header are not among them). */
    private static boolean isExtensionHeader(int nh) {
        return nh == NEXTHDR_HOP || nh == NEXTHDR_ROUTING || nh == NEXTHDR_FRAGMENT || nh == NEXTHDR_AUTH
                || nh == NEXTHDR_NONE || nh == NEXTHDR_DEST;
    }

    private static int extensionLength(byte[] b, int at, int nh) {
        return nh == NEXTHDR_AUTH ? ((b[at + 1] & 0xff) + 2) << 2 : ((b[at + 1] & 0xff) + 1) << 3;
    }

    @Override
    ReassemblyVerdict offer(byte[] b, int at, int length, long now, int zone, int iif) {
        if (length < HEADER) {
            return drop(DropReason.TRUNCATED);
        }
        if ((b[at] & 0xff) >>> 4 != 6) {
            return drop(DropReason.BAD_HEADER);
        }
        int payloadLength = u16(b, at + 4);
        if (payloadLength == 0) {
            // A jumbogram (RFC 2675) cannot carry a Fragment header.
            return ReassemblyVerdict.NOT_FRAGMENT;
        }
        int total = HEADER + payloadLength;
        if (total > length) {
            return drop(DropReason.TRUNCATED);
        }
        // find_prev_fhdr(): walk to the Fragment header, remembering where the Next Header byte that
        // names it sits (it is rewritten when the Fragment header is removed).
        int nh = b[at + 6] & 0xff;
        int nhOffset = 6;
        int start = HEADER;
        int remaining = payloadLength;
        while (nh != NEXTHDR_FRAGMENT) {
            if (!isExtensionHeader(nh) || nh == NEXTHDR_NONE || remaining < 2) {
                return ReassemblyVerdict.NOT_FRAGMENT;
            }
            int hdrLen = extensionLength(b, at + start, nh);
            nhOffset = start;
            nh = b[at + start] & 0xff;
            remaining -= hdrLen;
            start += hdrLen;
            if (remaining < 0) {
                return ReassemblyVerdict.NOT_FRAGMENT;
            }
        }
        int fragmentHeader = start;
        if (upperLayerHeaderTruncated(b, at, fragmentHeader, total)) {
            return drop(DropReason.INCOMPLETE_FIRST_FRAGMENT);
        }
        if (fragmentHeader + FRAGMENT_HEADER > total) {
            return drop(DropReason.TRUNCATED);
        }
        int fragOff = u16(b, at + fragmentHeader + 2);
        int offset = fragOff & 0xfff8;
        boolean moreFragments = (fragOff & 1) != 0;
        if (offset == 0 && fragmentHeader > FragmentQueues.HEADER_AREA) {
            return drop(DropReason.HEADER_TOO_LONG);
        }
        stats.request();
        queues.expire(now);
        if (queues.overThreshold()) {
            stats.fail();
            return drop(DropReason.MEMORY_LIMIT);
        }
        // struct frag_v6_compare_key: saddr, daddr, user (zone), id, iif. nf_conntrack_reasm's fq_find()
        // keys on the arrival interface for every destination (the stack's only for link-local and
        // multicast ones).
        key[0] = i64(b, at + 8);
        key[1] = i64(b, at + 16);
        key[2] = i64(b, at + 24);
        key[3] = i64(b, at + 32);
        key[4] = (long) i32(b, at + fragmentHeader + 4) << 32 | zone & 0xffff_ffffL;
        key[5] = iif & 0xffff_ffffL;
        int q = queues.findOrCreate(key, 0, now);
        if (q == -1) {
            stats.fail();
            return drop(DropReason.MEMORY_LIMIT);
        }
        int dataStart = fragmentHeader + FRAGMENT_HEADER;
        int end = offset + total - dataStart;
        return queue(q, b, at, end, offset, moreFragments, nhOffset, fragmentHeader, dataStart);
    }

    private ReassemblyVerdict queue(int q, byte[] b, int at, int end, int offset, boolean moreFragments,
                                    int nhOffset, int fragmentHeader, int dataStart) {
        FragmentQueues f = queues;
        if (end > MAX_PAYLOAD) {
            return drop(DropReason.TOO_LARGE);
        }
        int trafficClass = (b[at] & 0x0f) << 4 | (b[at + 1] & 0xff) >>> 4;
        int ecnBit = 1 << (trafficClass & 3);
        if (!moreFragments) {
            if (end < f.len[q] || (f.flags[q] & FragmentQueues.LAST_IN) != 0 && end != f.len[q]) {
                return drop(DropReason.BAD_LAST_FRAGMENT);
            }
            f.flags[q] |= FragmentQueues.LAST_IN;
            f.len[q] = end;
        } else {
            if ((end & 7) != 0) {
                // RFC 8200: a Parameter Problem for the sender; Linux kills the queue.
                f.kill(q);
                stats.fail();
                return drop(DropReason.NOT_MULTIPLE_OF_8);
            }
            if (end > f.len[q]) {
                if ((f.flags[q] & FragmentQueues.LAST_IN) != 0) {
                    return drop(DropReason.BEYOND_LAST_FRAGMENT);
                }
                f.len[q] = end;
            }
        }
        if (end == offset) {
            return drop(DropReason.EMPTY_FRAGMENT);
        }
        int inserted = f.insert(q, offset, end);
        if (inserted == FragmentQueues.DUPLICATE) {
            return drop(DropReason.DUPLICATE);
        }
        if (inserted == FragmentQueues.OVERLAP) {
            stats.overlap();
            return discard(q, DropReason.OVERLAP);
        }
        if (inserted == FragmentQueues.NO_MEMORY || !f.writeData(q, offset, b, at + dataStart, end - offset)) {
            return discard(q, DropReason.MEMORY_LIMIT);
        }
        f.meat[q] += end - offset;
        f.ecn[q] |= ecnBit;
        if (offset == 0) {
            f.flags[q] |= FragmentQueues.FIRST_IN;
            f.nhOffset[q] = nhOffset;
            f.nextHeader[q] = b[at + fragmentHeader] & 0xff;
            if (!f.writeHeader(q, b, at, fragmentHeader)) {
                return discard(q, DropReason.MEMORY_LIMIT);
            }
        }
        if (f.flags[q] == (FragmentQueues.FIRST_IN | FragmentQueues.LAST_IN) && f.meat[q] == f.len[q]) {
            return reassemble(q);
        }
        return ReassemblyVerdict.QUEUED;
    }

    private ReassemblyVerdict reassemble(int q) {
        FragmentQueues f = queues;
        int ecnValue = IpFragmentEcn.combine(f.ecn[q]);
        if (ecnValue == IpFragmentEcn.INVALID) {
            return discard(q, DropReason.BAD_ECN);
        }
        int unfragmentable = f.headerLength[q];
        int payloadLength = unfragmentable - HEADER + f.len[q];
        if (payloadLength > MAX_PAYLOAD) {
            return discard(q, DropReason.TOO_LARGE);
        }
        f.readHeader(q, out);
        f.readData(q, out, unfragmentable, f.len[q]);
        // The Fragment header goes: the header that named it now names what it named.
        out[f.nhOffset[q]] = (byte) f.nextHeader[q];
        out[4] = (byte) (payloadLength >>> 8);
        out[5] = (byte) payloadLength;
        out[1] |= (byte) (ecnValue << 4);
        datagramLength = unfragmentable + f.len[q];
        f.kill(q);
        stats.ok();
        return ReassemblyVerdict.REASSEMBLED;
    }

    /**
     * {@code ipv6frag_thdr_truncated()}: for a first fragment, whether the packet ends before the
     * extension headers after the Fragment header and the start of the upper-layer header (20 bytes
     * of TCP, 8 of UDP or ICMPv6, 1 of anything else). An unreadable chain is not "truncated" here.
     */
    private static boolean upperLayerHeaderTruncated(byte[] b, int at, int start, int total) {
        int nh = NEXTHDR_FRAGMENT;
        while (isExtensionHeader(nh)) {
            if (nh == NEXTHDR_NONE || start + 2 > total) {
                return false;
            }
            int hdrLen;
            if (nh == NEXTHDR_FRAGMENT) {
                if (start + 4 > total) {
                    return false;
                }
                if ((u16(b, at + start + 2) & 0xfff8) != 0) {
                    return false;
                }
                hdrLen = FRAGMENT_HEADER;
            } else {
                hdrLen = extensionLength(b, at + start, nh);
            }
            nh = b[at + start] & 0xff;
            start += hdrLen;
        }
        int needed = switch (nh) {
            case NEXTHDR_TCP -> 20;
            case NEXTHDR_UDP, NEXTHDR_ICMP -> 8;
            default -> 1;
        };
        return start + needed > total;
    }

    private static long i64(byte[] b, int at) {
        return (long) i32(b, at) << 32 | i32(b, at + 4) & 0xffff_ffffL;
    }
}

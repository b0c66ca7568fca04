package io.conntrack4j.core.reassembly;

/**
 * IPv4 reassembly with the rules of {@code net/ipv4/ip_fragment.c} ({@code ip_defrag()},
 * {@code ip_frag_queue()}, {@code ip_frag_reasm()}) as {@code nf_defrag_ipv4} runs it for conntrack.
 */
final class Ipv4Defragmenter extends Defragmenter {

    private static final int IP_DF = 0x4000;
    private static final int IP_MF = 0x2000;
    private static final int IP_OFFSET = 0x1fff;

    Ipv4Defragmenter(ReassemblyLimits limits, long seed, byte[] out) {
        super(limits, seed, out);
    }

    @Override
    ReassemblyVerdict offer(byte[] b, int at, int length, long now, int zone, int vrf) {
        if (length < 20) {
            return drop(DropReason.TRUNCATED);
        }
        int ihl = (b[at] & 0x0f) * 4;
        if ((b[at] & 0xff) >>> 4 != 4 || ihl < 20) {
            return drop(DropReason.BAD_HEADER);
        }
        if (ihl > length) {
            return drop(DropReason.TRUNCATED);
        }
        int totalLength = u16(b, at + 2);
        if (totalLength < ihl) {
            return drop(DropReason.BAD_HEADER);
        }
        if (totalLength > length) {
            return drop(DropReason.TRUNCATED);
        }
        int fragOff = u16(b, at + 6);
        if ((fragOff & (IP_MF | IP_OFFSET)) == 0) {
            return ReassemblyVerdict.NOT_FRAGMENT;
        }
        stats.request();
        queues.expire(now);
        if (queues.overThreshold()) {
            stats.fail();
            return drop(DropReason.MEMORY_LIMIT);
        }
        int source = i32(b, at + 12);
        // struct frag_v4_compare_key: saddr, daddr, user (conntrack's defrag user: zone), vif, id, protocol.
        key[0] = (long) source << 32 | i32(b, at + 16) & 0xffff_ffffL;
        key[1] = (long) u16(b, at + 4) << 8 | b[at + 9] & 0xff;
        key[2] = zone & 0xffff_ffffL;
        key[3] = vrf & 0xffff_ffffL;
        key[4] = 0;
        key[5] = 0;
        int q = queues.findOrCreate(key, (long) source << 32 | vrf & 0xffff_ffffL, now);
        if (q == -1) {
            stats.fail();
            return drop(DropReason.MEMORY_LIMIT);
        }
        return queue(q, b, at, ihl, totalLength, fragOff, now);
    }

    private ReassemblyVerdict queue(int q, byte[] b, int at, int ihl, int totalLength, int fragOff, long now) {
        FragmentQueues f = queues;
        if (f.tooFar(q)) {
            stats.restart();
            f.reinit(q, now);
        }
        int ecnBit = 1 << (b[at + 1] & 3);
        int offset = (fragOff & IP_OFFSET) << 3;
        int end = offset + totalLength - ihl;
        if ((fragOff & IP_MF) == 0) {
            // The last fragment fixes the length: nothing received may lie beyond it, nor may a second
            // last fragment disagree.
            if (end < f.len[q] || (f.flags[q] & FragmentQueues.LAST_IN) != 0 && end != f.len[q]) {
                return discard(q, DropReason.BAD_LAST_FRAGMENT);
            }
            f.flags[q] |= FragmentQueues.LAST_IN;
            f.len[q] = end;
        } else {
            // IPv4 does not reject a non-last fragment of odd length: it trims it to a multiple of 8.
            end &= ~7;
            if (end > f.len[q]) {
                if ((f.flags[q] & FragmentQueues.LAST_IN) != 0) {
                    return discard(q, DropReason.BEYOND_LAST_FRAGMENT);
                }
                f.len[q] = end;
            }
        }
        if (end == offset) {
            return discard(q, DropReason.EMPTY_FRAGMENT);
        }
        int inserted = f.insert(q, offset, end);
        if (inserted == FragmentQueues.DUPLICATE) {
            return drop(DropReason.DUPLICATE);
        }
        if (inserted == FragmentQueues.OVERLAP) {
            stats.overlap();
            return discard(q, DropReason.OVERLAP);
        }
        if (inserted == FragmentQueues.NO_MEMORY || !f.writeData(q, offset, b, at + ihl, end - offset)) {
            return discard(q, DropReason.MEMORY_LIMIT);
        }
        f.ecn[q] |= ecnBit;
        if (offset == 0) {
            f.flags[q] |= FragmentQueues.FIRST_IN;
            if (!f.writeHeader(q, b, at, ihl)) {
                return discard(q, DropReason.MEMORY_LIMIT);
            }
        }
        f.meat[q] += end - offset;
        int fragSize = end - offset + ihl;
        if (fragSize > f.maxSize[q]) {
            f.maxSize[q] = fragSize;
        }
        if ((u16(b, at + 6) & IP_DF) != 0 && fragSize > f.maxDfSize[q]) {
            f.maxDfSize[q] = fragSize;
        }
        if (f.flags[q] == (FragmentQueues.FIRST_IN | FragmentQueues.LAST_IN) && f.meat[q] == f.len[q]) {
            return reassemble(q);
        }
        return ReassemblyVerdict.QUEUED;
    }

    private ReassemblyVerdict reassemble(int q) {
        FragmentQueues f = queues;
        int ecnValue = IpFragmentEcn.combine(f.ecn[q]);
        int ihl = f.headerLength[q];
        int length = ihl + f.len[q];
        boolean dontFragment = f.maxDfSize[q] == f.maxSize[q];
        if (ecnValue == IpFragmentEcn.INVALID) {
            return discard(q, DropReason.BAD_ECN);
        }
        if (length > 65535) {
            return discard(q, DropReason.TOO_LARGE);
        }
        f.readHeader(q, out);
        f.readData(q, out, ihl, f.len[q]);
        f.kill(q);
        out[1] |= (byte) ecnValue;
        out[2] = (byte) (length >>> 8);
        out[3] = (byte) length;
        // DF only if the largest fragment carried it, so that a router never forwards a DF datagram
        // larger than what the sender sent.
        out[6] = (byte) (dontFragment ? IP_DF >>> 8 : 0);
        out[7] = 0;
        out[10] = 0;
        out[11] = 0;
        int checksum = headerChecksum(out, ihl);
        out[10] = (byte) (checksum >>> 8);
        out[11] = (byte) checksum;
        datagramLength = length;
        stats.ok();
        return ReassemblyVerdict.REASSEMBLED;
    }

    private static int headerChecksum(byte[] h, int ihl) {
        int sum = 0;
        for (int i = 0; i < ihl; i += 2) {
            sum += u16(h, i);
        }
        while (sum >>> 16 != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return ~sum & 0xffff;
    }
}

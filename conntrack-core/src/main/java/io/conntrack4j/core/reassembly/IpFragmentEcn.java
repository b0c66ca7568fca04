package io.conntrack4j.core.reassembly;

/**
 * How the ECN codepoints of a datagram's fragments combine (RFC 3168 section 5.3), as Linux's
 * {@code ip_frag_ecn_table} in {@code net/ipv4/inet_fragment.c} does it. Each fragment contributes the
 * bit {@code 1 << (tos & 3)}; the OR of those bits indexes the table.
 */
final class IpFragmentEcn {

    /** The datagram must be dropped. */
    static final int INVALID = 0xff;

    private static final int NOT_ECT = 1;
    private static final int ECT_1 = 1 << 1;
    private static final int ECT_0 = 1 << 2;
    private static final int CE = 1 << 3;
    private static final int INET_ECN_CE = 3;

    private static final int[] TABLE = new int[16];

    static {
        // At least one fragment had CE and the others ECT(0) or ECT(1): the datagram is CE.
        TABLE[CE | ECT_0] = INET_ECN_CE;
        TABLE[CE | ECT_1] = INET_ECN_CE;
        TABLE[CE | ECT_0 | ECT_1] = INET_ECN_CE;
        // Not-ECT mixed with anything ECN-capable: invalid.
        TABLE[NOT_ECT | CE] = INVALID;
        TABLE[NOT_ECT | ECT_0] = INVALID;
        TABLE[NOT_ECT | ECT_1] = INVALID;
        TABLE[NOT_ECT | ECT_0 | ECT_1] = INVALID;
        TABLE[NOT_ECT | CE | ECT_0] = INVALID;
        TABLE[NOT_ECT | CE | ECT_1] = INVALID;
        TABLE[NOT_ECT | CE | ECT_0 | ECT_1] = INVALID;
    }

    private IpFragmentEcn() {
    }

    /**
     * The value to OR into the first fragment's TOS / traffic class.
     *
     * @param seen the OR of the fragments' bits
     * @return 0, 3 (CE) or {@link #INVALID}
     */
    static int combine(int seen) {
        return TABLE[seen & 15];
    }
}

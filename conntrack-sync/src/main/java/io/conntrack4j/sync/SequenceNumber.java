package io.conntrack4j.sync;

/**
 * Serial arithmetic on 32-bit sync sequence numbers, as conntrackd compares them: "a before b"
 * means the signed 32-bit value of {@code a - b} is negative, so comparisons survive the wrap
 * from 0xffffffff to 0.
 *
 * <pre>{@code
 * SequenceNumber.before(0xffffffff, 0); // true: 0 follows 0xffffffff
 * SequenceNumber.between(5, 3, 9);      // true
 * }</pre>
 */
public final class SequenceNumber {
    private SequenceNumber() {
    }

    /**
     * Whether {@code a} comes before {@code b}.
     *
     * @param a a sequence number
     * @param b another
     * @return true if a precedes b
     */
    public static boolean before(int a, int b) {
        return a - b < 0;
    }

    /**
     * Whether {@code a} comes after {@code b}.
     *
     * @param a a sequence number
     * @param b another
     * @return true if a follows b
     */
    public static boolean after(int a, int b) {
        return before(b, a);
    }

    /**
     * Whether {@code from <= value <= to} in serial order, e.g. whether a resend-queue entry
     * falls in an ACK range.
     *
     * @param value the number tested
     * @param from first of the range
     * @param to last of the range, inclusive
     * @return true if inside
     */
    public static boolean between(int value, int from, int to) {
        return Integer.compareUnsigned(to - from, value - from) >= 0;
    }
}

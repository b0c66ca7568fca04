package io.conntrack4j.netlink;

import java.util.function.BooleanSupplier;

/**
 * The running count behind a {@link DumpSummary}, shared by the conntrack and expectation dumps:
 * messages handed to the visitor, messages skipped, whether the visitor asked to stop (the rest
 * of the dump is still read off the socket, but no longer visited), and the reader's malformed
 * and unknown attribute counters when the dump began.
 */
final class DumpTally {
    private final long malformedBefore;
    private final long unknownBefore;
    private long entries;
    private long skipped;
    private boolean stopped;

    /**
     * @param malformedBefore the reader's malformed attribute count before the dump
     * @param unknownBefore the reader's unknown attribute count before the dump
     */
    DumpTally(long malformedBefore, long unknownBefore) {
        this.malformedBefore = malformedBefore;
        this.unknownBefore = unknownBefore;
    }

    /**
     * Counts one message of the dump and hands it to the visitor while the visitor wants more.
     *
     * @param entry whether the message was read as an entry (false: skipped)
     * @param visit calls the visitor on the entry; its false stops the visits
     */
    void offer(boolean entry, BooleanSupplier visit) {
        if (!entry) {
            skipped++;
        } else if (!stopped) {
            entries++;
            stopped = !visit.getAsBoolean();
        }
    }

    /**
     * The summary, given the reader's counters after the dump.
     *
     * @param malformedAfter the reader's malformed attribute count now
     * @param unknownAfter the reader's unknown attribute count now
     * @return the summary of this dump alone
     */
    DumpSummary summary(long malformedAfter, long unknownAfter) {
        return new DumpSummary(entries, skipped, malformedAfter - malformedBefore, unknownAfter - unknownBefore);
    }
}

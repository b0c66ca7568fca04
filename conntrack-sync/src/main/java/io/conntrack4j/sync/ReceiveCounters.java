package io.conntrack4j.sync;

/**
 * The receive-side error counters of {@code conntrackd -s network}, counted exactly where
 * conntrackd 1.4.7 counts them. Every rejection also counts under {@link #malformed()}.
 *
 * <p>Not thread-safe: one receive loop owns it, as in conntrackd.
 *
 * <pre>{@code
 * ReceiveCounters counters = new ReceiveCounters();
 * new MessageDecoder(handler, counters, false).onDatagram(buffer, 0, length);
 * long bad = counters.malformed();
 * }</pre>
 */
public final class ReceiveCounters {
    private long malformed;
    private long wrongVersion;
    private long malformedHeader;
    private long malformedPayload;
    private long badType;
    private long truncated;
    private long badSize;

    /**
     * "Malformed messages": the sum of every rejection below.
     *
     * @return the count
     */
    public long malformed() {
        return malformed;
    }

    /**
     * "Wrong protocol version": version nibble other than 1 (only that message is skipped).
     *
     * @return the count
     */
    public long wrongVersion() {
        return wrongVersion;
    }

    /**
     * "Malformed header": a type and flags combination the sync mode does not accept.
     *
     * @return the count
     */
    public long malformedHeader() {
        return malformedHeader;
    }

    /**
     * "Malformed payload": an attribute failed the checks; the whole message was dropped.
     *
     * @return the count
     */
    public long malformedPayload() {
        return malformedPayload;
    }

    /**
     * "Bad message type".
     *
     * @return the count
     */
    public long badType() {
        return badType;
    }

    /**
     * "Truncated message": fewer than 8 (or 16 for ACK, NACK, RESYNC) bytes left in a datagram.
     *
     * @return the count
     */
    public long truncated() {
        return truncated;
    }

    /**
     * "Bad message size": a length of 0, below the header size, or beyond the datagram.
     *
     * @return the count
     */
    public long badSize() {
        return badSize;
    }

    /** Sets every counter to zero. */
    public void reset() {
        malformed = 0;
        wrongVersion = 0;
        malformedHeader = 0;
        malformedPayload = 0;
        badType = 0;
        truncated = 0;
        badSize = 0;
    }

    void countWrongVersion() {
        malformed++;
        wrongVersion++;
    }

    void countMalformedHeader() {
        malformed++;
        malformedHeader++;
    }

    void countMalformedPayload() {
        malformed++;
        malformedPayload++;
    }

    void countBadType() {
        malformed++;
        badType++;
    }

    void countTruncated() {
        malformed++;
        truncated++;
    }

    void countBadSize() {
        malformed++;
        badSize++;
    }

    @Override
    public String toString() {
        return "malformed=" + malformed + " wrongVersion=" + wrongVersion + " malformedHeader=" + malformedHeader
                + " malformedPayload=" + malformedPayload + " badType=" + badType + " truncated=" + truncated
                + " badSize=" + badSize;
    }
}

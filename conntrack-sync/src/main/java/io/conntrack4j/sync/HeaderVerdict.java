package io.conntrack4j.sync;

/**
 * What a sync mode decides about a received header before its body is looked at, as
 * conntrackd's per-mode {@code recv} does.
 *
 * <pre>{@code
 * HeaderVerdict verdict = kind == MessageKind.ACK && notrack
 *         ? HeaderVerdict.MALFORMED_HEADER : HeaderVerdict.PROCESS;
 * }</pre>
 */
public enum HeaderVerdict {
    /** Go on: deliver the control message, or check and deliver the data message. */
    PROCESS,
    /** Drop silently, uncounted (FTFW: a sequence number before the expected one). */
    DROP,
    /** Drop and count under "Malformed header" (e.g. an ACK received in NOTRACK mode). */
    MALFORMED_HEADER
}

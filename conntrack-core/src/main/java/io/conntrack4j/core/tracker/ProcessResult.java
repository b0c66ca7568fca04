package io.conntrack4j.core.tracker;

/**
 * The tracker's answer for one packet, written into a reusable object so that processing a packet
 * allocates nothing. Valid until the next {@code process} call with the same result.
 *
 * <pre>{@code
 * ProcessResult result = new ProcessResult();   // one per worker, reused
 * tracker.process(view, 0, result);
 * if (result.verdict() == Verdict.ESTABLISHED && result.isReply()) { ... }
 * }</pre>
 */
public final class ProcessResult {

    /** {@link #handle()} when the packet has no connection. */
    public static final long NO_HANDLE = -1L;

    Verdict verdict = Verdict.INVALID;
    InvalidReason reason = InvalidReason.NONE;
    boolean reply;
    long handle = NO_HANDLE;

    void set(Verdict v, InvalidReason r, boolean isReply, long h) {
        verdict = v;
        reason = r;
        reply = isReply;
        handle = h;
    }

    void invalid(InvalidReason r) {
        set(Verdict.INVALID, r, false, NO_HANDLE);
    }

    /** @return the verdict */
    public Verdict verdict() {
        return verdict;
    }

    /**
     * Why the packet is invalid; {@link InvalidReason#TCP_IGNORED} for a TCP packet that passed
     * without updating its connection; else {@link InvalidReason#NONE}.
     *
     * @return the reason
     */
    public InvalidReason invalidReason() {
        return reason;
    }

    /** @return whether the packet travels in the connection's reply direction */
    public boolean isReply() {
        return reply;
    }

    /**
     * The connection the packet belongs to (for RELATED: the connection its ICMP error is about),
     * as {@link ConnectionTracker#find(long)} takes it; {@link #NO_HANDLE} when there is none
     * (INVALID, UNTRACKED, or a connection removed by this very packet, such as an RST answering a SYN).
     *
     * @return the handle
     */
    public long handle() {
        return handle;
    }

    @Override
    public String toString() {
        return verdict + (reply ? " reply" : "") + (reason == InvalidReason.NONE ? "" : " (" + reason + ")");
    }
}

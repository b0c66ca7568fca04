package io.conntrack4j.netlink;

import io.conntrack4j.core.EventType;

/**
 * Receives the events a {@link ConntrackEventListener} reads, one call per event, on the thread
 * that polls. The entry is a reused view, valid during the call only: copy what you keep (for
 * instance with {@link ConntrackEntry#toConnection()}).
 *
 * <pre>{@code
 * listener.poll(1024, 100, (type, entry, portId, own) -> {
 *     if (!own) replicate(type, entry.toConnection());
 * });
 * }</pre>
 */
@FunctionalInterface
public interface ConntrackEventHandler {
    /**
     * One conntrack event.
     *
     * @param type NEW (the kernel set NLM_F_CREATE|NLM_F_EXCL), UPDATE, or DESTROY
     * @param entry the entry as the event carries it: NEW and UPDATE carry only the changed optional
     *     parts, DESTROY carries the counters
     * @param portId the netlink port id of the socket that caused the change (unsigned 32-bit in an
     *     int), 0 for changes from the packet path or the kernel itself
     * @param own whether {@code portId} is one the listener was told is this process's own
     *     ({@link ConntrackEventListener#treatAsOwn(NetlinkSocket)})
     */
    void onEvent(EventType type, ConntrackEntry entry, int portId, boolean own);

    /**
     * One expectation event (only when the listener subscribed to expectation events, see
     * {@link ConntrackEventListener.Options#withExpectationEvents}). The default ignores it.
     *
     * <pre>{@code
     * public void onExpectation(EventType type, ExpectationEntry e, int portId, boolean own) {
     *     System.out.println(ExpectationFormat.plain().formatEvent(new ExpectationEvent(type, e.toExpectation(),
     *             ExpectationEvent.NO_TIMESTAMP)));
     * }
     * }</pre>
     *
     * @param type NEW (the helper or a request created it) or DESTROY (matched, expired or deleted)
     * @param expectation the expectation, a reused view valid during the call only
     * @param portId the netlink port id of the socket that caused it, 0 for the kernel itself
     * @param own whether {@code portId} is one the listener was told is this process's own
     */
    default void onExpectation(EventType type, ExpectationEntry expectation, int portId, boolean own) {
    }

    /**
     * The kernel dropped events because the receive buffer was full, and said so with one ENOBUFS
     * (one per overrun episode, however many events were lost). The listener keeps receiving;
     * what was lost is gone, so a replica should resynchronise with a dump. Never called when the
     * listener was opened with {@code noEnobufs}: then only {@code kernelDrops} tells.
     *
     * @param overruns ENOBUFS reports seen by this listener so far
     * @param kernelDrops events the kernel dropped for this socket so far (SO_MEMINFO), or -1 when
     *     the kernel does not say
     */
    default void onOverrun(long overruns, long kernelDrops) {
    }
}

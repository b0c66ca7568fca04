package io.conntrack4j.core.tracker;

import io.conntrack4j.core.EventType;

/**
 * Receives the tracker's NEW, UPDATE and DESTROY events, like a ctnetlink event listener. Events
 * of one packet are coalesced and delivered once, after the packet (Linux's event cache). The
 * connection is a flyweight valid only during the call: copy what you keep
 * ({@link TrackedConnection#toConnection()}). Called on the tracker's thread; do not call back
 * into the tracker from the listener.
 *
 * <pre>{@code
 * tracker.addListener((type, c) -> {
 *     if (type == EventType.DESTROY) closed++;
 * });
 * }</pre>
 */
@FunctionalInterface
public interface ConnectionListener {

    /**
     * One event.
     *
     * @param type NEW, UPDATE or DESTROY
     * @param connection the connection, valid during this call only; {@link TrackedConnection#changes()}
     *     says what changed
     */
    void onEvent(EventType type, TrackedConnection connection);
}

package io.conntrack4j.netlink;

import io.conntrack4j.core.EventType;
import io.conntrack4j.netlink.internal.CtMessageType;
import io.conntrack4j.netlink.internal.ExpMessageType;
import io.conntrack4j.netlink.internal.MessageIterator;
import io.conntrack4j.netlink.internal.Netlink;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Turns received event datagrams into handler calls, reusing one {@link ConntrackEntry}. Kept apart
 * from the socket so that any byte sequence can be fed to it: what is not a conntrack event is
 * counted, never thrown.
 */
final class EventDispatcher {
    private final ByteBuffer host;
    private final ByteBuffer network;
    private final MessageIterator messages = new MessageIterator();
    private final ConntrackEntry entry = new ConntrackEntry();
    private final ExpectationEntry expectation = new ExpectationEntry();
    private int[] ownPortIds = new int[0];
    private long events;
    private long ignored;
    private long malformed;
    private long filtered;
    private EntryFilter userSpaceFilter;

    /**
     * @param host the receive buffer in native order
     */
    EventDispatcher(ByteBuffer host) {
        this.host = host;
        this.network = host.duplicate().order(ByteOrder.BIG_ENDIAN);
    }

    void addOwnPortId(int portId) {
        for (int id : ownPortIds) {
            if (id == portId) {
                return;
            }
        }
        ownPortIds = Arrays.copyOf(ownPortIds, ownPortIds.length + 1);
        ownPortIds[ownPortIds.length - 1] = portId;
    }

    boolean isOwn(int portId) {
        if (portId == 0) {
            return false;
        }
        for (int id : ownPortIds) {
            if (id == portId) {
                return true;
            }
        }
        return false;
    }

    /**
     * Dispatches the messages in {@code [0, length)} of the buffer.
     *
     * @return events handed to the handler
     */
    int dispatch(int length, ConntrackEventHandler handler) {
        int delivered = 0;
        messages.wrap(host, length);
        while (messages.next()) {
            int type = messages.type();
            EventType eventType;
            if (type == CtMessageType.NEW) {
                // ctnetlink marks creations (and RELATED) with CREATE|EXCL; any other change has no flags
                eventType = (messages.flags() & (Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL)) != 0
                        ? EventType.NEW : EventType.UPDATE;
            } else if (type == CtMessageType.DELETE) {
                eventType = EventType.DESTROY;
            } else if (type == ExpMessageType.NEW || type == ExpMessageType.DELETE) {
                if (dispatchExpectation(type == ExpMessageType.NEW ? EventType.NEW : EventType.DESTROY, handler)) {
                    delivered++;
                }
                continue;
            } else {
                ignored++;
                continue;
            }
            if (!entry.wrap(host, network, messages.offset(), messages.length())) {
                malformed++;
                continue;
            }
            if (userSpaceFilter != null && !userSpaceFilter.test(entry)) {
                filtered++;
                continue;
            }
            int portId = host.getInt(messages.offset() + 12);
            events++;
            delivered++;
            handler.onEvent(eventType, entry, portId, isOwn(portId));
        }
        return delivered;
    }

    private boolean dispatchExpectation(EventType eventType, ConntrackEventHandler handler) {
        if (!expectation.wrap(host, network, messages.offset(), messages.length())) {
            malformed++;
            return false;
        }
        int portId = host.getInt(messages.offset() + 12);
        events++;
        handler.onExpectation(eventType, expectation, portId, isOwn(portId));
        return true;
    }

    /** The core filter's rules checked on every conntrack event, or null for none. */
    void userSpaceFilter(EntryFilter filter) {
        userSpaceFilter = filter;
    }

    /** Conntrack events that reached user space but failed {@link #userSpaceFilter(EntryFilter)}. */
    long filtered() {
        return filtered;
    }

    long events() {
        return events;
    }

    long ignored() {
        return ignored;
    }

    long malformed() {
        return malformed + messages.malformed();
    }

    long malformedAttributes() {
        return entry.malformedAttributes() + expectation.malformedAttributes();
    }

    long unknownAttributes() {
        return entry.unknownAttributes() + expectation.unknownAttributes();
    }
}

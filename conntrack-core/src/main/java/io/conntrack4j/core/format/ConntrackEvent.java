package io.conntrack4j.core.format;

import io.conntrack4j.core.Connection;
import io.conntrack4j.core.EventType;
import java.util.Objects;

/**
 * One line of {@code conntrack -E}: the event type, the connection, and what conntrack(8) adds
 * around it: the event time with {@code -o timestamp}, and for changes made by a user-space program
 * the {@code [USERSPACE] portid=N progname=NAME} suffix.
 *
 * @param type NEW, UPDATE or DESTROY
 * @param connection the connection as reported in the event
 * @param timestampMicros event time in microseconds since the epoch, or {@link #NO_TIMESTAMP}
 * @param portId netlink port id of the program that caused the event (unsigned 32-bit), or
 *     {@link #NO_PORT_ID} for events from the packet path
 * @param programName that program's name, or null (conntrack prints it only when it finds it)
 */
public record ConntrackEvent(EventType type, Connection connection, long timestampMicros, long portId,
                             String programName) {

    /** {@link #timestampMicros()} of an event printed without {@code -o timestamp}. */
    public static final long NO_TIMESTAMP = -1;
    /** {@link #portId()} of an event from the packet path. */
    public static final long NO_PORT_ID = -1;

    /** Validates. */
    public ConntrackEvent {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(connection, "connection");
        if (timestampMicros < NO_TIMESTAMP) {
            throw new IllegalArgumentException("timestamp " + timestampMicros + " is negative");
        }
        if (portId < NO_PORT_ID || portId > 0xffff_ffffL) {
            throw new IllegalArgumentException("port id " + portId + " out of range 0..4294967295");
        }
        if (programName != null && portId == NO_PORT_ID) {
            throw new IllegalArgumentException("a program name needs a port id");
        }
    }

    /**
     * An event from the packet path, without a timestamp.
     *
     * @param type the type
     * @param connection the connection
     * @return the event
     */
    public static ConntrackEvent of(EventType type, Connection connection) {
        return new ConntrackEvent(type, connection, NO_TIMESTAMP, NO_PORT_ID, null);
    }

    /** @return whether the event carries a timestamp */
    public boolean hasTimestamp() {
        return timestampMicros != NO_TIMESTAMP;
    }

    /** @return whether a user-space program caused the event */
    public boolean isUserspace() {
        return portId != NO_PORT_ID;
    }
}

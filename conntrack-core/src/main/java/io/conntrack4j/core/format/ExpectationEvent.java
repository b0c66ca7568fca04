package io.conntrack4j.core.format;

import io.conntrack4j.core.EventType;
import io.conntrack4j.core.Expectation;
import java.util.Objects;

/**
 * One line of {@code conntrack -E expect}: the event type, the expectation, and with
 * {@code -o timestamp} the time conntrack(8) received it.
 *
 * <pre>{@code
 * ExpectationEvent e = ExpectationFormat.plain().parseEvent("    [NEW] 300 proto=6 src=10.0.0.2 dst=10.0.0.1 "
 *         + "sport=0 dport=1025 mask-src=255.255.255.255 mask-dst=255.255.255.255 sport=0 dport=65535 "
 *         + "master-src=10.0.0.1 master-dst=10.0.0.2 sport=40000 dport=21 class=0 helper=ftp");
 * e.type(); // EventType.NEW
 * }</pre>
 *
 * @param type NEW or DESTROY (the kernel sends no expectation updates)
 * @param expectation the expectation as reported in the event
 * @param timestampMicros receive time in microseconds since the epoch, or {@link #NO_TIMESTAMP}
 */
public record ExpectationEvent(EventType type, Expectation expectation, long timestampMicros) {

    /** {@link #timestampMicros()} of an event printed without {@code -o timestamp}. */
    public static final long NO_TIMESTAMP = -1;

    /** Validates. */
    public ExpectationEvent {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(expectation, "expectation");
        if (timestampMicros < NO_TIMESTAMP) {
            throw new IllegalArgumentException("timestamp " + timestampMicros + " is negative");
        }
    }

    /** @return whether the event carries a timestamp */
    public boolean hasTimestamp() {
        return timestampMicros != NO_TIMESTAMP;
    }
}

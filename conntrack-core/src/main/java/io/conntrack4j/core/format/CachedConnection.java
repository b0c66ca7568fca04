package io.conntrack4j.core.format;

import io.conntrack4j.core.Connection;
import java.util.Objects;

/**
 * One connection line of {@code conntrackd -i} or {@code -e}: the cached connection and the
 * numbers conntrackd adds after it.
 *
 * <pre>{@code
 * CachedConnection e = ConntrackdDumpFormat.parseConnection("udp      17 src=10.3.3.3 dst=10.4.4.4 "
 *         + "sport=5353 dport=53 mark=7 [active since 2s]", true); // an external (-e) line
 * e.activeSeconds(); // 2
 * }</pre>
 *
 * @param connection the connection; for an external (original-only) line, its reply tuple is the
 *     original's inverse, as conntrackd itself rebuilds it on commit
 * @param activeSeconds seconds since the entry entered the cache
 * @param expiresInSeconds ALARM mode's seconds until an external entry expires, or
 *     {@link #NO_EXPIRY}
 */
public record CachedConnection(Connection connection, long activeSeconds, long expiresInSeconds) {

    /** {@link #expiresInSeconds()} of a line without {@code [expires in Ns]}. */
    public static final long NO_EXPIRY = -1;

    /** Validates. */
    public CachedConnection {
        Objects.requireNonNull(connection, "connection");
        if (activeSeconds < 0) {
            throw new IllegalArgumentException("active seconds " + activeSeconds + " negative");
        }
        if (expiresInSeconds < NO_EXPIRY) {
            throw new IllegalArgumentException("expiry " + expiresInSeconds + " negative");
        }
    }
}

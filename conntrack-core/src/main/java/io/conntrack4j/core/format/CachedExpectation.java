package io.conntrack4j.core.format;

import io.conntrack4j.core.Expectation;
import java.util.Objects;

/**
 * One line of {@code conntrackd -i expect} or {@code -e expect}: the cached expectation and how
 * long it has been in the cache.
 *
 * <pre>{@code
 * CachedExpectation e = ConntrackdDumpFormat.parseExpectation("proto=6 src=10.0.0.2 dst=10.0.0.1 sport=0 "
 *         + "dport=1025 mask-src=255.255.255.255 mask-dst=255.255.255.255 sport=0 dport=65535 "
 *         + "master-src=10.0.0.1 master-dst=10.0.0.2 sport=40000 dport=21 class=0 helper=ftp [active since 2s]");
 * }</pre>
 *
 * @param expectation the expectation (its timeout is not printed, so it parses as 0)
 * @param activeSeconds seconds since the entry entered the cache
 */
public record CachedExpectation(Expectation expectation, long activeSeconds) {

    /** Validates. */
    public CachedExpectation {
        Objects.requireNonNull(expectation, "expectation");
        if (activeSeconds < 0) {
            throw new IllegalArgumentException("active seconds " + activeSeconds + " negative");
        }
    }
}

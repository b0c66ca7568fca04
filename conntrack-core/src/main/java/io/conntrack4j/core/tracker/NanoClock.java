package io.conntrack4j.core.tracker;

/**
 * The tracker's time source, in nanoseconds on an arbitrary monotonic origin. Inject one to make
 * expiry deterministic (tests, capture replay driven by packet timestamps).
 *
 * <pre>{@code
 * long[] now = {0};
 * ConnectionTracker tracker = new ConnectionTracker(TrackerConfig.builder().clock(() -> now[0]).build());
 * now[0] += 30_000_000_000L; // thirty seconds later
 * }</pre>
 */
@FunctionalInterface
public interface NanoClock {

    /** @return the current time in nanoseconds */
    long nanos();

    /** @return {@link System#nanoTime()} */
    static NanoClock system() {
        return System::nanoTime;
    }
}

package io.conntrack4j.core.tracker;

import io.conntrack4j.core.EventType;
import io.conntrack4j.core.Expectation;

/**
 * Receives expectation events, as {@code conntrack -E expect} shows them: NEW when a helper
 * creates an expectation, DESTROY when it is matched, replaced, timed out or removed with its
 * master. Called on the tracker's thread; the expectation is built only when a listener exists.
 *
 * <pre>{@code
 * ExpectationFormat format = ExpectationFormat.plain();
 * tracker.addExpectationListener((type, e) -> System.out.println(type + " " + format.format(e)));
 * }</pre>
 */
@FunctionalInterface
public interface ExpectationListener {

    /**
     * One event.
     *
     * @param type NEW or DESTROY
     * @param expectation the expectation (its timeout is the time left)
     */
    void onExpectation(EventType type, Expectation expectation);
}

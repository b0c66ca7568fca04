package io.conntrack4j.testkit;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Waits for a condition with a deadline, polling with a short back-off. Tests use this instead of
 * sleeping: they move on as soon as the condition holds and fail with a description of what was
 * last seen when it never does.
 *
 * <pre>{@code
 * String table = Await.value(Duration.ofSeconds(10), "an ESTABLISHED entry",
 *         () -> ns.exec("conntrack", "-L").stdout(), out -> out.contains("ESTABLISHED"));
 * }</pre>
 */
public final class Await {

    private Await() {
    }

    /**
     * Waits until {@code condition} is true.
     *
     * @param timeout deadline
     * @param what description used in the failure message
     * @param condition polled until true
     * @throws AssertionError when the deadline passes first
     */
    public static void until(Duration timeout, String what, BooleanSupplier condition) {
        value(timeout, what, condition::getAsBoolean, Boolean::booleanValue);
    }

    /**
     * Polls {@code source} until {@code accept} holds for its value, and returns that value.
     *
     * @param timeout deadline
     * @param what description used in the failure message
     * @param source produces the value to test
     * @param accept when the value is good enough
     * @param <T> the value type
     * @return the first accepted value
     * @throws AssertionError when the deadline passes first, with the last value seen
     */
    public static <T> T value(Duration timeout, String what, Supplier<T> source, Predicate<T> accept) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pauseMillis = 5;
        T last = null;
        RuntimeException lastError = null;
        while (true) {
            try {
                last = source.get();
                lastError = null;
                if (accept.test(last)) {
                    return last;
                }
            } catch (RuntimeException e) {
                lastError = e;
            }
            if (System.nanoTime() - deadline > 0) {
                AssertionError failure = new AssertionError(
                        "timed out after " + timeout + " waiting for " + what + "; last seen: " + last);
                if (lastError != null) {
                    failure.initCause(lastError);
                }
                throw failure;
            }
            try {
                Thread.sleep(pauseMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what, e);
            }
            pauseMillis = Math.min(pauseMillis * 2, 200);
        }
    }
}

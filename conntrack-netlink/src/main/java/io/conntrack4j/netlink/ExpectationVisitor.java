package io.conntrack4j.netlink;

/**
 * Receives the expectations of a dump one at a time ({@link ExpectationTable#dump(ExpectationVisitor)}).
 *
 * <pre>{@code
 * expectations.dump(e -> {
 *     System.out.println(e.helper() + " expects port " + e.tuple().destinationPort());
 *     return true;
 * });
 * }</pre>
 */
@FunctionalInterface
public interface ExpectationVisitor {
    /**
     * Visits one expectation.
     *
     * @param expectation the reused view, valid during this call only
     * @return true to go on, false to stop (the rest of the dump is then read and discarded)
     */
    boolean visit(ExpectationEntry expectation);
}

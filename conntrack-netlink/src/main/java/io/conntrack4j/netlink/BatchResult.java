package io.conntrack4j.netlink;

import java.util.List;

/**
 * The outcome of a batch of independent requests ({@link ConntrackTable#createAll(List)},
 * {@link ConntrackTable#deleteAll(List)}): how many were sent and which failed, with the kernel's
 * errno. A request that is not listed as failed succeeded.
 *
 * <pre>{@code
 * BatchResult result = table.createAll(connections);
 * for (BatchResult.Failure f : result.failures()) {
 *     System.err.println(connections.get(f.index()) + ": " + f.errnoName());  // e.g. EEXIST
 * }
 * }</pre>
 *
 * @param requests the number of requests sent
 * @param failures the failed requests, in request order
 */
public record BatchResult(int requests, List<Failure> failures) {

    /**
     * One failed request.
     *
     * @param index the request's position in the list given to the batch call
     * @param errno the positive errno the kernel returned
     * @param kernelMessage the kernel's extended ACK text, or null
     */
    public record Failure(int index, int errno, String kernelMessage) {
        /**
         * The symbolic errno name, such as {@code EEXIST}.
         *
         * @return the name
         */
        public String errnoName() {
            return Errno.name(errno);
        }
    }

    /**
     * Copies the failure list.
     *
     * @param requests requests sent
     * @param failures failed requests
     */
    public BatchResult {
        failures = List.copyOf(failures);
    }

    /**
     * Requests that succeeded.
     *
     * @return {@code requests - failures().size()}
     */
    public int succeeded() {
        return requests - failures.size();
    }
}

package io.conntrack4j.netlink;

/**
 * Called once per entry of a dump, with a view that is only valid during the call (it is reused for
 * the next entry: copy what you keep).
 *
 * <pre>{@code
 * table.dump(entry -> {
 *     if (entry.original().protocol() == 6) tcp++;
 *     return true;
 * });
 * }</pre>
 */
@FunctionalInterface
public interface ConntrackVisitor {
    /**
     * Visits one entry.
     *
     * @param entry the entry, valid during this call only
     * @return true to go on, false to stop (the rest of the dump is then read and discarded)
     */
    boolean visit(ConntrackEntry entry);
}

package io.conntrack4j.netlink;

/**
 * What a dump saw.
 *
 * <pre>{@code
 * DumpSummary summary = table.dump(entry -> true);
 * if (summary.malformedAttributes() > 0) log.warn(...);
 * }</pre>
 *
 * @param entries entries passed to the visitor
 * @param skippedMessages messages of the dump that were not entries (unexpected type or too short)
 * @param malformedAttributes attributes that were cut off or had the wrong size, skipped
 * @param unknownAttributes attributes of types this library does not know, ignored
 */
public record DumpSummary(long entries, long skippedMessages, long malformedAttributes, long unknownAttributes) {
}

package io.conntrack4j.core.tracker;

/**
 * What the tracker says about one packet, as nftables' {@code ct state} would: the classes of
 * Linux's {@code ip_conntrack_info} folded to what a rule engine matches on. The direction is
 * reported separately ({@link ProcessResult#isReply()}).
 *
 * <pre>{@code
 * if (tracker.process(view, 0, result) == Verdict.INVALID) {
 *     drop(result.invalidReason());
 * }
 * }</pre>
 */
public enum Verdict {
    /** The first packet of a connection (or an original-direction packet before any reply). */
    NEW,
    /** A packet of a connection that has seen traffic both ways, or any reply-direction packet. */
    ESTABLISHED,
    /**
     * An ICMP error about a tracked connection, or a packet of a connection a helper expected
     * (status EXPECTED) before its first reply.
     */
    RELATED,
    /** Not accepted by the tracker; {@link ProcessResult#invalidReason()} says why. */
    INVALID,
    /** Deliberately not tracked (ICMPv6 neighbour discovery and multicast listener messages). */
    UNTRACKED
}

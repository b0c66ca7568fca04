package io.conntrack4j.netlink;

/**
 * What this library has found out about the running kernel's dump and flush filters (one kernel
 * per machine, so it is shared by every table of the JVM). A filter the kernel rejects is
 * dropped from later requests; a filter it ignores costs only speed, since every dumped entry is
 * checked again in user space. Flushes are exact or not done in the kernel at all: a flush
 * filter is handed to the kernel only when the kernel version is known to honour it, else the
 * table dumps, checks and deletes entry by entry.
 *
 * <pre>{@code
 * KernelFilterSupport s = ConntrackTable.kernelFilterSupport();
 * if (s.ipv6AddressMatch() == KernelFilterSupport.Ipv6AddressMatch.INVERTED) log.info("kernel IPv6 filter bug");
 * }</pre>
 *
 * @param kernelVersion the running kernel's major * 1000 + minor (6.18 is 6018), 0 when unknown
 * @param statusFilter CTA_STATUS/CTA_STATUS_MASK in dumps not (yet) rejected (honoured since 5.15)
 * @param zoneFilter CTA_ZONE in dumps not (yet) rejected (since 6.8; it also takes entries zoned in
 *     one direction only, which the user-space check then drops, so flushes never use it)
 * @param tupleFilter CTA_FILTER in dumps not (yet) rejected (since 5.8)
 * @param tupleFlush the kernel flushes with CTA_FILTER (6.12 and later)
 * @param ipv6AddressMatch what the kernel does with IPv6 addresses in CTA_FILTER
 */
public record KernelFilterSupport(int kernelVersion, boolean statusFilter, boolean zoneFilter, boolean tupleFilter,
                                  boolean tupleFlush, Ipv6AddressMatch ipv6AddressMatch) {

    /** The kernel's behaviour for IPv6 address criteria in CTA_FILTER. */
    public enum Ipv6AddressMatch {
        /** Not seen yet: such criteria are sent and their result checked. */
        UNKNOWN,
        /** Seen to return matching entries only. */
        CORRECT,
        /**
         * Seen to return the entries that do not match (the comparison negates ipv6_addr_cmp; since
         * 5.8, still in 6.18): such criteria are checked in user space only.
         */
        INVERTED
    }
}

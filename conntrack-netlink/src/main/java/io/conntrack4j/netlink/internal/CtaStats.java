package io.conntrack4j.netlink.internal;

/**
 * Statistics attributes: per CPU ({@code enum ctattr_stats_cpu}, in IPCTNL_MSG_CT_GET_STATS_CPU
 * replies) and global ({@code enum ctattr_stats_global}). All u32 big-endian.
 */
public final class CtaStats {
    /** CTA_STATS_FOUND: lookups that found an entry. */
    public static final int CPU_FOUND = 2;
    /** CTA_STATS_INVALID: packets that could not be tracked. */
    public static final int CPU_INVALID = 4;
    /** CTA_STATS_INSERT: entries inserted. */
    public static final int CPU_INSERT = 8;
    /** CTA_STATS_INSERT_FAILED: inserts that lost a race (clash). */
    public static final int CPU_INSERT_FAILED = 9;
    /** CTA_STATS_DROP: packets dropped because of conntrack failures. */
    public static final int CPU_DROP = 10;
    /** CTA_STATS_EARLY_DROP: entries evicted because the table was full. */
    public static final int CPU_EARLY_DROP = 11;
    /** CTA_STATS_ERROR: ICMP errors with a bad or unknown inner packet. */
    public static final int CPU_ERROR = 12;
    /** CTA_STATS_SEARCH_RESTART: lookups restarted because a hash resize moved entries. */
    public static final int CPU_SEARCH_RESTART = 13;
    /** CTA_STATS_CLASH_RESOLVE: insert clashes that were resolved. */
    public static final int CPU_CLASH_RESOLVE = 14;
    /** CTA_STATS_CHAIN_TOOLONG: inserts refused because a hash chain was too long. */
    public static final int CPU_CHAIN_TOOLONG = 15;
    /** The highest per-CPU statistics attribute. */
    public static final int CPU_MAX = CPU_CHAIN_TOOLONG;

    /** CTA_STATS_GLOBAL_ENTRIES: entries in the socket's network namespace. */
    public static final int GLOBAL_ENTRIES = 1;
    /** CTA_STATS_GLOBAL_MAX_ENTRIES: nf_conntrack_max. */
    public static final int GLOBAL_MAX_ENTRIES = 2;

    private CtaStats() {
    }
}

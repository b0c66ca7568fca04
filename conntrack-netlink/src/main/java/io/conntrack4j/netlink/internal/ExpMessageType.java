package io.conntrack4j.netlink.internal;

/**
 * Message types of the expectation subsystem: {@code nlmsg_type = (NFNL_SUBSYS_CTNETLINK_EXP << 8)
 * | message}. The constants are the full {@code nlmsg_type} values.
 */
public final class ExpMessageType {
    /** NFNL_SUBSYS_CTNETLINK_EXP: the expectation table. */
    public static final int SUBSYS_CTNETLINK_EXP = 2;

    /**
     * IPCTNL_MSG_EXP_NEW: create (NLM_F_CREATE) or update the timeout of an expectation; also the
     * type of every dump entry and of NEW events.
     */
    public static final int NEW = SUBSYS_CTNETLINK_EXP << 8;
    /**
     * IPCTNL_MSG_EXP_GET: one expectation by expected (or master) tuple, or with NLM_F_DUMP all of
     * them, or only those of one master when CTA_EXPECT_MASTER is given.
     */
    public static final int GET = (SUBSYS_CTNETLINK_EXP << 8) | 1;
    /**
     * IPCTNL_MSG_EXP_DELETE: delete one expectation by expected tuple (and id), every expectation
     * of a helper (CTA_EXPECT_HELP_NAME), or all of them; also the type of DESTROY events.
     */
    public static final int DELETE = (SUBSYS_CTNETLINK_EXP << 8) | 2;
    /**
     * IPCTNL_MSG_EXP_GET_STATS_CPU: per-CPU expectation counters. The kernel stamps the replies with
     * the conntrack subsystem (1), not this one.
     */
    public static final int GET_STATS_CPU = (SUBSYS_CTNETLINK_EXP << 8) | 3;

    private ExpMessageType() {
    }
}

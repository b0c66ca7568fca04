package io.conntrack4j.netlink.internal;

/**
 * ctnetlink message types: {@code nlmsg_type = (subsystem << 8) | message}. The constants here are
 * the full {@code nlmsg_type} values for the conntrack table subsystem.
 */
public final class CtMessageType {
    /** NFNL_SUBSYS_CTNETLINK: the conntrack table. */
    public static final int SUBSYS_CTNETLINK = 1;

    /**
     * IPCTNL_MSG_CT_NEW: create or update an entry; also the type of every dump entry and of
     * NEW/UPDATE events.
     */
    public static final int NEW = SUBSYS_CTNETLINK << 8;
    /** IPCTNL_MSG_CT_GET: get one entry by tuple, or dump the table with NLM_F_DUMP. */
    public static final int GET = (SUBSYS_CTNETLINK << 8) | 1;
    /**
     * IPCTNL_MSG_CT_DELETE: delete one entry by tuple, or flush (filtered by mark/status/zone, and
     * by family when nfgenmsg version is 1) without a tuple; also the type of DESTROY events.
     */
    public static final int DELETE = (SUBSYS_CTNETLINK << 8) | 2;
    /** IPCTNL_MSG_CT_GET_CTRZERO: like GET, and atomically zeroes the counters read. */
    public static final int GET_CTRZERO = (SUBSYS_CTNETLINK << 8) | 3;
    /** IPCTNL_MSG_CT_GET_STATS_CPU: dump one statistics message per possible CPU (res_id = CPU). */
    public static final int GET_STATS_CPU = (SUBSYS_CTNETLINK << 8) | 4;
    /** IPCTNL_MSG_CT_GET_STATS: one reply with the entry count of this namespace and the maximum. */
    public static final int GET_STATS = (SUBSYS_CTNETLINK << 8) | 5;
    /** IPCTNL_MSG_CT_GET_DYING: dump the entries waiting for their DESTROY event to be delivered. */
    public static final int GET_DYING = (SUBSYS_CTNETLINK << 8) | 6;
    /** IPCTNL_MSG_CT_GET_UNCONFIRMED: accepted, returns nothing on current kernels. */
    public static final int GET_UNCONFIRMED = (SUBSYS_CTNETLINK << 8) | 7;

    private CtMessageType() {
    }
}

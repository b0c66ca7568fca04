package io.conntrack4j.netlink.internal;

/** Status bits of CTA_STATUS ({@code enum ip_conntrack_status}). */
public final class IpsStatus {
    /** IPS_EXPECTED: an expected (RELATED) connection. */
    public static final int EXPECTED = 1;
    /** IPS_SEEN_REPLY: traffic was seen in both directions (conntrack prints [UNREPLIED] without it). */
    public static final int SEEN_REPLY = 1 << 1;
    /** IPS_ASSURED: will not be early-dropped (conntrack prints [ASSURED]). */
    public static final int ASSURED = 1 << 2;
    /** IPS_CONFIRMED: in the table. */
    public static final int CONFIRMED = 1 << 3;
    /** IPS_SRC_NAT: source NAT applies. */
    public static final int SRC_NAT = 1 << 4;
    /** IPS_DST_NAT: destination NAT applies. */
    public static final int DST_NAT = 1 << 5;
    /** IPS_SEQ_ADJUST: TCP sequence numbers are adjusted. */
    public static final int SEQ_ADJUST = 1 << 6;
    /** IPS_SRC_NAT_DONE: source NAT set up. */
    public static final int SRC_NAT_DONE = 1 << 7;
    /** IPS_DST_NAT_DONE: destination NAT set up. */
    public static final int DST_NAT_DONE = 1 << 8;
    /** IPS_DYING: being destroyed. */
    public static final int DYING = 1 << 9;
    /** IPS_FIXED_TIMEOUT: the timeout is not refreshed by packets. */
    public static final int FIXED_TIMEOUT = 1 << 10;
    /** IPS_TEMPLATE: a template, not a real entry. */
    public static final int TEMPLATE = 1 << 11;
    /** IPS_UNTRACKED: obsolete (reused in the kernel as NAT_CLASH). */
    public static final int UNTRACKED = 1 << 12;
    /** IPS_HELPER: a helper was assigned explicitly. */
    public static final int HELPER = 1 << 13;
    /** IPS_OFFLOAD: offloaded to a flowtable (no timeout, no protoinfo in dumps). */
    public static final int OFFLOAD = 1 << 14;
    /** IPS_HW_OFFLOAD: offloaded to hardware. */
    public static final int HW_OFFLOAD = 1 << 15;

    private IpsStatus() {
    }
}

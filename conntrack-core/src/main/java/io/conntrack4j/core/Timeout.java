package io.conntrack4j.core;

/**
 * One timeout of Linux conntrack: a protocol and the state or condition it applies to, with the
 * kernel's default in seconds and the per-namespace sysctl that overrides it.
 *
 * <p>Constants follow the kernel's own timeout tables; a constant whose {@link #sysctl()} is null
 * has no sysctl of its own (TCP's SYN_SENT2 state, for example).
 *
 * <pre>{@code
 * int seconds = TimeoutPolicy.linuxDefaults().seconds(Timeout.TCP_ESTABLISHED); // 432000
 * }</pre>
 */
public enum Timeout {
    /** TCP, SYN seen from the originator only. */
    TCP_SYN_SENT("nf_conntrack_tcp_timeout_syn_sent", 120),
    /** TCP, SYN/ACK seen. */
    TCP_SYN_RECV("nf_conntrack_tcp_timeout_syn_recv", 60),
    /** TCP, three-way handshake completed (five days). */
    TCP_ESTABLISHED("nf_conntrack_tcp_timeout_established", 432_000),
    /** TCP, FIN seen in one direction. */
    TCP_FIN_WAIT("nf_conntrack_tcp_timeout_fin_wait", 120),
    /** TCP, FIN acknowledged, the other side has not closed yet. */
    TCP_CLOSE_WAIT("nf_conntrack_tcp_timeout_close_wait", 60),
    /** TCP, FIN seen in both directions, last ACK outstanding. */
    TCP_LAST_ACK("nf_conntrack_tcp_timeout_last_ack", 30),
    /** TCP, both FINs acknowledged. */
    TCP_TIME_WAIT("nf_conntrack_tcp_timeout_time_wait", 120),
    /** TCP, closed, including after an accepted RST. */
    TCP_CLOSE("nf_conntrack_tcp_timeout_close", 10),
    /** TCP, SYN seen from the reply side too (simultaneous open); no sysctl of its own. */
    TCP_SYN_SENT2(null, 120),
    /** TCP cap after {@code tcp_max_retrans} identical retransmissions or a zero window. */
    TCP_MAX_RETRANS("nf_conntrack_tcp_timeout_max_retrans", 300),
    /** TCP cap while data is unacknowledged, or a picked-up connection has seen no reply. */
    TCP_UNACKNOWLEDGED("nf_conntrack_tcp_timeout_unacknowledged", 300),
    /** UDP and UDP-Lite before a reply, or with replies only in the first two seconds. */
    UDP_UNREPLIED("nf_conntrack_udp_timeout", 30),
    /** UDP and UDP-Lite once a stream (replied, older than two seconds). */
    UDP_STREAM("nf_conntrack_udp_timeout_stream", 120),
    /** ICMP request/reply pairs. */
    ICMP("nf_conntrack_icmp_timeout", 30),
    /** ICMPv6 request/reply pairs. */
    ICMPV6("nf_conntrack_icmpv6_timeout", 30),
    /** GRE before a reply. */
    GRE_UNREPLIED("nf_conntrack_gre_timeout", 30),
    /** GRE once replied. */
    GRE_STREAM("nf_conntrack_gre_timeout_stream", 180),
    /** SCTP CLOSED. */
    SCTP_CLOSED("nf_conntrack_sctp_timeout_closed", 10),
    /** SCTP COOKIE_WAIT. */
    SCTP_COOKIE_WAIT("nf_conntrack_sctp_timeout_cookie_wait", 3),
    /** SCTP COOKIE_ECHOED. */
    SCTP_COOKIE_ECHOED("nf_conntrack_sctp_timeout_cookie_echoed", 3),
    /** SCTP ESTABLISHED. */
    SCTP_ESTABLISHED("nf_conntrack_sctp_timeout_established", 210),
    /** SCTP SHUTDOWN_SENT. */
    SCTP_SHUTDOWN_SENT("nf_conntrack_sctp_timeout_shutdown_sent", 3),
    /** SCTP SHUTDOWN_RECD. */
    SCTP_SHUTDOWN_RECD("nf_conntrack_sctp_timeout_shutdown_recd", 3),
    /** SCTP SHUTDOWN_ACK_SENT. */
    SCTP_SHUTDOWN_ACK_SENT("nf_conntrack_sctp_timeout_shutdown_ack_sent", 3),
    /** SCTP HEARTBEAT_SENT (a secondary path of a multihomed association). */
    SCTP_HEARTBEAT_SENT("nf_conntrack_sctp_timeout_heartbeat_sent", 30),
    /** DCCP REQUEST (legacy: the DCCP tracker is gone from current kernels). */
    DCCP_REQUEST("nf_conntrack_dccp_timeout_request", 240),
    /** DCCP RESPOND. */
    DCCP_RESPOND("nf_conntrack_dccp_timeout_respond", 480),
    /** DCCP PARTOPEN. */
    DCCP_PARTOPEN("nf_conntrack_dccp_timeout_partopen", 480),
    /** DCCP OPEN. */
    DCCP_OPEN("nf_conntrack_dccp_timeout_open", 43_200),
    /** DCCP CLOSEREQ. */
    DCCP_CLOSEREQ("nf_conntrack_dccp_timeout_closereq", 64),
    /** DCCP CLOSING. */
    DCCP_CLOSING("nf_conntrack_dccp_timeout_closing", 64),
    /** DCCP TIMEWAIT. */
    DCCP_TIMEWAIT("nf_conntrack_dccp_timeout_timewait", 240),
    /** Any other layer-4 protocol. */
    GENERIC("nf_conntrack_generic_timeout", 600);

    private final String sysctl;
    private final int linuxDefault;

    Timeout(String sysctl, int linuxDefault) {
        this.sysctl = sysctl;
        this.linuxDefault = linuxDefault;
    }

    /**
     * The file name under {@code /proc/sys/net/netfilter} that sets this timeout, or null.
     *
     * @return the sysctl name, or null when the kernel has none
     */
    public String sysctl() {
        return sysctl;
    }

    /**
     * The kernel's default in seconds.
     *
     * @return seconds
     */
    public int linuxDefault() {
        return linuxDefault;
    }
}

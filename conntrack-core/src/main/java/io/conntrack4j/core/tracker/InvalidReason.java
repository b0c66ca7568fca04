package io.conntrack4j.core.tracker;

/**
 * Why a packet is {@link Verdict#INVALID} (or, for {@link #TCP_IGNORED}, passed without updating
 * the connection), named after the message Linux logs with {@code nf_conntrack_log_invalid}.
 *
 * <pre>{@code
 * if (result.verdict() == Verdict.INVALID && result.invalidReason() == InvalidReason.TCP_SEQ_OVER_UPPER_BOUND) {
 *     // the sender went beyond the receiver's window
 * }
 * }</pre>
 */
public enum InvalidReason {
    /** Not invalid. */
    NONE("none"),
    /** The packet could not be parsed (truncated or malformed headers, bad checksum). */
    MALFORMED("malformed packet"),
    /** An IP fragment: the tracker expects whole datagrams (reassemble first). */
    FRAGMENT("fragment"),
    /** TCP flags that no valid segment carries (a bare FIN, SYN+FIN, no flags...). */
    TCP_BAD_FLAGS("invalid tcp flag combination"),
    /** A TCP packet that cannot start a connection (not a SYN, and not an ACK picked up loosely). */
    TCP_INVALID_NEW("invalid new"),
    /** The TCP state table says invalid for this packet in this state and direction. */
    TCP_INVALID_STATE("invalid packet for state"),
    /** The segment starts beyond what the receiver's window allows. */
    TCP_SEQ_OVER_UPPER_BOUND("SEQ is over upper bound (over the window of the receiver)"),
    /** The segment acknowledges data that was never seen. */
    TCP_ACK_OVER_UPPER_BOUND("ACK is over upper bound (ACKed data not seen yet)"),
    /** An RST whose sequence number is below what the peer already acknowledged. */
    TCP_INVALID_RST("invalid rst"),
    /**
     * Not invalid: the packet passed but did not update the connection (a retransmission, an
     * overly delayed ACK, a SYN on an established connection; Linux's "ignored" packets).
     */
    TCP_IGNORED("ignored"),
    /** An SCTP packet that cannot start a connection (out-of-the-blue ABORT, COOKIE_ACK, DATA alone...). */
    SCTP_INVALID_NEW("invalid new"),
    /** An SCTP packet with misplaced chunks, a wrong verification tag, or a chunk the state table refuses. */
    SCTP_INVALID("invalid sctp chunk, state or verification tag"),
    /** An ICMP or ICMPv6 message that cannot start a connection (a reply without request, an unpaired type). */
    ICMP_INVALID_NEW("invalid new"),
    /** An ICMP error whose quoted packet belongs to no tracked connection (or is addressed elsewhere). */
    ICMP_ERROR_NO_CONNECTION("icmp error without connection"),
    /** An ICMP error whose quoted packet cannot be parsed. */
    ICMP_ERROR_MALFORMED("icmp error with malformed inner packet"),
    /** The table is full and no unassured connection could be dropped early. */
    TABLE_FULL("table full, dropping packet"),
    /** The zone's connection limit is reached. */
    ZONE_LIMIT("zone limit reached"),
    /** The new connection's probe sequence is too long (possible hash flooding). */
    CHAIN_TOO_LONG("chain too long"),
    /** The reply tuple of the new connection belongs to another connection. */
    INSERT_FAILED("insert failed"),
    /**
     * A helper dropped the packet: an FTP command line that starts like PORT/EPRT/227/229 but
     * cannot be parsed (nf_conntrack_ftp's "partial matching"), or an expectation that could not be
     * added. The connection's state was updated, as in Linux, where helpers run after tracking.
     */
    HELPER_DROP("helper dropped packet");

    private final String message;

    InvalidReason(String message) {
        this.message = message;
    }

    /** @return a short human-readable explanation */
    public String message() {
        return message;
    }
}

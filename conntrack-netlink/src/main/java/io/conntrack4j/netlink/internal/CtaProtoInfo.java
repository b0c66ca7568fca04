package io.conntrack4j.netlink.internal;

/**
 * Attributes inside CTA_PROTOINFO ({@code enum ctattr_protoinfo}) and its TCP
 * ({@code ctattr_protoinfo_tcp}), DCCP ({@code ctattr_protoinfo_dccp}) and SCTP
 * ({@code ctattr_protoinfo_sctp}) nests.
 */
public final class CtaProtoInfo {
    /** CTA_PROTOINFO_TCP: nest, TCP state and window tracking. */
    public static final int TCP = 1;
    /** CTA_PROTOINFO_DCCP: nest, DCCP state (legacy). */
    public static final int DCCP = 2;
    /** CTA_PROTOINFO_SCTP: nest, SCTP state and verification tags. */
    public static final int SCTP = 3;

    /** CTA_PROTOINFO_TCP_STATE: u8, the TCP conntrack state (0 NONE ... 3 ESTABLISHED ... 9 SYN_SENT2). */
    public static final int TCP_STATE = 1;
    /** CTA_PROTOINFO_TCP_WSCALE_ORIGINAL: u8, window scale of the original direction. */
    public static final int TCP_WSCALE_ORIGINAL = 2;
    /** CTA_PROTOINFO_TCP_WSCALE_REPLY: u8, window scale of the reply direction. */
    public static final int TCP_WSCALE_REPLY = 3;
    /** CTA_PROTOINFO_TCP_FLAGS_ORIGINAL: 2 bytes {flags, mask} of the original direction. */
    public static final int TCP_FLAGS_ORIGINAL = 4;
    /** CTA_PROTOINFO_TCP_FLAGS_REPLY: 2 bytes {flags, mask} of the reply direction. */
    public static final int TCP_FLAGS_REPLY = 5;

    /** CTA_PROTOINFO_DCCP_STATE: u8, the DCCP conntrack state. */
    public static final int DCCP_STATE = 1;
    /** CTA_PROTOINFO_DCCP_ROLE: u8, the role of the original direction's sender (client/server). */
    public static final int DCCP_ROLE = 2;
    /** CTA_PROTOINFO_DCCP_HANDSHAKE_SEQ: u64, the handshake sequence number. */
    public static final int DCCP_HANDSHAKE_SEQ = 3;

    /** CTA_PROTOINFO_SCTP_STATE: u8, the SCTP conntrack state (0 NONE ... 4 ESTABLISHED ...). */
    public static final int SCTP_STATE = 1;
    /** CTA_PROTOINFO_SCTP_VTAG_ORIGINAL: u32, verification tag of the original direction. */
    public static final int SCTP_VTAG_ORIGINAL = 2;
    /** CTA_PROTOINFO_SCTP_VTAG_REPLY: u32, verification tag of the reply direction. */
    public static final int SCTP_VTAG_REPLY = 3;

    private CtaProtoInfo() {
    }
}

package io.conntrack4j.netlink.internal;

/** Generic netlink constants: socket options, header sizes, message types and flags. */
public final class Netlink {
    /** AF_UNSPEC: as nfgen_family, both IPv4 and IPv6. */
    public static final int AF_UNSPEC = 0;
    /** AF_NETLINK. */
    public static final int AF_NETLINK = 16;
    /** SOCK_RAW. */
    public static final int SOCK_RAW = 3;
    /** SOCK_NONBLOCK, or-ed into the socket type. */
    public static final int SOCK_NONBLOCK = 0x800;
    /** SOCK_CLOEXEC, or-ed into the socket type. */
    public static final int SOCK_CLOEXEC = 0x80000;
    /** The netfilter netlink family (conntrack, expectations, timeouts, helpers). */
    public static final int NETLINK_NETFILTER = 12;

    /** SOL_SOCKET. */
    public static final int SOL_SOCKET = 1;
    /** SO_RCVBUF: receive buffer size, capped by net.core.rmem_max. */
    public static final int SO_RCVBUF = 8;
    /** SO_RCVBUFFORCE: receive buffer size beyond rmem_max; needs CAP_NET_ADMIN. */
    public static final int SO_RCVBUFFORCE = 33;
    /** SOL_NETLINK. */
    public static final int SOL_NETLINK = 270;
    /** NETLINK_CAP_ACK: ACKs carry only the request's header, not the whole request. */
    public static final int NETLINK_CAP_ACK = 10;
    /** NETLINK_EXT_ACK: error ACKs carry TLVs with a message and the offending attribute. */
    public static final int NETLINK_EXT_ACK = 11;

    /** SO_ATTACH_FILTER: attach a classic BPF program (struct sock_fprog) to a socket. */
    public static final int SO_ATTACH_FILTER = 26;
    /** SO_DETACH_FILTER: remove the socket's BPF program. */
    public static final int SO_DETACH_FILTER = 27;
    /** SO_MEMINFO: the socket's memory counters, u32 each; index 8 is the drop count. */
    public static final int SO_MEMINFO = 55;
    /** Index of SK_MEMINFO_DROPS in the SO_MEMINFO array. */
    public static final int SK_MEMINFO_DROPS = 8;
    /** Number of u32 values SO_MEMINFO returns (SK_MEMINFO_VARS). */
    public static final int SK_MEMINFO_VARS = 9;
    /** NETLINK_BROADCAST_ERROR: failed broadcast deliveries are reported to the sender (ctnetlink retries DESTROY). */
    public static final int NETLINK_BROADCAST_ERROR = 4;
    /** NETLINK_NO_ENOBUFS: do not report ENOBUFS on overrun (loss becomes silent). */
    public static final int NETLINK_NO_ENOBUFS = 5;

    /** recv flag: do not block, whatever the descriptor's mode. */
    public static final int MSG_DONTWAIT = 0x40;
    /** recv flag: return the real datagram length even when it did not fit. */
    public static final int MSG_TRUNC = 0x20;

    /** Size of struct nlmsghdr. */
    public static final int NLMSG_HDRLEN = 16;
    /** Size of struct nfgenmsg. */
    public static final int NFGENMSG_LEN = 4;
    /** Size of struct nlattr. */
    public static final int NLA_HDRLEN = 4;

    /** Message type: nothing. */
    public static final int NLMSG_NOOP = 1;
    /** Message type: error or ACK (error 0), struct nlmsgerr. */
    public static final int NLMSG_ERROR = 2;
    /** Message type: end of a dump; payload is an int error. */
    public static final int NLMSG_DONE = 3;
    /** Message type: data lost. */
    public static final int NLMSG_OVERRUN = 4;

    /** Flag: a request. */
    public static final int NLM_F_REQUEST = 0x1;
    /** Flag: part of a multipart reply. */
    public static final int NLM_F_MULTI = 0x2;
    /** Flag: ask for an ACK. */
    public static final int NLM_F_ACK = 0x4;
    /** Flag (GET): dump everything (NLM_F_ROOT | NLM_F_MATCH). */
    public static final int NLM_F_DUMP = 0x300;
    /** Flag (NEW): fail if it exists. */
    public static final int NLM_F_EXCL = 0x200;
    /** Flag (NEW): create if missing. */
    public static final int NLM_F_CREATE = 0x400;
    /** Flag on an ACK: the request was not echoed (NETLINK_CAP_ACK). */
    public static final int NLM_F_CAPPED = 0x100;
    /** Flag on an ACK: extended ACK TLVs follow. */
    public static final int NLM_F_ACK_TLVS = 0x200;

    /** Extended ACK TLV: the error message, a NUL-terminated string. */
    public static final int NLMSGERR_ATTR_MSG = 1;
    /** Extended ACK TLV: u32 byte offset of the offending attribute in the request. */
    public static final int NLMSGERR_ATTR_OFFS = 2;

    /** Attribute type flag: the payload is a nest of attributes. */
    public static final int NLA_F_NESTED = 0x8000;
    /** Mask that removes the NESTED and NET_BYTEORDER flags from an attribute type. */
    public static final int NLA_TYPE_MASK = 0x3FFF;

    /** nfgenmsg version 0. */
    public static final int NFNETLINK_V0 = 0;
    /** nfgenmsg version 1: makes a conntrack flush honour the family. */
    public static final int NFNETLINK_V1 = 1;

    /** CLONE_NEWNET for setns(2). */
    public static final int CLONE_NEWNET = 0x40000000;
    /** O_RDONLY. */
    public static final int O_RDONLY = 0;
    /** O_CLOEXEC. */
    public static final int O_CLOEXEC = 0x80000;

    private Netlink() {
    }

    /**
     * Rounds a length up to the 4-byte netlink alignment.
     *
     * @param length bytes
     * @return aligned length
     */
    public static int align(int length) {
        return (length + 3) & ~3;
    }
}

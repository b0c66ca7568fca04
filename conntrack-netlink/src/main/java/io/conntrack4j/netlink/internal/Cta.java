package io.conntrack4j.netlink.internal;

/**
 * Top-level conntrack attributes ({@code enum ctattr_type}). Payloads are big-endian unless noted.
 */
public final class Cta {
    /** CTA_TUPLE_ORIG: nest ({@link CtaTuple}), the original direction's tuple. */
    public static final int TUPLE_ORIG = 1;
    /** CTA_TUPLE_REPLY: nest ({@link CtaTuple}), the reply direction's tuple (shows NAT). */
    public static final int TUPLE_REPLY = 2;
    /** CTA_STATUS: u32, IPS_* status bits ({@link IpsStatus}). */
    public static final int STATUS = 3;
    /** CTA_PROTOINFO: nest ({@link CtaProtoInfo}), protocol state (TCP, DCCP, SCTP). */
    public static final int PROTOINFO = 4;
    /** CTA_HELP: nest, helper name and private data. */
    public static final int HELP = 5;
    /** CTA_NAT_SRC: nest, source NAT range (create only). */
    public static final int NAT_SRC = 6;
    /** CTA_TIMEOUT: u32, seconds left; mandatory on create, absent for offloaded entries. */
    public static final int TIMEOUT = 7;
    /** CTA_MARK: u32, the connection mark. */
    public static final int MARK = 8;
    /** CTA_COUNTERS_ORIG: nest, packets/bytes in the original direction (needs accounting). */
    public static final int COUNTERS_ORIG = 9;
    /** CTA_COUNTERS_REPLY: nest, packets/bytes in the reply direction (needs accounting). */
    public static final int COUNTERS_REPLY = 10;
    /** CTA_USE: u32, reference count (debugging). */
    public static final int USE = 11;
    /** CTA_ID: u32, opaque id (a hash), stable for the entry's lifetime. */
    public static final int ID = 12;
    /** CTA_NAT_DST: nest, destination NAT range (create only). */
    public static final int NAT_DST = 13;
    /** CTA_TUPLE_MASTER: nest ({@link CtaTuple}), the master of an expected connection. */
    public static final int TUPLE_MASTER = 14;
    /** CTA_SEQ_ADJ_ORIG: nest, TCP sequence adjustment in the original direction. */
    public static final int SEQ_ADJ_ORIG = 15;
    /** CTA_SEQ_ADJ_REPLY: nest, TCP sequence adjustment in the reply direction. */
    public static final int SEQ_ADJ_REPLY = 16;
    /** CTA_SECMARK: u32, obsolete, never sent. */
    public static final int SECMARK = 17;
    /** CTA_ZONE: u16, the conntrack zone (both directions); also a dump/flush filter. */
    public static final int ZONE = 18;
    /** CTA_SECCTX: nest, security context name. */
    public static final int SECCTX = 19;
    /** CTA_TIMESTAMP: nest, start/stop in ns (needs nf_conntrack_timestamp). */
    public static final int TIMESTAMP = 20;
    /** CTA_MARK_MASK: u32, mask for the mark filter or mark update. */
    public static final int MARK_MASK = 21;
    /** CTA_LABELS: 16 bytes raw, connection labels (sent only when non-zero). */
    public static final int LABELS = 22;
    /** CTA_LABELS_MASK: 16 bytes raw, mask for a label update. */
    public static final int LABELS_MASK = 23;
    /** CTA_SYNPROXY: nest, SYN proxy state. */
    public static final int SYNPROXY = 24;
    /** CTA_FILTER: nest, tuple fields to match in dump and flush (flags in host order). */
    public static final int FILTER = 25;
    /** CTA_STATUS_MASK: u32, mask for the status filter. */
    public static final int STATUS_MASK = 26;
    /** CTA_TIMESTAMP_EVENT: u64 ns, time of the first cached event (events only). */
    public static final int TIMESTAMP_EVENT = 27;
    /** The highest attribute type this library knows. */
    public static final int MAX = TIMESTAMP_EVENT;

    private Cta() {
    }
}

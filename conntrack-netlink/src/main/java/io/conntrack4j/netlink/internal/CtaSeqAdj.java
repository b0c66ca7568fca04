package io.conntrack4j.netlink.internal;

/** Attributes inside CTA_SEQ_ADJ_ORIG and CTA_SEQ_ADJ_REPLY ({@code enum ctattr_seqadj}); u32 each. */
public final class CtaSeqAdj {
    /** CTA_SEQADJ_CORRECTION_POS: sequence number from which the new offset applies. */
    public static final int CORRECTION_POS = 1;
    /** CTA_SEQADJ_OFFSET_BEFORE: offset before the correction position. */
    public static final int OFFSET_BEFORE = 2;
    /** CTA_SEQADJ_OFFSET_AFTER: offset from the correction position on. */
    public static final int OFFSET_AFTER = 3;

    private CtaSeqAdj() {
    }
}

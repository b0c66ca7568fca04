package io.conntrack4j.sync;

import io.conntrack4j.core.Connection;

/**
 * The part of a connection that the sync protocol carries, as text, so that two connections can
 * be compared on it with a readable difference. Written independently of the mapping under test.
 */
final class CarriedFields {
    /** Every status bit. */
    static final int ALL_STATUS = -1;

    private CarriedFields() {
    }

    /**
     * @param c a connection
     * @param statusMask the status bits to compare ({@link #ALL_STATUS}, or what a text line shows)
     * @param withTimeout whether to include the timeout (not when it was read at another time)
     * @param withVtags whether to include the SCTP vtags
     * @return the carried fields
     */
    static String of(Connection c, int statusMask, boolean withTimeout, boolean withVtags) {
        StringBuilder out = new StringBuilder();
        out.append("orig[").append(c.original()).append("] reply[").append(c.reply()).append(']');
        out.append(" proto=").append(c.protocol().number());
        out.append(" status=0x").append(Integer.toHexString(c.status() & statusMask));
        out.append(" state=").append(c.protocolState());
        if (withVtags && c.hasSctpVtags()) {
            out.append(" vtags=").append(c.sctpVtagOriginal()).append('/').append(c.sctpVtagReply());
        }
        if (c.hasTcpWindow()) {
            out.append(" wscale=").append(c.tcpWindowScaleOriginal()).append('/').append(c.tcpWindowScaleReply());
        }
        if (withTimeout && c.hasTimeout()) {
            out.append(" timeout=").append(Integer.toUnsignedString(c.timeout()));
        }
        if (c.hasMark()) {
            out.append(" mark=").append(Integer.toUnsignedString(c.mark()));
        }
        if (c.hasZone()) {
            out.append(" zone=").append(c.zone());
        }
        if (c.hasLabels() && (c.labelsHigh() | c.labelsLow()) != 0) {
            out.append(" labels=").append(Long.toHexString(c.labelsHigh())).append(':')
                    .append(Long.toHexString(c.labelsLow()));
        }
        if (c.helper() != null) {
            out.append(" helper=").append(c.helper());
        }
        if (c.master() != null) {
            out.append(" master[").append(c.master()).append(" proto=").append(c.master().protocol().number())
                    .append(']');
        }
        if (c.seqAdjustOriginal() != null && c.seqAdjustReply() != null) {
            out.append(" seqadj=").append(c.seqAdjustOriginal()).append('/').append(c.seqAdjustReply());
        }
        return out.toString();
    }

    static String of(Connection c) {
        return of(c, ALL_STATUS, true, true);
    }
}

package io.conntrack4j.examples.cli;

import io.conntrack4j.core.Connection;
import io.conntrack4j.core.L4Protocol;
import io.conntrack4j.core.SctpState;
import io.conntrack4j.core.StatusBit;
import io.conntrack4j.core.TcpState;
import io.conntrack4j.core.Tuple;

/**
 * {@code conntrack -L -o save}: each entry as the conntrack command line that would add it again
 * ({@code -A}), in conntrack 1.4.7's order: timeout, status words (EXPECTED, SEEN_REPLY, ASSURED,
 * FIXED_TIMEOUT, or UNSET), zones, the addresses ({@code -g}/{@code -n} instead of
 * {@code -r}/{@code -q} for a side the kernel NATed), then the protocol and its options. Marks and
 * labels are not part of it, as in conntrack.
 */
final class SaveFormat {
    /** conntrack's status words by bit, in bit order. */
    private static final StatusBit[] STATUS = {StatusBit.EXPECTED, StatusBit.SEEN_REPLY, StatusBit.ASSURED,
        StatusBit.FIXED_TIMEOUT};

    private SaveFormat() {
    }

    /**
     * Appends the line, without a newline.
     *
     * @param out where to append
     * @param c the entry
     * @return {@code out}
     */
    static StringBuilder appendTo(StringBuilder out, Connection c) {
        return appendTo(out, c, "-A");
    }

    /**
     * Appends the line with another command word: conntrack prints {@code -D} before what
     * {@code -D -o save} deleted.
     *
     * @param out where to append
     * @param c the entry
     * @param command {@code -A} or {@code -D}
     * @return {@code out}
     */
    static StringBuilder appendTo(StringBuilder out, Connection c, String command) {
        out.append(command);
        if (c.hasTimeout()) {
            out.append(" -t ").append(c.timeout() & 0xFFFF_FFFFL);
        }
        int status = c.hasStatus() ? c.status() : 0;
        if (c.hasStatus()) {
            out.append(" -u ");
            int before = out.length();
            for (StatusBit bit : STATUS) {
                if (bit.isSet(status)) {
                    out.append(out.length() > before ? "," : "").append(bit.name());
                }
            }
            if (out.length() == before) {
                out.append("UNSET");
            }
        }
        if (c.hasSecmark()) {
            out.append(" -c ").append(c.secmark() & 0xFFFF_FFFFL);
        }
        if (c.hasZone()) {
            out.append(" -w ").append(c.zone());
        }
        Tuple orig = c.original();
        Tuple reply = c.reply();
        if (orig.hasZone()) {
            out.append(" --orig-zone ").append(orig.zone());
        }
        if (reply.hasZone()) {
            out.append(" --reply-zone ").append(reply.zone());
        }
        boolean dnat = StatusBit.DST_NAT_DONE.isSet(status) && !reply.source().equals(orig.destination());
        boolean snat = StatusBit.SRC_NAT_DONE.isSet(status) && !reply.destination().equals(orig.source());
        out.append(" -s ");
        orig.source().appendTo(out).append(" -d ");
        orig.destination().appendTo(out).append(dnat ? " -g " : " -r ");
        reply.source().appendTo(out).append(snat ? " -n " : " -q ");
        reply.destination().appendTo(out);
        protocol(out, c, orig, reply);
        return out;
    }

    private static void protocol(StringBuilder out, Connection c, Tuple orig, Tuple reply) {
        L4Protocol p = c.protocol();
        if (!p.isKnown() || p == L4Protocol.DCCP) {
            out.append(" -p ").append(p.number());
            return;
        }
        out.append(" -p ").append(p.conntrackName());
        switch (p.keyKind()) {
            case PORTS -> out.append(" --sport ").append(orig.sourcePort()).append(" --dport ").append(orig.destinationPort())
                    .append(" --reply-port-src ").append(reply.sourcePort())
                    .append(" --reply-port-dst ").append(reply.destinationPort());
            case GRE -> out.append(" --srckey ").append(orig.sourceKey()).append(" --dstkey ").append(orig.destinationKey())
                    .append(" --reply-key-src ").append(reply.sourceKey())
                    .append(" --reply-key-dst ").append(reply.destinationKey());
            case ICMP -> {
                String prefix = p == L4Protocol.ICMPV6 ? " --icmpv6-" : " --icmp-";
                out.append(prefix).append("type ").append(orig.icmpType()).append(prefix).append("code ")
                        .append(orig.icmpCode()).append(prefix).append("id ").append(orig.icmpId());
            }
            case NONE -> {
            }
        }
        if (p == L4Protocol.TCP && c.hasProtocolState()) {
            TcpState s = TcpState.ofNumber(c.protocolState());
            out.append(" --state ").append((s == null ? TcpState.NONE : s).conntrackName());
        }
        if (p == L4Protocol.SCTP) {
            if (c.hasProtocolState()) {
                SctpState s = SctpState.ofNumber(c.protocolState());
                out.append(" --state ").append((s == null ? SctpState.NONE : s).conntrackName());
            }
            if (c.hasSctpVtags()) {
                // conntrack prints libnetfilter_conntrack's host-order vtag through ntohl once more,
                // so a little-endian machine shows the wire's bytes reversed (and -I reverses them
                // back, so save and restore agree)
                out.append(" --orig-vtag ").append(Integer.reverseBytes(c.sctpVtagOriginal()) & 0xFFFF_FFFFL)
                        .append(" --reply-vtag ").append(Integer.reverseBytes(c.sctpVtagReply()) & 0xFFFF_FFFFL);
            }
        }
    }
}

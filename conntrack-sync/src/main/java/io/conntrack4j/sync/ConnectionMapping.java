package io.conntrack4j.sync;

import io.conntrack4j.core.Connection;
import io.conntrack4j.core.IpAddress;
import io.conntrack4j.core.L4Protocol;
import io.conntrack4j.core.SequenceAdjustment;
import io.conntrack4j.core.Tuple;

/**
 * Maps a core {@link Connection} to and from the {@link SyncFlow} the codec works on. Only
 * which field goes where lives here; which attributes go on the wire, and how, stays in
 * {@link ConntrackCodec} (spec 2.7).
 */
final class ConnectionMapping {
    private ConnectionMapping() {
    }

    static SyncFlow toFlow(Connection connection, SyncFlow flow) {
        flow.clear();
        Tuple original = connection.original();
        Tuple reply = connection.reply();
        L4Protocol protocol = connection.protocol();
        // Only TCP, UDP, SCTP and DCCP put their keys in PORT/SPAT/DPAT; ICMP has its own
        // attributes, and conntrackd carries neither GRE keys nor UDP-Lite ports.
        boolean ports = SyncFlow.hasPorts(protocol.number());
        flow.origin(original.source(), original.destination(), ports ? original.sourceKey() : 0,
                ports ? original.destinationKey() : 0);
        flow.reply(reply.source(), reply.destination(), ports ? reply.sourceKey() : 0,
                ports ? reply.destinationKey() : 0);
        flow.protocol(protocol.number());
        if (protocol.keyKind() == L4Protocol.KeyKind.ICMP) {
            flow.icmp(original.icmpType(), original.icmpCode(), original.icmpId());
        }
        if (connection.hasStatus()) {
            flow.status(connection.status());
        }
        if (connection.hasProtocolState()) {
            int state = connection.protocolState();
            if (protocol == L4Protocol.TCP) {
                flow.tcpState(state);
            } else if (protocol == L4Protocol.SCTP) {
                flow.sctp(state, connection.sctpVtagOriginal(), connection.sctpVtagReply());
            } else if (protocol == L4Protocol.DCCP) {
                flow.dccp(state, 0);
            }
        }
        if (connection.hasTcpWindow()) {
            flow.tcpWindowScale(connection.tcpWindowScaleOriginal(), connection.tcpWindowScaleReply());
        }
        if (connection.hasTimeout()) {
            flow.timeout(Integer.toUnsignedLong(connection.timeout()));
        }
        if (connection.hasMark()) {
            flow.mark(Integer.toUnsignedLong(connection.mark()));
        }
        if (connection.hasZone()) {
            flow.zone(connection.zone());
        }
        if (connection.hasLabels() && (connection.labelsHigh() | connection.labelsLow()) != 0) {
            flow.labels128(connection.labelsHigh(), connection.labelsLow());
        }
        flow.helper(connection.helper());
        Tuple master = connection.master();
        if (master != null) {
            flow.master(master.source(), master.destination(), master.protocol().number());
            if (master.protocol().keyKind() == L4Protocol.KeyKind.PORTS) {
                flow.masterPorts(master.sourcePort(), master.destinationPort());
            }
        }
        if (connection.seqAdjustOriginal() != null && connection.seqAdjustReply() != null) {
            flow.seqAdjustments(connection.seqAdjustOriginal(), connection.seqAdjustReply());
        }
        return flow;
    }

    static Connection toConnection(SyncFlow flow) {
        L4Protocol protocol = L4Protocol.of(flow.protocol());
        boolean v6 = flow.isIpv6();
        IpAddress origSrc = SyncFlow.addressOf(flow.origSrcRaw(), v6);
        IpAddress origDst = SyncFlow.addressOf(flow.origDstRaw(), v6);
        IpAddress replySrc = SyncFlow.addressOf(flow.replySrcRaw(), v6);
        IpAddress replyDst = SyncFlow.addressOf(flow.replyDstRaw(), v6);
        Tuple original;
        Tuple reply;
        switch (protocol.keyKind()) {
            case PORTS -> {
                original = new Tuple(origSrc, origDst, protocol, flow.originSourcePort(),
                        flow.originDestinationPort(), Tuple.NO_ZONE);
                reply = new Tuple(replySrc, replyDst, protocol, flow.replySourcePort(),
                        flow.replyDestinationPort(), Tuple.NO_ZONE);
            }
            case ICMP -> {
                int typeCode = flow.icmpType() < 0 ? 0 : flow.icmpType() << 8 | flow.icmpCode();
                original = new Tuple(origSrc, origDst, protocol, flow.icmpId(), typeCode, Tuple.NO_ZONE);
                // The receiver's kernel inverts the type (echo 8 -> reply 0) and keeps the id; the
                // SPAT/DPAT zeros of quirk Q2 are not ICMP values. A type without a pair cannot be
                // inverted (the kernel would refuse the entry), so it keeps its type.
                Tuple inverse = original.isInvertible() ? original.inverse() : original;
                reply = new Tuple(replySrc, replyDst, protocol, inverse.sourceKey(), inverse.destinationKey(),
                        Tuple.NO_ZONE);
            }
            default -> {
                original = new Tuple(origSrc, origDst, protocol, 0, 0, Tuple.NO_ZONE);
                reply = new Tuple(replySrc, replyDst, protocol, 0, 0, Tuple.NO_ZONE);
            }
        }
        Connection.Builder builder = Connection.builder(original, reply);
        if (flow.hasStatus()) {
            builder.status(flow.status());
        }
        if (protocol == L4Protocol.TCP && validState(flow.tcpState())) {
            builder.protocolState(flow.tcpState());
        } else if (protocol == L4Protocol.SCTP && validState(flow.sctpState())) {
            builder.protocolState(flow.sctpState())
                    .sctpVtags((int) flow.sctpVtagOriginal(), (int) flow.sctpVtagReply());
        } else if (protocol == L4Protocol.DCCP && validState(flow.dccpState())) {
            builder.protocolState(flow.dccpState());
        }
        if (protocol == L4Protocol.TCP && flow.hasTcpWindowScale()) {
            // The TCP flags are not on the wire.
            builder.tcpWindow(0, 0, flow.tcpWindowScaleOriginal(), flow.tcpWindowScaleReply());
        }
        if (flow.timeout() >= 0) {
            builder.timeout((int) flow.timeout());
        }
        if (flow.mark() >= 0) {
            builder.mark((int) flow.mark());
        }
        if (flow.zone() >= 0) {
            builder.zone(flow.zone());
        }
        int[] words = flow.labelsRaw();
        if (words != null) {
            // The kernel has 128 labels; bits of longer bitmaps (up to 8192 on the wire) are dropped.
            builder.labels(word(words, 3) << 32 | word(words, 2), word(words, 1) << 32 | word(words, 0));
        }
        builder.helper(flow.helper());
        if (flow.hasMaster()) {
            L4Protocol masterProtocol = L4Protocol.of(flow.masterProtocol());
            boolean ports = flow.hasMasterPorts() && masterProtocol.keyKind() == L4Protocol.KeyKind.PORTS;
            builder.master(new Tuple(flow.masterSourceAddress(), flow.masterDestinationAddress(), masterProtocol,
                    ports ? flow.masterSourcePort() : 0, ports ? flow.masterDestinationPort() : 0, Tuple.NO_ZONE));
        }
        long[] seqAdjust = flow.seqAdjustRaw();
        if (seqAdjust != null) {
            builder.seqAdjust(new SequenceAdjustment((int) seqAdjust[0], (int) seqAdjust[1], (int) seqAdjust[2]),
                    new SequenceAdjustment((int) seqAdjust[3], (int) seqAdjust[4], (int) seqAdjust[5]));
        }
        return builder.build();
    }

    private static boolean validState(int state) {
        return state >= 0 && state <= 0xff;
    }

    private static long word(int[] words, int index) {
        return index < words.length ? Integer.toUnsignedLong(words[index]) : 0;
    }
}

package io.conntrack4j.examples.cli;

import io.conntrack4j.core.packet.PacketView;
import io.conntrack4j.sync.MessageDecoder;
import io.conntrack4j.sync.MessageHandler;
import io.conntrack4j.sync.ReceiveCounters;
import java.util.HashMap;
import java.util.Map;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Puts the TCP segments of a capture back into per-direction byte streams, in sequence order, and
 * feeds each stream to its own stream-mode {@link MessageDecoder}. Enough for a clean capture:
 * a retransmission's already-seen bytes and segments after a gap are skipped with a note, not
 * buffered, so memory stays bounded by {@link #MAX_STREAMS} decoders.
 */
final class TcpStreamReassembler {

    /** Directions followed at once; more are noted and ignored (a capture of sync traffic has few). */
    static final int MAX_STREAMS = 256;

    private final MessageHandler handler;
    private final ReceiveCounters counters;
    private final Map<String, Stream> streams = new HashMap<>();
    private final UnsafeBuffer view = new UnsafeBuffer(new byte[0]);
    private MessageDecoder lastUsed;

    TcpStreamReassembler(MessageHandler handler, ReceiveCounters counters) {
        this.handler = handler;
        this.counters = counters;
    }

    /**
     * One TCP segment.
     *
     * @return null, or a note about what was skipped
     */
    String segment(String direction, PacketView packet, byte[] bytes) {
        int flags = packet.tcpFlags();
        long sequence = packet.tcpSequence();
        Stream stream = streams.get(direction);
        if ((flags & PacketView.TCP_SYN) != 0) {
            if (stream == null && streams.size() == MAX_STREAMS) {
                return "skipped: more than " + MAX_STREAMS + " TCP streams";
            }
            // A new connection on the same ports starts a new stream, dropping any partial message.
            stream = new Stream(new MessageDecoder(handler, counters, true), sequence + 1 & 0xffff_ffffL);
            streams.put(direction, stream);
        }
        int length = packet.payloadLength();
        String note = null;
        if (length > 0) {
            if (stream == null) {
                if (streams.size() == MAX_STREAMS) {
                    return "skipped: more than " + MAX_STREAMS + " TCP streams";
                }
                stream = new Stream(new MessageDecoder(handler, counters, true), sequence);
                streams.put(direction, stream);
                note = "stream picked up without its SYN at tcpseq=" + sequence;
            }
            // Sequence numbers wrap: the signed 32-bit difference says ahead or behind.
            long ahead = (int) (sequence - stream.next);
            if (ahead > 0) {
                return "skipped: out-of-order segment tcpseq=" + sequence + " len=" + length + ", expected tcpseq="
                        + stream.next;
            }
            long behind = -ahead;
            if (behind >= length) {
                return "skipped: retransmission tcpseq=" + sequence + " len=" + length;
            }
            int seen = (int) behind;
            view.wrap(bytes, packet.payloadOffset() + seen, length - seen);
            lastUsed = stream.decoder;
            stream.decoder.onStreamBytes(view, 0, length - seen);
            stream.next = stream.next + length - seen & 0xffff_ffffL;
            if (seen > 0) {
                note = "partial retransmission tcpseq=" + sequence + ": first " + seen + " bytes skipped";
            }
        }
        if (stream != null && (flags & (PacketView.TCP_FIN | PacketView.TCP_RST)) != 0) {
            streams.remove(direction);
            int pending = stream.decoder.pendingBytes();
            if (pending > 0) {
                String end = "stream ended inside a message: " + pending + " bytes dropped";
                note = note == null ? end : note + "; " + end;
            }
        }
        return note;
    }

    /** @return the last rejection of the decoder fed last, or null */
    String lastRejection() {
        return lastUsed == null ? null : lastUsed.lastRejection();
    }

    private static final class Stream {
        final MessageDecoder decoder;
        long next;

        Stream(MessageDecoder decoder, long next) {
            this.decoder = decoder;
            this.next = next;
        }
    }
}

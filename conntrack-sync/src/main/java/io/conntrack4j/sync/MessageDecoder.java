package io.conntrack4j.sync;

import java.nio.ByteOrder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Walks received bytes message by message and checks them exactly as conntrackd 1.4.7 does,
 * counting every rejection in {@link ReceiveCounters} under the counter conntrackd would use and
 * handing accepted messages to a {@link MessageHandler} as flyweights.
 *
 * <ol>
 *   <li>fewer than 8 bytes left: "Truncated message", the rest is discarded;</li>
 *   <li>length 0 or beyond the bytes left: "Bad message size", the rest is discarded;</li>
 *   <li>ACK, NACK, RESYNC need 16 bytes left ("Truncated") and length 16 or more ("Bad size");
 *       others need length 8 or more ("Bad size"); the rest is discarded;</li>
 *   <li>version other than 1: "Wrong protocol version", only this message is skipped;</li>
 *   <li>a bad type and flags combination, or the handler's verdict: "Malformed header";</li>
 *   <li>an attribute failing its checks: "Malformed payload", the whole message is dropped.</li>
 * </ol>
 *
 * <p>In stream mode (TCP), whatever cases 1 to 3 find incomplete at the end of the bytes is kept
 * (uncounted) and completed by the next call, like conntrackd's TCP channel. Memory use is
 * bounded: one 64 KiB receive buffer. Not thread-safe; allocates nothing per accepted message.
 *
 * <pre>{@code
 * MessageDecoder decoder = new MessageDecoder(handler, counters, false);
 * decoder.onDatagram(new UnsafeBuffer(payload), 0, payload.length);
 * }</pre>
 */
public final class MessageDecoder {
    /** conntrackd's receive buffer size, and so the most a TCP read can hold. */
    public static final int RECEIVE_BUFFER_SIZE = 65536;

    private final MessageHandler handler;
    private final ReceiveCounters counters;
    private final boolean stream;
    private final MessageHeader header = new MessageHeader();
    private final DataMessage data = new DataMessage();
    private final byte[] streamBytes;
    private final UnsafeBuffer streamBuffer;
    private int pending;
    private String lastRejection;

    /**
     * Creates a decoder.
     *
     * @param handler receives accepted messages
     * @param counters where rejections are counted
     * @param stream true for a TCP channel (keeps a partial trailing message), false for UDP
     *     and multicast datagrams
     */
    public MessageDecoder(MessageHandler handler, ReceiveCounters counters, boolean stream) {
        this.handler = handler;
        this.counters = counters;
        this.stream = stream;
        this.streamBytes = stream ? new byte[RECEIVE_BUFFER_SIZE] : null;
        this.streamBuffer = stream ? new UnsafeBuffer(streamBytes) : null;
    }

    /**
     * Processes one received datagram (UDP or multicast payload).
     *
     * @param buffer the bytes
     * @param offset where the payload starts
     * @param length payload length
     * @throws IllegalStateException if this is a stream decoder
     */
    public void onDatagram(DirectBuffer buffer, int offset, int length) {
        if (stream) {
            throw new IllegalStateException("stream decoder: use onStreamBytes");
        }
        walk(buffer, offset, length);
    }

    /**
     * Processes bytes read from a TCP channel, completing any partial message kept from the
     * previous call.
     *
     * @param buffer the bytes
     * @param offset where they start
     * @param length how many
     * @throws IllegalStateException if this is a datagram decoder
     */
    public void onStreamBytes(DirectBuffer buffer, int offset, int length) {
        if (!stream) {
            throw new IllegalStateException("datagram decoder: use onDatagram");
        }
        int position = offset;
        int left = length;
        while (left > 0) {
            // Like conntrackd: the kept partial sits at the start of the buffer, and the next
            // read fills at most the rest of it.
            int chunk = Math.min(left, RECEIVE_BUFFER_SIZE - pending);
            streamBuffer.putBytes(pending, buffer, position, chunk);
            position += chunk;
            left -= chunk;
            int total = pending + chunk;
            pending = 0;
            int keepFrom = walk(streamBuffer, 0, total);
            if (keepFrom >= 0) {
                pending = total - keepFrom;
                System.arraycopy(streamBytes, keepFrom, streamBytes, 0, pending);
            }
        }
    }

    /**
     * Bytes of an incomplete message kept for the next {@link #onStreamBytes} call.
     *
     * @return 0 to 65535; always 0 for datagrams
     */
    public int pendingBytes() {
        return pending;
    }

    /**
     * A description of the last rejection, for logs.
     *
     * @return the text, or null if nothing was rejected yet
     */
    public String lastRejection() {
        return lastRejection;
    }

    // Returns where a kept partial message starts (stream mode), or -1.
    private int walk(DirectBuffer buffer, int offset, int length) {
        int position = offset;
        int remain = length;
        while (remain > 0) {
            if (remain < MessageHeader.LENGTH) {
                if (stream) {
                    return position;
                }
                counters.countTruncated();
                lastRejection = "truncated: " + remain + " bytes left at offset " + (position - offset);
                return -1;
            }
            int messageLength = buffer.getShort(position + MessageHeader.LENGTH_OFFSET, ByteOrder.BIG_ENDIAN) & 0xffff;
            if (messageLength == 0) {
                counters.countBadSize();
                lastRejection = "bad size: length 0 at offset " + (position - offset);
                return -1;
            }
            if (messageLength > remain) {
                if (stream) {
                    return position;
                }
                counters.countBadSize();
                lastRejection = "bad size: length " + messageLength + " but " + remain + " bytes left at offset "
                        + (position - offset);
                return -1;
            }
            int typeNibble = buffer.getByte(position) & 0x0f;
            int flags = buffer.getByte(position + MessageHeader.FLAGS_OFFSET) & 0xff;
            if (MessageKind.hasRange(typeNibble, flags)) {
                if (remain < MessageHeader.CONTROL_LENGTH) {
                    if (stream) {
                        return position;
                    }
                    counters.countTruncated();
                    lastRejection = "truncated: control message with " + remain + " bytes left at offset "
                            + (position - offset);
                    return -1;
                }
                if (messageLength < MessageHeader.CONTROL_LENGTH) {
                    counters.countBadSize();
                    lastRejection = "bad size: control message length " + messageLength + " at offset "
                            + (position - offset);
                    return -1;
                }
            } else if (messageLength < MessageHeader.LENGTH) {
                counters.countBadSize();
                lastRejection = "bad size: length " + messageLength + " at offset " + (position - offset);
                return -1;
            }
            step(buffer, position);
            position += messageLength;
            remain -= messageLength;
        }
        return -1;
    }

    private void step(DirectBuffer buffer, int position) {
        header.wrap(buffer, position);
        if (header.version() != MessageHeader.VERSION) {
            counters.countWrongVersion();
            lastRejection = "wrong protocol version " + header.version();
            return;
        }
        MessageKind kind = header.kind();
        if (kind == MessageKind.BAD_HEADER) {
            counters.countMalformedHeader();
            lastRejection = "malformed header: type " + header.typeNibble() + " flags 0x"
                    + Integer.toHexString(header.flags());
            return;
        }
        HeaderVerdict verdict = handler.onHeader(header, kind);
        if (verdict == HeaderVerdict.DROP) {
            return;
        }
        if (verdict == HeaderVerdict.MALFORMED_HEADER) {
            counters.countMalformedHeader();
            lastRejection = "malformed header: refused by the sync mode (" + kind + ")";
            return;
        }
        if (kind != MessageKind.DATA) {
            handler.onControl(header, kind);
            return;
        }
        if (header.typeNibble() > MessageType.EXP_DEL.wire()) {
            counters.countBadType();
            lastRejection = "bad message type " + header.typeNibble();
            return;
        }
        if (!data.wrap(buffer, position)) {
            counters.countMalformedPayload();
            lastRejection = "malformed payload: " + data.error();
            return;
        }
        handler.onData(data);
    }
}

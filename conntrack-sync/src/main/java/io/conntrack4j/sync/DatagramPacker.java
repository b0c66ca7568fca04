package io.conntrack4j.sync;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Packs messages back to back into one send buffer, the way conntrackd's buffered channel does:
 * a message is appended only while {@code buffered + length < bufferSize}; otherwise the buffer
 * is sent first. So a datagram carries at most {@code bufferSize - 1} bytes (MTU - 29 for UDP).
 * Call {@link #flush()} at the end of every transmit round, as conntrackd does.
 *
 * <p>Where conntrackd would loop forever on a message that can never fit, this packer refuses it.
 * Allocates nothing after construction; not thread-safe.
 *
 * <pre>{@code
 * DatagramPacker packer = new DatagramPacker(ChannelKind.UDP.bufferSize(1500),
 *         (buffer, offset, length) -> socket.send(buffer, offset, length));
 * packer.append(message, 0, messageLength);
 * packer.flush();
 * }</pre>
 */
public final class DatagramPacker {

    /** Where packed buffers go: one call per datagram (or TCP write). */
    @FunctionalInterface
    public interface Sender {
        /**
         * Sends bytes; they are valid only during the call.
         *
         * @param buffer the packed messages
         * @param offset where they start
         * @param length how many bytes
         */
        void send(DirectBuffer buffer, int offset, int length);
    }

    private final UnsafeBuffer buffer;
    private final int size;
    private final Sender sender;
    private int buffered;

    /**
     * Creates a packer.
     *
     * @param bufferSize from {@link ChannelKind#bufferSize(int)}
     * @param sender receives each full buffer
     */
    public DatagramPacker(int bufferSize, Sender sender) {
        if (bufferSize <= MessageHeader.CONTROL_LENGTH) {
            throw new IllegalArgumentException("buffer size too small: " + bufferSize);
        }
        this.size = bufferSize;
        this.buffer = new UnsafeBuffer(new byte[bufferSize]);
        this.sender = sender;
    }

    /**
     * Appends one message, sending what is buffered first if it would not fit.
     *
     * @param message the encoded message
     * @param offset where it starts
     * @param length its length
     * @return true if buffered bytes were sent to make room
     * @throws IllegalArgumentException if the message is not shorter than the buffer size
     */
    public boolean append(DirectBuffer message, int offset, int length) {
        if (length >= size) {
            throw new IllegalArgumentException("a " + length + "-byte message never fits a " + size + "-byte buffer");
        }
        boolean sent = false;
        if (buffered + length >= size) {
            flush();
            sent = true;
        }
        buffer.putBytes(buffered, message, offset, length);
        buffered += length;
        return sent;
    }

    /**
     * Sends what is buffered, if anything.
     *
     * @return true if something was sent
     */
    public boolean flush() {
        if (buffered == 0) {
            return false;
        }
        int length = buffered;
        buffered = 0;
        sender.send(buffer, 0, length);
        return true;
    }

    /**
     * Bytes waiting in the buffer.
     *
     * @return 0 to bufferSize - 1
     */
    public int buffered() {
        return buffered;
    }

    /**
     * The buffer size.
     *
     * @return the size given at construction
     */
    public int bufferSize() {
        return size;
    }
}

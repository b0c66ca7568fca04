package io.conntrack4j.sync;

/**
 * Receives the messages a {@link MessageDecoder} accepts. The flyweights passed in are valid
 * only during the call.
 *
 * <pre>{@code
 * MessageHandler handler = new MessageHandler() {
 *     public void onControl(MessageHeader header, MessageKind kind) { }
 *     public void onData(DataMessage message) {
 *         System.out.println(message.header().type());
 *     }
 * };
 * }</pre>
 */
public interface MessageHandler {

    /**
     * Called for every message with version 1 and a header that classifies as data or control,
     * before the body is checked. The default accepts everything (as conntrackd does for the
     * combinations {@link MessageKind} recognises).
     *
     * @param header the header
     * @param kind its classification
     * @return what to do with the message
     */
    default HeaderVerdict onHeader(MessageHeader header, MessageKind kind) {
        return HeaderVerdict.PROCESS;
    }

    /**
     * An accepted ACK, NACK, RESYNC or ALIVE message.
     *
     * @param header the header (with {@code from} and {@code to} for ACK, NACK and RESYNC)
     * @param kind its classification
     */
    void onControl(MessageHeader header, MessageKind kind);

    /**
     * An accepted conntrack or expectation message whose attributes passed every check.
     *
     * @param message the message
     */
    void onData(DataMessage message);
}

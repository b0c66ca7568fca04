/**
 * conntrackd-compatible state synchronisation: the conntrackd 1.4.7 wire protocol, byte-exact.
 *
 * <p>The codec, in the order a message travels:
 * <ul>
 *   <li>{@link io.conntrack4j.sync.SyncFlow} and {@link io.conntrack4j.sync.SyncExpectation}:
 *       what goes on the wire, as small mutable values, mapped to and from the core's
 *       {@link io.conntrack4j.core.Connection} ({@link io.conntrack4j.sync.SyncFlow#from},
 *       {@link io.conntrack4j.sync.SyncFlow#toConnection});</li>
 *   <li>{@link io.conntrack4j.sync.ConntrackCodec} and {@link io.conntrack4j.sync.ExpectationCodec}:
 *       attributes in conntrackd's order, sizes, padding and byte-order quirks, with options for
 *       older peers ({@link io.conntrack4j.sync.PeerVersion});</li>
 *   <li>{@link io.conntrack4j.sync.MessageHeader}: the 8-byte header and the 16-byte control form
 *       (ACK, NACK, RESYNC), ALIVE, {@link io.conntrack4j.sync.MessageFlags};</li>
 *   <li>{@link io.conntrack4j.sync.DatagramPacker}: several messages per datagram, up to the
 *       channel's MTU budget ({@link io.conntrack4j.sync.ChannelKind});</li>
 *   <li>{@link io.conntrack4j.sync.MessageDecoder}: conntrackd's receive checks, with its error
 *       counters ({@link io.conntrack4j.sync.ReceiveCounters}), delivering
 *       {@link io.conntrack4j.sync.DataMessage} flyweights to a
 *       {@link io.conntrack4j.sync.MessageHandler}.</li>
 * </ul>
 *
 * <pre>{@code
 * UnsafeBuffer message = new UnsafeBuffer(new byte[ConntrackCodec.MAX_MESSAGE_LENGTH]);
 * int length = new ConntrackCodec().encode(message, 0, MessageType.CT_NEW, 0, sequence, connection);
 * packer.append(message, 0, length);
 * }</pre>
 */
package io.conntrack4j.sync;

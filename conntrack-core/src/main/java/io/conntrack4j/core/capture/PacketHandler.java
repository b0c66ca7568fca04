package io.conntrack4j.core.capture;

/**
 * Receives the packets of a capture file from {@link CaptureReader}. The bytes live in the reader's
 * reusable buffer: they are valid only during the call (copy what must outlive it).
 *
 * <pre>{@code
 * PacketView view = new PacketView();
 * PacketHandler handler = (nanos, linkType, bytes, offset, length, originalLength, iface) ->
 *         view.parse(linkType, bytes, offset, length);
 * }</pre>
 */
@FunctionalInterface
public interface PacketHandler {

    /**
     * One packet.
     *
     * @param timestampNanos nanoseconds since the Unix epoch
     * @param linkType the {@code LINKTYPE_*} of the packet's interface
     * @param bytes the reader's buffer
     * @param offset first byte of the packet in {@code bytes}
     * @param capturedLength bytes captured
     * @param originalLength length of the packet on the wire (at least {@code capturedLength} in a sane file)
     * @param interfaceId pcapng interface index, 0 for pcap
     */
    void onPacket(long timestampNanos, int linkType, byte[] bytes, int offset, int capturedLength,
                  int originalLength, int interfaceId);
}

package io.conntrack4j.core.reassembly;

/**
 * What {@link Reassembler#offer(byte[], int, int, long)} did with a packet.
 *
 * <pre>{@code
 * switch (reassembler.offer(packet, 0, packet.length, nanos)) {
 *     case NOT_FRAGMENT -> track(packet, 0, packet.length);
 *     case REASSEMBLED -> track(reassembler.datagram(), 0, reassembler.datagramLength());
 *     case QUEUED, DROPPED -> { }
 * }
 * }</pre>
 */
public enum ReassemblyVerdict {
    /** Not a fragment (or not IP reassembly's business, as Linux lets it through): use the packet as it is. */
    NOT_FRAGMENT,
    /** A fragment was kept; nothing to track yet. */
    QUEUED,
    /** This fragment completed a datagram, now in {@link Reassembler#datagram()}. */
    REASSEMBLED,
    /** The packet was dropped; {@link Reassembler#dropReason()} says why, and the statistics count it. */
    DROPPED
}

package io.conntrack4j.core;

/**
 * TCP sequence-number adjustment of one direction, kept when a NAT helper changed payload length
 * ({@code CTA_SEQ_ADJ_ORIG} / {@code CTA_SEQ_ADJ_REPLY}). All values are unsigned 32-bit.
 *
 * @param correctionPosition sequence number from which the new offset applies
 * @param offsetBefore offset for sequence numbers before the correction position
 * @param offsetAfter offset for sequence numbers from the correction position on
 */
public record SequenceAdjustment(int correctionPosition, int offsetBefore, int offsetAfter) {
}

package io.conntrack4j.core.tracker;

import static io.conntrack4j.core.tracker.Wire.ACK;
import static io.conntrack4j.core.tracker.Wire.PSH;
import static io.conntrack4j.core.tracker.Wire.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * A connection picked up mid-stream has no window to check against, so Linux marks both directions
 * "be liberal" (tcp_new): an out-of-window segment passes there, while the same segment on a
 * connection whose handshake was seen is refused, in the same (strict) tracker.
 */
class PickupLiberalTest {

    @Test
    void aPickedUpConnectionIsLiberalAHandshakenOneIsNot() {
        TrackerHarness picked = new TrackerHarness();
        assertEquals(Verdict.NEW, picked.client(ACK, 1001, 5001, 0));
        assertEquals(Verdict.ESTABLISHED, picked.server(ACK, 5001, 1001, 0));
        assertEquals(Verdict.ESTABLISHED, picked.client(ACK | PSH, 1001 + 10_000_000, 5001, 100));
        assertEquals(InvalidReason.NONE, picked.result.invalidReason());

        TrackerHarness handshaken = new TrackerHarness();
        handshaken.client(SYN, 1000, 0, 0);
        handshaken.server(SYN | ACK, 5000, 1001, 0);
        handshaken.client(ACK, 1001, 5001, 0);
        assertEquals(Verdict.INVALID, handshaken.client(ACK | PSH, 1001 + 10_000_000, 5001, 100));
        assertEquals(InvalidReason.TCP_SEQ_OVER_UPPER_BOUND, handshaken.result.invalidReason());
    }
}

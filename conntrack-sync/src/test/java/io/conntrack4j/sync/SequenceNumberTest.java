package io.conntrack4j.sync;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SequenceNumberTest {

    @Test
    void comparisonsSurviveTheWrap() {
        assertTrue(SequenceNumber.before(879, 882));
        assertFalse(SequenceNumber.before(882, 882));
        assertTrue(SequenceNumber.before(0xffffffff, 0));
        assertTrue(SequenceNumber.after(0, 0xffffffff));
        assertTrue(SequenceNumber.before(0x7ffffffe, 0x80000001));
        assertFalse(SequenceNumber.after(0x6b066333, 0x6b066334));
    }

    @Test
    void rangesAreInclusiveAndWrap() {
        // Appendix A: NACK 879..881 covers the three lost messages and nothing else.
        assertTrue(SequenceNumber.between(879, 879, 881));
        assertTrue(SequenceNumber.between(881, 879, 881));
        assertFalse(SequenceNumber.between(882, 879, 881));
        assertFalse(SequenceNumber.between(878, 879, 881));
        assertTrue(SequenceNumber.between(0, 0xfffffffe, 1));
        assertFalse(SequenceNumber.between(2, 0xfffffffe, 1));
    }
}

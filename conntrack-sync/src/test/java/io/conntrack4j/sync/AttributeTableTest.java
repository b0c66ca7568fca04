package io.conntrack4j.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class AttributeTableTest {

    @Test
    void conntrackLengthsMatchTheSpecTable() {
        // spec 2.7, nta_len column
        int[] expectedFixed = {12, 36, 5, 8, 5, 8, 8, 8, 12, 36, 5, 8, 8, 8, 6, 6, 28, 5, 8, 8, 5, 5, 5, 5, 6, 5, 5,
            0, 0, 20, 20, 16, 6};
        assertEquals(33, ConntrackAttribute.COUNT);
        for (int type = 0; type < ConntrackAttribute.COUNT; type++) {
            assertEquals(expectedFixed[type], ConntrackAttribute.fixedLength(type), ConntrackAttribute.name(type));
        }
        assertEquals(16, ConntrackAttribute.maxLength(ConntrackAttribute.HELPER_NAME));
        assertEquals(1028, ConntrackAttribute.maxLength(ConntrackAttribute.LABELS));
        assertEquals(0, ConntrackAttribute.fixedLength(33));
        assertEquals("UNKNOWN", ConntrackAttribute.name(40));
        assertEquals("SYNPROXY", ConntrackAttribute.name(31));
    }

    @Test
    void expectationLengthsMatchTheSpecTable() {
        // spec 2.8
        int[] expectedFixed = {12, 36, 5, 8, 12, 36, 5, 8, 12, 36, 5, 8, 8, 8, 8, 12, 8, 5, 8, 0, 0};
        assertEquals(21, ExpectationAttribute.COUNT);
        for (int type = 0; type < ExpectationAttribute.COUNT; type++) {
            assertEquals(expectedFixed[type], ExpectationAttribute.fixedLength(type), ExpectationAttribute.name(type));
        }
        assertEquals(16, ExpectationAttribute.maxLength(ExpectationAttribute.HELPER_NAME));
        assertEquals(32, ExpectationAttribute.maxLength(ExpectationAttribute.FN));
    }

    @Test
    void peerVersionsKnowWhatTheyReject() {
        PeerVersion old = PeerVersion.parse("1.4.6");
        assertEquals(false, old.supports(ConntrackAttribute.ZONE));
        assertEquals(true, old.supports(ConntrackAttribute.SYNPROXY));
        assertEquals(true, old.reversesNatIpv4());
        assertEquals(false, PeerVersion.parse("1.4.4").supports(ConntrackAttribute.SYNPROXY));
        assertEquals(false, PeerVersion.parse("1.4.3").supports(ConntrackAttribute.SNAT_IPV6));
        assertEquals(false, PeerVersion.parse("1.4.1").supports(ConntrackAttribute.LABELS));
        assertEquals(true, PeerVersion.parse("1.4.7").supports(ConntrackAttribute.ZONE));
        assertEquals(false, PeerVersion.parse("1.4.7").reversesNatIpv4());
        assertEquals(false, PeerVersion.parse("1.4.7").supports(33));
        assertEquals("1.4.0", PeerVersion.parse("1.4").toString());
        IllegalArgumentException error = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> PeerVersion.parse("1.x.7"));
        assertEquals("not a conntrackd version: \"1.x.7\"", error.getMessage());
    }
}

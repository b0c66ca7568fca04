package io.conntrack4j.testkit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

class KernelTestConditionTest {

    @Test
    void runsWhenNothingIsMissing() {
        assertFalse(KernelTestCondition.decide(null, true).isDisabled());
        assertFalse(KernelTestCondition.decide(null, false).isDisabled());
    }

    @Test
    void skipsWithTheReasonOutsideCi() {
        ConditionEvaluationResult result = KernelTestCondition.decide("needs root", false);
        assertTrue(result.isDisabled());
        assertTrue(result.getReason().orElseThrow().contains("needs root"));
    }

    @Test
    void failsInsteadOfSkippingUnderCi() {
        ExtensionConfigurationException failure = assertThrows(ExtensionConfigurationException.class,
                () -> KernelTestCondition.decide("needs root", true));
        assertTrue(failure.getMessage().contains("needs root"));
    }

    @Test
    void reportsAMissingProgram() {
        String reason = KernelTestCondition.missingPrerequisite(Set.of("no-such-program-ct4j"));
        assertTrue(reason != null && (reason.contains("no-such-program-ct4j") || reason.contains("root")),
                String.valueOf(reason));
    }
}

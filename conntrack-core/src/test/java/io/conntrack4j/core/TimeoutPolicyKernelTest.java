package io.conntrack4j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.testkit.Commands;
import io.conntrack4j.testkit.KernelTest;
import java.io.IOException;
import org.junit.jupiter.api.Test;

@KernelTest(requires = "sysctl")
class TimeoutPolicyKernelTest {

    @Test
    void everySysctlNameExistsInTheRunningKernelAndAgreesWithSysctl() throws IOException {
        TimeoutPolicy kernel = TimeoutPolicy.fromRunningKernel();
        for (Timeout timeout : Timeout.values()) {
            if (timeout.sysctl() == null || timeout.name().startsWith("DCCP_")) {
                continue; // DCCP conntrack is gone from current kernels
            }
            assertTrue(kernel.readFromKernel(timeout), timeout + " has no file " + timeout.sysctl());
            String value = Commands.run("sysctl", "-n", "net.netfilter." + timeout.sysctl()).stdoutOrThrow();
            assertEquals(Integer.parseInt(value.trim()), kernel.seconds(timeout), timeout.toString());
        }
    }
}

package io.conntrack4j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TimeoutPolicyTest {

    @Test
    void linuxDefaultsMatchTheKernelTables() {
        TimeoutPolicy linux = TimeoutPolicy.linuxDefaults();
        assertEquals(120, linux.seconds(Timeout.TCP_SYN_SENT));
        assertEquals(432_000, linux.seconds(Timeout.TCP_ESTABLISHED));
        assertEquals(10, linux.seconds(Timeout.TCP_CLOSE));
        assertEquals(30, linux.seconds(Timeout.UDP_UNREPLIED));
        assertEquals(120, linux.seconds(Timeout.UDP_STREAM));
        assertEquals(210, linux.seconds(Timeout.SCTP_ESTABLISHED));
        assertEquals(600, linux.seconds(Timeout.GENERIC));
    }

    @Test
    void readsOverridesAndKeepsDefaultsForMissingFiles(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("nf_conntrack_udp_timeout"), "17\n");
        Files.writeString(dir.resolve("nf_conntrack_tcp_timeout_established"), "7200\n");
        TimeoutPolicy policy = TimeoutPolicy.fromSysctlDirectory(dir);
        assertEquals(17, policy.seconds(Timeout.UDP_UNREPLIED));
        assertEquals(7200, policy.seconds(Timeout.TCP_ESTABLISHED));
        assertEquals(120, policy.seconds(Timeout.UDP_STREAM));
        assertTrue(policy.readFromKernel(Timeout.UDP_UNREPLIED));
        assertFalse(policy.readFromKernel(Timeout.UDP_STREAM));
    }

    @Test
    void rejectsGarbageNamingTheFile(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("nf_conntrack_icmp_timeout"), "thirty\n");
        IOException error = assertThrows(IOException.class, () -> TimeoutPolicy.fromSysctlDirectory(dir));
        assertTrue(error.getMessage().contains("nf_conntrack_icmp_timeout"), error.getMessage());
        assertTrue(error.getMessage().contains("thirty"), error.getMessage());
    }

    @Test
    void withReplacesOneValueOnly() {
        TimeoutPolicy changed = TimeoutPolicy.linuxDefaults().with(Timeout.ICMP, 5);
        assertEquals(5, changed.seconds(Timeout.ICMP));
        assertEquals(30, TimeoutPolicy.linuxDefaults().seconds(Timeout.ICMP));
        assertEquals(30, changed.seconds(Timeout.ICMPV6));
        assertThrows(IllegalArgumentException.class, () -> changed.with(Timeout.ICMP, -1));
    }
}

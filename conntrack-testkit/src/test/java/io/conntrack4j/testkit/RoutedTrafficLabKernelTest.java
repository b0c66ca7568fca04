package io.conntrack4j.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.testkit.RoutedTrafficLab.Flow;
import io.conntrack4j.testkit.RoutedTrafficLab.Ip;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every scenario of {@link RoutedTrafficLab} in both families, and the recording's artifacts agree:
 * tcpdump reads both captures with the packet counts recorded, each flow has its packets in the
 * captures, its events and its final entry in the router's kernel.
 */
@KernelTest(requires = {"conntrack", "nft", "tcpdump", "ping", "nc"})
class RoutedTrafficLabKernelTest {

    @RegisterExtension
    final NetworkLab lab = new NetworkLab();

    @TempDir
    Path dir;

    @Test
    void everyScenarioLeavesConsistentArtifacts() {
        long start = System.currentTimeMillis() * 1_000_000L;
        RoutedTrafficLab traffic = RoutedTrafficLab.start(lab, dir);
        List<Flow> fin = new ArrayList<>();
        List<Flow> reset = new ArrayList<>();
        List<Flow> unreplied = new ArrayList<>();
        List<Flow> replied = new ArrayList<>();
        List<Flow> fragmented = new ArrayList<>();
        List<Flow> midStream = new ArrayList<>();
        for (Ip ip : Ip.values()) {
            fin.add(traffic.tcpFinClose(ip));
            reset.add(traffic.tcpResetClose(ip));
            replied.add(traffic.udpRequestResponse(ip));
            unreplied.add(traffic.udpOneWay(ip));
            traffic.icmpEcho(ip);
            unreplied.add(traffic.icmpError(ip));
            Flow large = traffic.fragmentedUdp(ip);
            fragmented.add(large);
            // The router counted one reassembled datagram (checked now: the entry may time out later).
            String entry = traffic.router().execOk("conntrack", "-L", "-f", ip == Ip.V4 ? "ipv4" : "ipv6", "-p", "udp",
                    "--dport", Integer.toString(large.serverPort()));
            int length = (ip == Ip.V4 ? 28 : 48) + RoutedTrafficLab.LARGE;
            assertTrue(entry.contains("packets=1 bytes=" + length + " "), entry);
            traffic.fragmentedIcmp(ip);
            midStream.add(traffic.tcpPickedUpMidStream(ip));
        }
        TrafficRecording recording = traffic.finish();

        assertEquals(recording.clientSidePackets(), count(recording.clientSideCapture(), null));
        assertEquals(recording.serverSidePackets(), count(recording.serverSideCapture(), null));
        long now = System.currentTimeMillis() * 1_000_000L;
        assertTrue(recording.lastPacketNanos() > start && recording.lastPacketNanos() <= recording.tableNanos()
                && recording.tableNanos() <= now, recording + " outside " + start + ".." + now);

        String table = recording.conntrackTable();
        String events = recording.conntrackEvents();
        assertTrue(events.lines().allMatch(line -> line.startsWith("[")), events);
        assertTrue(!events.contains("192.0.2.1"), "probe events left in:\n" + events);
        for (Flow flow : fin) {
            assertTrue(line(table, flow).contains("TIME_WAIT"), flow + "\n" + table);
            assertTrue(count(recording.clientSideCapture(), filter(flow)) >= 7, flow.toString());
            assertTrue(count(recording.serverSideCapture(), filter(flow)) >= 7, flow.toString());
            assertEquals(1, eventCount(events, "[NEW]", flow), flow + "\n" + events);
        }
        for (Flow flow : reset) {
            assertEquals(1, eventCount(events, "[UPDATE]", flow, " CLOSE "), flow + "\n" + events);
            // libpcap's tcp[] reads IPv4 only; the IPv6 TCP header follows the fixed header here.
            String rst = flow.ip() == Ip.V4 ? "tcp[tcpflags] & tcp-rst != 0" : "ip6[53] & 4 != 0";
            assertTrue(count(recording.serverSideCapture(), filter(flow) + " and " + rst) >= 1, flow.toString());
        }
        // UDP entries may have timed out by the end (30 s unreplied): their events tell.
        for (Flow flow : replied) {
            assertEquals(1, eventCount(events, "[NEW]", flow), flow + "\n" + events);
            assertTrue(eventCount(events, "[UPDATE]", flow) >= 1, flow + "\n" + events);
        }
        for (Flow flow : unreplied) {
            assertEquals(1, eventCount(events, "[NEW]", flow), flow + "\n" + events);
            assertEquals(0, eventCount(events, "[UPDATE]", flow), flow + "\n" + events);
        }
        // ICMP errors: the port unreachables crossed the router.
        assertTrue(count(recording.clientSideCapture(), "icmp[icmptype] == icmp-unreach") >= 1);
        assertTrue(count(recording.clientSideCapture(), "icmp6 and ip6[40] == 1") >= 1);
        for (Flow flow : fragmented) {
            // The client sent three fragments, which the router forwarded refragmented.
            String fragments = flow.ip() == Ip.V4 ? "ip[6:2] & 0x3fff != 0" : "ip6[6] == 44";
            assertTrue(count(recording.clientSideCapture(), fragments + " and src " + RoutedTrafficLab.clientAddress(
                    flow.ip())) >= 3, flow.toString());
            assertTrue(count(recording.serverSideCapture(), fragments + " and src " + RoutedTrafficLab.clientAddress(
                    flow.ip())) >= 3, flow.toString());
        }
        // ICMP entries live 30 s, so on a slow run only their events are sure to remain.
        for (String icmp : List.of("icmp ", "icmpv6 ")) {
            assertTrue(events.lines().filter(l -> l.contains("[NEW] " + icmp)).count() >= 2, events);
        }
        for (Flow flow : midStream) {
            assertEquals(2, eventCount(events, "[NEW]", flow), flow + "\n" + events);
            assertEquals(1, eventCount(events, "[DESTROY]", flow), flow + "\n" + events);
            assertTrue(line(table, flow).contains("TIME_WAIT"), flow + "\n" + table);
        }
    }

    private static String filter(Flow flow) {
        return flow.protocol() + " port " + flow.serverPort();
    }

    private static String line(String table, Flow flow) {
        return table.lines().filter(l -> l.startsWith(flow.protocol() + " ")
                        && l.contains("dst=" + RoutedTrafficLab.serverAddress(flow.ip()) + " ")
                        && l.contains(" dport=" + flow.serverPort() + " "))
                .findFirst().orElse("");
    }

    private static long eventCount(String events, String type, Flow flow, String... more) {
        return events.lines().filter(l -> l.contains(type) && l.contains(" " + flow.protocol() + " ")
                && l.contains(" dport=" + flow.serverPort() + " ")
                && java.util.Arrays.stream(more).allMatch(l::contains)).count();
    }

    private static long count(Path capture, String filter) {
        List<String> argv = new ArrayList<>(List.of("tcpdump", "-r", capture.toString(), "-nn"));
        if (filter != null) {
            argv.add(filter);
        }
        return Commands.run(Duration.ofSeconds(30), null, argv.toArray(String[]::new)).stdout().lines()
                .filter(l -> !l.isBlank()).count();
    }
}

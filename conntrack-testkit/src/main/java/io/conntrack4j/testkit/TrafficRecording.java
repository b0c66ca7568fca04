package io.conntrack4j.testkit;

import java.nio.file.Path;

/**
 * What a {@link RoutedTrafficLab} recorded on its router: the traffic on both of the router's
 * interfaces (pcap, nanosecond timestamps, Ethernet), the kernel's final conntrack table and the
 * events it emitted while the traffic ran.
 *
 * <pre>{@code
 * TrafficRecording recording = traffic.finish();
 * try (CaptureReader reader = CaptureReader.open(recording.clientSideCapture())) { ... }
 * }</pre>
 *
 * @param clientSideCapture the router's interface towards the client: client packets as sent, server
 *     packets as forwarded
 * @param serverSideCapture the router's interface towards the server
 * @param clientSidePackets packets in {@code clientSideCapture}, as {@code tcpdump -r} counts them
 * @param serverSidePackets packets in {@code serverSideCapture}
 * @param conntrackTable {@code conntrack -L} on the router after the traffic
 * @param conntrackEvents {@code conntrack -E -o timestamp} on the router during the traffic, one event
 *     a line, the lab's own probe events removed
 * @param lastPacketNanos capture time of the last packet of either capture, nanoseconds since the epoch
 * @param tableNanos when {@code conntrackTable} was taken, on the same clock: a tracker replaying the
 *     captures must age its entries to this time before comparing
 */
public record TrafficRecording(Path clientSideCapture, Path serverSideCapture, long clientSidePackets,
                               long serverSidePackets, String conntrackTable, String conntrackEvents,
                               long lastPacketNanos, long tableNanos) {
}

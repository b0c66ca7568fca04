package io.conntrack4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.core.capture.CaptureReader;
import io.conntrack4j.core.packet.PacketView;
import io.conntrack4j.core.packet.ParseResult;
import io.conntrack4j.testkit.Await;
import io.conntrack4j.testkit.BackgroundProcess;
import io.conntrack4j.testkit.KernelTest;
import io.conntrack4j.testkit.NetworkLab;
import io.conntrack4j.testkit.RoutedTrafficLab;
import io.conntrack4j.testkit.RoutedTrafficLab.Flow;
import io.conntrack4j.testkit.RoutedTrafficLab.Ip;
import io.conntrack4j.testkit.TrafficRecording;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Differential test with Linux as the oracle: every {@link RoutedTrafficLab} scenario in both
 * families runs through a real router, and {@code ct4j replay} of what the router received must
 * leave the table {@code conntrack -L} shows there and print the events {@code conntrack -E}
 * printed there.
 *
 * <p><b>What is replayed.</b> The router's kernel tracks packets at PRE_ROUTING, that is what it
 * receives on either interface; what it forwards is not tracked again. Each capture holds one
 * interface's input (client packets on the client side, server packets on the server side) and
 * output (the other side's packets after forwarding, refragmented). So the replayed capture is
 * both captures merged by timestamp (one clock: both tcpdumps run in the router) keeping only the
 * frames whose Ethernet source is not the router: exactly the router's input, once each.
 *
 * <p><b>Timeouts.</b> Both sides print whole seconds, truncated. The kernel counts from the jiffy
 * it processed a packet (HZ granularity, at most 4 ms at HZ=250) while the replay counts from the
 * packet's capture timestamp, taken a few microseconds earlier in the same receive path; the table
 * is aged to {@code tableNanos}, read just before {@code conntrack -L} ran (it reads the table a few
 * milliseconds later). All of these offsets are far below a second, and truncating two instants
 * less than a second apart differs by at most one: hence a tolerance of exactly 1 second.
 *
 * <p><b>Flows picked up mid-stream.</b> The lab deletes their router entry with {@code conntrack -D},
 * a user action no capture shows. Their frames from the client's second data segment on (sent
 * after the deletion returned) are replayed separately, from an empty table, and compared with the
 * kernel's events after the {@code [USERSPACE]} DESTROY and its final entry; the main replay is
 * compared with the events before it.
 *
 * <p><b>Counters.</b> The router counts ({@code nf_conntrack_acct=1}) and so does the replay
 * ({@code --acct}): packets and bytes of each direction must be equal, fragmented datagrams counted
 * once at their reassembled length.
 *
 * <p><b>Left out of the comparison.</b> The ordering of events of different flows (the kernel handles the two
 * interfaces' packets on different CPUs; each flow's own events are compared in order). The run
 * takes about 10 s, shorter than every timeout involved (30 s at least), so no entry expires and
 * neither side prints a timeout DESTROY (the kernel's garbage collector and the replay's sweep
 * would print them at different times).
 */
@KernelTest(requires = {"conntrack", "nft", "tcpdump", "ping", "nc"})
class Ct4jReplayDifferentialKernelTest {

    /** A conntrack line's original tuple: the flow it belongs to. */
    private static final Pattern FLOW = Pattern.compile(
            "(\\w+) +\\d+ .*?(src=\\S+ dst=\\S+ (?:sport=\\d+ dport=\\d+|type=\\d+ code=\\d+ id=\\d+))");
    /** The timeout column: the number after the protocol name and number. */
    private static final Pattern TIMEOUT = Pattern.compile("^(\\s*(?:\\[\\w+\\] )?\\w+ +\\d+ )(\\d+) ");

    @RegisterExtension
    final NetworkLab lab = new NetworkLab();

    @TempDir
    Path dir;

    @Test
    void replayOfTheRoutersInputMatchesItsKernel() throws IOException {
        RoutedTrafficLab traffic = RoutedTrafficLab.start(lab, dir);
        List<Flow> midStream = new ArrayList<>();
        for (Ip ip : Ip.values()) {
            traffic.tcpFinClose(ip);
            traffic.tcpResetClose(ip);
            traffic.udpRequestResponse(ip);
            traffic.udpOneWay(ip);
            traffic.icmpEcho(ip);
            traffic.icmpError(ip);
            traffic.fragmentedUdp(ip);
            traffic.fragmentedIcmp(ip);
            midStream.add(traffic.tcpPickedUpMidStream(ip));
            simultaneousOpen(traffic, ip);
            tcpRefused(traffic, ip);
            udpStream(traffic, ip);
            tcpReopenedFromTimeWait(traffic, ip);
        }
        Set<String> routerMacs = macs(traffic.router().execOk("ip", "-o", "link"));
        TrafficRecording recording = traffic.finish();
        Set<Integer> pickedUpPorts = midStream.stream().map(Flow::serverPort).collect(Collectors.toSet());
        Path input = dir.resolve("router-input.pcap");
        Path pickedUp = dir.resolve("router-input-picked-up.pcap");
        int frames = writeRouterInput(recording, routerMacs, pickedUpPorts, input, pickedUp);
        assertTrue(frames > 50, "router input frames: " + frames);

        // The kernel's events split at each mid-stream flow's user deletion: before it, the flow is
        // expected from the main replay; after it, from the replay of the picked-up packets alone.
        Map<String, List<String>> kernelEvents = byFlow(recording.conntrackEvents().lines()
                .map(l -> l.replaceFirst("^\\[\\d+\\.\\d+\\]\\s*", "")).collect(Collectors.joining("\n")));
        // 13 flows a family (the ICMP errors belong to their UDP flow, as RELATED they have no events).
        assertEquals(26, kernelEvents.size(), "flows with events: " + kernelEvents.keySet());
        for (String flow : kernelEvents.keySet()) {
            if (flow.endsWith(" dport=6006") || flow.endsWith(" dport=6007")) {
                // the second SYN met the entry in TIME_WAIT: the kernel destroyed it and started anew
                String events = String.join("\n", kernelEvents.get(flow));
                assertTrue(events.matches("(?s).* TIME_WAIT .*\\[DESTROY\\].*\\[NEW\\] .*"), events);
            }
        }
        int simultaneous = 0;
        for (String flow : kernelEvents.keySet()) {
            if (flow.endsWith(" dport=6000") || flow.endsWith(" dport=6001")) {
                simultaneous++;
                // the reply direction's SYN was seen: a simultaneous open, as the kernel tracks it
                assertTrue(String.join("\n", kernelEvents.get(flow)).contains(" SYN_SENT2 "), kernelEvents.get(flow)
                        .toString());
            }
        }
        assertEquals(2, simultaneous, "simultaneous opens: " + kernelEvents.keySet());
        Map<String, List<String>> kernelPickedUpEvents = new TreeMap<>();
        for (Map.Entry<String, List<String>> e : kernelEvents.entrySet()) {
            List<String> lines = e.getValue();
            int deleted = indexOf(lines, "[USERSPACE]");
            if (deleted >= 0) {
                assertTrue(pickedUpPorts.contains(serverPort(e.getKey())), "unexpected user deletion of " + e.getKey());
                kernelPickedUpEvents.put(e.getKey(), new ArrayList<>(lines.subList(deleted + 1, lines.size())));
                e.setValue(new ArrayList<>(lines.subList(0, deleted)));
            }
        }
        assertEquals(pickedUpPorts.size(), kernelPickedUpEvents.size(), "user deletions: " + kernelPickedUpEvents);
        Map<String, List<String>> kernelTable = byFlow(recording.conntrackTable());
        // At least the TIME_WAIT entries (120 s) of the FIN-closed and picked-up flows remain.
        assertTrue(kernelTable.size() >= 4, "kernel table: " + recording.conntrackTable());
        Map<String, List<String>> kernelPickedUpTable = new TreeMap<>();
        for (String flow : kernelPickedUpEvents.keySet()) {
            kernelPickedUpTable.put(flow, kernelTable.remove(flow));
        }

        String at = recording.tableNanos() / 1_000_000_000L + "." + String.format("%09d",
                recording.tableNanos() % 1_000_000_000L);
        Map<String, List<String>> replayTable = byFlow(ct4j("replay", input.toString(), "--at", at, "--acct"));
        kernelPickedUpEvents.keySet().forEach(replayTable::remove); // deleted by the user in the kernel
        compare("conntrack -L", kernelTable, replayTable);
        compare("conntrack -E", kernelEvents, byFlow(ct4j("replay", input.toString(), "--events", "--acct")));
        compare("conntrack -L, flows picked up mid-stream", kernelPickedUpTable,
                byFlow(ct4j("replay", pickedUp.toString(), "--at", at, "--acct")));
        compare("conntrack -E, flows picked up mid-stream", kernelPickedUpEvents,
                byFlow(ct4j("replay", pickedUp.toString(), "--events", "--acct")));
    }

    /**
     * A TCP simultaneous open through the router: the server's firewall drops the client's SYN
     * (after the router has tracked it) until the server, itself connecting to the client's port,
     * has sent its own SYN; the client answers that with a SYN/ACK, the server ACKs, and a line of
     * data follows. Returns when the router's entry is ESTABLISHED.
     */
    private void simultaneousOpen(RoutedTrafficLab traffic, Ip ip) {
        int clientPort = ip == Ip.V4 ? 42000 : 42001;
        int serverPort = ip == Ip.V4 ? 6000 : 6001;
        String family = ip == Ip.V4 ? "-4" : "-6";
        traffic.server().exec(Duration.ofSeconds(10), "table inet ct4j_simultaneous_" + serverPort + " {\n"
                + "  chain in {\n    type filter hook input priority 0;\n    tcp sport " + clientPort + " tcp dport "
                + serverPort + " tcp flags & (syn | ack) == syn drop;\n  }\n}\n", "nft", "-f", "-").stdoutOrThrow();
        BackgroundProcess client = lab.start(traffic.client(), "nc", family, "-p", Integer.toString(clientPort),
                RoutedTrafficLab.serverAddress(ip), Integer.toString(serverPort));
        awaitRouterEntry(traffic, ip, serverPort, "SYN_SENT");
        BackgroundProcess server = lab.start(traffic.server(), "nc", family, "-p", Integer.toString(serverPort),
                RoutedTrafficLab.clientAddress(ip), Integer.toString(clientPort));
        awaitRouterEntry(traffic, ip, serverPort, "ESTABLISHED");
        client.write("simultaneous\n");
        Await.until(Duration.ofSeconds(10), "the server to receive the line",
                () -> server.stdoutSoFar().contains("simultaneous\n"));
    }

    /**
     * A TCP connection the server closes first (so the server, not the client, keeps TIME_WAIT),
     * then a new connection from the same client port while the router's entry is in TIME_WAIT: the
     * SYN re-opens it (tcp_packet: the old entry is killed and the packet looked up again).
     */
    private void tcpReopenedFromTimeWait(RoutedTrafficLab traffic, Ip ip) {
        int clientPort = ip == Ip.V4 ? 42006 : 42007;
        int serverPort = ip == Ip.V4 ? 6006 : 6007;
        String family = ip == Ip.V4 ? "-4" : "-6";
        String server = RoutedTrafficLab.serverAddress(ip);
        BackgroundProcess first = lab.start(traffic.server(), "nc", family, "-N", "-l", server,
                Integer.toString(serverPort));
        awaitListening(traffic, serverPort);
        BackgroundProcess client = lab.start(traffic.client(), "nc", family, "-N", "-p", Integer.toString(clientPort),
                server, Integer.toString(serverPort));
        client.write("first\n");
        Await.until(Duration.ofSeconds(10), "the server to receive the line", () -> first.stdoutSoFar().contains("first\n"));
        awaitRouterEntry(traffic, ip, serverPort, "ESTABLISHED");
        closeQuietly(first);                    // the server's FIN first
        awaitRouterEntry(traffic, ip, serverPort, "CLOSE_WAIT");
        closeQuietly(client);                   // then the client's
        awaitRouterEntry(traffic, ip, serverPort, "TIME_WAIT");
        BackgroundProcess second = lab.start(traffic.server(), "nc", family, "-l", server, Integer.toString(serverPort));
        awaitListening(traffic, serverPort);
        traffic.client().exec(Duration.ofSeconds(15), "again\n", "nc", family, "-N", "-w", "5", "-p",
                Integer.toString(clientPort), server, Integer.toString(serverPort));
        Await.until(Duration.ofSeconds(10), "the second connection's line", () -> second.stdoutSoFar().contains("again\n"));
    }

    private static void awaitListening(RoutedTrafficLab traffic, int port) {
        Await.until(Duration.ofSeconds(10), "a TCP server on port " + port, () -> traffic.server()
                .exec("ss", "-Hltn", "sport = :" + port).stdout().contains(Integer.toString(port)));
    }

    /** Ends a netcat's input: with -N it sends its FIN. */
    private static void closeQuietly(BackgroundProcess nc) {
        try {
            nc.stdin().close();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * A TCP SYN to a port where nothing listens, answered by the server's kernel with a RST: the
     * router kills the unreplied entry at once ({@code nf_ct_kill_acct}).
     */
    private static void tcpRefused(RoutedTrafficLab traffic, Ip ip) {
        int port = ip == Ip.V4 ? 6002 : 6003;
        traffic.client().exec(Duration.ofSeconds(10), "", "nc", ip == Ip.V4 ? "-4" : "-6", "-z", "-p",
                Integer.toString(ip == Ip.V4 ? 42002 : 42003), RoutedTrafficLab.serverAddress(ip), Integer.toString(port));
    }

    /**
     * A UDP request and response, then, once the router's entry is more than 2 s old (its 30 s
     * timeout shows 27 or less), one more request: a stream, ASSURED with the 120 s timeout.
     */
    private void udpStream(RoutedTrafficLab traffic, Ip ip) {
        int port = ip == Ip.V4 ? 6004 : 6005;
        String family = ip == Ip.V4 ? "-4" : "-6";
        BackgroundProcess listener = lab.start(traffic.server(), "nc", family, "-u", "-l",
                RoutedTrafficLab.serverAddress(ip), Integer.toString(port));
        Await.until(Duration.ofSeconds(10), "the UDP server to listen", () -> traffic.server()
                .exec("ss", "-Hlun", "sport = :" + port).stdout().contains(Integer.toString(port)));
        BackgroundProcess requester = lab.start(traffic.client(), "nc", family, "-u", "-p",
                Integer.toString(ip == Ip.V4 ? 42004 : 42005), RoutedTrafficLab.serverAddress(ip), Integer.toString(port));
        requester.write("one\n");
        Await.until(Duration.ofSeconds(10), "the server to receive one", () -> listener.stdoutSoFar().contains("one\n"));
        listener.write("two\n");
        Await.until(Duration.ofSeconds(10), "the client to receive two", () -> requester.stdoutSoFar().contains("two\n"));
        Pattern timeout = Pattern.compile("^udp +17 (\\d+) ");
        Await.value(Duration.ofSeconds(10), "the router's entry to be more than 2 s old",
                () -> traffic.router().exec("conntrack", "-L", "-f", ip == Ip.V4 ? "ipv4" : "ipv6", "-p", "udp",
                        "--dport", Integer.toString(port)).stdout(),
                out -> {
                    Matcher m = timeout.matcher(out);
                    return m.find() && Integer.parseInt(m.group(1)) <= 27;
                });
        requester.write("three\n");
        Await.until(Duration.ofSeconds(10), "the server to receive three",
                () -> listener.stdoutSoFar().contains("three\n"));
        awaitRouterEntry(traffic, ip, "udp", port, "[ASSURED]");
    }

    private static void awaitRouterEntry(RoutedTrafficLab traffic, Ip ip, int serverPort, String state) {
        awaitRouterEntry(traffic, ip, "tcp", serverPort, state);
    }

    private static void awaitRouterEntry(RoutedTrafficLab traffic, Ip ip, String protocol, int serverPort,
                                         String state) {
        Await.value(Duration.ofSeconds(10), "the router's entry for port " + serverPort + " in " + state,
                () -> traffic.router().exec("conntrack", "-L", "-f", ip == Ip.V4 ? "ipv4" : "ipv6", "-p", protocol,
                        "--dport", Integer.toString(serverPort)).stdout(), out -> out.contains(" " + state + " "));
    }

    private static int indexOf(List<String> lines, String text) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(text)) {
                return i;
            }
        }
        return -1;
    }

    private static int serverPort(String flow) {
        Matcher m = Pattern.compile(" dport=(\\d+)").matcher(flow);
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    /** Compares line lists flow by flow, timeouts within one second. */
    private static void compare(String what, Map<String, List<String>> kernel, Map<String, List<String>> replay) {
        StringBuilder differences = new StringBuilder();
        for (String flow : union(kernel.keySet(), replay.keySet())) {
            List<String> k = kernel.getOrDefault(flow, List.of());
            List<String> r = replay.getOrDefault(flow, List.of());
            boolean same = k.size() == r.size();
            for (int i = 0; same && i < k.size(); i++) {
                same = withoutTimeout(k.get(i)).equals(withoutTimeout(r.get(i)))
                        && Math.abs(timeout(k.get(i)) - timeout(r.get(i))) <= 1;
            }
            if (!same) {
                differences.append(flow).append("\n  kernel:\n    ").append(String.join("\n    ", k))
                        .append("\n  replay:\n    ").append(String.join("\n    ", r)).append('\n');
            }
        }
        assertEquals("", differences.toString(), what + " differs");
    }

    private static List<String> union(Set<String> a, Set<String> b) {
        TreeMap<String, Boolean> all = new TreeMap<>();
        a.forEach(k -> all.put(k, true));
        b.forEach(k -> all.put(k, true));
        return new ArrayList<>(all.keySet());
    }

    /** Lines grouped by their flow, in order. */
    private static Map<String, List<String>> byFlow(String text) {
        Map<String, List<String>> flows = new TreeMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String l = line.strip();
            Matcher m = FLOW.matcher(l);
            String flow = m.find() ? m.group(1) + " " + m.group(2) : l;
            flows.computeIfAbsent(flow, f -> new ArrayList<>()).add(l);
        }
        return flows;
    }

    private static String withoutTimeout(String line) {
        return TIMEOUT.matcher(line).replaceFirst("$1T ");
    }

    private static int timeout(String line) {
        Matcher m = TIMEOUT.matcher(line);
        return m.find() ? Integer.parseInt(m.group(2)) : -1;
    }

    private String ct4j(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Ct4j.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The MAC addresses {@code ip -o link} lists, as lower-case hex without colons. */
    private static Set<String> macs(String ipLink) {
        Matcher m = Pattern.compile("link/ether ([0-9a-f:]{17})").matcher(ipLink);
        Set<String> macs = new java.util.HashSet<>();
        while (m.find()) {
            macs.add(m.group(1).replace(":", ""));
        }
        return macs;
    }

    private record Frame(long nanos, byte[] bytes) {
    }

    /**
     * Writes the frames of both captures not sent by the router, merged by time (stable: equal
     * stamps keep the client side first), as nanosecond Ethernet pcaps: the frames of the TCP flows to
     * {@code pickedUpPorts} from their second data segment from the client on (sent after the router's
     * entry was deleted) to {@code pickedUp}, all others to {@code file}.
     *
     * @return frames written, both files
     */
    private static int writeRouterInput(TrafficRecording recording, Set<String> routerMacs, Set<Integer> pickedUpPorts,
                                        Path file, Path pickedUp) throws IOException {
        List<Frame> frames = new ArrayList<>();
        for (Path capture : List.of(recording.clientSideCapture(), recording.serverSideCapture())) {
            try (CaptureReader reader = CaptureReader.open(capture)) {
                reader.readAll((nanos, linkType, bytes, offset, length, wire, iface) -> {
                    assertEquals(1, linkType, "Ethernet captures expected");
                    String source = HexFormat.of().formatHex(bytes, offset + 6, offset + 12);
                    if (!routerMacs.contains(source)) {
                        frames.add(new Frame(nanos, Arrays.copyOfRange(bytes, offset, offset + length)));
                    }
                });
            }
        }
        frames.sort((a, b) -> Long.compare(a.nanos(), b.nanos()));
        List<Frame> main = new ArrayList<>();
        List<Frame> after = new ArrayList<>();
        Map<Integer, Integer> clientData = new java.util.HashMap<>();
        PacketView view = new PacketView();
        for (Frame f : frames) {
            boolean late = false;
            if (view.parse(1, f.bytes(), 0, f.bytes().length) == ParseResult.OK && view.protocol() == 6) {
                int port = pickedUpPorts.contains(view.destinationPort()) ? view.destinationPort()
                        : pickedUpPorts.contains(view.sourcePort()) ? view.sourcePort() : -1;
                if (port >= 0) {
                    if (port == view.destinationPort() && view.payloadLength() > 0) {
                        clientData.merge(port, 1, Integer::sum);
                    }
                    late = clientData.getOrDefault(port, 0) >= 2;
                }
            }
            (late ? after : main).add(f);
        }
        assertTrue(after.size() >= 2 * pickedUpPorts.size(), "frames after the deletions: " + after.size());
        write(main, file);
        write(after, pickedUp);
        return frames.size();
    }

    private static void write(List<Frame> frames, Path file) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer header = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(0xa1b23c4d).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(262144).putInt(1);
        out.writeBytes(header.array());
        for (Frame f : frames) {
            ByteBuffer r = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            r.putInt((int) (f.nanos() / 1_000_000_000L)).putInt((int) (f.nanos() % 1_000_000_000L))
                    .putInt(f.bytes().length).putInt(f.bytes().length);
            out.writeBytes(r.array());
            out.writeBytes(f.bytes());
        }
        Files.write(file, out.toByteArray());
    }
}

package io.conntrack4j.testkit;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Real traffic through a Linux router whose kernel tracks it, recorded for differential tests of a
 * user-space tracker: namespaces {@code client} - {@code router} - {@code server} on two veth links
 * (MTU {@value #MTU}, so that large datagrams fragment), IPv4 and IPv6 routes through the router,
 * conntrack with accounting on the router, tcpdump on both router interfaces and
 * {@code conntrack -E -o timestamp} on the router. Scenario methods each produce one kind of flow and
 * return once the router's kernel has reached the state that flow leads to; {@link #finish()} stops
 * the recorders and returns a {@link TrafficRecording}.
 *
 * <pre>{@code
 * // lab: the test's NetworkLab extension; dir: a @TempDir
 * RoutedTrafficLab traffic = RoutedTrafficLab.start(lab, dir);
 * traffic.tcpFinClose(RoutedTrafficLab.Ip.V4);
 * traffic.fragmentedUdp(RoutedTrafficLab.Ip.V6);
 * TrafficRecording recording = traffic.finish();
 * }</pre>
 *
 * <p>Each scenario uses its own server port ({@link Flow#serverPort()}) and, where the tool allows,
 * its own client port, so that flows are told apart in the recording. Needs root and conntrack, nft,
 * tcpdump, ping and nc (OpenBSD netcat).
 */
public final class RoutedTrafficLab {

    /** MTU of both links. */
    public static final int MTU = 1280;
    /** Size of the data of a fragmented datagram (UDP payload, ICMP echo data). */
    public static final int LARGE = 3000;

    /** The address family of a scenario. */
    public enum Ip {
        /** IPv4. */
        V4,
        /** IPv6. */
        V6
    }

    /**
     * The client's address.
     *
     * @param ip family
     * @return the address
     */
    public static String clientAddress(Ip ip) {
        return ip == Ip.V4 ? "10.79.1.2" : "fd79:1::2";
    }

    /**
     * The server's address.
     *
     * @param ip family
     * @return the address
     */
    public static String serverAddress(Ip ip) {
        return ip == Ip.V4 ? "10.79.2.2" : "fd79:2::2";
    }

    /**
     * One scenario's flow.
     *
     * @param ip family
     * @param protocol {@code tcp}, {@code udp}, {@code icmp} or {@code icmpv6}, as conntrack names it
     * @param clientPort the client's source port, 0 where the tool chooses (ping)
     * @param serverPort the server's port, 0 for ICMP
     */
    public record Flow(Ip ip, String protocol, int clientPort, int serverPort) {
    }

    private static final Pattern DESTROY_PROBE = Pattern.compile("(?m)^.*\\[DESTROY\\].*sport=(\\d+) dport=9 .*$");

    private final NetworkLab lab;
    private final NetNs client;
    private final NetNs router;
    private final NetNs server;
    private final String[] clientSideLink;
    private final String[] serverSideLink;
    private final Path clientSideCapture;
    private final Path serverSideCapture;
    private final BackgroundProcess clientSideDump;
    private final BackgroundProcess serverSideDump;
    private final long[] interfacePacketsAtStart;
    private final BackgroundProcess events;
    private final AtomicInteger probes = new AtomicInteger();
    private final int eventsStart;
    private int nextPort;
    private boolean finished;

    private RoutedTrafficLab(NetworkLab lab, Path directory) {
        this.lab = lab;
        client = lab.namespace("client");
        router = lab.namespace("router");
        server = lab.namespace("server");
        clientSideLink = lab.link(client, "10.79.1.2/24", router, "10.79.1.1/24");
        serverSideLink = lab.link(router, "10.79.2.1/24", server, "10.79.2.2/24");
        lab.address(client, clientSideLink[0], "fd79:1::2/64");
        lab.address(router, clientSideLink[1], "fd79:1::1/64");
        lab.address(router, serverSideLink[0], "fd79:2::1/64");
        lab.address(server, serverSideLink[1], "fd79:2::2/64");
        client.execOk("ip", "link", "set", "dev", clientSideLink[0], "mtu", Integer.toString(MTU));
        router.execOk("ip", "link", "set", "dev", clientSideLink[1], "mtu", Integer.toString(MTU));
        router.execOk("ip", "link", "set", "dev", serverSideLink[0], "mtu", Integer.toString(MTU));
        server.execOk("ip", "link", "set", "dev", serverSideLink[1], "mtu", Integer.toString(MTU));
        router.execOk("sysctl", "-qw", "net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1");
        client.execOk("ip", "route", "add", "default", "via", "10.79.1.1");
        client.execOk("ip", "-6", "route", "add", "default", "via", "fd79:1::1");
        server.execOk("ip", "route", "add", "default", "via", "10.79.2.1");
        server.execOk("ip", "-6", "route", "add", "default", "via", "fd79:2::1");
        router.enableConntrack();
        router.execOk("sysctl", "-qw", "net.netfilter.nf_conntrack_acct=1");
        nextPort = 0;

        clientSideCapture = directory.resolve("router-client-side.pcap");
        serverSideCapture = directory.resolve("router-server-side.pcap");
        clientSideDump = capture(clientSideLink[1], clientSideCapture);
        serverSideDump = capture(serverSideLink[0], serverSideCapture);
        // Counted after tcpdump listens: everything the interfaces count from now on is in the captures.
        interfacePacketsAtStart = new long[] {interfacePackets(clientSideLink[1]), interfacePackets(serverSideLink[0])};

        events = lab.start(router, "conntrack", "-E", "-o", "timestamp");
        eventsStart = probe();
    }

    /**
     * Builds the three namespaces and starts recording.
     *
     * @param lab the test's lab (it removes everything after the test)
     * @param directory where the captures go
     * @return the running lab
     */
    public static RoutedTrafficLab start(NetworkLab lab, Path directory) {
        return new RoutedTrafficLab(lab, directory);
    }

    /**
     * The client.
     *
     * @return the client namespace
     */
    public NetNs client() {
        return client;
    }

    /**
     * The router.
     *
     * @return the router namespace (the one whose kernel tracks)
     */
    public NetNs router() {
        return router;
    }

    /**
     * The server.
     *
     * @return the server namespace
     */
    public NetNs server() {
        return server;
    }

    private BackgroundProcess capture(String device, Path file) {
        BackgroundProcess dump = lab.start(router, "sh", "-c", "exec tcpdump --immediate-mode -U -n -s 0"
                + " --time-stamp-precision=nano -i " + device + " -w " + file + " 2>&1");
        Await.until(Duration.ofSeconds(10), "tcpdump on " + device + " to listen",
                () -> dump.stdoutSoFar().contains("listening on"));
        return dump;
    }

    private long interfacePackets(String device) {
        String rx = router.execOk("cat", "/sys/class/net/" + device + "/statistics/rx_packets").trim();
        String tx = router.execOk("cat", "/sys/class/net/" + device + "/statistics/tx_packets").trim();
        return Long.parseLong(rx) + Long.parseLong(tx);
    }

    /**
     * Creates and deletes throw-away entries (UDP 192.0.2.1 to 192.0.2.2, port 9) until a DESTROY
     * event of one shows: {@code conntrack -E} then listens, and every event before the first of these
     * probes has been printed. (A probe made before {@code conntrack -E} subscribed is never printed,
     * hence the repetition.)
     *
     * @return where the output after that DESTROY line starts
     */
    private int probe() {
        int first = probes.get() + 1;
        int[] found = {-1};
        Await.until(Duration.ofSeconds(10), "conntrack -E to print a probe's DESTROY", () -> {
            String port = Integer.toString(60000 + probes.incrementAndGet());
            router.execOk("conntrack", "-I", "-p", "udp", "-s", "192.0.2.1", "-d", "192.0.2.2", "--sport", port,
                    "--dport", "9", "-t", "30");
            router.execOk("conntrack", "-D", "-p", "udp", "-s", "192.0.2.1", "-d", "192.0.2.2", "--sport", port,
                    "--dport", "9");
            found[0] = destroyOfProbe(events.stdoutSoFar(), 60000 + first);
            return found[0] >= 0;
        });
        return found[0];
    }

    /** Where the text after the first DESTROY of a probe numbered from {@code lowestPort} on starts, or -1. */
    private static int destroyOfProbe(String text, int lowestPort) {
        Matcher m = DESTROY_PROBE.matcher(text);
        while (m.find()) {
            if (Integer.parseInt(m.group(1)) >= lowestPort) {
                int end = m.end();
                return end < text.length() && text.charAt(end) == '\n' ? end + 1 : end;
            }
        }
        return -1;
    }

    private Flow flow(Ip ip, String protocol) {
        int n = nextPort++;
        return new Flow(ip, protocol, 41000 + n, 5000 + n);
    }

    private static String[] nc(Ip ip, String... args) {
        String[] argv = new String[args.length + 2];
        argv[0] = "nc";
        argv[1] = ip == Ip.V4 ? "-4" : "-6";
        System.arraycopy(args, 0, argv, 2, args.length);
        return argv;
    }

    private static String family(Ip ip) {
        return ip == Ip.V4 ? "ipv4" : "ipv6";
    }

    private BackgroundProcess listen(Flow flow, boolean udp) {
        String port = Integer.toString(flow.serverPort());
        BackgroundProcess listener = lab.start(server, udp ? nc(flow.ip(), "-u", "-l", serverAddress(flow.ip()), port)
                : nc(flow.ip(), "-l", serverAddress(flow.ip()), port));
        Await.until(Duration.ofSeconds(10), "the server to listen on " + port,
                () -> server.exec("ss", udp ? "-Hlun" : "-Hltn", "sport = :" + port).stdout().contains(port));
        return listener;
    }

    private BackgroundProcess connect(Flow flow, boolean udp, String... extra) {
        List<String> args = new java.util.ArrayList<>();
        if (udp) {
            args.add("-u");
        }
        args.addAll(List.of(extra));
        args.addAll(List.of("-p", Integer.toString(flow.clientPort()), serverAddress(flow.ip()),
                Integer.toString(flow.serverPort())));
        return lab.start(client, nc(flow.ip(), args.toArray(String[]::new)));
    }

    /** The router's entries for a flow's server port, as {@code conntrack -L} prints them. */
    private String entries(Flow flow) {
        return router.exec("conntrack", "-L", "-f", family(flow.ip()), "-p", flow.protocol(), "--dport",
                Integer.toString(flow.serverPort())).stdout();
    }

    private String awaitEntry(Flow flow, String what, java.util.function.Predicate<String> accept) {
        return Await.value(Duration.ofSeconds(10), "the router's " + flow + " entry " + what, () -> entries(flow),
                accept);
    }

    private static void awaitOutput(BackgroundProcess process, String who, String text) {
        Await.until(Duration.ofSeconds(10), who + " to receive " + text.strip(),
                () -> process.stdoutSoFar().contains(text));
    }

    // ------------------------------------------------------------------------------------ scenarios

    /**
     * A TCP connection: handshake, a line of data, and a FIN from each side; returns when the
     * router's entry is in TIME_WAIT.
     *
     * @param ip family
     * @return the flow
     */
    public Flow tcpFinClose(Ip ip) {
        Flow flow = flow(ip, "tcp");
        listen(flow, false);
        client.exec(Duration.ofSeconds(10), "hello\n", nc(ip, "-N", "-w", "3", "-p",
                Integer.toString(flow.clientPort()), serverAddress(ip), Integer.toString(flow.serverPort())));
        awaitEntry(flow, "in TIME_WAIT", out -> out.contains("TIME_WAIT"));
        return flow;
    }

    /**
     * A TCP connection carrying a line of data, after which the server's firewall answers the next
     * segment with a reset; returns when the router's entry is in CLOSE.
     *
     * @param ip family
     * @return the flow
     */
    public Flow tcpResetClose(Ip ip) {
        Flow flow = flow(ip, "tcp");
        BackgroundProcess listener = listen(flow, false);
        BackgroundProcess connection = connect(flow, false);
        connection.write("first\n");
        awaitOutput(listener, "the server", "first\n");
        server.exec(Duration.ofSeconds(10), "table inet ct4j_reset {\n  chain in {\n"
                + "    type filter hook input priority 0;\n    tcp dport " + flow.serverPort()
                + " reject with tcp reset;\n  }\n}\n", "nft", "-f", "-").stdoutOrThrow();
        connection.write("second\n");
        awaitEntry(flow, "in CLOSE", out -> out.contains(" CLOSE "));
        return flow;
    }

    /**
     * A UDP request and its response; returns when the router's entry has seen the reply.
     *
     * @param ip family
     * @return the flow
     */
    public Flow udpRequestResponse(Ip ip) {
        Flow flow = flow(ip, "udp");
        BackgroundProcess listener = listen(flow, true);
        BackgroundProcess requester = connect(flow, true);
        requester.write("request\n");
        awaitOutput(listener, "the server", "request\n");
        listener.write("response\n");
        awaitOutput(requester, "the client", "response\n");
        awaitEntry(flow, "to have seen the reply", out -> !out.isEmpty() && !out.contains("UNREPLIED"));
        return flow;
    }

    /**
     * One UDP datagram nobody answers; returns when the router holds the UNREPLIED entry.
     *
     * @param ip family
     * @return the flow
     */
    public Flow udpOneWay(Ip ip) {
        Flow flow = flow(ip, "udp");
        BackgroundProcess listener = listen(flow, true);
        connect(flow, true).write("one way\n");
        awaitOutput(listener, "the server", "one way\n");
        awaitEntry(flow, "UNREPLIED", out -> out.contains("UNREPLIED"));
        return flow;
    }

    /**
     * One ICMP (ICMPv6) echo request and its reply.
     *
     * @param ip family
     * @return the flow
     */
    public Flow icmpEcho(Ip ip) {
        return ping(ip, 56);
    }

    /**
     * A UDP datagram to a port where nothing listens, answered by the server's kernel with an ICMP
     * (ICMPv6) port unreachable that the router forwards as RELATED; returns when the client's kernel
     * has received the error.
     *
     * @param ip family
     * @return the UDP flow
     */
    public Flow icmpError(Ip ip) {
        Flow flow = flow(ip, "udp");
        long before = destinationUnreachables(ip);
        connect(flow, true).write("anyone?\n");
        Await.until(Duration.ofSeconds(10), "the client to receive the port unreachable",
                () -> destinationUnreachables(ip) > before);
        awaitEntry(flow, "present", out -> out.contains("dport=" + flow.serverPort()));
        return flow;
    }

    private long destinationUnreachables(Ip ip) {
        if (ip == Ip.V6) {
            Matcher m = Pattern.compile("(?m)^Icmp6InDestUnreachs\\s+(\\d+)$")
                    .matcher(client.execOk("cat", "/proc/net/snmp6"));
            return m.find() ? Long.parseLong(m.group(1)) : 0;
        }
        String[] lines = client.execOk("cat", "/proc/net/snmp").split("\n");
        for (int i = 0; i + 1 < lines.length; i++) {
            if (lines[i].startsWith("Icmp: ") && lines[i + 1].startsWith("Icmp: ")) {
                List<String> names = List.of(lines[i].trim().split("\\s+"));
                return Long.parseLong(lines[i + 1].trim().split("\\s+")[names.indexOf("InDestUnreachs")]);
            }
        }
        return 0;
    }

    /**
     * One UDP datagram of {@value #LARGE} bytes, fragmented by the client and refragmented by the
     * router after its own reassembly; returns when the server has printed it all.
     *
     * @param ip family
     * @return the flow
     */
    public Flow fragmentedUdp(Ip ip) {
        Flow flow = flow(ip, "udp");
        BackgroundProcess listener = listen(flow, true);
        StringBuilder text = new StringBuilder(LARGE);
        for (int i = 0; i < LARGE - 1; i++) {
            text.append((char) ('a' + i % 26));
        }
        text.append('\n');
        connect(flow, true).write(text.toString());
        awaitOutput(listener, "the server", text.toString());
        awaitEntry(flow, "UNREPLIED", out -> out.contains("UNREPLIED"));
        return flow;
    }

    /**
     * One ICMP (ICMPv6) echo request of {@value #LARGE} data bytes and its reply, both fragmented.
     *
     * @param ip family
     * @return the flow
     */
    public Flow fragmentedIcmp(Ip ip) {
        return ping(ip, LARGE);
    }

    private Flow ping(Ip ip, int size) {
        Flow flow = new Flow(ip, ip == Ip.V4 ? "icmp" : "icmpv6", 0, 0);
        client.execOk("ping", ip == Ip.V4 ? "-4" : "-6", "-c", "1", "-s", Integer.toString(size), serverAddress(ip));
        return flow;
    }

    /**
     * A TCP connection whose router entry is deleted while it lives; the next data segment makes the
     * router pick the connection up mid-stream ({@code nf_conntrack_tcp_loose}), then both sides close
     * with FIN. Returns when the new entry is in TIME_WAIT.
     *
     * @param ip family
     * @return the flow
     */
    public Flow tcpPickedUpMidStream(Ip ip) {
        Flow flow = flow(ip, "tcp");
        BackgroundProcess listener = listen(flow, false);
        BackgroundProcess connection = connect(flow, false, "-N");
        connection.write("before\n");
        awaitOutput(listener, "the server", "before\n");
        awaitEntry(flow, "ESTABLISHED", out -> out.contains("ESTABLISHED"));
        router.execOk("conntrack", "-D", "-f", family(ip), "-p", "tcp", "--dport", Integer.toString(flow.serverPort()));
        connection.write("after\n");
        awaitOutput(listener, "the server", "after\n");
        awaitEntry(flow, "picked up again", out -> out.contains("ESTABLISHED"));
        try {
            connection.stdin().close(); // nc -N: end of input sends FIN; the server then closes too
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        awaitEntry(flow, "in TIME_WAIT", out -> out.contains("TIME_WAIT"));
        return flow;
    }

    // -------------------------------------------------------------------------------------- finish

    /**
     * Waits until both captures hold every packet the router's interfaces counted, stops the
     * recorders and collects the table. Processes still running (servers, clients) are left to the
     * {@link NetworkLab}: whatever they send when stopped is not recorded.
     *
     * @return the recording
     * @throws IllegalStateException if called twice
     */
    public TrafficRecording finish() {
        if (finished) {
            throw new IllegalStateException("already finished");
        }
        finished = true;
        int eventsEnd = probe();
        long clientSideCounted = interfacePackets(clientSideLink[1]) - interfacePacketsAtStart[0];
        long serverSideCounted = interfacePackets(serverSideLink[0]) - interfacePacketsAtStart[1];
        Await.until(Duration.ofSeconds(10), "the captures to hold every packet the interfaces counted",
                () -> packets(clientSideCapture).size() >= clientSideCounted
                        && packets(serverSideCapture).size() >= serverSideCounted);
        clientSideDump.stop(Duration.ofSeconds(5));
        serverSideDump.stop(Duration.ofSeconds(5));
        long tableNanos = System.currentTimeMillis() * 1_000_000L;
        String table = router.execOk("conntrack", "-L");
        String allEvents = events.stop(Duration.ofSeconds(2)).stdout();
        String between = allEvents.substring(eventsStart, Math.min(eventsEnd, allEvents.length()));
        // The closing probe's NEW line precedes its DESTROY: drop every probe line.
        StringBuilder kept = new StringBuilder();
        for (String line : between.split("\n")) {
            if (!line.isEmpty() && !line.contains("src=192.0.2.1 dst=192.0.2.2 ")) {
                kept.append(line).append('\n');
            }
        }
        List<String> client = packets(clientSideCapture);
        List<String> server = packets(serverSideCapture);
        long last = Math.max(timestamp(client), timestamp(server));
        return new TrafficRecording(clientSideCapture, serverSideCapture, client.size(), server.size(), table,
                kept.toString(), last, tableNanos);
    }

    /** One line per packet, from {@code tcpdump -r -tt -nn} with nanosecond stamps. */
    private static List<String> packets(Path file) {
        CommandResult r = Commands.run(Duration.ofSeconds(30), null, "tcpdump", "-r", file.toString(), "-tt", "-nn",
                "--time-stamp-precision=nano");
        return r.stdout().lines().filter(line -> !line.isBlank()).toList();
    }

    private static long timestamp(List<String> lines) {
        if (lines.isEmpty()) {
            return 0;
        }
        String stamp = lines.get(lines.size() - 1).split(" ", 2)[0];
        String[] parts = stamp.split("\\.");
        return Long.parseLong(parts[0]) * 1_000_000_000L + Long.parseLong(parts[1]);
    }
}

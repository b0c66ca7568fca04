package io.conntrack4j.core.tracker;

import io.conntrack4j.core.Connection;
import io.conntrack4j.core.Filter;
import io.conntrack4j.core.L4Protocol;
import io.conntrack4j.core.format.ConntrackEvent;
import io.conntrack4j.core.format.ConntrackFormat;
import io.conntrack4j.core.packet.PacketView;
import java.util.ArrayList;
import java.util.List;

/** A tracker on a hand-driven clock, one client/server pair, and the conntrack(8) text of both. */
final class TrackerHarness {

    static final String CLIENT = "10.0.0.1";
    static final String SERVER = "10.0.0.2";
    static final int CLIENT_PORT = 40000;
    static final int SERVER_PORT = 80;

    final long[] now = {5_000_000_000_000L};
    final ConnectionTracker tracker;
    final ProcessResult result = new ProcessResult();
    final List<String> events = new ArrayList<>();
    final ConntrackFormat format = ConntrackFormat.builder().build();

    TrackerHarness() {
        this(TrackerConfig.builder().maxConnections(1024));
    }

    TrackerHarness(TrackerConfig.Builder config) {
        tracker = new ConnectionTracker(config.seed(42).clock(() -> now[0]).build());
        tracker.addListener((type, c) -> events.add(format.formatEvent(ConntrackEvent.of(type,
                c.toEventConnection(type)))));
    }

    void advanceSeconds(double seconds) {
        now[0] += (long) (seconds * 1e9);
    }

    Verdict client(int flags, long seq, long ack, int length) {
        return feed(Wire.ipv4(L4Protocol.TCP_NUMBER, CLIENT, SERVER,
                Wire.tcp(CLIENT_PORT, SERVER_PORT, seq, ack, flags, 65535, -1, length)));
    }

    Verdict server(int flags, long seq, long ack, int length) {
        return feed(Wire.ipv4(L4Protocol.TCP_NUMBER, SERVER, CLIENT,
                Wire.tcp(SERVER_PORT, CLIENT_PORT, seq, ack, flags, 65535, -1, length)));
    }

    Verdict feed(byte[] ip) {
        PacketView v = Wire.view(ip);
        return tracker.process(v, 0, result);
    }

    /** The single connection's {@code conntrack -L} line, or "" when the table is empty. */
    String line() {
        List<Connection> all = tracker.list(Filter.all());
        if (all.isEmpty()) {
            return "";
        }
        if (all.size() != 1) {
            throw new AssertionError("expected one connection, found " + all);
        }
        return format.format(all.get(0));
    }

    /** The TCP line Linux prints for our client/server pair. */
    static String tcpLine(int timeout, String state, boolean replied, boolean assured) {
        return "tcp      6 " + timeout + " " + state + " src=" + CLIENT + " dst=" + SERVER + " sport=" + CLIENT_PORT
                + " dport=" + SERVER_PORT + (replied ? "" : " [UNREPLIED]") + " src=" + SERVER + " dst=" + CLIENT
                + " sport=" + SERVER_PORT + " dport=" + CLIENT_PORT + (assured ? " [ASSURED]" : "") + " mark=0 use=1";
    }
}

package io.conntrack4j.core.tracker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.core.Filter;
import io.conntrack4j.core.L4Protocol;
import io.conntrack4j.core.format.ConntrackEvent;
import io.conntrack4j.core.format.ConntrackFormat;
import io.conntrack4j.core.packet.PacketView;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A SYN that re-opens a closed TCP connection re-initialises the entry in place instead of
 * destroying it and creating a new one. The general path stays in use whenever a helper is
 * configured, so a tracker with an unused FTP helper (port 21, never hit) is the reference: both
 * get the same random mix of lifecycles, re-opens (from TIME_WAIT, CLOSE, after RST, from either
 * side), retransmissions and stray packets, in IPv4 and IPv6, several zones and with marks and
 * accounting, and must give the same verdicts, handles, events, statistics and table.
 */
class ReopenInPlaceTest {

    private static final int SYN = 0x02;
    private static final int ACK = 0x10;
    private static final int FIN = 0x01;
    private static final int RST = 0x04;
    private static final int[][] STEPS = {
        {1, SYN}, {0, SYN | ACK}, {1, ACK}, {1, ACK | 0x100}, {0, ACK}, {1, FIN | ACK}, {0, ACK}, {0, FIN | ACK},
        {1, ACK},
        // strays: a server-first close, resets, SYNs from the server
        {0, FIN | ACK}, {1, FIN | ACK}, {1, RST}, {0, RST | ACK}, {0, SYN}, {1, SYN}, {0, SYN | ACK},
    };

    /** The first steps: handshake, data, the client closes first, TIME_WAIT; then the next SYN. */
    private static final int LIFECYCLE = 9;

    private final long[] now = {1_000_000_000_000L};

    private final class Side {
        final ConnectionTracker tracker;
        final List<String> log = new ArrayList<>();
        final ConntrackFormat format = ConntrackFormat.builder().build();
        final ProcessResult result = new ProcessResult();

        Side(boolean general) {
            TrackerConfig.Builder b = TrackerConfig.builder().maxConnections(64).maxIpv6Connections(16).seed(7)
                    .accounting(true).zoneLimit(3, 5).clock(() -> now[0]);
            if (general) {
                b.helper(L4Protocol.TCP, 21, ConnectionHelper.FTP);
            }
            tracker = new ConnectionTracker(b.build());
            tracker.addListener((type, c) -> log.add(format.formatEvent(ConntrackEvent.of(type,
                    c.toEventConnection(type))) + " handle=" + c.handle()));
        }

        void feed(PacketView v, int zone) {
            Verdict verdict = tracker.process(v, zone, result);
            log.add(verdict + " " + result.invalidReason() + " " + result.isReply() + " " + result.handle());
            if (verdict == Verdict.NEW && (result.handle() & 3) == 1) {
                tracker.setMark(result.handle(), (int) result.handle(), -1);
            }
        }
    }

    @Test
    void reopeningInPlaceIsIndistinguishableFromDestroyAndCreate() {
        Side fast = new Side(false);
        Side general = new Side(true);
        Random random = new Random(20261125);
        int flows = 12;
        long[] clientSeq = new long[flows];
        long[] serverSeq = new long[flows];
        int[] cursor = new int[flows];
        for (int f = 0; f < flows; f++) {
            clientSeq[f] = random.nextInt() & 0xffffffffL;
            serverSeq[f] = random.nextInt() & 0xffffffffL;
        }
        for (int n = 0; n < 20_000; n++) {
            int f = random.nextInt(flows);
            boolean ipv6 = f % 4 == 3;
            int zone = f % 3 == 0 ? 3 : 0;
            int[] step = random.nextInt(6) == 0 ? STEPS[random.nextInt(STEPS.length)]
                    : STEPS[cursor[f]++ % LIFECYCLE];
            boolean fromClient = step[0] == 1;
            int flags = step[1] & 0xff;
            int length = (step[1] & 0x100) != 0 ? 100 : 0;
            long seq = fromClient ? clientSeq[f] : serverSeq[f];
            long ack = fromClient ? serverSeq[f] : clientSeq[f];
            if ((flags & SYN) != 0 && (flags & ACK) == 0 && random.nextBoolean()) {
                seq += 1_000_000 + random.nextInt(1_000_000); // a new incarnation's ISN
            }
            if (random.nextInt(10) == 0) {
                seq += random.nextInt(200_000) - 100_000;
            }
            int advance = length + ((flags & (SYN | FIN)) != 0 ? 1 : 0);
            if (fromClient) {
                clientSeq[f] = (seq + advance) & 0xffffffffL;
            } else {
                serverSeq[f] = (seq + advance) & 0xffffffffL;
            }
            String client = ipv6 ? "2001:db8::" + (f + 1) : "10.0.0." + (f + 1);
            String server = ipv6 ? "2001:db8::ff" : "10.0.1.1";
            int clientPort = 40000 + f;
            byte[] tcp = fromClient ? Wire.tcp(clientPort, 80, seq, ack, flags, 65535, (flags & SYN) != 0 ? 7 : -1, length)
                    : Wire.tcp(80, clientPort, seq, ack, flags, 65535, (flags & SYN) != 0 ? 7 : -1, length);
            String src = fromClient ? client : server;
            String dst = fromClient ? server : client;
            byte[] ip = ipv6 ? Wire.ipv6(L4Protocol.TCP_NUMBER, src, dst, tcp) : Wire.ipv4(L4Protocol.TCP_NUMBER, src, dst, tcp);
            fast.feed(Wire.view(ip), zone);
            general.feed(Wire.view(ip), zone);
            assertEquals(general.log, fast.log, "after packet " + n);
            general.log.clear();
            fast.log.clear();
            now[0] += random.nextInt(40) == 0 ? 130_000_000_000L : 50_000_000L;
            if (n % 500 == 499) {
                assertEquals(general.tracker.sweep(1000), fast.tracker.sweep(1000));
            }
        }
        assertEquals(general.tracker.statistics().toString(), fast.tracker.statistics().toString());
        assertEquals(general.tracker.list(Filter.all()).toString(), fast.tracker.list(Filter.all()).toString());
        // the scenario must have exercised the re-open many times, on both paths
        assertTrue(fast.tracker.statistics().searchRestart() > 300, fast.tracker.statistics().toString());
    }
}

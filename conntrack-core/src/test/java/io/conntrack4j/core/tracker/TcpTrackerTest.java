package io.conntrack4j.core.tracker;

import static io.conntrack4j.core.tracker.TrackerHarness.tcpLine;
import static io.conntrack4j.core.tracker.Wire.ACK;
import static io.conntrack4j.core.tracker.Wire.FIN;
import static io.conntrack4j.core.tracker.Wire.PSH;
import static io.conntrack4j.core.tracker.Wire.RST;
import static io.conntrack4j.core.tracker.Wire.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.core.TcpState;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * TCP scenarios with the states, timeouts and flags Linux produces, taken from the kernel's
 * tcp_conntracks table and nf_conntrack_tcp_packet() (net/netfilter/nf_conntrack_proto_tcp.c, 6.x;
 * cell comments name the table row, direction and column). Client ISN 1000, server ISN 5000.
 */
class TcpTrackerTest {

    private final TrackerHarness h = new TrackerHarness();

    private void handshake() {
        assertEquals(Verdict.NEW, h.client(SYN, 1000, 0, 0));            // orig syn, sNO -> sSS
        assertEquals(Verdict.ESTABLISHED, h.server(SYN | ACK, 5000, 1001, 0)); // reply synack, sSS -> sSR
        assertEquals(Verdict.ESTABLISHED, h.client(ACK, 1001, 5001, 0)); // orig ack, sSR -> sES, ASSURED
    }

    @Test
    void threeWayHandshakeWalksSynSentSynRecvEstablished() {
        assertEquals(Verdict.NEW, h.client(SYN, 1000, 0, 0));
        assertFalse(h.result.isReply());
        assertEquals(tcpLine(120, "SYN_SENT", false, false), h.line());
        assertEquals(Verdict.ESTABLISHED, h.server(SYN | ACK, 5000, 1001, 0));
        assertTrue(h.result.isReply());
        assertEquals(tcpLine(60, "SYN_RECV", true, false), h.line());
        assertEquals(Verdict.ESTABLISHED, h.client(ACK, 1001, 5001, 0));
        assertEquals(tcpLine(432000, "ESTABLISHED", true, true), h.line());
        assertEquals(List.of(
                "    [NEW] tcp      6 120 SYN_SENT src=10.0.0.1 dst=10.0.0.2 sport=40000 dport=80 [UNREPLIED]"
                        + " src=10.0.0.2 dst=10.0.0.1 sport=80 dport=40000",
                " [UPDATE] tcp      6 60 SYN_RECV src=10.0.0.1 dst=10.0.0.2 sport=40000 dport=80"
                        + " src=10.0.0.2 dst=10.0.0.1 sport=80 dport=40000",
                " [UPDATE] tcp      6 432000 ESTABLISHED src=10.0.0.1 dst=10.0.0.2 sport=40000 dport=80"
                        + " src=10.0.0.2 dst=10.0.0.1 sport=80 dport=40000 [ASSURED]"), h.events);
    }

    @Test
    void clientClosesFirst() {
        handshake();
        h.client(FIN | ACK, 1001, 5001, 0);                      // orig fin, sES -> sFW
        assertEquals(tcpLine(120, "FIN_WAIT", true, true), h.line());
        h.server(ACK, 5001, 1002, 0);                            // reply ack, sFW -> sCW
        assertEquals(tcpLine(60, "CLOSE_WAIT", true, true), h.line());
        h.server(FIN | ACK, 5001, 1002, 0);                      // reply fin, sCW -> sLA
        assertEquals(tcpLine(30, "LAST_ACK", true, true), h.line());
        assertEquals(Verdict.ESTABLISHED, h.client(ACK, 1002, 5002, 0)); // orig ack, sLA -> sTW
        assertEquals(tcpLine(120, "TIME_WAIT", true, true), h.line());
    }

    @Test
    void serverClosesFirst() {
        handshake();
        h.server(FIN | ACK, 5001, 1001, 0);                      // reply fin, sES -> sFW
        assertEquals(tcpLine(120, "FIN_WAIT", true, true), h.line());
        h.client(ACK, 1001, 5002, 0);                            // orig ack, sFW -> sCW
        assertEquals(tcpLine(60, "CLOSE_WAIT", true, true), h.line());
        h.client(FIN | ACK, 1001, 5002, 0);                      // orig fin, sCW -> sLA
        assertEquals(tcpLine(30, "LAST_ACK", true, true), h.line());
        h.server(ACK, 5002, 1002, 0);                            // reply ack, sLA -> sTW
        assertEquals(tcpLine(120, "TIME_WAIT", true, true), h.line());
    }

    @Test
    void simultaneousCloseGoesThroughLastAck() {
        handshake();
        h.client(FIN | ACK, 1001, 5001, 0);                      // sES -> sFW
        h.server(FIN | ACK, 5001, 1002, 0);                      // reply fin, sFW -> sLA
        assertEquals(tcpLine(30, "LAST_ACK", true, true), h.line());
        h.client(ACK, 1002, 5002, 0);                            // orig ack, sLA -> sTW
        assertEquals(tcpLine(120, "TIME_WAIT", true, true), h.line());
    }

    @Test
    void exactRstClosesWithTenSeconds() {
        handshake();
        assertEquals(Verdict.ESTABLISHED, h.client(RST | ACK, 1001, 5001, 0)); // orig rst, sES -> sCL
        assertEquals(tcpLine(10, "CLOSE", true, true), h.line());
    }

    @Test
    void inexactRstInWindowKeepsStateForTheChallengeAck() {
        handshake();
        h.client(RST, 1501, 0, 0);
        // seq above the peer's highest ACK but not equal: state kept, timeout CLOSE (tcp_packet: index == RST)
        assertEquals(tcpLine(10, "ESTABLISHED", true, true), h.line());
    }

    @Test
    void rstBelowTheHighestAckIsInvalid() {
        handshake();
        assertEquals(Verdict.INVALID, h.client(RST, 900, 0, 0));
        assertEquals(InvalidReason.TCP_INVALID_RST, h.result.invalidReason());
        assertEquals(tcpLine(432000, "ESTABLISHED", true, true), h.line());
    }

    @Test
    void ignoreInvalidRstLetsItThrough() {
        TrackerHarness liberal = new TrackerHarness(TrackerConfig.builder().tcpIgnoreInvalidRst(true));
        liberal.client(SYN, 1000, 0, 0);
        liberal.server(SYN | ACK, 5000, 1001, 0);
        liberal.client(ACK, 1001, 5001, 0);
        assertEquals(Verdict.ESTABLISHED, liberal.client(RST, 1000, 0, 0));
    }

    @Test
    void rstAnsweringTheSynRemovesTheEntry() {
        h.client(SYN, 1000, 0, 0);
        assertEquals(Verdict.ESTABLISHED, h.server(RST | ACK, 0, 1001, 0)); // reply rst, sSS -> sCL, no reply seen
        assertEquals(ProcessResult.NO_HANDLE, h.result.handle());
        assertEquals("", h.line());
        assertEquals(0, h.tracker.count());
        // Linux 6.x reports the time a killed entry had left (ctnetlink_dump_timeout(skb, ct, true));
        // seen from conntrack -E on a router in Ct4jReplayDifferentialKernelTest
        assertTrue(h.events.get(h.events.size() - 1).startsWith("[DESTROY] tcp      6 120 CLOSE src=10.0.0.1"),
                h.events.toString());
    }

    @Test
    void simultaneousOpenUsesSynSent2() {
        h.client(SYN, 1000, 0, 0);                               // orig syn, sNO -> sSS
        assertEquals(Verdict.ESTABLISHED, h.server(SYN, 5000, 0, 0)); // reply syn, sSS -> sS2
        assertEquals(tcpLine(120, "SYN_SENT2", true, false), h.line());
        h.client(SYN | ACK, 1000, 5001, 0);                      // orig synack, sS2 -> sSR
        assertEquals(tcpLine(60, "SYN_RECV", true, false), h.line());
        h.server(ACK, 5001, 1001, 0);                            // reply ack, sSR -> sSR, simultaneous open -> sES
        assertEquals(tcpLine(432000, "ESTABLISHED", true, true), h.line());
    }

    @Test
    void synAfterTimeWaitReopensAsANewConnection() {
        handshake();
        h.client(FIN | ACK, 1001, 5001, 0);
        h.server(FIN | ACK, 5001, 1002, 0);
        h.client(ACK, 1002, 5002, 0);
        assertEquals(tcpLine(120, "TIME_WAIT", true, true), h.line());
        long old = h.result.handle();
        h.events.clear();
        assertEquals(Verdict.NEW, h.client(SYN, 900_000, 0, 0)); // orig syn, sTW -> sSS: kill and look up again
        assertEquals(tcpLine(120, "SYN_SENT", false, false), h.line());
        assertTrue(h.result.handle() != old);
        assertEquals(1, h.tracker.statistics().searchRestart());
        assertEquals(2, h.events.size());
        assertTrue(h.events.get(0).startsWith("[DESTROY]"), h.events.toString());
        assertTrue(h.events.get(1).startsWith("    [NEW]"), h.events.toString());
    }

    @Test
    void synOnAnEstablishedConnectionIsIgnored() {
        handshake();
        assertEquals(Verdict.ESTABLISHED, h.client(SYN, 77_777, 0, 0)); // orig syn, sES -> sIG
        assertEquals(InvalidReason.TCP_IGNORED, h.result.invalidReason());
        assertEquals(tcpLine(432000, "ESTABLISHED", true, true), h.line());
        assertEquals(1, h.tracker.statistics().ignore());
    }

    @Test
    void synAckAfterSynSentFromTheClientIsInvalid() {
        h.client(SYN, 1000, 0, 0);
        assertEquals(Verdict.INVALID, h.client(SYN | ACK, 1000, 1, 0)); // orig synack, sSS -> sIV
        assertEquals(InvalidReason.TCP_INVALID_STATE, h.result.invalidReason());
        assertEquals(Verdict.INVALID, h.client(ACK, 1001, 1, 0));      // orig ack, sSS -> sIV
    }

    @Test
    void segmentBeyondTheWindowIsInvalid() {
        handshake();
        assertEquals(Verdict.INVALID, h.client(ACK | PSH, 1001 + 10_000_000, 5001, 100));
        assertEquals(InvalidReason.TCP_SEQ_OVER_UPPER_BOUND, h.result.invalidReason());
        assertEquals(Verdict.INVALID, h.client(ACK, 1001, 5001 + 1_000_000, 0));
        assertEquals(InvalidReason.TCP_ACK_OVER_UPPER_BOUND, h.result.invalidReason());
        assertEquals(2, h.tracker.statistics().invalid());
    }

    @Test
    void liberalModeAcceptsWhatStrictRejects() {
        TrackerHarness liberal = new TrackerHarness(TrackerConfig.builder().tcpWindowMode(TcpWindowMode.LIBERAL));
        liberal.client(SYN, 1000, 0, 0);
        liberal.server(SYN | ACK, 5000, 1001, 0);
        liberal.client(ACK, 1001, 5001, 0);
        assertEquals(Verdict.ESTABLISHED, liberal.client(ACK | PSH, 1001 + 10_000_000, 5001, 100));
        TrackerHarness off = new TrackerHarness(TrackerConfig.builder().tcpWindowMode(TcpWindowMode.OFF));
        off.client(SYN, 1000, 0, 0);
        off.server(SYN | ACK, 5000, 1001, 0);
        off.client(ACK, 1001, 5001, 0);
        assertEquals(Verdict.ESTABLISHED, off.client(ACK, 1001, 5001 + 1_000_000, 0));
    }

    @Test
    void oldRetransmissionIsIgnoredNotInvalid() {
        handshake();
        h.client(ACK | PSH, 1001, 5001, 100_000);
        h.server(ACK, 5001, 101_001, 0);
        // data far below what the receiver already acknowledged (II fails): ignored
        h.client(ACK | PSH, 1001 - 200_000, 5001, 10);
        assertEquals(Verdict.ESTABLISHED, h.result.verdict());
        assertEquals(InvalidReason.TCP_IGNORED, h.result.invalidReason());
    }

    @Test
    void midStreamPickupIsShortLivedUntilAnswered() {
        assertEquals(Verdict.NEW, h.client(ACK, 1001, 5001, 0));  // orig ack, sNO -> sES (loose)
        assertEquals(tcpLine(300, "ESTABLISHED", false, false), h.line());
        assertEquals(Verdict.ESTABLISHED, h.server(ACK, 5001, 1001, 0));
        assertEquals(tcpLine(300, "ESTABLISHED", true, false), h.line());
        h.client(ACK, 1001, 5001, 0);
        assertEquals(tcpLine(432000, "ESTABLISHED", true, true), h.line());
    }

    @Test
    void withoutLoosePickupAnAckCannotStartAConnection() {
        TrackerHarness strict = new TrackerHarness(TrackerConfig.builder().tcpLoose(false));
        assertEquals(Verdict.INVALID, strict.client(ACK, 1001, 5001, 0));
        assertEquals(InvalidReason.TCP_INVALID_NEW, strict.result.invalidReason());
        assertEquals(0, strict.tracker.count());
    }

    @Test
    void invalidFlagCombinationsAndInvalidNew() {
        assertEquals(Verdict.INVALID, h.client(SYN | FIN, 1000, 0, 0));
        assertEquals(InvalidReason.TCP_BAD_FLAGS, h.result.invalidReason());
        assertEquals(Verdict.INVALID, h.client(FIN, 1000, 0, 0));
        assertEquals(InvalidReason.TCP_BAD_FLAGS, h.result.invalidReason());
        assertEquals(Verdict.INVALID, h.client(0, 1000, 0, 0));
        assertEquals(Verdict.INVALID, h.client(FIN | ACK, 1000, 1, 0)); // orig fin, sNO -> sIV
        assertEquals(InvalidReason.TCP_INVALID_NEW, h.result.invalidReason());
        assertEquals(Verdict.INVALID, h.client(RST, 1000, 0, 0));       // orig rst, sNO -> sIV
        assertEquals(0, h.tracker.count());
        assertEquals(5, h.tracker.statistics().invalid());
    }

    @Test
    void retransmittedSynDoesNotRefreshTheTimeout() {
        h.client(SYN, 1000, 0, 0);
        h.advanceSeconds(50);
        assertEquals(Verdict.NEW, h.client(SYN, 1000, 0, 0));     // orig syn, sSS -> sSS
        assertEquals(tcpLine(70, "SYN_SENT", false, false), h.line());
    }

    @Test
    void threeRetransmissionsCapTheTimeout() {
        handshake();
        h.client(ACK, 1001, 5001, 0);
        h.client(ACK, 1001, 5001, 0);
        assertEquals(tcpLine(432000, "ESTABLISHED", true, true), h.line());
        h.client(ACK, 1001, 5001, 0);                            // third identical retransmission
        assertEquals(tcpLine(300, "ESTABLISHED", true, true), h.line());
    }

    @Test
    void unacknowledgedDataCapsTheTimeoutUntilAcknowledged() {
        handshake();
        h.client(ACK | PSH, 1001, 5001, 100);
        assertEquals(tcpLine(300, "ESTABLISHED", true, true), h.line());
        h.server(ACK, 5001, 1101, 0);
        assertEquals(tcpLine(432000, "ESTABLISHED", true, true), h.line());
    }

    @Test
    void expiredConnectionIsReplacedByTheNextSyn() {
        h.client(SYN, 1000, 0, 0);
        h.advanceSeconds(121);
        assertEquals(Verdict.NEW, h.client(SYN, 3000, 0, 0));
        assertEquals(1, h.tracker.statistics().expired());
        assertEquals(tcpLine(120, "SYN_SENT", false, false), h.line());
    }

    @Test
    void finWaitIsReachedFromSynRecv() {
        h.client(SYN, 1000, 0, 0);
        h.server(SYN | ACK, 5000, 1001, 0);
        h.client(FIN | ACK, 1001, 5001, 0);                      // orig fin, sSR -> sFW
        assertEquals(TcpState.FIN_WAIT, h.tracker.find(h.result.handle()).tcpState());
    }
}

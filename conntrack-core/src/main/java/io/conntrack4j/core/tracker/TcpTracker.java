package io.conntrack4j.core.tracker;

import static io.conntrack4j.core.tracker.ConnectionStore.END;
import static io.conntrack4j.core.tracker.ConnectionStore.MAXACK;
import static io.conntrack4j.core.tracker.ConnectionStore.MAXEND;
import static io.conntrack4j.core.tracker.ConnectionStore.MAXWIN;
import static io.conntrack4j.core.tracker.ConnectionStore.TCP_LAST_AUX;
import static io.conntrack4j.core.tracker.ConnectionStore.TCP_LAST_END;
import static io.conntrack4j.core.tracker.ConnectionStore.TCP_MISC;
import static io.conntrack4j.core.tracker.TcpTransitions.ACK;
import static io.conntrack4j.core.tracker.TcpTransitions.CL;
import static io.conntrack4j.core.tracker.TcpTransitions.CW;
import static io.conntrack4j.core.tracker.TcpTransitions.ES;
import static io.conntrack4j.core.tracker.TcpTransitions.FIN;
import static io.conntrack4j.core.tracker.TcpTransitions.FW;
import static io.conntrack4j.core.tracker.TcpTransitions.IG;
import static io.conntrack4j.core.tracker.TcpTransitions.IV;
import static io.conntrack4j.core.tracker.TcpTransitions.LA;
import static io.conntrack4j.core.tracker.TcpTransitions.NO;
import static io.conntrack4j.core.tracker.TcpTransitions.ORIGINAL;
import static io.conntrack4j.core.tracker.TcpTransitions.REPLY;
import static io.conntrack4j.core.tracker.TcpTransitions.RST;
import static io.conntrack4j.core.tracker.TcpTransitions.S2;
import static io.conntrack4j.core.tracker.TcpTransitions.SR;
import static io.conntrack4j.core.tracker.TcpTransitions.SS;
import static io.conntrack4j.core.tracker.TcpTransitions.SYN;
import static io.conntrack4j.core.tracker.TcpTransitions.SYNACK;
import static io.conntrack4j.core.tracker.TcpTransitions.TW;

import io.conntrack4j.core.StatusBit;
import io.conntrack4j.core.Timeout;
import io.conntrack4j.core.TimeoutPolicy;
import io.conntrack4j.core.packet.PacketView;

/**
 * Linux's TCP tracker (nf_conntrack_proto_tcp.c, 6.x) over the {@link ConnectionStore} arrays:
 * the {@link TcpTransitions} table plus the rules around it (re-open from TIME_WAIT/CLOSE, the
 * ignore path and its SYN/ACK resynchronisation, RFC 5961 challenge ACKs, simultaneous open, RST
 * validation), window tracking after van Rooij with Linux's four bounds, retransmission and
 * unacknowledged-data timeouts, and the ASSURED rule. SACK as tcp_sack(): when the receiver
 * negotiated SACK_PERM, the highest SACK right edge after the ACK stands in for the ACK in bounds
 * III and IV, in the window growth ({@code swin = win + sack - ack}) and the receiver's
 * {@code td_maxend}; {@code td_maxack} and the unacknowledged-data flag still follow the ACK itself.
 * Difference, on purpose: retransmissions are recognised by a 32-bit fingerprint of
 * (seq, ack, end, window) instead of the four values.
 */
final class TcpTracker {

    /** Accepted: refresh the timeout to {@link #timeoutMs}. */
    static final int ACCEPT = 0;
    /** Accepted without refreshing the timeout (a retransmitted SYN before any reply). */
    static final int ACCEPT_NO_REFRESH = 1;
    /** Passed without updating the connection. */
    static final int IGNORE = 2;
    /** Invalid; {@link #reason} says why. */
    static final int INVALID = 3;
    /** A SYN re-opens a closed connection: delete it and look up again. */
    static final int REPEAT = 4;
    /** Accepted, and the connection ends now (an RST before any reply). */
    static final int KILL = 5;

    // ip_ct_tcp_state flags (the values ctnetlink carries, see TcpFlag)
    static final int F_WINDOW_SCALE = 0x01;
    static final int F_SACK_PERM = 0x02;
    static final int F_CLOSE_INIT = 0x04;
    static final int F_BE_LIBERAL = 0x08;
    static final int F_DATA_UNACKNOWLEDGED = 0x10;
    static final int F_MAXACK_SET = 0x20;

    // TCP_MISC layout: flags per direction (6 bits each), scale per direction (4 bits each),
    // last direction, last packet class, last window zero, simultaneous open, challenge ACK expected,
    // retransmission count.
    private static final int SCALE_SHIFT = 12;
    private static final int LAST_DIR_SHIFT = 20;
    private static final int LAST_INDEX_SHIFT = 21;
    private static final int LAST_WIN_ZERO = 1 << 24;
    private static final int SIMULTANEOUS_OPEN = 1 << 25;
    private static final int CHALLENGE_ACK = 1 << 26;
    private static final int RETRANS_SHIFT = 27;

    private static final int MAX_ACK_WINDOW = 66_000;
    /** Status bits and state of the connections {@link #established} handles. */
    private static final int FAST_MASK = ConnectionStore.STATE_MASK | StatusBit.SEEN_REPLY.mask() | StatusBit.ASSURED.mask();
    private static final int FAST_STATUS = ES << ConnectionStore.STATE_SHIFT | StatusBit.SEEN_REPLY.mask()
            | StatusBit.ASSURED.mask();
    private static final int TCP_FIN = PacketView.TCP_FIN;
    private static final int TCP_SYN = PacketView.TCP_SYN;
    private static final int TCP_RST = PacketView.TCP_RST;
    private static final int TCP_ACK = PacketView.TCP_ACK;

    private final ConnectionStore store;
    private final int[] p;
    private final int[] stateTimeoutMs = new int[10];
    private final int retransMs;
    private final int unackMs;
    private final int closeMs;
    private final TcpWindowMode mode;
    private final boolean loose;
    private final boolean ignoreInvalidRst;
    private final int maxRetrans;

    /** Out: why the last packet was invalid or ignored. */
    InvalidReason reason = InvalidReason.NONE;
    /** Out: the timeout to set after {@link #ACCEPT}. */
    int timeoutMs;
    /** Out: change bits ({@link TrackedConnection#CHANGE_PROTOINFO}, ...) of the last packet. */
    int changes;

    /** Working copy of TCP_MISC during one packet. */
    private int m;
    private int newState;

    TcpTracker(ConnectionStore store, TrackerConfig config) {
        this.store = store;
        this.p = store.records;
        TimeoutPolicy t = config.timeouts;
        Timeout[] byState = {Timeout.TCP_SYN_SENT, Timeout.TCP_SYN_SENT, Timeout.TCP_SYN_RECV, Timeout.TCP_ESTABLISHED,
            Timeout.TCP_FIN_WAIT, Timeout.TCP_CLOSE_WAIT, Timeout.TCP_LAST_ACK, Timeout.TCP_TIME_WAIT,
            Timeout.TCP_CLOSE, Timeout.TCP_SYN_SENT2};
        for (int s = 0; s < byState.length; s++) {
            stateTimeoutMs[s] = ConnectionTracker.millis(t, byState[s]);
        }
        this.retransMs = ConnectionTracker.millis(t, Timeout.TCP_MAX_RETRANS);
        this.unackMs = ConnectionTracker.millis(t, Timeout.TCP_UNACKNOWLEDGED);
        this.closeMs = ConnectionTracker.millis(t, Timeout.TCP_CLOSE);
        this.mode = config.tcpWindowMode;
        this.loose = config.tcpLoose;
        this.ignoreInvalidRst = config.tcpIgnoreInvalidRst;
        this.maxRetrans = config.tcpMaxRetrans;
    }

    // ------------------------------------------------------------------------------ packed fields

    private static int flags(int misc, int dir) {
        return misc >>> (6 * dir) & 0x3f;
    }

    private void setFlags(int dir, int flags) {
        m = m & ~(0x3f << 6 * dir) | (flags & 0x3f) << 6 * dir;
    }

    private void addFlags(int dir, int flags) {
        m |= (flags & 0x3f) << 6 * dir;
    }

    private static int scale(int misc, int dir) {
        return misc >>> (SCALE_SHIFT + 4 * dir) & 0xf;
    }

    private void setScale(int dir, int scale) {
        m = m & ~(0xf << SCALE_SHIFT + 4 * dir) | (scale & 0xf) << SCALE_SHIFT + 4 * dir;
    }

    private int lastDir() {
        return m >>> LAST_DIR_SHIFT & 1;
    }

    private int lastIndex() {
        return m >>> LAST_INDEX_SHIFT & 7;
    }

    private void setLast(int index, int dir) {
        m = m & ~(0xf << LAST_DIR_SHIFT) | dir << LAST_DIR_SHIFT | index << LAST_INDEX_SHIFT;
    }

    private int retrans() {
        return m >>> RETRANS_SHIFT & 0xf;
    }

    private void setRetrans(int n) {
        m = m & ~(0xf << RETRANS_SHIFT) | Math.min(n, 15) << RETRANS_SHIFT;
    }

    private static boolean before(int a, int b) {
        return a - b < 0;
    }

    private static boolean after(int a, int b) {
        return b - a < 0;
    }

    static int flagsOf(int misc, int dir) {
        return flags(misc, dir);
    }

    static int scaleOf(int misc, int dir) {
        return scale(misc, dir);
    }

    /** Packs ctnetlink-style flags and scales into a TCP_MISC word (for connections from outside). */
    static int misc(int flagsOriginal, int flagsReply, int scaleOriginal, int scaleReply) {
        return (flagsOriginal & 0x3f) | (flagsReply & 0x3f) << 6 | (scaleOriginal & 0xf) << SCALE_SHIFT
                | (scaleReply & 0xf) << SCALE_SHIFT + 4;
    }

    static boolean canEarlyDrop(int state) {
        return state == FW || state == CW || state == LA || state == TW || state == CL;
    }

    // ------------------------------------------------------------------------------- new connections

    /**
     * Whether a packet may create a connection: a SYN, or (loose pickup) an ACK. tcp_new().
     */
    boolean allowsNew(int tcpFlags) {
        int s = TcpTransitions.next(ORIGINAL, TcpTransitions.classify(tcpFlags), NO);
        return s == SS || s == ES && loose;
    }

    /** Initialises a connection from its first packet, which {@link #allowsNew} accepted. */
    void init(int id, PacketView v) {
        int base = ConnectionStore.proto(id);
        int flags = v.tcpFlags();
        int end = end(v);
        int win = v.tcpWindow();
        m = 0;
        p[base + END] = end;
        p[base + MAXWIN] = win == 0 ? 1 : win;
        if ((flags & TCP_SYN) != 0) {
            p[base + MAXEND] = end;
            options(ORIGINAL, v);
        } else {
            // picked up mid-stream: the history is lost, so trust the packet and be liberal both ways
            p[base + MAXEND] = end + p[base + MAXWIN];
            setFlags(ORIGINAL, F_SACK_PERM | F_BE_LIBERAL);
            setFlags(REPLY, F_SACK_PERM | F_BE_LIBERAL);
        }
        setLast(TcpTransitions.NONE, ORIGINAL);
        p[base + TCP_MISC] = m;
    }

    private static int end(PacketView v) {
        int flags = v.tcpFlags();
        return (int) v.tcpSequence() + v.payloadLength() + ((flags & TCP_SYN) != 0 ? 1 : 0)
                + ((flags & TCP_FIN) != 0 ? 1 : 0);
    }

    /** tcp_options(): only when the header has options; resets scale and all flags but BE_LIBERAL. */
    private void options(int dir, PacketView v) {
        if (v.tcpHeaderLength() <= 20) {
            return;
        }
        int f = flags(m, dir) & F_BE_LIBERAL;
        int scale = 0;
        if (v.tcpSackPermitted()) {
            f |= F_SACK_PERM;
        }
        if (v.tcpWindowScale() >= 0) {
            scale = Math.min(v.tcpWindowScale(), 14);
            f |= F_WINDOW_SCALE;
        }
        setFlags(dir, f);
        setScale(dir, scale);
    }

    // ---------------------------------------------------------------------------------- packets

    /**
     * nf_conntrack_tcp_packet(): one packet of a connection.
     *
     * @param id the connection
     * @param dir 0 original, 1 reply
     * @param v the packet
     * @param nowMs the current time in the store's milliseconds
     * @return {@link #ACCEPT} ... {@link #KILL}
     */
    int packet(int id, int dir, PacketView v, int nowMs) {
        int base = ConnectionStore.proto(id);
        int status = store.status(id);
        int flags = v.tcpFlags();
        if ((flags & (TCP_SYN | TCP_FIN | TCP_RST | TCP_ACK)) == TCP_ACK && (status & FAST_MASK) == FAST_STATUS
                && mode != TcpWindowMode.OFF && established(base, dir, v)) {
            return ACCEPT;
        }
        m = p[base + TCP_MISC];
        changes = 0;
        reason = InvalidReason.NONE;
        int old = store.state(id);
        int index = TcpTransitions.classify(flags);
        newState = TcpTransitions.next(dir, index, old);
        int seq = (int) v.tcpSequence();
        int ack = (int) v.tcpAcknowledgement();
        boolean checkWindow = mode != TcpWindowMode.OFF;

        switch (newState) {
            case SS:
                if (old < TW) {
                    break;
                }
                // RFC 1122 TIME-WAIT re-use, or an aborted connection the client restarts
                if (((flags(m, ORIGINAL) | flags(m, REPLY)) & F_CLOSE_INIT) != 0
                        || lastDir() == dir && lastIndex() == RST) {
                    return REPEAT;
                }
                return ignore(id, base, dir, index, old, v);
            case IG:
                if (index == SYNACK && lastIndex() == SYN && lastDir() != dir && ack == p[base + TCP_LAST_END]) {
                    resynchronise(base, dir);
                    old = SS;
                    newState = SR;
                    break;
                }
                return ignore(id, base, dir, index, old, v);
            case IV:
                reason = InvalidReason.TCP_INVALID_STATE;
                return INVALID;
            case TW:
                if (old == LA && index == ACK && lastDir() != dir && lastIndex() == SYN && (m & CHALLENGE_ACK) != 0) {
                    // an RFC 5961 challenge ACK provoked by a SYN, not the ACK of the last FIN
                    m &= ~CHALLENGE_ACK;
                    p[base + TCP_MISC] = m;
                    reason = InvalidReason.TCP_IGNORED;
                    return IGNORE;
                }
                break;
            case S2:
                m |= SIMULTANEOUS_OPEN;
                break;
            case SR:
                if (dir == REPLY && index == ACK && (m & SIMULTANEOUS_OPEN) != 0) {
                    newState = ES;
                }
                break;
            case CL:
                if (index == RST) {
                    int rst = checkRst(base, dir, old, status, seq, ack);
                    if (rst == INVALID) {
                        p[base + TCP_MISC] = m;
                        reason = InvalidReason.TCP_INVALID_RST;
                        return INVALID;
                    }
                    if (rst == ACCEPT) {
                        checkWindow = false;
                    }
                }
                break;
            default:
                break;
        }

        if (checkWindow) {
            int res = inWindow(base, dir, index, v, old);
            if (res == IGNORE) {
                p[base + TCP_MISC] = m;
                reason = InvalidReason.TCP_IGNORED;
                return IGNORE;
            }
            if (res == INVALID) {
                handleInvalid(id, dir, index, nowMs);
                p[base + TCP_MISC] = m;
                return INVALID;
            }
        }

        // in window from here
        setLast(index, dir);
        store.setState(id, newState);
        if (old != newState && newState == FW) {
            addFlags(dir, F_CLOSE_INIT);
        }
        int timeout = timeout(newState, index);
        p[base + TCP_MISC] = m;
        if (newState != old) {
            changes |= TrackedConnection.CHANGE_PROTOINFO;
        }
        if ((status & StatusBit.SEEN_REPLY.mask()) == 0) {
            if ((flags & TCP_RST) != 0) {
                // the only answer was an RST: there is no connection
                return KILL;
            }
            if (index == SYN && old == SS) {
                // a retransmitted SYN must not keep a stale entry (or its NAT mapping) alive
                return ACCEPT_NO_REFRESH;
            }
            if (newState == ES && timeout > unackMs) {
                // picked up mid-stream and unanswered so far
                timeout = unackMs;
            }
        } else if ((status & StatusBit.ASSURED.mask()) == 0 && (old == SR || old == ES) && newState == ES) {
            store.setStatus(id, store.status(id) | StatusBit.ASSURED.mask());
            changes |= TrackedConnection.CHANGE_ASSURED;
        }
        timeoutMs = timeout;
        return ACCEPT;
    }

    /** The timeout after an accepted packet: the state's, or shorter for retransmissions, RST, unacknowledged data, a zero window. */
    private int timeout(int state, int index) {
        int stateTimeout = stateTimeoutMs[state];
        if (retrans() >= maxRetrans && stateTimeout > retransMs) {
            return retransMs;
        } else if (index == RST) {
            return closeMs;
        } else if (((flags(m, ORIGINAL) | flags(m, REPLY)) & F_DATA_UNACKNOWLEDGED) != 0 && stateTimeout > unackMs) {
            return unackMs;
        } else if ((m & LAST_WIN_ZERO) != 0 && stateTimeout > retransMs) {
            return retransMs;
        }
        return stateTimeout;
    }

    /**
     * The common case in full: an ACK (data or not) on an assured ESTABLISHED connection whose
     * sender's window is known. The transition table says ESTABLISHED again, and tcp_in_window()'s
     * four bounds decide; when one fails nothing has changed and the general path takes over (for
     * the overshoot rule, liberal mode and the reasons).
     *
     * @return whether the packet was accepted, with {@link #timeoutMs} set
     */
    private boolean established(int base, int dir, PacketView v) {
        int s = base + 4 * dir;
        int r = base + 4 * (1 - dir);
        int misc = p[base + TCP_MISC];
        int senderMaxwin = p[s + MAXWIN];
        if (senderMaxwin == 0) {
            return false;
        }
        int seq = (int) v.tcpSequence();
        int ack = (int) v.tcpAcknowledgement();
        int sack = (flags(misc, 1 - dir) & F_SACK_PERM) != 0 ? v.tcpSackEdge(ack) : ack;
        int end = seq + v.payloadLength();
        int receiverEnd = p[r + END];
        int receiverMaxwin = p[r + MAXWIN];
        if (!before(seq, p[s + MAXEND] + 1) || !before(sack, receiverEnd + 1)
                || receiverMaxwin != 0 && !after(end, p[s + END] - receiverMaxwin - 1)
                || !after(sack, receiverEnd - maxAckWindow(senderMaxwin) - 1)) {
            return false;
        }
        m = misc;
        changes = 0;
        reason = InvalidReason.NONE;
        int winRaw = v.tcpWindow();
        update(base, dir, ACK, seq, ack, sack, end, winRaw << scale(misc, dir), winRaw, true);
        setLast(ACK, dir);
        timeoutMs = timeout(ES, ACK);
        p[base + TCP_MISC] = m;
        return true;
    }

    /** The RST rules of the CLOSE case; returns ACCEPT to skip the window check, IGNORE to check it, or INVALID. */
    private int checkRst(int base, int dir, int old, int status, int seq, int ack) {
        if (canEarlyDrop(old)) {
            // closing: the tuple may already be re-used and our window data outdated
            return ACCEPT;
        }
        int r = base + 4 * (1 - dir);
        boolean established = old == ES && (status & StatusBit.ASSURED.mask()) != 0;
        if ((flags(m, 1 - dir) & F_MAXACK_SET) != 0 && lastIndex() != SYN) {
            if (seq == 0 && !established) {
                return IGNORE;
            }
            if (before(seq, p[r + MAXACK]) && !ignoreInvalidRst) {
                return INVALID;
            }
            if (!established || seq == p[r + MAXACK]) {
                return IGNORE;
            }
            if (lastIndex() == ACK && lastDir() == dir && seq == p[base + TCP_LAST_END]) {
                // the RST ends a train of data from the same side
                return IGNORE;
            }
            // in the window but not exact: keep the state, the peer will send a challenge ACK
            newState = old;
        }
        boolean seenReply = (status & StatusBit.SEEN_REPLY.mask()) != 0;
        boolean assured = (status & StatusBit.ASSURED.mask()) != 0;
        if ((seenReply && lastIndex() == SYN || !assured && lastIndex() == ACK) && ack == p[base + TCP_LAST_END]) {
            // answers a SYN or half-open ACK we let through: it may acknowledge what we ignored
            return ACCEPT;
        }
        if (old == SS && lastIndex() == ACK && lastDir() == REPLY && seq == p[base + TCP_LAST_AUX]) {
            // answers a challenge ACK we let through
            return ACCEPT;
        }
        return IGNORE;
    }

    /** The ignore path: annotate the packet so that a matching answer can resynchronise us. */
    private int ignore(int id, int base, int dir, int index, int old, PacketView v) {
        setLast(index, dir);
        p[base + TCP_LAST_END] = end(v);
        int win = v.tcpWindow();
        m = win == 0 ? m | LAST_WIN_ZERO : m & ~LAST_WIN_ZERO;
        if (index == SYN && dir == ORIGINAL) {
            int f = 0;
            int scale = 0;
            if (v.tcpHeaderLength() > 20) {
                if (v.tcpWindowScale() >= 0) {
                    f |= F_WINDOW_SCALE;
                    scale = Math.min(v.tcpWindowScale(), 14);
                }
                if (v.tcpSackPermitted()) {
                    f |= F_SACK_PERM;
                }
            }
            p[base + TCP_LAST_AUX] = win | scale << 16 | f << 20;
            m = old == LA ? m | CHALLENGE_ACK : m & ~CHALLENGE_ACK;
        }
        if (old == SS && index == ACK && dir == REPLY) {
            p[base + TCP_LAST_AUX] = (int) v.tcpAcknowledgement();
        }
        p[base + TCP_MISC] = m;
        reason = InvalidReason.TCP_IGNORED;
        return IGNORE;
    }

    /** A SYN/ACK answers a SYN we ignored: client and server agree, so take the annotated SYN as truth. */
    private void resynchronise(int base, int dir) {
        int ld = lastDir();
        int s = base + 4 * ld;
        int aux = p[base + TCP_LAST_AUX];
        p[s + END] = p[base + TCP_LAST_END];
        p[s + MAXEND] = p[base + TCP_LAST_END];
        int win = aux & 0xffff;
        p[s + MAXWIN] = win == 0 ? 1 : win;
        p[s + MAXACK] = 0;
        setScale(ld, aux >>> 16 & 0xf);
        setFlags(ld, aux >>> 20 & (F_WINDOW_SCALE | F_SACK_PERM));
        m &= ~CHALLENGE_ACK;
        int r = base + 4 * dir;
        p[r + END] = 0;
        p[r + MAXEND] = 0;
        p[r + MAXWIN] = 0;
        p[r + MAXACK] = 0;
        setScale(dir, 0);
        setFlags(dir, flags(m, dir) & F_BE_LIBERAL);
    }

    /** nf_tcp_handle_invalid(): out-of-window FIN/RST from both sides shrink an assured entry's lifetime. */
    private void handleInvalid(int id, int dir, int index, int nowMs) {
        int status = store.status(id);
        if ((status & StatusBit.ASSURED.mask()) == 0 || (status & StatusBit.FIXED_TIMEOUT.mask()) != 0) {
            return;
        }
        if (index != RST && index != FIN) {
            return;
        }
        if (lastDir() != dir && (lastIndex() == FIN || lastIndex() == RST)) {
            int left = store.expiry(id) - nowMs;
            if (left < 120_000) {
                return;
            }
            if (left > unackMs) {
                store.setExpiry(id, nowMs + unackMs);
            }
        } else {
            setLast(index, dir);
        }
    }

    private static int maxAckWindow(int maxwin) {
        return Integer.compareUnsigned(maxwin, MAX_ACK_WINDOW) > 0 ? maxwin : MAX_ACK_WINDOW;
    }

    /** tcp_init_sender(): the first SYN or SYN/ACK of a direction. */
    private void initSender(int base, int dir, PacketView v, int end, int win) {
        int s = base + 4 * dir;
        p[s + END] = end;
        p[s + MAXEND] = end;
        p[s + MAXWIN] = win == 0 ? 1 : win;
        options(dir, v);
        // RFC 1323: scaling applies only if both sides offered it
        if (dir == REPLY && ((flags(m, REPLY) & F_WINDOW_SCALE) == 0 || (flags(m, ORIGINAL) & F_WINDOW_SCALE) == 0)) {
            setScale(REPLY, 0);
            setScale(ORIGINAL, 0);
        }
    }

    /**
     * tcp_in_window(): van Rooij's bounds. I: seq <= sender.maxend; II: end >= sender.end -
     * receiver.maxwin; III: ack <= receiver.end; IV: ack >= receiver.end - max(66000, sender.maxwin).
     */
    private int inWindow(int base, int dir, int index, PacketView v, int state) {
        int s = base + 4 * dir;
        int r = base + 4 * (1 - dir);
        int flags = v.tcpFlags();
        boolean syn = (flags & TCP_SYN) != 0;
        boolean hasAck = (flags & TCP_ACK) != 0;
        int seq = (int) v.tcpSequence();
        int ack = (int) v.tcpAcknowledgement();
        // tcp_sack(): a receiver that negotiated SACK may be told about data beyond the cumulative ACK
        int sack = (flags(m, 1 - dir) & F_SACK_PERM) != 0 ? v.tcpSackEdge(ack) : ack;
        int winRaw = v.tcpWindow();
        int win = winRaw;
        int end = end(v);

        if (p[s + MAXWIN] == 0) {
            if (syn) {
                initSender(base, dir, v, end, win);
                if (!hasAck) {
                    return ACCEPT; // simultaneous open
                }
            } else {
                // mid-connection: our history of this direction is lost, take the packet's word
                p[s + END] = end;
                int swin = win << scale(m, dir);
                p[s + MAXWIN] = swin == 0 ? 1 : swin;
                p[s + MAXEND] = end + p[s + MAXWIN];
                if (p[r + MAXWIN] == 0) {
                    p[r + END] = sack;
                    p[r + MAXEND] = sack;
                } else if (sack == p[r + END] + 1) {
                    p[r + END]++; // likely the answer to a keepalive
                }
            }
        } else if (syn && after(end, p[s + END]) && (state == SS || state == SR)) {
            // RFC 793: a re-initialised TCP may send a new SYN with a higher sequence number
            initSender(base, dir, v, end, win);
            if (dir == REPLY && !hasAck) {
                return ACCEPT;
            }
        }

        if (!hasAck) {
            ack = sack = p[r + END];
        } else if ((flags & (TCP_ACK | TCP_RST)) == (TCP_ACK | TCP_RST) && ack == 0) {
            ack = sack = p[r + END]; // broken stacks send RST+ACK with ack 0
        }
        if ((flags & TCP_RST) != 0 && seq == 0 && state == SS) {
            seq = end = p[s + END]; // RST answering a SYN
        }

        boolean liberal = mode == TcpWindowMode.LIBERAL || (flags(m, dir) & F_BE_LIBERAL) != 0;
        int maxAck = maxAckWindow(p[s + MAXWIN]);
        if (!before(seq, p[s + MAXEND] + 1)) {
            int overshot = end - p[s + MAXEND] + 1;
            boolean ackOk = after(sack, p[r + END] - maxAck - 1);
            boolean inReceiveWindow = p[r + MAXWIN] != 0 && after(end, p[s + END] - p[r + MAXWIN] - 1);
            if (inReceiveWindow && ackOk && Integer.compareUnsigned(overshot, p[r + MAXWIN]) <= 0
                    && before(sack, p[r + END] + 1)) {
                // a sender overshooting the receive window by less than a window: let the ACK of
                // this data update us later
                p[s + END] = end;
                addFlags(dir, F_DATA_UNACKNOWLEDGED);
                return liberal ? ACCEPT : IGNORE;
            }
            reason = InvalidReason.TCP_SEQ_OVER_UPPER_BOUND;
            return liberal ? ACCEPT : INVALID;
        }
        if (!before(sack, p[r + END] + 1)) {
            reason = InvalidReason.TCP_ACK_OVER_UPPER_BOUND;
            return liberal ? ACCEPT : INVALID;
        }
        boolean inReceiveWindow = p[r + MAXWIN] == 0 || after(end, p[s + END] - p[r + MAXWIN] - 1);
        if (!inReceiveWindow) {
            return liberal ? ACCEPT : IGNORE; // already acknowledged data retransmitted
        }
        if (!after(sack, p[r + END] - maxAck - 1)) {
            return liberal ? ACCEPT : IGNORE; // an overly delayed ACK
        }

        if (!syn) {
            win <<= scale(m, dir);
        }
        update(base, dir, index, seq, ack, sack, end, win, winRaw, hasAck);
        return ACCEPT;
    }

    /** The in-window part of tcp_in_window(): the sender's and receiver's data and the retransmission count. */
    private void update(int base, int dir, int index, int seq, int ack, int sack, int end, int win, int winRaw,
                        boolean hasAck) {
        int s = base + 4 * dir;
        int r = base + 4 * (1 - dir);
        int swin = win + (sack - ack);
        if (Integer.compareUnsigned(p[s + MAXWIN], swin) < 0) {
            p[s + MAXWIN] = swin;
        }
        if (after(end, p[s + END])) {
            p[s + END] = end;
            addFlags(dir, F_DATA_UNACKNOWLEDGED);
        }
        if (hasAck) {
            if ((flags(m, dir) & F_MAXACK_SET) == 0) {
                p[s + MAXACK] = ack;
                addFlags(dir, F_MAXACK_SET);
            } else if (after(ack, p[s + MAXACK])) {
                p[s + MAXACK] = ack;
            }
        }
        if (p[r + MAXWIN] != 0 && after(end, p[s + MAXEND])) {
            p[r + MAXWIN] += end - p[s + MAXEND];
        }
        if (after(sack + win, p[r + MAXEND] - 1)) {
            p[r + MAXEND] = sack + win;
            if (win == 0) {
                p[r + MAXEND]++;
            }
        }
        if (ack == p[r + END]) {
            setFlags(1 - dir, flags(m, 1 - dir) & ~F_DATA_UNACKNOWLEDGED);
        }
        if (index == ACK) {
            int fingerprint = fingerprint(seq, ack, winRaw);
            if (lastDir() == dir && p[base + TCP_LAST_AUX] == fingerprint && p[base + TCP_LAST_END] == end) {
                setRetrans(retrans() + 1);
            } else {
                m = m & ~(1 << LAST_DIR_SHIFT) | dir << LAST_DIR_SHIFT;
                p[base + TCP_LAST_AUX] = fingerprint;
                p[base + TCP_LAST_END] = end;
                m = winRaw == 0 ? m | LAST_WIN_ZERO : m & ~LAST_WIN_ZERO;
                setRetrans(0);
            }
        }
    }

    private static int fingerprint(int seq, int ack, int win) {
        int h = seq * 0x9E3779B1 ^ ack;
        h = h * 0x85EBCA6B ^ win;
        return h * 0xC2B2AE35 ^ h >>> 16;
    }
}

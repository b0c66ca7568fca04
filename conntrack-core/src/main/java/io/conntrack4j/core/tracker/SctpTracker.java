package io.conntrack4j.core.tracker;

import io.conntrack4j.core.StatusBit;
import io.conntrack4j.core.Timeout;
import io.conntrack4j.core.TimeoutPolicy;
import io.conntrack4j.core.packet.PacketView;

/**
 * Linux's SCTP tracker (net/netfilter/nf_conntrack_proto_sctp.c, 6.x): the {@code sctp_conntracks}
 * table walked once per chunk, the chunk sanity rules (INIT, INIT_ACK and SHUTDOWN_COMPLETE alone,
 * COOKIE_ECHO and COOKIE_ACK first), verification tags learned from INIT and INIT_ACK and checked on
 * every packet with the RFC 4960 8.5.1 exceptions, and HEARTBEAT-created secondary-path entries.
 * Protocol part of a record: vtag original, vtag reply, flags.
 */
final class SctpTracker {

    static final int ACCEPT = 0;
    static final int ACCEPT_NO_REFRESH = 1;
    static final int INVALID = 2;

    // chunk types (RFC 4960 3.2)
    static final int DATA = 0;
    static final int INIT = 1;
    static final int INIT_ACK = 2;
    static final int HEARTBEAT = 4;
    static final int HEARTBEAT_ACK = 5;
    static final int ABORT = 6;
    static final int SHUTDOWN = 7;
    static final int SHUTDOWN_ACK = 8;
    static final int ERROR = 9;
    static final int COOKIE_ECHO = 10;
    static final int COOKIE_ACK = 11;
    static final int SHUTDOWN_COMPLETE = 14;
    private static final int FLAG_T = 0x01;

    // states (SctpState numbers)
    static final int NO = 0;
    static final int CL = 1;
    static final int CW = 2;
    static final int CE = 3;
    static final int ES = 4;
    static final int SS = 5;
    static final int SR = 6;
    static final int SA = 7;
    static final int HS = 8;
    static final int IV = 9;

    private static final int VTAG = 0;
    private static final int FLAGS = 2;
    private static final int INIT_SEEN = 1;          // << direction
    private static final int HEARTBEAT_VTAG_FAILED = 4;
    private static final int LAST_DIR = 8;

    /** Rows: INIT, INIT_ACK, ABORT, SHUTDOWN, SHUTDOWN_ACK, ERROR, COOKIE_ECHO, COOKIE_ACK, SHUTDOWN_COMPLETE, HEARTBEAT, HEARTBEAT_ACK. */
    private static final int[][][] TABLE = {
        {
            // ORIGINAL   NO  CL  CW  CE  ES  SS  SR  SA  HS
            /* init    */ {CL, CL, CW, CE, ES, CL, CL, SA, CW},
            /* init_ack*/ {CL, CL, CW, CE, ES, SS, SR, SA, CL},
            /* abort   */ {CL, CL, CL, CL, CL, CL, CL, CL, CL},
            /* shutdown*/ {CL, CL, CW, CE, SS, SS, SR, SA, CL},
            /* shut_ack*/ {SA, CL, CW, CE, ES, SA, SA, SA, SA},
            /* error   */ {CL, CL, CW, CE, ES, SS, SR, SA, CL},
            /* c_echo  */ {CL, CL, CE, CE, ES, SS, SR, SA, CL},
            /* c_ack   */ {CL, CL, CW, ES, ES, SS, SR, SA, CL},
            /* shut_cmp*/ {CL, CL, CW, CE, ES, SS, SR, CL, CL},
            /* hb      */ {HS, CL, CW, CE, ES, SS, SR, SA, HS},
            /* hb_ack  */ {CL, CL, CW, CE, ES, SS, SR, SA, HS},
        },
        {
            // REPLY      NO  CL  CW  CE  ES  SS  SR  SA  HS
            /* init    */ {IV, CL, CW, CE, ES, SS, SR, SA, IV},
            /* init_ack*/ {IV, CW, CW, CE, ES, SS, SR, SA, IV},
            /* abort   */ {IV, CL, CL, CL, CL, CL, CL, CL, IV},
            /* shutdown*/ {IV, CL, CW, CE, SR, SS, SR, SA, IV},
            /* shut_ack*/ {IV, CL, CW, CE, ES, SA, SA, SA, IV},
            /* error   */ {IV, CL, CW, CL, ES, SS, SR, SA, IV},
            /* c_echo  */ {IV, CL, CE, CE, ES, SS, SR, SA, IV},
            /* c_ack   */ {IV, CL, CW, ES, ES, SS, SR, SA, IV},
            /* shut_cmp*/ {IV, CL, CW, CE, ES, SS, SR, CL, IV},
            /* hb      */ {IV, CL, CW, CE, ES, SS, SR, SA, HS},
            /* hb_ack  */ {IV, CL, CW, CE, ES, SS, SR, SA, ES},
        },
    };

    private final ConnectionStore store;
    private final int[] p;
    private final int[] timeoutMs = new int[9];

    /** Out: the timeout after {@link #ACCEPT}. */
    int timeout;
    /** Out: change bits of the last packet. */
    int changes;

    SctpTracker(ConnectionStore store, TrackerConfig config) {
        this.store = store;
        this.p = store.records;
        TimeoutPolicy t = config.timeouts;
        Timeout[] byState = {Timeout.SCTP_CLOSED, Timeout.SCTP_CLOSED, Timeout.SCTP_COOKIE_WAIT,
            Timeout.SCTP_COOKIE_ECHOED, Timeout.SCTP_ESTABLISHED, Timeout.SCTP_SHUTDOWN_SENT,
            Timeout.SCTP_SHUTDOWN_RECD, Timeout.SCTP_SHUTDOWN_ACK_SENT, Timeout.SCTP_HEARTBEAT_SENT};
        for (int s = 0; s < byState.length; s++) {
            timeoutMs[s] = ConnectionTracker.millis(t, byState[s]);
        }
    }

    /** sctp_new_state(): the table row of a chunk type; other chunks (DATA, SACK...) keep the state. */
    static int next(int dir, int state, int chunkType) {
        int row = switch (chunkType) {
            case INIT -> 0;
            case INIT_ACK -> 1;
            case ABORT -> 2;
            case SHUTDOWN -> 3;
            case SHUTDOWN_ACK -> 4;
            case ERROR -> 5;
            case COOKIE_ECHO -> 6;
            case COOKIE_ACK -> 7;
            case SHUTDOWN_COMPLETE -> 8;
            case HEARTBEAT -> 9;
            case HEARTBEAT_ACK -> 10;
            default -> -1;
        };
        return row < 0 ? state : TABLE[dir][row][state];
    }

    /**
     * do_basic_checks(): the chunk types present as a bit map, or -1 when INIT, INIT_ACK or
     * SHUTDOWN_COMPLETE is not alone or COOKIE_ECHO/COOKIE_ACK is not first.
     */
    static long chunkMap(PacketView v) {
        long map = 0;
        boolean alone = false;
        int count = 0;
        for (int c = v.firstSctpChunk(); c >= 0; c = v.nextSctpChunk(c), count++) {
            int type = v.sctpChunkType(c);
            if (type == INIT || type == INIT_ACK || type == SHUTDOWN_COMPLETE) {
                alone = true;
            }
            if ((type == COOKIE_ACK || type == COOKIE_ECHO || alone) && count != 0) {
                return -1;
            }
            if (type < 64) {
                map |= 1L << type;
            }
        }
        return count == 0 ? -1 : map;
    }

    private static boolean has(long map, int type) {
        return (map >>> type & 1) != 0;
    }

    private static int initTag(PacketView v, int chunk) {
        return v.byteAt(chunk + 4) << 24 | v.byteAt(chunk + 5) << 16 | v.byteAt(chunk + 6) << 8 | v.byteAt(chunk + 7);
    }

    /**
     * sctp_new(): whether a packet may create a connection. Out-of-the-blue ABORT, SHUTDOWN_COMPLETE
     * and COOKIE_ACK may not (RFC 4960 8.4), nor chunks that leave the state NONE (DATA alone).
     */
    static boolean allowsNew(PacketView v) {
        long map = chunkMap(v);
        if (map < 0 || has(map, ABORT) || has(map, SHUTDOWN_COMPLETE) || has(map, COOKIE_ACK)) {
            return false;
        }
        for (int c = v.firstSctpChunk(); c >= 0; c = v.nextSctpChunk(c)) {
            int type = v.sctpChunkType(c);
            int s = next(0, NO, type);
            if (s == NO || s == IV) {
                return false;
            }
            if (type == INIT && (v.sctpVerificationTag() != 0 || v.sctpChunkLength(c) < 8)) {
                return false; // 8.5.1 (A)
            }
        }
        return true;
    }

    /** Learns the first tags of a connection that {@link #allowsNew} accepted. */
    void init(int id, PacketView v) {
        int base = ConnectionStore.proto(id);
        int vtag = (int) v.sctpVerificationTag();
        for (int c = v.firstSctpChunk(); c >= 0; c = v.nextSctpChunk(c)) {
            int type = v.sctpChunkType(c);
            if (type == INIT) {
                p[base + VTAG + 1] = initTag(v, c);
            } else if (type == HEARTBEAT) {
                p[base + VTAG] = vtag;
            } else if (type == SHUTDOWN_ACK) {
                p[base + VTAG + 1] = vtag; // out of the blue: expect SHUTDOWN_COMPLETE or ABORT back
            }
        }
    }

    /** nf_conntrack_sctp_packet() for a connection (new ones after {@link #init}). */
    int packet(int id, int dir, PacketView v, boolean confirmed) {
        changes = 0;
        long map = chunkMap(v);
        if (map < 0) {
            return INVALID;
        }
        int base = ConnectionStore.proto(id);
        int vtag = (int) v.sctpVerificationTag();
        if (!has(map, INIT) && !has(map, SHUTDOWN_COMPLETE) && !has(map, COOKIE_ECHO) && !has(map, ABORT)
                && !has(map, SHUTDOWN_ACK) && !has(map, HEARTBEAT) && !has(map, HEARTBEAT_ACK)
                && vtag != p[base + VTAG + dir]) {
            return INVALID; // 8.5: verification tag
        }
        boolean ignore = false;
        int oldState = NO;
        int newState = NO;
        int flags = p[base + FLAGS];
        for (int c = v.firstSctpChunk(); c >= 0; c = v.nextSctpChunk(c)) {
            int type = v.sctpChunkType(c);
            boolean t = (v.sctpChunkFlags(c) & FLAG_T) != 0;
            if (type == INIT) {
                if (vtag != 0) {
                    return INVALID; // 8.5.1 (A)
                }
            } else if (type == ABORT || type == SHUTDOWN_COMPLETE) {
                // 8.5.1 (B), (C): own tag, or the peer's with the T bit
                if (vtag != p[base + VTAG + (t ? 1 - dir : dir)]) {
                    return INVALID;
                }
            } else if (type == COOKIE_ECHO) {
                if (vtag != p[base + VTAG + dir]) {
                    return INVALID; // 8.5.1 (D)
                }
            } else if (type == COOKIE_ACK) {
                flags &= ~(INIT_SEEN | INIT_SEEN << 1);
            } else if (type == HEARTBEAT) {
                if (p[base + VTAG + dir] == 0) {
                    p[base + VTAG + dir] = vtag;
                } else if (vtag != p[base + VTAG + dir]) {
                    if (has(map, DATA) || ignore) {
                        return INVALID;
                    }
                    flags = flags | HEARTBEAT_VTAG_FAILED;
                    flags = dir == 1 ? flags | LAST_DIR : flags & ~LAST_DIR;
                    ignore = true;
                    continue;
                } else {
                    flags &= ~HEARTBEAT_VTAG_FAILED;
                }
            } else if (type == HEARTBEAT_ACK) {
                if (p[base + VTAG + dir] == 0) {
                    p[base + VTAG + dir] = vtag;
                } else if (vtag != p[base + VTAG + dir]) {
                    int lastDir = (flags & LAST_DIR) != 0 ? 1 : 0;
                    if (has(map, DATA) || ignore || (flags & HEARTBEAT_VTAG_FAILED) == 0 || lastDir == dir) {
                        return INVALID;
                    }
                    // the peer moved to another path: take its tag
                    flags &= ~HEARTBEAT_VTAG_FAILED;
                    p[base + VTAG + dir] = vtag;
                    p[base + VTAG + 1 - dir] = 0;
                } else {
                    flags &= ~HEARTBEAT_VTAG_FAILED;
                }
            }
            oldState = store.state(id);
            newState = next(dir, oldState, type);
            if (newState == IV) {
                p[base + FLAGS] = flags;
                return INVALID;
            }
            if (type == INIT) {
                if (v.sctpChunkLength(c) < 8) {
                    return INVALID;
                }
                int self = INIT_SEEN << dir;
                int peer = INIT_SEEN << 1 - dir;
                if ((flags & self) != 0 && (flags & peer) != 0) {
                    flags &= ~peer;
                }
                flags |= self;
                p[base + VTAG + 1 - dir] = initTag(v, c);
                // a retransmitted INIT must not keep the entry (or its NAT mapping) alive
                if (newState == CL && oldState == CL && confirmed) {
                    ignore = true;
                }
            } else if (type == INIT_ACK) {
                if (v.sctpChunkLength(c) < 8) {
                    return INVALID;
                }
                int tag = initTag(v, c);
                int known = p[base + VTAG + 1 - dir];
                boolean peerInit = (flags & INIT_SEEN << 1 - dir) != 0;
                boolean selfInit = (flags & INIT_SEEN << dir) != 0;
                if (!peerInit && known != 0 && known != tag || selfInit && peerInit && known != tag) {
                    return INVALID;
                }
                p[base + VTAG + 1 - dir] = tag;
            }
            store.setState(id, newState);
            if (oldState != newState) {
                changes |= TrackedConnection.CHANGE_PROTOINFO;
                int status = store.status(id);
                if (newState == ES && (status & StatusBit.ASSURED.mask()) == 0) {
                    store.setStatus(id, status | StatusBit.ASSURED.mask());
                    changes |= TrackedConnection.CHANGE_ASSURED;
                }
            }
        }
        p[base + FLAGS] = flags;
        if (ignore) {
            return ACCEPT_NO_REFRESH;
        }
        timeout = timeoutMs[newState];
        return ACCEPT;
    }

    int vtag(int id, int dir) {
        return p[ConnectionStore.proto(id) + VTAG + dir];
    }
}

package io.conntrack4j.core.tracker;

import io.conntrack4j.core.Connection;
import io.conntrack4j.core.EventType;
import io.conntrack4j.core.Expectation;
import io.conntrack4j.core.Filter;
import io.conntrack4j.core.IpAddress;
import io.conntrack4j.core.L4Protocol;
import io.conntrack4j.core.StatusBit;
import io.conntrack4j.core.Timeout;
import io.conntrack4j.core.TimeoutPolicy;
import io.conntrack4j.core.Tuple;
import io.conntrack4j.core.internal.TupleKeys;
import io.conntrack4j.core.packet.PacketView;
import io.conntrack4j.core.packet.ParseResult;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A user-space connection tracker with Linux's semantics: feed it parsed packets, it finds or
 * creates their connection, runs the protocol's state machine (TCP with window tracking, SCTP, UDP,
 * UDP-Lite, ICMP, ICMPv6, GRE, generic) and says NEW, ESTABLISHED, RELATED, INVALID or UNTRACKED.
 * Connections expire by their timeouts, lazily when met and through {@link #sweep(int)}; listeners
 * receive NEW/UPDATE/DESTROY events; entries can also be created, updated and deleted from outside
 * ({@link #apply(EventType, Connection)}: state sync, kernel dumps) without running the packet
 * state machine. One instance is one shard with a single owner thread (see the package
 * documentation). Processing a packet allocates nothing.
 *
 * <pre>{@code
 * ConnectionTracker tracker = new ConnectionTracker(TrackerConfig.defaults());
 * PacketView view = new PacketView();
 * ProcessResult result = new ProcessResult();
 * view.parse(LinkType.ETHERNET, frame, 0, frame.length);
 * tracker.process(view, 0, result);
 * tracker.forEach(c -> System.out.println(format.format(c.toConnection())));
 * }</pre>
 */
public final class ConnectionTracker {

    static final int SINGLE_KEY = 1 << 19;
    /** Packets per stage of the batch path: enough misses in flight, scratch that stays in L1. */
    private static final int STAGE = 32;
    /** A lookup not made yet (never an entry, never {@link ConnectionIndex#NOT_FOUND}). */
    private static final int UNKNOWN = -2;
    private static final int EARLY_DROP_SLOTS = 32;
    private static final int UDP_STREAM_DELAY_MS = 2_000;
    private static final int SETTABLE_STATUS = StatusBit.ALL_MASK & ~StatusBit.UNCHANGEABLE_MASK
            | StatusBit.SRC_NAT.mask() | StatusBit.DST_NAT.mask() | StatusBit.SRC_NAT_DONE.mask()
            | StatusBit.DST_NAT_DONE.mask() | StatusBit.SEQ_ADJUST.mask() | StatusBit.EXPECTED.mask();

    private final TrackerConfig config;
    private final ConnectionStore store;
    private final ConnectionIndex v4;
    private final ConnectionIndex v6;
    private final TcpTracker tcp;
    private final SctpTracker sctp;
    private final long[] stats = new long[TrackerStatistics.COUNT];
    private final int[] zoneCount = new int[65_536];
    private final NanoClock clock;
    private final TrackedConnection eventView = new TrackedConnection(this);
    private final TrackedConnection lookupView = new TrackedConnection(this);
    private final long[] key = new long[PacketView.MAX_KEY_LONGS];
    private final long[] replyKey = new long[PacketView.MAX_KEY_LONGS];
    private final PacketView inner = new PacketView();
    private ConnectionListener[] listeners = new ConnectionListener[0];
    private ExpectationListener[] expectationListeners = new ExpectationListener[0];

    private final ExpectationTable expectations = new ExpectationTable();
    /** The helper of each connection id; null when no helper is configured (the common case). */
    private final ConnectionHelper[] helperOf;
    /**
     * FTP sequence tracking per master id: after-newline sequence numbers, two per direction
     * ({@code seq_aft_nl}), then how many of each direction are set ({@code seq_aft_nl_num}).
     */
    private final HashMap<Integer, int[]> ftpLines = new HashMap<>();
    private final FtpCommandParser ftp = new FtpCommandParser();
    /** Copy of the payload a helper reads (Linux's ftp_buffer). */
    private byte[] helperBuffer;

    private final int udpMs;
    private final int udpStreamMs;
    private final int icmpMs;
    private final int icmpv6Ms;
    private final int greMs;
    private final int greStreamMs;
    private final int genericMs;

    private int nowMs;
    private int sweepCursor;
    /** Where {@link #process(PacketView[], int, int, long, ProcessResult[])} parks its early loads. */
    private long touched;
    private int changes;
    /** Per-stage scratch of the batch path: keys and lookup answers. */
    private final long[] stageK0 = new long[STAGE];
    private final long[] stageK1 = new long[STAGE];
    private final int[] stageHome = new int[STAGE];
    private final int[] stageEntry = new int[STAGE];

    /**
     * Allocates the whole table (no resizing later).
     *
     * @param config sizes, timeouts, TCP policy and clock
     */
    public ConnectionTracker(TrackerConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.store = new ConnectionStore(config.maxConnections, config.accounting);
        this.v4 = new ConnectionIndex(false, 2 * config.maxConnections, config.seed, config.maxProbe, store.positions);
        this.v6 = new ConnectionIndex(true, 2 * config.maxIpv6Connections, config.seed ^ 0x5DEECE66DL,
                config.maxProbe, store.positions);
        this.tcp = new TcpTracker(store, config);
        this.sctp = new SctpTracker(store, config);
        this.clock = config.clock;
        TimeoutPolicy t = config.timeouts;
        this.udpMs = millis(t, Timeout.UDP_UNREPLIED);
        this.udpStreamMs = millis(t, Timeout.UDP_STREAM);
        this.icmpMs = millis(t, Timeout.ICMP);
        this.icmpv6Ms = millis(t, Timeout.ICMPV6);
        this.greMs = millis(t, Timeout.GRE_UNREPLIED);
        this.greStreamMs = millis(t, Timeout.GRE_STREAM);
        this.genericMs = millis(t, Timeout.GENERIC);
        this.helperOf = config.helpers.isEmpty() ? null : new ConnectionHelper[config.maxConnections];
    }

    static int millis(TimeoutPolicy policy, Timeout timeout) {
        return Math.min(policy.seconds(timeout), TrackerConfig.MAX_TIMEOUT_SECONDS) * 1000;
    }

    /** @return the configuration */
    public TrackerConfig config() {
        return config;
    }

    // ------------------------------------------------------------------------------------ packets

    /**
     * Tracks one packet at the clock's current time.
     *
     * @param packet a parsed packet (any {@link ParseResult}; errors give INVALID)
     * @param zone the conntrack zone, 0 to 65535
     * @param out where the verdict goes
     * @return the verdict, also in {@code out}
     */
    public Verdict process(PacketView packet, int zone, ProcessResult out) {
        return process(packet, zone, clock.nanos(), out);
    }

    /**
     * Tracks one packet at a given time (capture replay, batches sharing one clock reading).
     *
     * @param packet a parsed packet
     * @param zone the conntrack zone, 0 to 65535
     * @param nowNanos the time, on the clock's scale
     * @param out where the verdict goes
     * @return the verdict, also in {@code out}
     */
    public Verdict process(PacketView packet, int zone, long nowNanos, ProcessResult out) {
        return process(packet, zone, nowNanos, out, UNKNOWN, 0, 0);
    }

    /**
     * @param known the entry a batch lookup found for this packet's IPv4 key ({@code k0, k1}), still
     *     valid because the index has not changed since; {@link ConnectionIndex#NOT_FOUND} when it
     *     found none; {@link #UNKNOWN} when the lookup is still to be made
     */
    private Verdict process(PacketView packet, int zone, long nowNanos, ProcessResult out, int known, long k0,
                            long k1) {
        nowMs = toMillis(nowNanos);
        zone &= 0xffff;
        ParseResult parsed = packet.result();
        if (parsed != ParseResult.OK) {
            return invalid(out, parsed == ParseResult.NON_FIRST_FRAGMENT ? InvalidReason.FRAGMENT
                    : InvalidReason.MALFORMED);
        }
        if (packet.isFragment()) {
            return invalid(out, InvalidReason.FRAGMENT);
        }
        int protocol = packet.protocol();
        if (protocol == L4Protocol.ICMP_NUMBER || protocol == L4Protocol.ICMPV6_NUMBER) {
            if (packet.isIcmpError()) {
                return related(packet, zone, out);
            }
            if (protocol == L4Protocol.ICMPV6_NUMBER && untrackedIcmpv6(packet.icmpType())) {
                out.set(Verdict.UNTRACKED, InvalidReason.NONE, false, ProcessResult.NO_HANDLE);
                return Verdict.UNTRACKED;
            }
        } else if (protocol == L4Protocol.TCP_NUMBER && !TcpTransitions.validFlags(packet.tcpFlags())) {
            return invalid(out, InvalidReason.TCP_BAD_FLAGS);
        }
        boolean ipv6;
        if (known == UNKNOWN) {
            ipv6 = packet.writeKey(key, zone) == 5;
        } else {
            ipv6 = false;
            key[0] = k0;
            key[1] = k1;
        }
        ConnectionIndex index = ipv6 ? v6 : v4;
        for (int attempt = 0; ; attempt++) {
            int entry = attempt == 0 && known != UNKNOWN ? known
                    : ipv6 ? index.find(key) : index.find4(key[0], key[1]);
            if (entry >= 0 && expired(entry >>> 1)) {
                destroy(entry >>> 1, TrackerStatistics.EXPIRED);
                entry = ConnectionIndex.NOT_FOUND;
            }
            if (entry < 0) {
                return create(packet, ipv6, index, zone, protocol, out);
            }
            stats[TrackerStatistics.FOUND]++;
            if (!existing(entry >>> 1, entry & 1, packet, protocol, out) || attempt > 0) {
                return out.verdict;
            }
            // a SYN re-opened a closed TCP connection: it is gone, look up again
            stats[TrackerStatistics.SEARCH_RESTART]++;
        }
    }

    /**
     * Tracks a batch of packets at one time, with the same verdicts as calling
     * {@link #process(PacketView, int, long, ProcessResult)} for each in order, but faster on tables
     * larger than the caches. The batch goes through in stages of up to {@value #STAGE} packets:
     * first every IPv4 key is hashed and its home slot loaded, then every lookup is made and its
     * connection record loaded, then the packets are tracked in order with the lookups' answers. The
     * loads of one stage are independent of each other, so their cache misses overlap instead of
     * adding up (Java has no prefetch instruction; early loads play its part), and each key is hashed
     * once. A lookup answer is used only while the index is unchanged since it was made (a packet
     * that creates or deletes a connection makes the rest look up again). Allocation-free.
     *
     * <pre>{@code
     * int n = receive(views);                       // up to 32 parsed packets
     * tracker.process(views, n, 0, System.nanoTime(), results);
     * }</pre>
     *
     * @param packets parsed packets
     * @param count how many of them, from index 0
     * @param zone the conntrack zone, 0 to 65535
     * @param nowNanos the time, on the clock's scale
     * @param out one result per packet
     */
    public void process(PacketView[] packets, int count, int zone, long nowNanos, ProcessResult[] out) {
        for (int from = 0; from < count; from += STAGE) {
            stage(packets, from, Math.min(count - from, STAGE), zone, nowNanos, out);
        }
    }

    private void stage(PacketView[] packets, int from, int n, int zone, long nowNanos, ProcessResult[] out) {
        int z = zone & 0xffff;
        long[] k0s = stageK0;
        long[] k1s = stageK1;
        int[] homes = stageHome;
        int[] found = stageEntry;
        ConnectionIndex index = v4;
        for (int i = 0; i < n; i++) {
            PacketView p = packets[from + i];
            if (p.ipVersion() == 4 && p.hasKey()) {
                long k0 = TupleKeys.ipv4Key0(p.sourceIpv4(), p.destinationIpv4());
                long k1 = TupleKeys.key1(p.sourceKey(), p.destinationKey(), p.protocol(), z);
                k0s[i] = k0;
                k1s[i] = k1;
                homes[i] = index.home4(k0, k1);
            } else {
                homes[i] = UNKNOWN;
            }
        }
        // the loads get loops of their own: the fewer instructions between two misses, the more of
        // them the CPU keeps in flight
        long sum = 0;
        for (int i = 0; i < n; i++) {
            int home = homes[i];
            if (home >= 0) {
                sum += index.touch4(home);
            }
        }
        for (int i = 0; i < n; i++) {
            int home = homes[i];
            found[i] = home >= 0 ? index.find4(k0s[i], k1s[i], home) : UNKNOWN;
        }
        int[] records = store.records;
        for (int i = 0; i < n; i++) {
            int entry = found[i];
            if (entry >= 0) {
                int at = ConnectionStore.at(entry >>> 1);
                sum += records[at] + records[at + ConnectionStore.RECORD - 1];
            }
        }
        touched += sum;
        int version = index.version();
        for (int i = 0; i < n; i++) {
            int known = index.version() == version ? found[i] : UNKNOWN;
            process(packets[from + i], zone, nowNanos, out[from + i], known, k0s[i], k1s[i]);
        }
    }

    private static int toMillis(long nanos) {
        return (int) (nanos / 1_000_000L);
    }

    private Verdict invalid(ProcessResult out, InvalidReason reason) {
        stats[TrackerStatistics.INVALID]++;
        out.invalid(reason);
        return Verdict.INVALID;
    }

    /** ICMPv6 messages Linux leaves untracked: multicast listener and neighbour discovery. */
    private static boolean untrackedIcmpv6(int type) {
        return type >= 130 && type <= 136 || type == 143;
    }

    private static boolean icmpRequest(int protocol, int type) {
        if (protocol == L4Protocol.ICMP_NUMBER) {
            return type == 8 || type == 13 || type == 15 || type == 17;
        }
        return type == 128 || type == 139;
    }

    /** @return true when the caller must repeat the lookup (TCP re-open) */
    private boolean existing(int id, int dir, PacketView packet, int protocol, ProcessResult out) {
        int status = store.status(id);
        boolean seenReply = (status & StatusBit.SEEN_REPLY.mask()) != 0;
        Verdict verdict = dir == 1 || seenReply ? Verdict.ESTABLISHED
                : (status & StatusBit.EXPECTED.mask()) != 0 ? Verdict.RELATED : Verdict.NEW;
        InvalidReason reason = InvalidReason.NONE;
        changes = 0;
        switch (protocol) {
            case L4Protocol.TCP_NUMBER -> {
                int code = tcp.packet(id, dir, packet, nowMs);
                changes = tcp.changes;
                switch (code) {
                    case TcpTracker.REPEAT:
                        if (dir == 0 && reopenInPlace(id, packet, out)) {
                            return false;
                        }
                        destroy(id, TrackerStatistics.DELETED);
                        return true;
                    case TcpTracker.INVALID:
                        invalid(out, tcp.reason);
                        return false;
                    case TcpTracker.KILL:
                        // the entry dies now: only DESTROY is reported (Linux drops the cached events of a dying entry);
                        // nf_ct_kill_acct() counts the killing packet first
                        store.count(id, dir, packet.ipTotalLength());
                        out.set(verdict, InvalidReason.NONE, dir == 1, ProcessResult.NO_HANDLE);
                        destroy(id, TrackerStatistics.DELETED);
                        return false;
                    case TcpTracker.IGNORE:
                        stats[TrackerStatistics.IGNORE]++;
                        reason = InvalidReason.TCP_IGNORED;
                        break;
                    case TcpTracker.ACCEPT:
                        refresh(id, tcp.timeoutMs);
                        store.count(id, dir, packet.ipTotalLength());
                        break;
                    default:
                        break;
                }
            }
            case L4Protocol.SCTP_NUMBER -> {
                int code = sctp.packet(id, dir, packet, true);
                changes = sctp.changes;
                if (code == SctpTracker.INVALID) {
                    invalid(out, InvalidReason.SCTP_INVALID);
                    if (changes != 0) {
                        emit(EventType.UPDATE, id, changes);
                    }
                    return false;
                }
                if (code == SctpTracker.ACCEPT) {
                    refresh(id, sctp.timeout);
                    store.count(id, dir, packet.ipTotalLength());
                }
            }
            case L4Protocol.UDPLITE_NUMBER -> {
                // nf_conntrack_udplite_packet(): any packet after a reply makes a stream
                refresh(id, seenReply ? udpStreamMs : udpMs);
                if (seenReply) {
                    assure(id);
                }
            }
            case L4Protocol.UDP_NUMBER -> {
                if (seenReply) {
                    // a replied flow still active 2 s after it began is a stream (6.x: ASSURED only then)
                    boolean stream = nowMs - store.records[ConnectionStore.proto(id) + ConnectionStore.UDP_STREAM_AFTER] > 0;
                    refresh(id, stream ? udpStreamMs : udpMs);
                    if (stream) {
                        assure(id);
                    }
                } else {
                    refresh(id, udpMs);
                }
            }
            case L4Protocol.GRE_NUMBER -> {
                if (seenReply) {
                    refresh(id, greStreamMs);
                    assure(id);
                } else {
                    refresh(id, greMs);
                }
            }
            case L4Protocol.ICMP_NUMBER -> refresh(id, icmpMs);
            case L4Protocol.ICMPV6_NUMBER -> refresh(id, icmpv6Ms);
            default -> refresh(id, genericMs);
        }
        if (protocol != L4Protocol.TCP_NUMBER && protocol != L4Protocol.SCTP_NUMBER) {
            // nf_ct_refresh_acct(): every packet of the other protocols refreshes and counts
            store.count(id, dir, packet.ipTotalLength());
        }
        if (dir == 1 && !seenReply) {
            store.setStatus(id, store.status(id) | StatusBit.SEEN_REPLY.mask());
            changes |= TrackedConnection.CHANGE_REPLY;
        }
        if (helperOf != null && helperOf[id] != null && !help(id, dir, dir == 1 || seenReply, packet)) {
            // the helper drops the packet after tracking updated the connection, as in Linux
            reason = InvalidReason.HELPER_DROP;
            verdict = Verdict.INVALID;
        }
        out.set(verdict, reason, dir == 1, verdict == Verdict.INVALID ? ProcessResult.NO_HANDLE : handle(id));
        if (changes != 0) {
            emit(EventType.UPDATE, id, changes);
        }
        return false;
    }

    /**
     * A SYN in the original direction re-opens a closed TCP connection (TIME_WAIT, CLOSE): the same
     * as destroying it, looking up again and creating a new one ({@code destroy}, then
     * {@link #create}), with the same events (DESTROY, then NEW), statistics (deleted,
     * search_restart, insert), verdict and a new handle, but without taking the two index entries
     * out and putting them back: the new connection has the old one's tuples (its reply tuple is the
     * inverse of the SYN's, as the old one's was, since packets created it) and, as the free list
     * would hand the freed id straight back, its id. Only where nothing else could differ: no
     * helpers or expectations, the zone and IPv6 limits not exceeded from outside, an entry not
     * created from outside (whose reply tuple may carry NAT). One corner is not reproduced on
     * purpose: with the old entries gone, re-inserting could in principle exceed the probe bound
     * ({@code chaintoolong}) when a removal shifted a long cluster; keeping the entries cannot.
     *
     * @return whether the packet was handled (out set); false: take the general path
     */
    private boolean reopenInPlace(int id, PacketView packet, ProcessResult out) {
        int status = store.status(id);
        boolean ipv6 = (status & ConnectionStore.IPV6) != 0;
        int zone = TupleKeys.zone(key[ipv6 ? 4 : 1]);
        if (helperOf != null || !expectations.isEmpty() || (status & ConnectionStore.EXTERNAL) != 0
                || zoneCount[zone] > config.zoneLimits[zone]
                || ipv6 && store.ipv6Count > config.maxIpv6Connections
                || !tcp.allowsNew(packet.tcpFlags())) {
            return false;
        }
        emit(EventType.DESTROY, id, TrackedConnection.CHANGE_DESTROY);
        stats[TrackerStatistics.DELETED]++;
        stats[TrackerStatistics.SEARCH_RESTART]++;
        store.reinit(id);
        store.setStatus(id, store.status(id) | status & SINGLE_KEY | StatusBit.CONFIRMED.mask());
        stats[TrackerStatistics.INSERT]++;
        initialise(id, packet, ipv6, zone, L4Protocol.TCP_NUMBER, out);
        return true;
    }

    private void assure(int id) {
        int status = store.status(id);
        if ((status & StatusBit.ASSURED.mask()) == 0) {
            store.setStatus(id, status | StatusBit.ASSURED.mask());
            changes |= TrackedConnection.CHANGE_ASSURED;
        }
    }

    private void refresh(int id, int timeoutMs) {
        if ((store.status(id) & StatusBit.FIXED_TIMEOUT.mask()) != 0) {
            return;
        }
        int expiry = nowMs + timeoutMs;
        if (store.expiry(id) != expiry) {
            store.setExpiry(id, expiry);
        }
    }

    private boolean expired(int id) {
        return store.expiry(id) - nowMs <= 0;
    }

    private Verdict create(PacketView packet, boolean ipv6, ConnectionIndex index, int zone, int protocol,
                           ProcessResult out) {
        int keyLongs = ipv6 ? 5 : 2;
        switch (protocol) {
            case L4Protocol.TCP_NUMBER -> {
                if (!tcp.allowsNew(packet.tcpFlags())) {
                    return invalid(out, InvalidReason.TCP_INVALID_NEW);
                }
            }
            case L4Protocol.SCTP_NUMBER -> {
                if (!SctpTracker.allowsNew(packet)) {
                    return invalid(out, InvalidReason.SCTP_INVALID_NEW);
                }
            }
            case L4Protocol.ICMP_NUMBER, L4Protocol.ICMPV6_NUMBER -> {
                if (!icmpRequest(protocol, packet.icmpType())) {
                    return invalid(out, InvalidReason.ICMP_INVALID_NEW);
                }
            }
            default -> {
            }
        }
        invert(key, replyKey, ipv6);
        int id = admit(index, ipv6, zone, out);
        if (id < 0) {
            return Verdict.INVALID;
        }
        return initialise(id, packet, ipv6, zone, protocol, out);
    }

    /**
     * The part of {@link #create} after admission: the first packet's state, timeout, counters,
     * expectation or helper, verdict and the NEW event; undoes the admission when the protocol
     * refuses the packet.
     */
    private Verdict initialise(int id, PacketView packet, boolean ipv6, int zone, int protocol, ProcessResult out) {
        changes = TrackedConnection.CHANGE_NEW;
        int timeout;
        switch (protocol) {
            case L4Protocol.TCP_NUMBER -> {
                tcp.init(id, packet);
                int code = tcp.packet(id, 0, packet, nowMs);
                if (code != TcpTracker.ACCEPT) {
                    // never confirmed: no entry, no events (Linux drops the unconfirmed conntrack)
                    unlink(id, zone, ipv6);
                    stats[TrackerStatistics.INSERT]--;
                    return invalid(out, code == TcpTracker.INVALID ? tcp.reason : InvalidReason.TCP_INVALID_NEW);
                }
                changes |= tcp.changes;
                timeout = tcp.timeoutMs;
            }
            case L4Protocol.SCTP_NUMBER -> {
                sctp.init(id, packet);
                if (sctp.packet(id, 0, packet, false) != SctpTracker.ACCEPT) {
                    unlink(id, zone, ipv6);
                    stats[TrackerStatistics.INSERT]--;
                    return invalid(out, InvalidReason.SCTP_INVALID);
                }
                changes |= sctp.changes;
                timeout = sctp.timeout;
            }
            case L4Protocol.UDP_NUMBER, L4Protocol.UDPLITE_NUMBER -> {
                store.records[ConnectionStore.proto(id) + ConnectionStore.UDP_STREAM_AFTER] =
                        nowMs + UDP_STREAM_DELAY_MS;
                timeout = udpMs;
            }
            case L4Protocol.GRE_NUMBER -> timeout = greMs;
            case L4Protocol.ICMP_NUMBER -> timeout = icmpMs;
            case L4Protocol.ICMPV6_NUMBER -> timeout = icmpv6Ms;
            default -> timeout = genericMs;
        }
        store.setExpiry(id, nowMs + timeout);
        store.count(id, 0, packet.ipTotalLength());
        Verdict verdict = Verdict.NEW;
        if (!expectations.isEmpty() && expected(id, packet, ipv6, zone, protocol)) {
            verdict = Verdict.RELATED;
        } else if (helperOf != null) {
            helperOf[id] = config.helper(protocol, packet.destinationPort());
        }
        if (helperOf != null && helperOf[id] != null && !help(id, 0, false, packet)) {
            out.set(Verdict.INVALID, InvalidReason.HELPER_DROP, false, ProcessResult.NO_HANDLE);
        } else {
            out.set(verdict, InvalidReason.NONE, false, handle(id));
        }
        emit(EventType.NEW, id, changes);
        return out.verdict;
    }

    /**
     * Takes an id and inserts {@link #key} and {@link #replyKey}: zone limit, table limit with early
     * drop, reply tuple clash, probe bound.
     *
     * @return the id, or -1 with {@code out} set to INVALID
     */
    private int admit(ConnectionIndex index, boolean ipv6, int zone, ProcessResult out) {
        if (zoneCount[zone] >= config.zoneLimits[zone]) {
            stats[TrackerStatistics.DROP]++;
            invalid(out, InvalidReason.ZONE_LIMIT);
            return -1;
        }
        if ((store.count >= store.capacity || ipv6 && store.ipv6Count >= config.maxIpv6Connections)
                && !earlyDrop(index)) {
            stats[TrackerStatistics.DROP]++;
            invalid(out, InvalidReason.TABLE_FULL);
            return -1;
        }
        boolean singleKey = Arrays.equals(key, 0, ipv6 ? 5 : 2, replyKey, 0, ipv6 ? 5 : 2);
        if (!singleKey) {
            int taken = index.find(replyKey);
            if (taken >= 0) {
                if (!expired(taken >>> 1)) {
                    stats[TrackerStatistics.INSERT_FAILED]++;
                    invalid(out, InvalidReason.INSERT_FAILED);
                    return -1;
                }
                destroy(taken >>> 1, TrackerStatistics.EXPIRED);
            }
        }
        if (!index.canInsert(key)) {
            return chainTooLong(out);
        }
        int id = store.allocate(ipv6);
        index.insert(key, id << 1);
        if (singleKey) {
            store.positions[2 * id + 1] = store.positions[2 * id];
            store.setStatus(id, store.status(id) | SINGLE_KEY);
        } else if (index.canInsert(replyKey)) {
            index.insert(replyKey, id << 1 | 1);
        } else {
            index.remove(id << 1);
            store.free(id);
            return chainTooLong(out);
        }
        store.setStatus(id, store.status(id) | StatusBit.CONFIRMED.mask());
        zoneCount[zone]++;
        stats[TrackerStatistics.INSERT]++;
        return id;
    }

    private int chainTooLong(ProcessResult out) {
        stats[TrackerStatistics.INSERT_FAILED]++;
        stats[TrackerStatistics.CHAIN_TOO_LONG]++;
        invalid(out, InvalidReason.CHAIN_TOO_LONG);
        return -1;
    }

    /**
     * Linux's early_drop(): look at the entries near the new connection's home slot, reap an expired
     * one or remove one that is not ASSURED. Never an ASSURED one.
     */
    private boolean earlyDrop(ConnectionIndex index) {
        int mask = index.maskValue();
        int slot = index.home(key);
        for (int i = 0; i < EARLY_DROP_SLOTS; i++, slot = (slot + 1) & mask) {
            int entry = index.entryAt(slot);
            if (entry < 0) {
                continue;
            }
            int id = entry >>> 1;
            if (expired(id)) {
                destroy(id, TrackerStatistics.EXPIRED);
                return true;
            }
            if ((store.status(id) & StatusBit.ASSURED.mask()) == 0) {
                destroy(id, TrackerStatistics.EARLY_DROP);
                return true;
            }
        }
        return false;
    }

    private static void invert(long[] from, long[] to, boolean ipv6) {
        if (ipv6) {
            to[0] = from[2];
            to[1] = from[3];
            to[2] = from[0];
            to[3] = from[1];
            to[4] = TupleKeys.invertKey1(from[4]);
        } else {
            to[0] = TupleKeys.invertIpv4Key0(from[0]);
            to[1] = TupleKeys.invertKey1(from[1]);
        }
    }

    /** An ICMP error: RELATED to the connection of the packet it quotes. */
    private Verdict related(PacketView packet, int zone, ProcessResult out) {
        if (inner.parseEmbedded(packet) != ParseResult.OK || !inner.hasKey()) {
            stats[TrackerStatistics.ERROR]++;
            return invalid(out, InvalidReason.ICMP_ERROR_MALFORMED);
        }
        boolean ipv6 = inner.writeKey(replyKey, zone) == 5;
        invert(replyKey, key, ipv6);
        ConnectionIndex index = ipv6 ? v6 : v4;
        int entry = key[ipv6 ? 4 : 1] == -1L ? ConnectionIndex.NOT_FOUND : index.find(key);
        boolean addressed = ipv6
                ? packet.destinationHigh() == inner.sourceHigh() && packet.destinationLow() == inner.sourceLow()
                : packet.destinationIpv4() == inner.sourceIpv4();
        if (entry < 0 || expired(entry >>> 1) || !addressed) {
            stats[TrackerStatistics.ERROR]++;
            return invalid(out, InvalidReason.ICMP_ERROR_NO_CONNECTION);
        }
        stats[TrackerStatistics.FOUND]++;
        out.set(Verdict.RELATED, InvalidReason.NONE, (entry & 1) == 1, handle(entry >>> 1));
        return Verdict.RELATED;
    }

    // ------------------------------------------------------------------------ helpers, expectations

    /**
     * init_conntrack()'s expectation lookup: a new connection whose first packet matches a pending
     * expectation of a live master becomes EXPECTED, takes the master's mark, and the expectation
     * (never PERMANENT here) is removed.
     */
    private boolean expected(int id, PacketView packet, boolean ipv6, int zone, int protocol) {
        ExpectationTable.Pending p = expectations.find(keyOf(packet, ipv6, protocol, zone));
        if (p == null) {
            return false;
        }
        if (p.expiresMs - nowMs <= 0) {
            unexpect(p);
            return false;
        }
        int master = p.masterId;
        if (!store.inUse(master) || handle(master) != p.masterHandle) {
            return false;
        }
        unexpect(p);
        stats[TrackerStatistics.EXPECT_NEW]++;
        store.setStatus(id, store.status(id) | StatusBit.EXPECTED.mask());
        store.setMark(id, store.mark(master));
        return true;
    }

    private static ExpectationTable.Key keyOf(PacketView packet, boolean ipv6, int protocol, int zone) {
        if (ipv6) {
            return new ExpectationTable.Key(true, packet.sourceHigh(), packet.sourceLow(), packet.destinationHigh(),
                    packet.destinationLow(), protocol, packet.destinationPort(), zone);
        }
        return new ExpectationTable.Key(false, 0, packet.sourceIpv4() & 0xffff_ffffL, 0,
                packet.destinationIpv4() & 0xffff_ffffL, protocol, packet.destinationPort(), zone);
    }

    /**
     * Runs the connection's helper on a packet the tracker accepted.
     *
     * @param established whether Linux's ctinfo is ESTABLISHED or ESTABLISHED_REPLY
     * @return false when the helper drops the packet
     */
    private boolean help(int id, int dir, boolean established, PacketView packet) {
        ConnectionHelper helper = helperOf[id];
        int length = Math.min(packet.payloadLength(), packet.capturedLength() - packet.payloadOffset());
        if (length <= 0) {
            return true;
        }
        if (helperBuffer == null) {
            helperBuffer = new byte[65_536];
        }
        length = Math.min(length, helperBuffer.length);
        for (int i = 0, at = packet.payloadOffset(); i < length; i++) {
            helperBuffer[i] = (byte) packet.byteAt(at + i);
        }
        return helper == ConnectionHelper.FTP ? ftpHelp(id, dir, established, packet, length)
                : tftpHelp(id, packet, length);
    }

    /** nf_conntrack_ftp's help(): only lines that start right after a newline are read. */
    private boolean ftpHelp(int id, int dir, boolean established, PacketView packet, int length) {
        if (!established || packet.protocol() != L4Protocol.TCP_NUMBER) {
            return true;
        }
        int[] lines = ftpLines.computeIfAbsent(id, k -> new int[6]);
        int seq = (int) packet.tcpSequence();
        boolean endsInNewline = helperBuffer[length - 1] == '\n';
        int afterNewline = seq + length;
        if (!afterNewline(lines, dir, seq)) {
            if (endsInNewline) {
                updateNewline(lines, dir, afterNewline);
            }
            return true;
        }
        boolean ipv6 = isIpv6(id);
        int found = ftp.parse(helperBuffer, 0, length, dir == 1, ipv6);
        if (found == FtpCommandParser.PARTIAL) {
            return false;
        }
        if (found == FtpCommandParser.MATCH) {
            // the data connection comes from the other side (!dir's source) to the sender
            Tuple sender = tuple(id, dir);
            Tuple other = tuple(id, 1 - dir);
            IpAddress announced = ftp.ipv6 ? IpAddress.ofIpv6(ftp.address, ftp.addressLow)
                    : IpAddress.ofIpv4((int) ftp.address);
            if (ftp.hasAddress && !announced.equals(sender.source())) {
                // "NOT RECORDING": an address that is not the sender's opens nothing (loose=0)
                if (endsInNewline) {
                    updateNewline(lines, dir, afterNewline);
                }
                return true;
            }
            int zone = TupleKeys.zone(key1(id));
            if (!expect(id, key(other.source(), other.destination(), L4Protocol.TCP_NUMBER, ftp.port, zone),
                    ConnectionHelper.FTP)) {
                return false;
            }
        }
        if (endsInNewline) {
            updateNewline(lines, dir, afterNewline);
        }
        return true;
    }

    private static ExpectationTable.Key key(IpAddress source, IpAddress destination, int protocol, int port,
                                            int zone) {
        if (source.isIpv4()) {
            return new ExpectationTable.Key(false, 0, source.ipv4() & 0xffff_ffffL, 0,
                    destination.ipv4() & 0xffff_ffffL, protocol, port, zone);
        }
        return new ExpectationTable.Key(true, source.high(), source.low(), destination.high(), destination.low(),
                protocol, port, zone);
    }

    /** find_nl_seq(). */
    private static boolean afterNewline(int[] lines, int dir, int seq) {
        for (int i = 0; i < lines[4 + dir]; i++) {
            if (lines[2 * dir + i] == seq) {
                return true;
            }
        }
        return false;
    }

    /** update_nl_seq(): remember two positions per direction, replacing the older by a newer one. */
    private static void updateNewline(int[] lines, int dir, int seq) {
        int n = lines[4 + dir];
        for (int i = 0; i < n; i++) {
            if (lines[2 * dir + i] == seq) {
                return;
            }
        }
        if (n < 2) {
            lines[2 * dir + n] = seq;
            lines[4 + dir] = n + 1;
        } else {
            int oldest = lines[2 * dir] - lines[2 * dir + 1] < 0 ? 0 : 1;
            if (seq - lines[2 * dir + oldest] > 0) {
                lines[2 * dir + oldest] = seq;
            }
        }
    }

    /**
     * nf_conntrack_tftp's help(): a read (1) or write (2) request expects the server's answer from
     * any port to the client's port: the reply tuple with a wildcard source port.
     */
    private boolean tftpHelp(int id, PacketView packet, int length) {
        if (packet.protocol() != L4Protocol.UDP_NUMBER || length < 2) {
            return true;
        }
        int opcode = (helperBuffer[0] & 0xff) << 8 | helperBuffer[1] & 0xff;
        if (opcode != 1 && opcode != 2) {
            return true;
        }
        Tuple reply = tuple(id, 1);
        ExpectationTable.Key key = key(reply.source(), reply.destination(), L4Protocol.UDP_NUMBER,
                reply.destinationKey(), TupleKeys.zone(key1(id)));
        return expect(id, key, ConnectionHelper.TFTP);
    }

    /**
     * nf_ct_expect_related(): an identical expectation of the same master is replaced (another
     * master's refuses the new one), then the master's oldest goes when it has max_expected.
     *
     * @return false when refused (the helper then drops the packet)
     */
    private boolean expect(int master, ExpectationTable.Key key, ConnectionHelper helper) {
        ExpectationTable.Pending same = expectations.find(key);
        if (same != null) {
            if (same.masterId != master && same.expiresMs - nowMs > 0) {
                return false;
            }
            unexpect(same);
        }
        ExpectationTable.Pending oldest = expectations.oldestOverLimit(master, helper.maxExpected());
        if (oldest != null) {
            unexpect(oldest);
        }
        ExpectationTable.Pending p = expectations.insert(key, master, handle(master), helper,
                nowMs + helper.timeoutSeconds() * 1000);
        stats[TrackerStatistics.EXPECT_CREATE]++;
        emitExpectation(EventType.NEW, p);
        return true;
    }

    private void unexpect(ExpectationTable.Pending p) {
        emitExpectation(EventType.DESTROY, p);
        expectations.remove(p);
        stats[TrackerStatistics.EXPECT_DELETE]++;
    }

    /** nf_ct_remove_expectations(): a master takes its expectations with it. */
    private void removeExpectations(int master) {
        ArrayDeque<ExpectationTable.Pending> mine = expectations.ofMaster(master);
        while (mine != null && !mine.isEmpty()) {
            unexpect(mine.peekFirst());
            mine = expectations.ofMaster(master);
        }
    }

    private void emitExpectation(EventType type, ExpectationTable.Pending p) {
        ExpectationListener[] ls = expectationListeners;
        if (ls.length == 0) {
            return;
        }
        Expectation e = toExpectation(p);
        for (ExpectationListener l : ls) {
            l.onExpectation(type, e);
        }
    }

    private Expectation toExpectation(ExpectationTable.Pending p) {
        ExpectationTable.Key k = p.key;
        L4Protocol protocol = L4Protocol.of(k.protocol());
        IpAddress source = k.ipv6() ? IpAddress.ofIpv6(k.sourceHigh(), k.sourceLow())
                : IpAddress.ofIpv4((int) k.sourceLow());
        IpAddress destination = k.ipv6() ? IpAddress.ofIpv6(k.destinationHigh(), k.destinationLow())
                : IpAddress.ofIpv4((int) k.destinationLow());
        IpAddress ones = k.ipv6() ? IpAddress.ofIpv6(-1L, -1L) : IpAddress.ofIpv4(-1);
        Tuple tuple = new Tuple(source, destination, protocol, 0, k.destinationPort(), Tuple.NO_ZONE);
        Tuple mask = new Tuple(ones, ones, protocol, 0, 0xffff, Tuple.NO_ZONE);
        int seconds = Math.max(0, p.expiresMs - nowMs) / 1000;
        return new Expectation(tuple(p.masterId, 0), tuple, mask, seconds, 0, 0, p.helper.helperName(), null, null,
                k.zone(), p.id);
    }

    /**
     * The pending expectations, oldest first, as {@code conntrack -L expect} lists them
     * (print them with {@code ExpectationFormat}); timed-out ones are removed first.
     *
     * <pre>{@code
     * ExpectationFormat format = ExpectationFormat.plain();
     * tracker.expectations().forEach(e -> System.out.println(format.format(e)));
     * }</pre>
     *
     * @return the expectations, timeouts relative to the clock
     */
    public List<Expectation> expectations() {
        return expectations(clock.nanos());
    }

    /**
     * {@link #expectations()} at a given time.
     *
     * @param nowNanos the time the timeouts are relative to
     * @return the expectations
     */
    public List<Expectation> expectations(long nowNanos) {
        nowMs = toMillis(nowNanos);
        expireExpectations();
        List<Expectation> out = new ArrayList<>(expectations.size());
        for (ExpectationTable.Pending p : expectations.byKey.values()) {
            out.add(toExpectation(p));
        }
        return out;
    }

    private void expireExpectations() {
        List<ExpectationTable.Pending> dead = null;
        for (Iterator<ExpectationTable.Pending> it = expectations.byKey.values().iterator(); it.hasNext(); ) {
            ExpectationTable.Pending p = it.next();
            if (p.expiresMs - nowMs <= 0) {
                if (dead == null) {
                    dead = new ArrayList<>();
                }
                dead.add(p);
            }
        }
        if (dead != null) {
            dead.forEach(this::unexpect);
        }
    }

    /**
     * Adds an expectation listener.
     *
     * @param listener the listener
     */
    public void addExpectationListener(ExpectationListener listener) {
        Objects.requireNonNull(listener, "listener");
        ExpectationListener[] copy = Arrays.copyOf(expectationListeners, expectationListeners.length + 1);
        copy[expectationListeners.length] = listener;
        expectationListeners = copy;
    }

    // ----------------------------------------------------------------------------- removal, expiry

    private void destroy(int id, int counter) {
        emit(EventType.DESTROY, id, TrackedConnection.CHANGE_DESTROY);
        boolean ipv6 = (store.status(id) & ConnectionStore.IPV6) != 0;
        int zone = TupleKeys.zone((ipv6 ? v6 : v4).key1(id << 1));
        unlink(id, zone, ipv6);
        stats[counter]++;
    }

    private void unlink(int id, int zone, boolean ipv6) {
        if (helperOf != null && helperOf[id] != null) {
            helperOf[id] = null;
            ftpLines.remove(id);
            removeExpectations(id);
        }
        ConnectionIndex index = ipv6 ? v6 : v4;
        boolean single = (store.status(id) & SINGLE_KEY) != 0;
        index.remove(id << 1);
        if (!single) {
            index.remove(id << 1 | 1);
        }
        zoneCount[zone]--;
        store.free(id);
    }

    /**
     * Removes up to {@code maxEntries} worth of expired connections, walking the connection ids
     * round-robin from where the last call stopped (an incremental sweeper: call it regularly, with
     * a budget that bounds the pause). Emits DESTROY for each.
     *
     * @param maxEntries how many ids to look at
     * @return connections removed
     */
    public int sweep(int maxEntries) {
        return sweep(clock.nanos(), maxEntries);
    }

    /**
     * {@link #sweep(int)} at a given time.
     *
     * @param nowNanos the time
     * @param maxEntries how many ids to look at
     * @return connections removed
     */
    public int sweep(long nowNanos, int maxEntries) {
        nowMs = toMillis(nowNanos);
        if (!expectations.isEmpty()) {
            expireExpectations();
        }
        int high = store.highWater();
        if (high == 0) {
            return 0;
        }
        int removed = 0;
        for (int i = 0, n = Math.min(maxEntries, high); i < n; i++) {
            if (sweepCursor >= high) {
                sweepCursor = 0;
            }
            int id = sweepCursor++;
            if (store.inUse(id) && expired(id)) {
                destroy(id, TrackerStatistics.EXPIRED);
                removed++;
            }
        }
        return removed;
    }

    // --------------------------------------------------------------------------- control plane

    /**
     * The connection a handle names, if it still exists.
     *
     * @param handle from {@link ProcessResult#handle()} or {@link TrackedConnection#handle()}
     * @return a flyweight valid until the next call on this tracker, or null
     */
    public TrackedConnection find(long handle) {
        int id = (int) handle;
        if (handle < 0 || id < 0 || id >= store.capacity || !store.inUse(id)
                || store.generation(id) != (int) (handle >>> 32)) {
            return null;
        }
        return lookupView.bind(id, 0);
    }

    /**
     * The connection with this tuple in either direction.
     *
     * @param tuple a tuple
     * @param zone the zone, 0 to 65535
     * @return a flyweight valid until the next call on this tracker, or null
     */
    public TrackedConnection find(Tuple tuple, int zone) {
        nowMs = toMillis(clock.nanos());
        int entry = findKey(tuple, zone);
        return entry < 0 || expired(entry >>> 1) ? null : lookupView.bind(entry >>> 1, 0);
    }

    private int findKey(Tuple tuple, int zone) {
        boolean ipv6 = keyOf(tuple, zone, key);
        return (ipv6 ? v6 : v4).find(key);
    }

    private static boolean keyOf(Tuple t, int zone, long[] out) {
        long k1 = TupleKeys.key1(t, zone & 0xffff);
        if (t.source().isIpv4()) {
            out[0] = TupleKeys.ipv4Key0(t);
            out[1] = k1;
            return false;
        }
        out[0] = t.source().high();
        out[1] = t.source().low();
        out[2] = t.destination().high();
        out[3] = t.destination().low();
        out[4] = k1;
        return true;
    }

    /**
     * Applies a change that comes from elsewhere (a conntrackd peer, a kernel dump or event)
     * without running the packet state machine: NEW and UPDATE create the connection or update it
     * if it exists (status, protocol state, TCP flags and scales, timeout, mark, labels: whatever
     * the connection has); DESTROY deletes it. The zone is {@link Connection#zone()} (0 when
     * absent). Emits the matching events.
     *
     * @param type NEW, UPDATE or DESTROY
     * @param c the connection
     * @return the connection's handle, or {@link ProcessResult#NO_HANDLE} when deleted, absent, or
     *     refused (table or zone full: counted as {@code drop})
     */
    public long apply(EventType type, Connection c) {
        nowMs = toMillis(clock.nanos());
        int zone = c.hasZone() ? c.zone() & 0xffff : 0;
        boolean ipv6 = keyOf(c.original(), zone, key);
        ConnectionIndex index = ipv6 ? v6 : v4;
        int entry = index.find(key);
        if (entry < 0) {
            keyOf(c.reply(), zone, replyKey);
            entry = index.find(replyKey);
        }
        if (type == EventType.DESTROY) {
            if (entry >= 0) {
                destroy(entry >>> 1, TrackerStatistics.DELETED);
            }
            return ProcessResult.NO_HANDLE;
        }
        int id;
        changes = 0;
        if (entry >= 0 && expired(entry >>> 1)) {
            destroy(entry >>> 1, TrackerStatistics.EXPIRED);
            entry = ConnectionIndex.NOT_FOUND;
        }
        if (entry < 0) {
            keyOf(c.reply(), zone, replyKey);
            ProcessResult scratch = new ProcessResult();
            id = admit(index, ipv6, zone, scratch);
            if (id < 0) {
                return ProcessResult.NO_HANDLE;
            }
            store.setStatus(id, store.status(id) | ConnectionStore.EXTERNAL);
            int defaultMs = defaultTimeout(c);
            store.setExpiry(id, nowMs + defaultMs);
            if (c.protocol() == L4Protocol.UDP || c.protocol() == L4Protocol.UDPLITE) {
                store.records[ConnectionStore.proto(id) + ConnectionStore.UDP_STREAM_AFTER] = nowMs + UDP_STREAM_DELAY_MS;
            }
            changes = TrackedConnection.CHANGE_NEW;
        } else {
            id = entry >>> 1;
        }
        update(id, c);
        if ((changes & TrackedConnection.CHANGE_NEW) != 0) {
            emit(EventType.NEW, id, changes);
        } else if (changes != 0) {
            emit(EventType.UPDATE, id, changes);
        }
        return handle(id);
    }

    private int defaultTimeout(Connection c) {
        return switch (c.protocol().number()) {
            case L4Protocol.TCP_NUMBER -> millis(config.timeouts, Timeout.TCP_ESTABLISHED);
            case L4Protocol.UDP_NUMBER, L4Protocol.UDPLITE_NUMBER -> udpMs;
            case L4Protocol.ICMP_NUMBER -> icmpMs;
            case L4Protocol.ICMPV6_NUMBER -> icmpv6Ms;
            case L4Protocol.GRE_NUMBER -> greMs;
            default -> genericMs;
        };
    }

    private void update(int id, Connection c) {
        int status = store.status(id);
        if (c.hasStatus()) {
            int wanted = status & ~SETTABLE_STATUS | c.status() & SETTABLE_STATUS;
            if (wanted != status) {
                status = wanted;
                changes |= TrackedConnection.CHANGE_STATUS;
            }
        }
        store.setStatus(id, status);
        if (c.hasProtocolState() && c.protocol() == L4Protocol.SCTP && c.protocolState() < 9
                && c.protocolState() != store.state(id)) {
            store.setState(id, c.protocolState());
            changes |= TrackedConnection.CHANGE_PROTOINFO;
        }
        if (c.hasSctpVtags()) {
            store.records[ConnectionStore.proto(id)] = c.sctpVtagOriginal();
            store.records[ConnectionStore.proto(id) + 1] = c.sctpVtagReply();
        }
        if (c.hasProtocolState() && c.protocol() == L4Protocol.TCP && c.protocolState() < 10
                && c.protocolState() != store.state(id)) {
            store.setState(id, c.protocolState());
            changes |= TrackedConnection.CHANGE_PROTOINFO;
        }
        if (c.hasTcpWindow()) {
            int at = ConnectionStore.proto(id) + ConnectionStore.TCP_MISC;
            int misc = store.records[at];
            int packed = TcpTracker.misc(c.tcpFlagsOriginal(), c.tcpFlagsReply(), c.tcpWindowScaleOriginal(),
                    c.tcpWindowScaleReply());
            store.records[at] = misc & ~0xfffff | packed;
        }
        if (c.hasTimeout()) {
            long ms = Math.min(c.timeout() & 0xffff_ffffL, TrackerConfig.MAX_TIMEOUT_SECONDS) * 1000L;
            store.setExpiry(id, nowMs + (int) ms);
            changes |= TrackedConnection.CHANGE_TIMEOUT;
        }
        if (c.hasMark() && store.mark(id) != c.mark()) {
            store.setMark(id, c.mark());
            changes |= TrackedConnection.CHANGE_MARK;
        }
        if (c.hasLabels()) {
            long[] labels = store.labels();
            if (labels[2 * id] != c.labelsHigh() || labels[2 * id + 1] != c.labelsLow()) {
                labels[2 * id] = c.labelsHigh();
                labels[2 * id + 1] = c.labelsLow();
                changes |= TrackedConnection.CHANGE_LABEL;
            }
        }
    }

    /**
     * Sets mark bits, as {@code conntrack -U -m} and nft's {@code ct mark set} do:
     * {@code mark = (mark & ~mask) | (value & mask)}. Emits UPDATE when it changes.
     *
     * @param handle the connection
     * @param value new bits
     * @param mask which bits to change
     * @return false when the connection no longer exists
     */
    public boolean setMark(long handle, int value, int mask) {
        if (find(handle) == null) {
            return false;
        }
        int id = (int) handle;
        int mark = store.mark(id) & ~mask | value & mask;
        if (mark != store.mark(id)) {
            store.setMark(id, mark);
            emit(EventType.UPDATE, id, TrackedConnection.CHANGE_MARK);
        }
        return true;
    }

    /**
     * Sets label bits (128-bit, bit 0 is the lowest bit of {@code low}) under a mask. Label storage
     * is allocated on first use. Emits UPDATE when they change.
     *
     * @param handle the connection
     * @param high bits 64 to 127
     * @param low bits 0 to 63
     * @param maskHigh which of bits 64 to 127 to change
     * @param maskLow which of bits 0 to 63 to change
     * @return false when the connection no longer exists
     */
    public boolean setLabels(long handle, long high, long low, long maskHigh, long maskLow) {
        if (find(handle) == null) {
            return false;
        }
        int id = (int) handle;
        long[] labels = store.labels();
        long h = labels[2 * id] & ~maskHigh | high & maskHigh;
        long l = labels[2 * id + 1] & ~maskLow | low & maskLow;
        if (h != labels[2 * id] || l != labels[2 * id + 1]) {
            labels[2 * id] = h;
            labels[2 * id + 1] = l;
            emit(EventType.UPDATE, id, TrackedConnection.CHANGE_LABEL);
        }
        return true;
    }

    /**
     * Deletes one connection (emits DESTROY).
     *
     * @param handle the connection
     * @return false when it no longer existed
     */
    public boolean delete(long handle) {
        if (find(handle) == null) {
            return false;
        }
        destroy((int) handle, TrackerStatistics.DELETED);
        return true;
    }

    /**
     * Deletes the connection with this tuple in either direction.
     *
     * @param tuple a tuple
     * @param zone the zone
     * @return whether one was deleted
     */
    public boolean delete(Tuple tuple, int zone) {
        int entry = findKey(tuple, zone);
        if (entry < 0) {
            return false;
        }
        destroy(entry >>> 1, TrackerStatistics.DELETED);
        return true;
    }

    /**
     * Deletes every connection the filter accepts (emits DESTROY for each), like
     * {@code conntrack -D} with filters.
     *
     * @param filter which to delete
     * @return how many were deleted
     */
    public int delete(Filter filter) {
        nowMs = toMillis(clock.nanos());
        int deleted = 0;
        for (int id = 0, high = store.highWater(); id < high; id++) {
            if (store.inUse(id) && filter.test(connection(id))) {
                destroy(id, TrackerStatistics.DELETED);
                deleted++;
            }
        }
        return deleted;
    }

    /**
     * Deletes everything (emits DESTROY for each), like {@code conntrack -F}.
     *
     * @return how many were deleted
     */
    public int flush() {
        return delete(Filter.all());
    }

    /**
     * Visits every live connection (expired ones waiting for the sweeper are skipped) with a
     * flyweight, allocation-free. The visitor may delete the connection it is given.
     *
     * @param visitor called once per connection; the flyweight is valid during the call only
     */
    public void forEach(Consumer<TrackedConnection> visitor) {
        forEach(clock.nanos(), visitor);
    }

    /**
     * {@link #forEach(Consumer)} at a given time: which connections are live, and the timeouts the
     * flyweights report, are relative to it (capture replay lists relative to the last packet).
     *
     * @param nowNanos the time
     * @param visitor called once per connection
     */
    public void forEach(long nowNanos, Consumer<TrackedConnection> visitor) {
        nowMs = toMillis(nowNanos);
        TrackedConnection view = new TrackedConnection(this);
        for (int id = 0, high = store.highWater(); id < high; id++) {
            if (store.inUse(id) && !expired(id)) {
                visitor.accept(view.bind(id, 0));
            }
        }
    }

    /**
     * The live connections the filter accepts, as {@code conntrack -L} lists them (timeouts relative
     * to the clock), in id order.
     *
     * @param filter which to list
     * @return the connections
     */
    public List<Connection> list(Filter filter) {
        return list(filter, clock.nanos());
    }

    /**
     * {@link #list(Filter)} at a given time.
     *
     * @param filter which to list
     * @param nowNanos the time the timeouts are relative to
     * @return the connections
     */
    public List<Connection> list(Filter filter, long nowNanos) {
        List<Connection> out = new ArrayList<>();
        forEach(nowNanos, c -> {
            Connection connection = c.toConnection();
            if (filter.test(connection)) {
                out.add(connection);
            }
        });
        return out;
    }

    /** @return connections in the table, expired ones not yet removed included ({@code conntrack -C}) */
    public int count() {
        return store.count;
    }

    /** @return a snapshot of the counters */
    public TrackerStatistics statistics() {
        return new TrackerStatistics(stats, store.count);
    }

    /**
     * The bytes of the table's arrays (index slots and connection arrays), fixed at construction
     * except for labels, allocated on first use.
     *
     * @return bytes
     */
    public long memoryBytes() {
        return v4.bytes() + v6.bytes() + store.bytes() + zoneCount.length * 4L + config.zoneLimits.length * 4L;
    }

    /**
     * The bytes of the IPv4 index and the connection arrays, per connection of the configured maximum:
     * what an IPv4 connection costs.
     *
     * @return bytes per connection
     */
    public double ipv4BytesPerConnection() {
        return (double) (v4.bytes() + store.bytes()) / store.capacity;
    }

    /**
     * Adds a listener. Listeners are called in the order they were added.
     *
     * @param listener the listener
     */
    public void addListener(ConnectionListener listener) {
        Objects.requireNonNull(listener, "listener");
        ConnectionListener[] copy = Arrays.copyOf(listeners, listeners.length + 1);
        copy[listeners.length] = listener;
        listeners = copy;
    }

    /**
     * Removes a listener.
     *
     * @param listener the listener
     */
    public void removeListener(ConnectionListener listener) {
        List<ConnectionListener> rest = new ArrayList<>(Arrays.asList(listeners));
        rest.remove(listener);
        listeners = rest.toArray(new ConnectionListener[0]);
    }

    /**
     * The shard (0 to {@code shards - 1}) a packet belongs to when a flow's packets must all reach
     * the same single-writer tracker: the hash is the same for both directions of a flow without NAT.
     *
     * @param packet a parsed packet
     * @param shards how many trackers there are
     * @param seed the same for every caller
     * @return the shard, 0 for packets without a key
     */
    public static int shardOf(PacketView packet, int shards, long seed) {
        if (!packet.hasKey() || shards <= 1) {
            return 0;
        }
        long k1 = TupleKeys.key1(packet.sourceKey(), packet.destinationKey(), packet.protocol(), 0);
        long k0 = packet.ipVersion() == 4 ? TupleKeys.ipv4Key0(packet.sourceIpv4(), packet.destinationIpv4())
                : TupleKeys.ipv4Key0((int) (packet.sourceLow() ^ packet.sourceHigh()),
                        (int) (packet.destinationLow() ^ packet.destinationHigh()));
        return (int) ((TupleKeys.symmetricHashIpv4(seed, k0, k1) >>> 1) % shards);
    }

    private void emit(EventType type, int id, int changeBits) {
        ConnectionListener[] ls = listeners;
        if (ls.length == 0) {
            return;
        }
        TrackedConnection view = eventView.bind(id, changeBits);
        for (ConnectionListener l : ls) {
            l.onEvent(type, view);
        }
    }

    // ------------------------------------------------------------------ reading (TrackedConnection)

    long handle(int id) {
        return (long) store.generation(id) << 32 | id;
    }

    int status(int id) {
        return store.status(id) & StatusBit.ALL_MASK;
    }

    int state(int id) {
        return store.state(id);
    }

    boolean isIpv6(int id) {
        return (store.status(id) & ConnectionStore.IPV6) != 0;
    }

    boolean isExternal(int id) {
        return (store.status(id) & ConnectionStore.EXTERNAL) != 0;
    }

    int mark(int id) {
        return store.mark(id);
    }

    String helperName(int id) {
        return helperOf == null || helperOf[id] == null ? null : helperOf[id].helperName();
    }

    long labelsHigh(int id) {
        return store.labels == null ? 0 : store.labels[2 * id];
    }

    long labelsLow(int id) {
        return store.labels == null ? 0 : store.labels[2 * id + 1];
    }

    /** @return the connection's counters (packets, bytes of each direction from index {@code 4 * id}), or null without accounting */
    long[] counters() {
        return store.counters;
    }

    int tcpMisc(int id) {
        return store.records[ConnectionStore.proto(id) + ConnectionStore.TCP_MISC];
    }

    int sctpVtag(int id, int dir) {
        return sctp.vtag(id, dir);
    }

    long remainingMillis(int id) {
        return Math.max(0, store.expiry(id) - nowMs);
    }

    long key1(int id) {
        return (isIpv6(id) ? v6 : v4).key1(id << 1);
    }

    Tuple tuple(int id, int dir) {
        boolean ipv6 = isIpv6(id);
        long[] k = new long[5];
        int entry = (store.status(id) & SINGLE_KEY) != 0 ? id << 1 : id << 1 | dir;
        (ipv6 ? v6 : v4).key(entry, k);
        long k1 = ipv6 ? k[4] : k[1];
        IpAddress source = ipv6 ? IpAddress.ofIpv6(k[0], k[1]) : IpAddress.ofIpv4(TupleKeys.source(k[0]));
        IpAddress destination = ipv6 ? IpAddress.ofIpv6(k[2], k[3]) : IpAddress.ofIpv4(TupleKeys.destination(k[0]));
        return new Tuple(source, destination, L4Protocol.of(TupleKeys.protocol(k1)), TupleKeys.sourceKey(k1),
                TupleKeys.destinationKey(k1), Tuple.NO_ZONE);
    }

    Connection connection(int id) {
        return lookupView.bind(id, 0).toConnection();
    }
}

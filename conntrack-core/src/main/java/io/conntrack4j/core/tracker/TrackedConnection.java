package io.conntrack4j.core.tracker;

import io.conntrack4j.core.AddressFamily;
import io.conntrack4j.core.Connection;
import io.conntrack4j.core.EventType;
import io.conntrack4j.core.L4Protocol;
import io.conntrack4j.core.SctpState;
import io.conntrack4j.core.StatusBit;
import io.conntrack4j.core.TcpState;
import io.conntrack4j.core.Tuple;
import io.conntrack4j.core.internal.TupleKeys;

/**
 * A flyweight over one connection of a {@link ConnectionTracker}: reads the tracker's arrays in
 * place, so listeners and visitors see connections without allocation. Valid only during the
 * callback (or until the next call on the tracker, for {@link ConnectionTracker#find}); keep
 * {@link #handle()} or a {@link #toConnection()} copy instead of the flyweight. The tuple accessors
 * and the conversions allocate.
 *
 * <pre>{@code
 * tracker.forEach(c -> {
 *     if (c.tcpState() == TcpState.ESTABLISHED) System.out.println(c.toConnection());
 * });
 * }</pre>
 */
public final class TrackedConnection {

    /** {@link #changes()}: the connection was created. */
    public static final int CHANGE_NEW = 1;
    /** {@link #changes()}: the first reply was seen (SEEN_REPLY set). */
    public static final int CHANGE_REPLY = 1 << 1;
    /** {@link #changes()}: ASSURED was set. */
    public static final int CHANGE_ASSURED = 1 << 2;
    /** {@link #changes()}: the protocol state changed. */
    public static final int CHANGE_PROTOINFO = 1 << 3;
    /** {@link #changes()}: the mark changed. */
    public static final int CHANGE_MARK = 1 << 4;
    /** {@link #changes()}: the labels changed. */
    public static final int CHANGE_LABEL = 1 << 5;
    /** {@link #changes()}: status bits were changed from outside. */
    public static final int CHANGE_STATUS = 1 << 6;
    /** {@link #changes()}: the timeout was set from outside. */
    public static final int CHANGE_TIMEOUT = 1 << 7;
    /** {@link #changes()}: the connection is being removed. */
    public static final int CHANGE_DESTROY = 1 << 8;

    private final ConnectionTracker tracker;
    private int id;
    private int changes;

    TrackedConnection(ConnectionTracker tracker) {
        this.tracker = tracker;
    }

    TrackedConnection bind(int connectionId, int changeBits) {
        this.id = connectionId;
        this.changes = changeBits;
        return this;
    }

    /** @return the connection id (recycled after deletion; see {@link #handle()}) */
    public int id() {
        return id;
    }

    /** @return id and generation: names this connection and no later one with the same id */
    public long handle() {
        return tracker.handle(id);
    }

    /** @return in an event, what changed ({@link #CHANGE_NEW} ...); 0 elsewhere */
    public int changes() {
        return changes;
    }

    /** @return the address family */
    public AddressFamily family() {
        return tracker.isIpv6(id) ? AddressFamily.IPV6 : AddressFamily.IPV4;
    }

    /** @return the layer-4 protocol */
    public L4Protocol protocol() {
        return L4Protocol.of(TupleKeys.protocol(tracker.key1(id)));
    }

    /** @return the zone, 0 to 65535 */
    public int zone() {
        return TupleKeys.zone(tracker.key1(id));
    }

    /** @return Linux's status bits ({@link StatusBit}) */
    public int status() {
        return tracker.status(id);
    }

    /**
     * @param bit a status bit
     * @return whether it is set
     */
    public boolean hasStatus(StatusBit bit) {
        return bit.isSet(status());
    }

    /** @return the TCP state, or null for other protocols */
    public TcpState tcpState() {
        return protocol() == L4Protocol.TCP ? TcpState.ofNumber(tracker.state(id)) : null;
    }

    /** @return the SCTP state, or null for other protocols */
    public SctpState sctpState() {
        return protocol() == L4Protocol.SCTP ? SctpState.ofNumber(tracker.state(id)) : null;
    }

    /** @return whether the entry came from {@link ConnectionTracker#apply} rather than packets */
    public boolean isExternal() {
        return tracker.isExternal(id);
    }

    /** @return the 32-bit mark */
    public int mark() {
        return tracker.mark(id);
    }

    /** @return label bits 64 to 127 */
    public long labelsHigh() {
        return tracker.labelsHigh(id);
    }

    /** @return label bits 0 to 63 */
    public long labelsLow() {
        return tracker.labelsLow(id);
    }

    /** @return milliseconds until the connection expires, relative to the tracker's last clock reading */
    public long remainingMillis() {
        return tracker.remainingMillis(id);
    }

    /** @return the original-direction tuple (allocates) */
    public Tuple original() {
        return tracker.tuple(id, 0);
    }

    /** @return the reply-direction tuple (allocates) */
    public Tuple reply() {
        return tracker.tuple(id, 1);
    }

    /**
     * The connection as {@code conntrack -L} reports it: timeout in whole seconds left, mark,
     * zone when not 0, labels when set, the helper's name, {@code use=1}, id; for TCP the state, flags
     * and scales.
     *
     * @return an immutable copy
     */
    public Connection toConnection() {
        Connection.Builder b = counters(common()).timeout((int) (remainingMillis() / 1000)).mark(mark()).use(1);
        String helper = tracker.helperName(id);
        if (helper != null) {
            b.helper(helper);
        }
        if (protocol() == L4Protocol.TCP) {
            b.tcpState(tcpState());
            int misc = tracker.tcpMisc(id);
            b.tcpWindow(TcpTracker.flagsOf(misc, 0), TcpTracker.flagsOf(misc, 1), TcpTracker.scaleOf(misc, 0),
                    TcpTracker.scaleOf(misc, 1));
        } else if (protocol() == L4Protocol.SCTP) {
            b.sctpState(sctpState()).sctpVtags(tracker.sctpVtag(id, 0), tracker.sctpVtag(id, 1));
        }
        return b.build();
    }

    /**
     * The connection as ctnetlink reports it in an event, which {@code conntrack -E} prints: NEW and
     * UPDATE carry the timeout, the TCP state only when it changed (always in NEW), the mark when set
     * or changed; DESTROY carries the counters (with accounting) and, when the entry was killed or
     * deleted before its time, the whole seconds it had left (none when it expired).
     *
     * @param type the event type
     * @return an immutable copy
     */
    public Connection toEventConnection(EventType type) {
        Connection.Builder b = common();
        int timeout = (int) (remainingMillis() / 1000);
        if (type != EventType.DESTROY) {
            b.timeout(timeout);
        } else {
            // ctnetlink_conntrack_event(): counters in DESTROY events only, and the timeout left
            // unless it is 0 (ctnetlink_dump_timeout(skb, ct, true) skips zero): a killed or deleted
            // entry reports its remaining time, an expired one none
            counters(b);
            if (timeout > 0) {
                b.timeout(timeout);
            }
        }
        if (type != EventType.UPDATE || (changes & CHANGE_PROTOINFO) != 0) {
            if (protocol() == L4Protocol.TCP) {
                b.tcpState(tcpState());
            } else if (protocol() == L4Protocol.SCTP) {
                b.sctpState(sctpState());
            }
        }
        if (mark() != 0 || (changes & CHANGE_MARK) != 0) {
            b.mark(mark());
        }
        return b.build();
    }

    private Connection.Builder counters(Connection.Builder b) {
        long[] counters = tracker.counters();
        if (counters != null) {
            b.countersOriginal(counters[4 * id], counters[4 * id + 1]).countersReply(counters[4 * id + 2],
                    counters[4 * id + 3]);
        }
        return b;
    }

    private Connection.Builder common() {
        Connection.Builder b = Connection.builder(original(), reply()).status(status()).id(id);
        if (zone() != 0) {
            b.zone(zone());
        }
        if (labelsHigh() != 0 || labelsLow() != 0) {
            b.labels(labelsHigh(), labelsLow());
        }
        return b;
    }

    @Override
    public String toString() {
        return toConnection().toString();
    }
}

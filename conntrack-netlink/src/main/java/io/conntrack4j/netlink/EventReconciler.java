package io.conntrack4j.netlink;

import io.conntrack4j.core.Connection;
import io.conntrack4j.core.EventType;
import io.conntrack4j.core.Tuple;
import io.conntrack4j.netlink.internal.Cta;
import io.conntrack4j.netlink.internal.CtMessageType;
import io.conntrack4j.netlink.internal.MessageWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Keeps an application's view of the table right across event loss, as conntrackd's resync after
 * an overrun does. Put it between a {@link ConntrackEventListener} and the application's handler:
 * it remembers every connection the events announced (by original tuple and zone) and passes the
 * events on. When the kernel reports an overrun, the application is told
 * ({@link ConntrackEventHandler#onOverrun}, {@link #resyncNeeded()}) and calls
 * {@link #resync(ConntrackTable)}: one dump, compared with what the events said, and the
 * difference handed to the application as events: NEW for connections it never heard of, UPDATE
 * for ones whose status, mark, protocol state or labels changed unseen, DESTROY for ones that are
 * gone. Afterwards the application's view equals the table (as of the dump).
 *
 * <p>Unlike the listener, this allocates: one {@link Connection} per event, and a map entry per
 * connection. Not thread-safe: poll and resync from one thread.
 *
 * <pre>{@code
 * EventReconciler view = new EventReconciler(myHandler);
 * while (running) {
 *     events.poll(4096, 500, view);
 *     if (view.resyncNeeded()) view.resync(table);   // myHandler receives what was missed
 * }
 * }</pre>
 */
public final class EventReconciler implements ConntrackEventHandler {
    private final ConntrackEventHandler downstream;
    private final Map<Key, Connection> known = new HashMap<>();
    private final ByteBuffer scratch = ByteBuffer.allocateDirect(1024).order(ByteOrder.nativeOrder());
    private final ByteBuffer scratchNetwork = scratch.duplicate().order(ByteOrder.BIG_ENDIAN);
    private final MessageWriter writer = new MessageWriter(scratch);
    private final ConntrackEntry gone = new ConntrackEntry();
    private boolean resyncNeeded;

    /** A connection's identity: its original tuple in its zone. */
    private record Key(Tuple original, int zone) {
        static Key of(Connection c) {
            return new Key(c.original(), c.hasZone() ? c.zone() : 0);
        }
    }

    /**
     * Passes every event on to {@code downstream}.
     *
     * @param downstream the application's handler
     */
    public EventReconciler(ConntrackEventHandler downstream) {
        this.downstream = Objects.requireNonNull(downstream, "downstream");
    }

    @Override
    public void onEvent(EventType type, ConntrackEntry entry, int portId, boolean own) {
        Connection c = entry.toConnection();
        if (c != null) {
            Key key = Key.of(c);
            if (type == EventType.DESTROY) {
                known.remove(key);
            } else {
                known.put(key, merged(known.get(key), c));
            }
        }
        downstream.onEvent(type, entry, portId, own);
    }

    @Override
    public void onExpectation(EventType type, ExpectationEntry expectation, int portId, boolean own) {
        downstream.onExpectation(type, expectation, portId, own);
    }

    @Override
    public void onOverrun(long overruns, long kernelDrops) {
        resyncNeeded = true;
        downstream.onOverrun(overruns, kernelDrops);
    }

    /**
     * Whether events were lost since the last resync (an overrun was reported).
     *
     * @return true when {@link #resync(ConntrackTable)} should run
     */
    public boolean resyncNeeded() {
        return resyncNeeded;
    }

    /**
     * Dumps {@code table} and hands the difference from the remembered view to the application as
     * events (port id 0, not own). Call it after draining the listener, so that events still queued
     * do not arrive after the resync that already covered them (they would be repeated, not lost).
     *
     * @param table the table the listener watches (same namespace)
     * @return the events handed over
     * @throws NetlinkException when the dump fails
     */
    public int resync(ConntrackTable table) {
        return resync(table, DumpFilter.all());
    }

    /**
     * {@link #resync(ConntrackTable)} for a listener that sees only some events (one with
     * {@link ConntrackEventListener#attachFilter(DumpFilter)}): the view is made equal to the
     * entries that meet {@code filter}; remembered ones that do not are handed over as DESTROY.
     *
     * <pre>{@code
     * events.attachFilter(tcpOnly);
     * ...
     * if (view.resyncNeeded()) view.resync(table, tcpOnly);
     * }</pre>
     *
     * @param table the table the listener watches
     * @param filter the listener's filter
     * @return the events handed over
     * @throws NetlinkException when the dump fails
     */
    public int resync(ConntrackTable table, DumpFilter filter) {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(filter, "filter");
        resyncNeeded = false;
        Set<Key> present = new HashSet<>();
        int[] emitted = {0};
        table.dump(filter, entry -> {
            Connection now = entry.toConnection();
            if (now == null) {
                return true;
            }
            Key key = Key.of(now);
            present.add(key);
            Connection before = known.get(key);
            if (before == null) {
                emitted[0]++;
                downstream.onEvent(EventType.NEW, entry, 0, false);
            } else if (differs(before, now)) {
                emitted[0]++;
                downstream.onEvent(EventType.UPDATE, entry, 0, false);
            }
            known.put(key, now);
            return true;
        });
        List<Key> vanished = new ArrayList<>();
        for (Key key : known.keySet()) {
            if (!present.contains(key)) {
                vanished.add(key);
            }
        }
        for (Key key : vanished) {
            Connection c = known.remove(key);
            emitted[0]++;
            downstream.onEvent(EventType.DESTROY, destroyed(c), 0, false);
        }
        return emitted[0];
    }

    /**
     * The number of connections in the view.
     *
     * @return count
     */
    public int size() {
        return known.size();
    }

    /**
     * The connection the view holds for an original tuple and zone.
     *
     * @param original the original tuple
     * @param zone the zone (0 for the default)
     * @return the connection as last announced, or null
     */
    public Connection get(Tuple original, int zone) {
        return known.get(new Key(original, zone));
    }

    /** UPDATE events carry the protocol state only when it changed: keep the one known. */
    private static Connection merged(Connection before, Connection now) {
        if (before != null && !now.hasProtocolState() && before.hasProtocolState()
                && before.protocol() == now.protocol()) {
            return now.toBuilder().protocolState(before.protocolState()).build();
        }
        return now;
    }

    private static boolean differs(Connection a, Connection b) {
        if (a.hasStatus() && b.hasStatus() && a.status() != b.status()) {
            return true;
        }
        if ((a.hasMark() ? a.mark() : 0) != (b.hasMark() ? b.mark() : 0)) {
            return true;
        }
        if (a.hasProtocolState() && b.hasProtocolState() && a.protocolState() != b.protocolState()) {
            return true;
        }
        long aHigh = a.hasLabels() ? a.labelsHigh() : 0;
        long aLow = a.hasLabels() ? a.labelsLow() : 0;
        long bHigh = b.hasLabels() ? b.labelsHigh() : 0;
        long bLow = b.hasLabels() ? b.labelsLow() : 0;
        return aHigh != bHigh || aLow != bLow;
    }

    /** A DESTROY message for a connection the dump no longer has, read back as an entry. */
    private ConntrackEntry destroyed(Connection c) {
        writer.reset();
        writer.begin(CtMessageType.DELETE, 0, 0, c.family().number(), 0);
        ConnectionEncoder.writeTuple(writer, Cta.TUPLE_ORIG, c.original());
        ConnectionEncoder.writeTuple(writer, Cta.TUPLE_REPLY, c.reply());
        if (c.hasStatus()) {
            writer.putU32(Cta.STATUS, c.status() & 0xFFFFFFFFL);
        }
        if (c.hasMark()) {
            writer.putU32(Cta.MARK, c.mark() & 0xFFFFFFFFL);
        }
        if (c.hasZone()) {
            writer.putU16(Cta.ZONE, c.zone());
        }
        if (c.hasId()) {
            writer.putU32(Cta.ID, c.id() & 0xFFFFFFFFL);
        }
        int length = writer.end();
        gone.wrap(scratch, scratchNetwork, 0, length);
        return gone;
    }
}

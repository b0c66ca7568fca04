package io.conntrack4j.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.core.Connection;
import io.conntrack4j.core.EventType;
import io.conntrack4j.core.IpAddress;
import io.conntrack4j.core.L4Protocol;
import io.conntrack4j.core.Tuple;
import io.conntrack4j.testkit.KernelTest;
import io.conntrack4j.testkit.NetNs;
import io.conntrack4j.testkit.NetworkLab;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Resync after an overrun against the live kernel: a listener with a receive buffer far too small
 * for a burst loses events; after the application is told and resyncs, the view (what the events
 * plus the resync told it) equals the table, entry by entry and mark by mark.
 */
@KernelTest(requires = {"conntrack", "sysctl"})
class EventReconcilerKernelTest {
    @RegisterExtension
    final NetworkLab lab = new NetworkLab();

    /** Counts what reaches the application, by type. */
    static final class Application implements ConntrackEventHandler {
        final Map<EventType, Integer> counts = new EnumMap<>(EventType.class);
        int overrunsTold;

        @Override
        public void onEvent(EventType type, ConntrackEntry entry, int portId, boolean own) {
            counts.merge(type, 1, Integer::sum);
        }

        @Override
        public void onOverrun(long overruns, long kernelDrops) {
            overrunsTold++;
        }

        int count(EventType type) {
            return counts.getOrDefault(type, 0);
        }
    }

    private static Connection udp(int i) {
        Tuple orig = Tuple.ofPorts(IpAddress.parse("10.50." + (i >> 8) + "." + (i & 0xff)), IpAddress.parse("10.60.0.1"),
                L4Protocol.UDP, 1000 + i, 53);
        return Connection.builder(orig).timeout(600).mark(1).build();
    }

    private static void drain(ConntrackEventListener listener, ConntrackEventHandler handler) {
        while (listener.poll(4096, 200, handler) > 0) {
            // until the queue stays empty for 200 ms
        }
    }

    /** The view must hold exactly the table's connections, with their marks. */
    private static void assertViewIsTable(EventReconciler view, ConntrackTable table) {
        List<Connection> all = table.list();
        assertEquals(all.size(), view.size());
        for (Connection c : all) {
            Connection seen = view.get(c.original(), c.hasZone() ? c.zone() : 0);
            assertNotNull(seen, "the view lacks " + c.original());
            assertEquals(c.mark(), seen.mark(), c.original().toString());
        }
    }

    @Test
    void afterAnOverrunTheResyncHandsOverExactlyWhatWasMissed() {
        NetNs ns = lab.namespace("resync");
        ns.execOk("sysctl", "-qw", "net.netfilter.nf_conntrack_events=1");
        Application app = new Application();
        EventReconciler view = new EventReconciler(app);
        // the smallest buffer the kernel allows holds a handful of events
        ConntrackEventListener.Options tiny = ConntrackEventListener.Options.ALL.withReceiveBufferBytes(1);
        try (ConntrackEventListener listener = ConntrackEventListener.openInNamespace(ns.name(), tiny);
             ConntrackTable table = new ConntrackTable(
                     NetlinkSocket.openInNamespace(ns.name(), NetlinkSocket.Options.DEFAULT))) {
            List<Connection> burst = new ArrayList<>();
            for (int i = 0; i < 2000; i++) {
                burst.add(udp(i));
            }
            assertTrue(table.createAll(burst).failures().isEmpty());
            drain(listener, view);
            assertTrue(view.resyncNeeded(), "2000 events overran a minimal buffer");
            assertTrue(app.overrunsTold > 0);
            int heard = app.count(EventType.NEW);
            assertTrue(heard < 2000, "some NEW events were lost: " + heard);
            int emitted = view.resync(table);
            assertEquals(2000 - heard, emitted);
            assertEquals(2000, app.count(EventType.NEW));
            assertViewIsTable(view, table);

            // second burst: deletes, mark changes and creations, all partly lost
            app.counts.clear();
            assertTrue(table.deleteAll(burst.subList(0, 1000)).failures().isEmpty());
            for (int i = 1000; i < 1200; i++) {
                table.updateMark(udp(i).original(), 0, 2, -1);
            }
            List<Connection> more = new ArrayList<>();
            for (int i = 2000; i < 2500; i++) {
                more.add(udp(i));
            }
            assertTrue(table.createAll(more).failures().isEmpty());
            drain(listener, view);
            assertTrue(view.resyncNeeded());
            view.resync(table);
            assertViewIsTable(view, table);
            assertEquals(1000, app.count(EventType.DESTROY), "every delete reached the application once");
            assertEquals(500, app.count(EventType.NEW), "every creation reached the application once");
            assertTrue(app.count(EventType.UPDATE) >= 200, "every mark change reached the application");
            assertEquals(1500, table.count());
            // nothing was lost since: a resync now has nothing to say
            assertEquals(0, view.resync(table));
            // narrowed to what a filtered listener would see: the others leave the view
            app.counts.clear();
            assertEquals(1300, view.resync(table, DumpFilter.builder().mark(2, -1).build()));
            assertEquals(1300, app.count(EventType.DESTROY));
            assertEquals(200, view.size());
        }
    }
}

package io.conntrack4j.netlink;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.core.Connection;
import io.conntrack4j.core.EventType;
import io.conntrack4j.testkit.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One round of an event filter test: creates the entries, flushes them, and collects what a
 * listener with a filter attached delivers, by original tuple, until the expected NEW and
 * DESTROY events are in; then polls a while longer so that an event the filter should have
 * dropped shows up in {@link #all}.
 */
final class FilteredEventRound {
    private static final Duration WAIT = Duration.ofSeconds(10);

    /** Original tuples of the NEW events. */
    final Set<String> created = new HashSet<>();
    /** Original tuples of the DESTROY events. */
    final Set<String> destroyed = new HashSet<>();
    /** Every event delivered, as "TYPE tuple" ("TYPE late" for those after the wait). */
    final List<String> all = new ArrayList<>();

    private FilteredEventRound() {
    }

    static FilteredEventRound run(ConntrackTable table, ConntrackEventListener listener, List<Connection> entries,
            Object filter, int newWanted, int destroyWanted) {
        assertTrue(table.createAll(entries).failures().isEmpty());
        table.flush();
        FilteredEventRound round = new FilteredEventRound();
        Await.until(WAIT, "the NEW and DESTROY events of " + filter, () -> {
            listener.poll(1000, 100, (type, entry, portId, own) -> {
                String tuple = entry.original().toTuple().toString();
                round.all.add(type + " " + tuple);
                (type == EventType.NEW ? round.created : round.destroyed).add(tuple);
            });
            return round.created.size() >= newWanted && round.destroyed.size() >= destroyWanted;
        });
        // nothing more is coming
        listener.poll(1000, 300, (type, entry, portId, own) -> round.all.add(type + " late"));
        return round;
    }
}

package io.conntrack4j.core.tracker;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Pending expectations, keyed by what the expected connection's first packet must carry. Both
 * helpers expect an exact source address, destination address and destination port and any source
 * port (nf_conntrack_ftp and nf_conntrack_tftp pass a NULL source port to nf_ct_expect_init(), so
 * the mask's source port is 0), which makes the masked lookup an exact hash lookup. Only the helper
 * and new-connection paths touch it, and only when it is not empty.
 */
final class ExpectationTable {

    /** One expectation; {@code masterId} is the master connection's id in the store. */
    static final class Pending {
        final Key key;
        final int masterId;
        final long masterHandle;
        final ConnectionHelper helper;
        final int expiresMs;
        final int id;

        Pending(Key key, int masterId, long masterHandle, ConnectionHelper helper, int expiresMs, int id) {
            this.key = key;
            this.masterId = masterId;
            this.masterHandle = masterHandle;
            this.helper = helper;
            this.expiresMs = expiresMs;
            this.id = id;
        }
    }

    /**
     * The expected first packet: addresses (IPv4 in the low halves, high halves 0), layer-4
     * protocol, destination port and zone.
     */
    record Key(boolean ipv6, long sourceHigh, long sourceLow, long destinationHigh, long destinationLow,
               int protocol, int destinationPort, int zone) {
    }

    /** The pending expectations, oldest first (listing order). */
    final LinkedHashMap<Key, Pending> byKey = new LinkedHashMap<>();
    /** Each master's expectations, oldest first, for max_expected and removal with the master. */
    private final HashMap<Integer, ArrayDeque<Pending>> byMaster = new HashMap<>();
    private int nextId = 1;

    boolean isEmpty() {
        return byKey.isEmpty();
    }

    int size() {
        return byKey.size();
    }

    Pending find(Key key) {
        return byKey.get(key);
    }

    /** @return the expectation with the same key, to be replaced (Linux: same master and class) */
    Pending clash(Key key) {
        return byKey.get(key);
    }

    /** @return the master's oldest expectation when it already has {@code max} */
    Pending oldestOverLimit(int masterId, int max) {
        ArrayDeque<Pending> mine = byMaster.get(masterId);
        return mine != null && mine.size() >= max ? mine.peekFirst() : null;
    }

    Pending insert(Key key, int masterId, long masterHandle, ConnectionHelper helper, int expiresMs) {
        Pending p = new Pending(key, masterId, masterHandle, helper, expiresMs, nextId++);
        byKey.put(key, p);
        byMaster.computeIfAbsent(masterId, m -> new ArrayDeque<>(2)).addLast(p);
        return p;
    }

    void remove(Pending p) {
        byKey.remove(p.key);
        ArrayDeque<Pending> mine = byMaster.get(p.masterId);
        if (mine != null) {
            mine.remove(p);
            if (mine.isEmpty()) {
                byMaster.remove(p.masterId);
            }
        }
    }

    /** @return the master's expectations (removed from the table by the caller), or null */
    ArrayDeque<Pending> ofMaster(int masterId) {
        return byMaster.get(masterId);
    }

    Iterator<Map.Entry<Key, Pending>> iterator() {
        return byKey.entrySet().iterator();
    }
}

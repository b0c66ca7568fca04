/**
 * The user-space connection tracker: {@link io.conntrack4j.core.tracker.ConnectionTracker} takes
 * parsed packets ({@link io.conntrack4j.core.packet.PacketView}) and keeps Linux-compatible
 * connection state (TCP with window tracking, UDP, UDP-Lite, SCTP, ICMP, ICMPv6, GRE, generic), with
 * NEW/UPDATE/DESTROY events, statistics like {@code conntrack -S}, and create/update/delete from
 * outside for state sync.
 *
 * <h2>Concurrency model</h2>
 * A {@code ConnectionTracker} is one <em>shard</em> with a single writer: every method must be
 * called from the thread that owns it, and nothing on the packet path locks, uses volatile fields
 * or allocates. To use several cores, run one tracker per worker thread and send each packet to
 * the worker of {@link io.conntrack4j.core.tracker.ConnectionTracker#shardOf shardOf(packet, n, seed)}:
 * that hash is the same for both directions of a flow (it combines the two address/port ends in an
 * order-independent way), so both directions of a connection without NAT meet the same tracker.
 * Control-plane work (dumps, filtered deletes, {@code apply} from a sync peer, mark changes) runs on
 * the owning thread too, typically taken from a queue between packet batches. A dump is then safe by
 * construction: {@code forEach} walks the connection ids in order and sees each live connection
 * exactly once; the visitor may delete the connection it is given, and ids freed or created during
 * the walk are simply visited or not, as a ctnetlink dump of a changing table does. Listeners run on
 * the same thread, after the packet that caused the event, with a flyweight that must be copied to
 * be kept.
 *
 * <h2>Batches</h2>
 * On tables larger than the caches, pass packets in batches
 * ({@link io.conntrack4j.core.tracker.ConnectionTracker#process(io.conntrack4j.core.packet.PacketView[], int, int, long, ProcessResult[])
 * process(views, n, zone, now, results)}): the same verdicts, but the cache misses of the batch
 * overlap. A batch is worked in stages of 32 packets: hash every IPv4 key, load every home slot,
 * probe, load every connection record, then track the packets in order with those lookups (reused
 * only while no packet of the stage has inserted or removed an index entry).
 *
 * <h2>Memory layout</h2>
 * An IPv4 connection costs about 173 bytes at one million connections: two 24-byte index slots
 * (key and reference) at load factor 0.5, one 64-byte record (everything a packet touches, on one
 * cache line in large tables) and 8 bytes of slot positions. TCP ACKs on assured ESTABLISHED
 * connections take a fast path that checks the same four window bounds and falls back to the
 * general state machine whenever one fails. A SYN that re-opens a closed TCP connection from the
 * client's side (TIME_WAIT re-use) re-initialises the entry where it stands, with the events,
 * statistics and new handle of Linux's kill-and-recreate, so the index does not change and a batch's
 * lookups stay valid.
 *
 * <h2>Fragments</h2>
 * The tracker needs whole datagrams (Linux defragments before conntrack): any IP fragment gets
 * verdict {@code INVALID} with reason {@code FRAGMENT}. Reassemble first.
 *
 * <h2>Helpers and expectations</h2>
 * Helpers are assigned explicitly per (protocol, server port) with
 * {@link io.conntrack4j.core.tracker.TrackerConfig.Builder#helper TrackerConfig.Builder.helper}, as
 * {@code nft ... ct helper set} does: {@link io.conntrack4j.core.tracker.ConnectionHelper#FTP FTP}
 * (PORT, EPRT, 227, 229 with nf_conntrack_ftp's per-direction newline sequence tracking) and
 * {@link io.conntrack4j.core.tracker.ConnectionHelper#TFTP TFTP} (read and write requests). They
 * create expectations (one per master, 5 minutes, any source port); the first packet of a matching
 * new connection takes it, gets status EXPECTED and the master's mark, and verdict {@code RELATED}
 * until its reply. {@code expectations()} lists them as {@code conntrack -L expect} does. Without a
 * helper configured the packet path does no helper work and still allocates nothing; helper and
 * expectation paths allocate.
 *
 * <h2>Time</h2>
 * All times come from the configured {@link io.conntrack4j.core.tracker.NanoClock}, or from the
 * {@code nowNanos} argument (capture replay uses packet timestamps). Expiry is kept in milliseconds in
 * a wrap-safe 32-bit counter, which bounds timeouts to about 24 days.
 */
package io.conntrack4j.core.tracker;

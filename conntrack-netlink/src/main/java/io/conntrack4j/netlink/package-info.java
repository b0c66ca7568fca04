/**
 * The kernel's conntrack table over ctnetlink: {@link io.conntrack4j.netlink.NetlinkSocket} opens a
 * netfilter netlink socket in a network namespace, {@link io.conntrack4j.netlink.ConntrackTable}
 * counts, dumps (streaming, one reused {@link io.conntrack4j.netlink.ConntrackEntry} view, no
 * allocation per entry) or lists them as core {@link io.conntrack4j.core.Connection}s
 * ({@link io.conntrack4j.netlink.ConntrackTable#list()}, every attribute the kernel sends), flushes and
 * deletes entries, and reads per-CPU statistics; {@link io.conntrack4j.netlink.DumpFilter} selects
 * entries for a dump or flush, filtered in the kernel as far as it reliably can and checked again in
 * user space. Dumps can receive on a second thread while the caller visits
 * ({@link io.conntrack4j.netlink.ConntrackTable#receiveAhead(boolean)}), so that the kernel's half
 * of a big dump and the caller's half run on two cores. {@link io.conntrack4j.netlink.ExpectationTable} does the same for expectations
 * (what {@code conntrack -L/-I/-D/-F expect} do), through the reused
 * {@link io.conntrack4j.netlink.ExpectationEntry} view. Kernel errors
 * arrive as {@link io.conntrack4j.netlink.NetlinkException} with the kernel's extended-ACK text.
 * {@link io.conntrack4j.netlink.ConntrackEventListener} subscribes to NEW/UPDATE/DESTROY events (what
 * {@code conntrack -E} shows), hands them to a {@link io.conntrack4j.netlink.ConntrackEventHandler}
 * through the same reused view, and survives receive-buffer overruns, counting what the kernel dropped;
 * it can also receive expectation events, and drop unwanted events in the kernel
 * ({@link io.conntrack4j.netlink.ConntrackEventListener#attachFilter}, classic BPF).
 * {@link io.conntrack4j.netlink.EventReconciler} turns an overrun into a resync that hands the
 * application exactly what it missed.
 * Every operation needs CAP_NET_ADMIN in the namespace.
 *
 * <pre>{@code
 * try (ConntrackTable table = new ConntrackTable(NetlinkSocket.openInNamespace("blue", NetlinkSocket.Options.DEFAULT))) {
 *     table.dump(AddressFamily.IPV4, entry -> {
 *         System.out.println(entry.original().sourceAddress() + " -> " + entry.original().destinationAddress());
 *         return true;
 *     });
 * }
 * }</pre>
 */
package io.conntrack4j.netlink;

/**
 * The kernel's conntrack table over ctnetlink: {@link io.conntrack4j.netlink.NetlinkSocket} opens a
 * netfilter netlink socket in a network namespace, {@link io.conntrack4j.netlink.ConntrackTable}
 * counts, dumps (streaming, one reused {@link io.conntrack4j.netlink.ConntrackEntry} view, no
 * allocation per entry) or lists them as core {@link io.conntrack4j.core.Connection}s
 * ({@link io.conntrack4j.netlink.ConntrackTable#list()}, every attribute the kernel sends), flushes and
 * deletes entries, and reads per-CPU statistics. Kernel errors
 * arrive as {@link io.conntrack4j.netlink.NetlinkException} with the kernel's extended-ACK text.
 * {@link io.conntrack4j.netlink.ConntrackEventListener} subscribes to NEW/UPDATE/DESTROY events (what
 * {@code conntrack -E} shows), hands them to a {@link io.conntrack4j.netlink.ConntrackEventHandler}
 * through the same reused view, and survives receive-buffer overruns, counting what the kernel dropped.
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

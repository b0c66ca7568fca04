package io.conntrack4j.netlink;

import io.conntrack4j.core.AddressFamily;
import io.conntrack4j.core.Connection;
import io.conntrack4j.netlink.internal.AttributeIterator;
import io.conntrack4j.netlink.internal.CtMessageType;
import io.conntrack4j.netlink.internal.Cta;
import io.conntrack4j.netlink.internal.CtaIp;
import io.conntrack4j.netlink.internal.CtaProto;
import io.conntrack4j.netlink.internal.CtaStats;
import io.conntrack4j.netlink.internal.CtaTuple;
import io.conntrack4j.netlink.internal.MessageIterator;
import io.conntrack4j.netlink.internal.MessageWriter;
import io.conntrack4j.netlink.internal.Netlink;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The kernel's conntrack table of one network namespace, through a {@link NetlinkSocket}: count,
 * per-CPU statistics, streaming dump, flush and delete. Closing the table closes its socket.
 * Not thread-safe, like the socket.
 *
 * <pre>{@code
 * try (ConntrackTable table = new ConntrackTable(NetlinkSocket.open())) {
 *     System.out.println(table.count() + " entries");
 *     table.dump(AddressFamily.IPV4, entry -> {
 *         System.out.println(entry.original().sourceAddress());
 *         return true;
 *     });
 *     List<Connection> all = table.list();   // what conntrack -L lists
 *     table.flush();
 * }
 * }</pre>
 */
public final class ConntrackTable implements AutoCloseable {
    private static final int EPROTO = 71;
    private final NetlinkSocket socket;
    private final ConntrackEntry entry = new ConntrackEntry();
    private final AttributeIterator attributes = new AttributeIterator();
    private long incomplete;

    /**
     * Works on the namespace of {@code socket}.
     *
     * @param socket an open netfilter socket; owned by the table from now on
     */
    public ConntrackTable(NetlinkSocket socket) {
        this.socket = Objects.requireNonNull(socket, "socket");
    }

    /**
     * The socket the table uses.
     *
     * @return socket
     */
    public NetlinkSocket socket() {
        return socket;
    }

    /**
     * The number of entries in the namespace (what {@code conntrack -C} prints), from
     * IPCTNL_MSG_CT_GET_STATS.
     *
     * @return entries
     * @throws NetlinkException when the kernel refuses (EPERM without CAP_NET_ADMIN)
     */
    public long count() {
        long[] count = {-1};
        socket.request(CtMessageType.GET_STATS, Netlink.NLM_F_ACK, Netlink.AF_UNSPEC, Netlink.NFNETLINK_V0);
        socket.execute("count conntrack entries", messages -> {
            if (messages.type() != CtMessageType.GET_STATS) {
                return;
            }
            attributesOf(messages);
            while (attributes.next()) {
                if (attributes.type() == CtaStats.GLOBAL_ENTRIES) {
                    count[0] = attributes.u32();
                }
            }
        });
        if (count[0] < 0) {
            throw new NetlinkException("count conntrack entries: the reply had no CTA_STATS_GLOBAL_ENTRIES",
                    EPROTO, null);
        }
        return count[0];
    }

    /**
     * The conntrack counters of every possible CPU (what {@code conntrack -S} prints), from the
     * IPCTNL_MSG_CT_GET_STATS_CPU dump.
     *
     * @return one record per CPU, in the kernel's order
     * @throws NetlinkException when the kernel refuses
     */
    public List<CpuStatistics> cpuStatistics() {
        List<CpuStatistics> result = new ArrayList<>();
        long[] values = new long[CtaStats.CPU_MAX + 1];
        socket.request(CtMessageType.GET_STATS_CPU, Netlink.NLM_F_DUMP, Netlink.AF_UNSPEC, Netlink.NFNETLINK_V0);
        socket.execute("read per-CPU conntrack statistics", messages -> {
            if (messages.type() != CtMessageType.GET_STATS_CPU
                    || messages.length() < Netlink.NLMSG_HDRLEN + Netlink.NFGENMSG_LEN) {
                return;
            }
            int cpu = socket.network().getShort(messages.offset() + Netlink.NLMSG_HDRLEN + 2) & 0xFFFF;
            Arrays.fill(values, 0);
            attributesOf(messages);
            while (attributes.next()) {
                long value = attributes.u32();
                if (attributes.type() <= CtaStats.CPU_MAX && value >= 0) {
                    values[attributes.type()] = value;
                }
            }
            result.add(new CpuStatistics(cpu, values[CtaStats.CPU_FOUND], values[CtaStats.CPU_INVALID],
                    values[CtaStats.CPU_INSERT], values[CtaStats.CPU_INSERT_FAILED], values[CtaStats.CPU_DROP],
                    values[CtaStats.CPU_EARLY_DROP], values[CtaStats.CPU_ERROR], values[CtaStats.CPU_SEARCH_RESTART],
                    values[CtaStats.CPU_CLASH_RESOLVE], values[CtaStats.CPU_CHAIN_TOOLONG]));
        });
        return result;
    }

    /**
     * Streams the whole table (both families); see {@link #dump(AddressFamily, ConntrackVisitor)}.
     *
     * @param visitor called per entry; returning false skips the rest
     * @return what the dump saw
     * @throws NetlinkException when the kernel refuses
     * @throws NetlinkOverrunException when datagrams were lost
     */
    public DumpSummary dump(ConntrackVisitor visitor) {
        return dump(Netlink.AF_UNSPEC, visitor);
    }

    /**
     * Streams the table: calls {@code visitor} once per entry of the family with a reused view,
     * allocating nothing per entry. A dump is a best-effort snapshot: the kernel does not lock the
     * table, so entries added or removed meanwhile may be missed or seen twice.
     *
     * @param family IPV4 or IPV6 (filtered by the kernel)
     * @param visitor called per entry; returning false skips the rest
     * @return what the dump saw
     * @throws NetlinkException when the kernel refuses
     * @throws NetlinkOverrunException when datagrams were lost
     */
    public DumpSummary dump(AddressFamily family, ConntrackVisitor visitor) {
        return dump(Objects.requireNonNull(family, "family").number(), visitor);
    }

    private DumpSummary dump(int family, ConntrackVisitor visitor) {
        Objects.requireNonNull(visitor, "visitor");
        long malformedBefore = entry.malformedAttributes();
        long unknownBefore = entry.unknownAttributes();
        long[] counts = new long[2];
        boolean[] stopped = {false};
        socket.request(CtMessageType.GET, Netlink.NLM_F_DUMP, family, Netlink.NFNETLINK_V0);
        socket.execute("dump conntrack table", messages -> {
            if (messages.type() != CtMessageType.NEW
                    || !entry.wrap(socket.host(), socket.network(), messages.offset(), messages.length())) {
                counts[1]++;
                return;
            }
            if (!stopped[0]) {
                counts[0]++;
                stopped[0] = !visitor.visit(entry);
            }
        });
        return new DumpSummary(counts[0], counts[1], entry.malformedAttributes() - malformedBefore,
                entry.unknownAttributes() - unknownBefore);
    }

    /**
     * The whole table (both families) as immutable connections: what {@code conntrack -L} lists.
     * See {@link #list(AddressFamily)}.
     *
     * @return the connections, in the kernel's order
     * @throws NetlinkException when the kernel refuses
     * @throws NetlinkOverrunException when datagrams were lost
     */
    public List<Connection> list() {
        return list(Netlink.AF_UNSPEC);
    }

    /**
     * The entries of one family as immutable connections (allocates one {@link Connection} per
     * entry; use {@link #dump(AddressFamily, ConntrackVisitor)} to stream without garbage). Entries
     * the kernel sent without a usable original tuple cannot be modelled: they are left out and
     * counted in {@link #incompleteEntries()}.
     *
     * <pre>{@code
     * ConntrackFormat format = ConntrackFormat.builder().build();
     * for (Connection c : table.list(AddressFamily.IPV4)) {
     *     System.out.println(format.format(c));
     * }
     * }</pre>
     *
     * @param family IPV4 or IPV6
     * @return the connections, in the kernel's order
     * @throws NetlinkException when the kernel refuses
     * @throws NetlinkOverrunException when datagrams were lost
     */
    public List<Connection> list(AddressFamily family) {
        return list(Objects.requireNonNull(family, "family").number());
    }

    private List<Connection> list(int family) {
        List<Connection> result = new ArrayList<>();
        dump(family, view -> {
            Connection c = view.toConnection();
            if (c == null) {
                incomplete++;
            } else {
                result.add(c);
            }
            return true;
        });
        return result;
    }

    /**
     * Entries that {@link #list(AddressFamily)} left out since this table was opened, because the
     * kernel sent them without a usable original tuple (addresses of one family and a protocol).
     *
     * @return count
     */
    public long incompleteEntries() {
        return incomplete;
    }

    /**
     * Deletes every entry of both families (what {@code conntrack -F} does).
     *
     * @throws NetlinkException when the kernel refuses
     */
    public void flush() {
        flush(Netlink.AF_UNSPEC);
    }

    /**
     * Deletes every entry of the family. Unlike {@code conntrack -F}, the request uses nfgenmsg
     * version 1, which makes the kernel honour the family.
     *
     * @param family IPV4 or IPV6
     * @throws NetlinkException when the kernel refuses
     */
    public void flush(AddressFamily family) {
        flush(Objects.requireNonNull(family, "family").number());
    }

    private void flush(int family) {
        socket.request(CtMessageType.DELETE, Netlink.NLM_F_ACK, family, Netlink.NFNETLINK_V1);
        socket.execute("flush conntrack table", messages -> { });
    }

    /**
     * Deletes the entry whose original tuple is {@code tuple} in {@code zone}.
     *
     * @param tuple the original-direction tuple
     * @param zone the conntrack zone (0 for the default)
     * @throws NetlinkException ENOENT when there is no such entry
     */
    public void delete(KernelTuple tuple, int zone) {
        Objects.requireNonNull(tuple, "tuple");
        if (zone < 0 || zone > 65535) {
            throw new IllegalArgumentException("zone must be in [0, 65535]: " + zone);
        }
        MessageWriter writer = socket.request(CtMessageType.DELETE, Netlink.NLM_F_ACK, tuple.family().number(),
                Netlink.NFNETLINK_V0);
        writeTuple(writer, Cta.TUPLE_ORIG, tuple);
        if (zone != 0) {
            writer.putU16(Cta.ZONE, zone);
        }
        socket.execute("delete conntrack entry " + tuple, messages -> { });
    }

    /**
     * Writes a tuple nest (used by delete, and by tests that build requests by hand).
     *
     * @param writer the request being built
     * @param type CTA_TUPLE_ORIG or CTA_TUPLE_REPLY
     * @param tuple the tuple
     */
    static void writeTuple(MessageWriter writer, int type, KernelTuple tuple) {
        boolean v4 = tuple.family() == AddressFamily.IPV4;
        int outer = writer.beginNest(type);
        int ip = writer.beginNest(CtaTuple.IP);
        writer.putBytes(v4 ? CtaIp.V4_SRC : CtaIp.V6_SRC, tuple.source().getAddress());
        writer.putBytes(v4 ? CtaIp.V4_DST : CtaIp.V6_DST, tuple.destination().getAddress());
        writer.endNest(ip);
        int proto = writer.beginNest(CtaTuple.PROTO);
        writer.putU8(CtaProto.NUM, tuple.protocol());
        if (tuple.sourcePort() >= 0) {
            writer.putU16(CtaProto.SRC_PORT, tuple.sourcePort());
        }
        if (tuple.destinationPort() >= 0) {
            writer.putU16(CtaProto.DST_PORT, tuple.destinationPort());
        }
        boolean icmpv6 = tuple.protocol() == KernelTuple.ICMPV6;
        if (tuple.icmpId() >= 0) {
            writer.putU16(icmpv6 ? CtaProto.ICMPV6_ID : CtaProto.ICMP_ID, tuple.icmpId());
        }
        if (tuple.icmpType() >= 0) {
            writer.putU8(icmpv6 ? CtaProto.ICMPV6_TYPE : CtaProto.ICMP_TYPE, tuple.icmpType());
        }
        if (tuple.icmpCode() >= 0) {
            writer.putU8(icmpv6 ? CtaProto.ICMPV6_CODE : CtaProto.ICMP_CODE, tuple.icmpCode());
        }
        writer.endNest(proto);
        writer.endNest(outer);
    }

    private void attributesOf(MessageIterator messages) {
        int start = messages.offset() + Netlink.NLMSG_HDRLEN + Netlink.NFGENMSG_LEN;
        attributes.wrap(socket.host(), socket.network(), start, messages.offset() + messages.length() - start);
    }

    /** Closes the socket. */
    @Override
    public void close() {
        socket.close();
    }
}

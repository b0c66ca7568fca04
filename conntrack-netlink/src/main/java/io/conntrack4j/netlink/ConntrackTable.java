package io.conntrack4j.netlink;

import io.conntrack4j.core.AddressFamily;
import io.conntrack4j.core.Connection;
import io.conntrack4j.core.Tuple;
import io.conntrack4j.netlink.internal.AttributeIterator;
import io.conntrack4j.netlink.internal.CtMessageType;
import io.conntrack4j.netlink.internal.Cta;
import io.conntrack4j.netlink.internal.CtaFilter;
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
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * The kernel's conntrack table of one network namespace, through a {@link NetlinkSocket}: count,
 * per-CPU statistics, streaming dump, get, create, update, delete (one by one or batched) and
 * flush.
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
    private static final int ENOENT = 2;
    private static final int ENOSPC = 28;
    /** Requests per datagram in a batch. */
    private static final int BATCH_REQUESTS = 128;
    /** More than the largest request a batch writes (two IPv6 tuples, NAT, labels, helper). */
    private static final int MAX_REQUEST_BYTES = 512;
    private final NetlinkSocket socket;
    private final ConntrackEntry entry = new ConntrackEntry();
    private static final int EINVAL = 22;
    private static final int EOPNOTSUPP = 95;
    private static final int KERNEL_VERSION = kernelVersion();
    // one kernel per machine: what it rejects is remembered for every table of the JVM
    private static volatile boolean statusFilterAccepted = true;
    private static volatile boolean zoneFilterAccepted = true;
    private static volatile boolean tupleFilterAccepted = true;
    private static volatile KernelFilterSupport.Ipv6AddressMatch ipv6AddressMatch =
            KernelFilterSupport.Ipv6AddressMatch.UNKNOWN;
    private final AttributeIterator attributes = new AttributeIterator();
    private boolean kernelFilters = true;
    private boolean receiveAhead;
    /** Entries the kernel sent in the last pass of the last filtered dump (tests see the kernel filter work). */
    long kernelSentLastFilteredDump;
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
     * Makes the dumps of this table ({@code dump}, {@code dumpAndZeroCounters}, {@code list} and
     * the filtered forms) receive on a second thread while the calling thread decodes and visits.
     * The kernel fills each dump datagram inside the recvmsg that fetches the one before it, on the
     * receiving thread, so on a machine with a spare core the kernel's work and the visitor's
     * overlap: a dump then takes about as long as the slower of the two instead of their sum.
     * Everything else stays as it is: the visitor is called on the caller's thread, in the
     * kernel's order, with the same reused view; errors, a throwing visitor and a visitor that
     * stops behave as in a plain dump; the receiving thread has ended when the dump returns or
     * throws. It costs one short-lived thread per dump and {@value ReceiveAhead#SLOTS} receive
     * buffers of 32 KiB, allocated with the first such dump and kept with the socket. Off by
     * default.
     *
     * <pre>{@code
     * try (ConntrackTable table = new ConntrackTable(NetlinkSocket.open()).receiveAhead(true)) {
     *     table.dump(entry -> {
     *         out.println(entry.original().sourceAddress());
     *         return true;
     *     });
     * }
     * }</pre>
     *
     * @param enabled whether later dumps receive ahead
     * @return this table
     */
    public ConntrackTable receiveAhead(boolean enabled) {
        this.receiveAhead = enabled;
        return this;
    }

    /**
     * Whether dumps receive on a second thread; see {@link #receiveAhead(boolean)}.
     *
     * @return the setting
     */
    public boolean receiveAhead() {
        return receiveAhead;
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

    /**
     * Streams the table and atomically zeroes the packet and byte counters of every entry it
     * reads (IPCTNL_MSG_CT_GET_CTRZERO), for accounting exporters: each entry shows the counts
     * since the previous zeroing dump, and no packet is counted twice or lost between two dumps.
     * Counters exist only for entries created while {@code net.netfilter.nf_conntrack_acct} was 1.
     *
     * <pre>{@code
     * table.dumpAndZeroCounters(AddressFamily.IPV4, entry -> {
     *     bill(entry.original().sourceAddress(), entry.bytesOriginal() + entry.bytesReply());
     *     return true;
     * });
     * }</pre>
     *
     * @param family IPV4 or IPV6 (filtered by the kernel)
     * @param visitor called per entry with the counters as they were before zeroing; returning
     *     false skips the rest (the kernel still zeroes what it sends)
     * @return what the dump saw
     * @throws NetlinkException when the kernel refuses
     * @throws NetlinkOverrunException when datagrams were lost
     */
    public DumpSummary dumpAndZeroCounters(AddressFamily family, ConntrackVisitor visitor) {
        return dump(Objects.requireNonNull(family, "family").number(), CtMessageType.GET_CTRZERO, visitor);
    }

    /**
     * {@link #dumpAndZeroCounters(AddressFamily, ConntrackVisitor)} for both families.
     *
     * @param visitor called per entry; returning false skips the rest
     * @return what the dump saw
     * @throws NetlinkException when the kernel refuses
     * @throws NetlinkOverrunException when datagrams were lost
     */
    public DumpSummary dumpAndZeroCounters(ConntrackVisitor visitor) {
        return dump(Netlink.AF_UNSPEC, CtMessageType.GET_CTRZERO, visitor);
    }

    /**
     * The whole table as immutable connections carrying the counters as they were, zeroing them
     * in the kernel (what {@code conntrack -L -z} does).
     *
     * <pre>{@code
     * for (Connection c : table.listAndZeroCounters()) {
     *     System.out.println(c.original() + " " + c.bytesOriginal());
     * }
     * }</pre>
     *
     * @return the connections, in the kernel's order
     * @throws NetlinkException when the kernel refuses
     * @throws NetlinkOverrunException when datagrams were lost
     */
    public List<Connection> listAndZeroCounters() {
        return collect(Netlink.AF_UNSPEC, CtMessageType.GET_CTRZERO);
    }

    /**
     * Streams the kernel's dying list (IPCTNL_MSG_CT_GET_DYING, {@code conntrack -L dying}):
     * entries already removed from the table whose destroy event has not been delivered yet.
     *
     * <pre>{@code
     * table.dumpDying(entry -> {
     *     System.out.println(entry.original().sourceAddress());
     *     return true;
     * });
     * }</pre>
     *
     * @param visitor called per entry; returning false skips the rest
     * @return what the dump saw
     * @throws NetlinkException when the kernel refuses
     * @throws NetlinkOverrunException when datagrams were lost
     */
    public DumpSummary dumpDying(ConntrackVisitor visitor) {
        return dump(Netlink.AF_UNSPEC, CtMessageType.GET_DYING, visitor);
    }

    /**
     * Streams the kernel's unconfirmed list (IPCTNL_MSG_CT_GET_UNCONFIRMED,
     * {@code conntrack -L unconfirmed}): entries of packets still on their way through the stack.
     * Linux 6.2 and later keep no such list and answer with nothing.
     *
     * <pre>{@code
     * table.dumpUnconfirmed(entry -> true);
     * }</pre>
     *
     * @param visitor called per entry; returning false skips the rest
     * @return what the dump saw
     * @throws NetlinkException when the kernel refuses
     * @throws NetlinkOverrunException when datagrams were lost
     */
    public DumpSummary dumpUnconfirmed(ConntrackVisitor visitor) {
        return dump(Netlink.AF_UNSPEC, CtMessageType.GET_UNCONFIRMED, visitor);
    }

    private DumpSummary dump(int family, ConntrackVisitor visitor) {
        return dump(family, CtMessageType.GET, visitor);
    }

    private DumpSummary dump(int family, int requestType, ConntrackVisitor visitor) {
        return dump(family, requestType, writer -> { }, visitor);
    }

    /** Writes the attributes of a request after its header. */
    private interface RequestBody {
        void write(MessageWriter writer);
    }

    private DumpSummary dump(int family, int requestType, RequestBody body, ConntrackVisitor visitor) {
        Objects.requireNonNull(visitor, "visitor");
        DumpTally tally = new DumpTally(entry.malformedAttributes(), entry.unknownAttributes());
        body.write(socket.request(requestType, Netlink.NLM_F_DUMP, family, Netlink.NFNETLINK_V0));
        BooleanSupplier visit = () -> visitor.visit(entry);
        String operation = requestType == CtMessageType.GET_CTRZERO ? "dump and zero conntrack counters"
                : "dump conntrack table";
        NetlinkSocket.ReplyHandler handler = messages ->
                // entries come as CT_NEW; accept the request's own type too, as some kernels answer with it
                tally.offer((messages.type() == CtMessageType.NEW || messages.type() == requestType)
                        && entry.wrap(socket.host(), socket.network(), messages.offset(), messages.length()), visit);
        if (receiveAhead) {
            socket.executeReceivingAhead(operation, handler);
        } else {
            socket.execute(operation, handler);
        }
        return tally.summary(entry.malformedAttributes(), entry.unknownAttributes());
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
        return collect(family, CtMessageType.GET);
    }

    private List<Connection> collect(int family, int requestType) {
        List<Connection> result = new ArrayList<>();
        dump(family, requestType, collectInto(result));
        return result;
    }

    /** A visitor that copies every entry into {@code result}, counting those it cannot model. */
    private ConntrackVisitor collectInto(List<Connection> result) {
        return view -> {
            Connection c = view.toConnection();
            if (c == null) {
                incomplete++;
            } else {
                result.add(c);
            }
            return true;
        };
    }

    /**
     * Streams the entries that meet {@code filter}, what {@code conntrack -L} with filter options
     * lists. The kernel is asked to filter as much as it can (family, CTA_MARK, CTA_STATUS,
     * CTA_ZONE, CTA_FILTER; see {@link #kernelFilterSupport()}) and every entry it sends is
     * checked again with {@link DumpFilter#test(ConntrackEntry)}, so the result does not depend on
     * what the kernel supports. A filter the kernel rejects is remembered and left to user space;
     * IPv6 address criteria, which kernels since 5.8 invert, are checked on first use and then
     * sent or not accordingly.
     *
     * <pre>{@code
     * DumpFilter f = DumpFilter.builder().originalSource(IpAddress.parse("10.0.0.1")).build();
     * table.dump(f, entry -> { System.out.println(entry.original().destinationPort()); return true; });
     * }</pre>
     *
     * @param filter the criteria
     * @param visitor called per matching entry; returning false skips the rest
     * @return what the dump saw ({@link DumpSummary#entries()} counts the matching entries)
     * @throws NetlinkException when the kernel refuses
     * @throws NetlinkOverrunException when datagrams were lost
     */
    public DumpSummary dump(DumpFilter filter, ConntrackVisitor visitor) {
        Objects.requireNonNull(filter, "filter");
        Objects.requireNonNull(visitor, "visitor");
        boolean addressesInUserSpace = false;
        while (true) {
            boolean kernel = kernelFilters;
            boolean status = kernel && filter.hasStatus && statusFilterAccepted;
            boolean zone = kernel && filter.zone >= 0 && zoneFilterAccepted;
            boolean v6 = filter.family == AddressFamily.IPV6.number();
            boolean addresses = !addressesInUserSpace && (!v6 || ipv6AddressMatch != KernelFilterSupport.Ipv6AddressMatch.INVERTED);
            boolean tuple = kernel && filter.family != 0 && filter.hasTupleCriteria() && tupleFilterAccepted
                    && (filterFlags(filter, addresses)[0] | filterFlags(filter, addresses)[1]) != 0;
            boolean probing = tuple && addresses && filter.hasIpv6Address()
                    && ipv6AddressMatch == KernelFilterSupport.Ipv6AddressMatch.UNKNOWN;
            // matched, sent by the kernel against the address criteria, stopped, sent
            long[] seen = new long[4];
            DumpSummary summary;
            try {
                summary = dump(kernel ? filter.family : Netlink.AF_UNSPEC, CtMessageType.GET,
                        writer -> writeFilter(writer, filter, status, zone, tuple, addresses), e -> {
                            seen[3]++;
                            if (filter.test(e)) {
                                seen[0]++;
                                boolean more = visitor.visit(e);
                                seen[2] = more ? 0 : 1;
                                return more;
                            }
                            if (probing && !filter.addressesMatch(e)) {
                                seen[1]++;
                            }
                            return true;
                        });
            } catch (NetlinkException e) {
                boolean refused = e.errno() == EINVAL || e.errno() == EOPNOTSUPP;
                if (refused && tuple) {
                    tupleFilterAccepted = false;
                    continue;
                }
                if (refused && zone) {
                    zoneFilterAccepted = false;
                    continue;
                }
                if (refused && status) {
                    statusFilterAccepted = false;
                    continue;
                }
                throw e;
            }
            if (probing && seen[2] == 0) {
                if (seen[1] > 0) {
                    // a correct kernel never sends an entry whose address differs from the criterion
                    ipv6AddressMatch = KernelFilterSupport.Ipv6AddressMatch.INVERTED;
                    continue;
                }
                if (seen[0] > 0) {
                    ipv6AddressMatch = KernelFilterSupport.Ipv6AddressMatch.CORRECT;
                } else {
                    // nothing either way: an inverting kernel may have hidden the matches
                    addressesInUserSpace = true;
                    continue;
                }
            }
            kernelSentLastFilteredDump = seen[3];
            return new DumpSummary(seen[0], summary.skippedMessages(), summary.malformedAttributes(),
                    summary.unknownAttributes());
        }
    }

    /**
     * The entries that meet {@code filter} as immutable connections; see
     * {@link #dump(DumpFilter, ConntrackVisitor)}.
     *
     * <pre>{@code
     * List<Connection> marked = table.list(DumpFilter.builder().mark(7, -1).build());
     * }</pre>
     *
     * @param filter the criteria
     * @return the connections, in the kernel's order
     * @throws NetlinkException when the kernel refuses
     * @throws NetlinkOverrunException when datagrams were lost
     */
    public List<Connection> list(DumpFilter filter) {
        List<Connection> result = new ArrayList<>();
        dump(filter, collectInto(result));
        return result;
    }

    /**
     * The entries that pass a core {@link io.conntrack4j.core.Filter} (conntrackd's rules), through
     * {@link DumpFilter#from(io.conntrack4j.core.Filter)}: kernel-side criteria where the kernel
     * has them, the rest checked in user space on the flyweight.
     *
     * <pre>{@code
     * table.dump(Filter.builder().acceptTcpStates(TcpState.ESTABLISHED).build(), e -> true);
     * }</pre>
     *
     * @param filter the rules
     * @param visitor called per matching entry; returning false skips the rest
     * @return what the dump saw
     * @throws NetlinkException when the kernel refuses
     */
    public DumpSummary dump(io.conntrack4j.core.Filter filter, ConntrackVisitor visitor) {
        return dump(DumpFilter.from(filter), visitor);
    }

    /**
     * The entries that pass a core filter, as immutable connections.
     *
     * <pre>{@code
     * List<Connection> lan = table.list(Filter.builder().acceptAddresses(Cidr.parse("192.168.0.0/16")).build());
     * }</pre>
     *
     * @param filter the rules
     * @return the connections, in the kernel's order
     * @throws NetlinkException when the kernel refuses
     */
    public List<Connection> list(io.conntrack4j.core.Filter filter) {
        return list(DumpFilter.from(filter));
    }

    /**
     * Deletes the entries that pass a core filter (never more); see {@link #flush(DumpFilter)}.
     *
     * <pre>{@code
     * table.flush(Filter.builder().acceptProtocols(L4Protocol.UDP).build());
     * }</pre>
     *
     * @param filter the rules
     * @throws NetlinkException when the kernel refuses
     */
    public void flush(io.conntrack4j.core.Filter filter) {
        flush(DumpFilter.from(filter));
    }

    /**
     * Deletes the entries that meet {@code filter}, what {@code conntrack -D} with filter options
     * does. When the running kernel is known to honour every criterion in a flush exactly (mark
     * always; status since 5.15, CTA_FILTER since 6.12, ports only for TCP and UDP, IPv6 addresses
     * only when seen to work; never the zone, which the kernel also matches on entries zoned in one
     * direction only), one filtered flush request does it in the kernel; otherwise the matching
     * entries are dumped (kernel-filtered as far as possible), checked and deleted in batches.
     * Never more than the matching entries is deleted.
     *
     * <pre>{@code
     * table.flush(DumpFilter.builder().family(AddressFamily.IPV4).mark(0x100, 0xff00).build());
     * }</pre>
     *
     * @param filter the criteria ({@link DumpFilter#all()} flushes everything of both families)
     * @throws NetlinkException when the kernel refuses
     */
    public void flush(DumpFilter filter) {
        Objects.requireNonNull(filter, "filter");
        if (kernelFilters && kernelFlushesExactly(filter)) {
            boolean tuple = filter.family != 0 && filter.hasTupleCriteria();
            MessageWriter writer = socket.request(CtMessageType.DELETE, Netlink.NLM_F_ACK, filter.family,
                    Netlink.NFNETLINK_V1);
            writeFilter(writer, filter, filter.hasStatus, filter.zone >= 0, tuple, true);
            socket.execute("flush conntrack entries of " + filter, messages -> { });
            return;
        }
        List<Connection> doomed = list(filter);
        BatchResult result = deleteAll(doomed);
        for (BatchResult.Failure failure : result.failures()) {
            // an entry that expired meanwhile is gone as wanted
            if (failure.errno() != ENOENT) {
                throw new NetlinkException("flush conntrack entries of " + filter + ": delete "
                        + doomed.get(failure.index()).original(), failure.errno(), failure.kernelMessage());
            }
        }
    }

    private static boolean kernelFlushesExactly(DumpFilter f) {
        if (!f.coreCovered) {
            return false;
        }
        if (f.hasStatus && (KERNEL_VERSION < 5015 || !statusFilterAccepted)) {
            return false;
        }
        if (f.zone >= 0) {
            // the kernel's CTA_ZONE also takes entries zoned in one direction only (--orig-zone),
            // which conntrack -w leaves alone: a kernel flush would delete too much
            return false;
        }
        if (f.hasTupleCriteria()) {
            return KERNEL_VERSION >= 6012 && f.family != 0 && tupleFilterAccepted && f.kernelComparesKeys()
                    && (!f.hasIpv6Address() || ipv6AddressMatch == KernelFilterSupport.Ipv6AddressMatch.CORRECT);
        }
        return true;
    }

    /**
     * Whether this table hands filters to the kernel (the default) or checks every entry in user
     * space only; the results are the same, the kernel is faster.
     *
     * <pre>{@code
     * table.useKernelFilters(false); // e.g. to compare both ways
     * }</pre>
     *
     * @param enabled true to use kernel-side filtering
     * @return this table
     */
    public ConntrackTable useKernelFilters(boolean enabled) {
        kernelFilters = enabled;
        return this;
    }

    /**
     * What has been found out about the running kernel's filters so far.
     *
     * @return the findings
     */
    public static KernelFilterSupport kernelFilterSupport() {
        return new KernelFilterSupport(KERNEL_VERSION, statusFilterAccepted, zoneFilterAccepted, tupleFilterAccepted,
                KERNEL_VERSION >= 6012 && tupleFilterAccepted, ipv6AddressMatch);
    }

    /** The CTA_FILTER flag words {orig, reply} for the filter. */
    private static int[] filterFlags(DumpFilter f, boolean addresses) {
        int orig = f.original.flags(f.protocol, addresses);
        if (f.protocol >= 0) {
            orig |= CtaFilter.PROTO_NUM;
        }
        int reply = f.reply.flags(f.protocol, addresses);
        if (f.protocol >= 0 && f.reply.hasKeys()) {
            reply |= CtaFilter.PROTO_NUM;
        }
        return new int[] {orig, reply};
    }

    private static void writeFilter(MessageWriter writer, DumpFilter f, boolean status, boolean zone, boolean tuple,
                                    boolean addresses) {
        if (f.hasMark) {
            writer.putU32(Cta.MARK, f.mark & 0xFFFFFFFFL);
            writer.putU32(Cta.MARK_MASK, f.markMask & 0xFFFFFFFFL);
        }
        if (status) {
            writer.putU32(Cta.STATUS, f.status & 0xFFFFFFFFL);
            writer.putU32(Cta.STATUS_MASK, f.statusMask & 0xFFFFFFFFL);
        }
        if (zone) {
            writer.putU16(Cta.ZONE, f.zone);
        }
        if (!tuple) {
            return;
        }
        int[] flags = filterFlags(f, addresses);
        if ((flags[0] | flags[1]) == 0) {
            return;
        }
        int nest = writer.beginNest(Cta.FILTER);
        writer.putU32Host(CtaFilter.ORIG_FLAGS, flags[0]);
        writer.putU32Host(CtaFilter.REPLY_FLAGS, flags[1]);
        writer.endNest(nest);
        if (flags[0] != 0) {
            writePartialTuple(writer, Cta.TUPLE_ORIG, f.original, f.protocol, flags[0]);
        }
        if (flags[1] != 0) {
            writePartialTuple(writer, Cta.TUPLE_REPLY, f.reply, f.protocol, flags[1]);
        }
    }

    /** A tuple nest holding only the fields the flags name. */
    private static void writePartialTuple(MessageWriter writer, int type, DumpFilter.Side side, int protocol,
                                          int flags) {
        int outer = writer.beginNest(type);
        if ((flags & (CtaFilter.IP_SRC | CtaFilter.IP_DST)) != 0) {
            int ip = writer.beginNest(CtaTuple.IP);
            if ((flags & CtaFilter.IP_SRC) != 0) {
                writer.putBytes(side.source.isIpv4() ? CtaIp.V4_SRC : CtaIp.V6_SRC, side.source.toBytes());
            }
            if ((flags & CtaFilter.IP_DST) != 0) {
                writer.putBytes(side.destination.isIpv4() ? CtaIp.V4_DST : CtaIp.V6_DST, side.destination.toBytes());
            }
            writer.endNest(ip);
        }
        if ((flags & CtaFilter.PROTO_NUM) != 0) {
            boolean v6 = protocol == KernelTuple.ICMPV6;
            int proto = writer.beginNest(CtaTuple.PROTO);
            writer.putU8(CtaProto.NUM, protocol);
            if (side.sourcePort >= 0) {
                writer.putU16(CtaProto.SRC_PORT, side.sourcePort);
            }
            if (side.destinationPort >= 0) {
                writer.putU16(CtaProto.DST_PORT, side.destinationPort);
            }
            if (side.icmpId >= 0) {
                writer.putU16(v6 ? CtaProto.ICMPV6_ID : CtaProto.ICMP_ID, side.icmpId);
            }
            if (side.icmpType >= 0) {
                writer.putU8(v6 ? CtaProto.ICMPV6_TYPE : CtaProto.ICMP_TYPE, side.icmpType);
            }
            if (side.icmpCode >= 0) {
                writer.putU8(v6 ? CtaProto.ICMPV6_CODE : CtaProto.ICMP_CODE, side.icmpCode);
            }
            writer.endNest(proto);
        }
        writer.endNest(outer);
    }

    private static int kernelVersion() {
        String release = System.getProperty("os.version", "");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(\\d+)\\.(\\d+)").matcher(release);
        return m.find() ? Integer.parseInt(m.group(1)) * 1000 + Integer.parseInt(m.group(2)) : 0;
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
     * Creates an entry (IPCTNL_MSG_CT_NEW with NLM_F_CREATE|NLM_F_EXCL), what {@code conntrack -I}
     * does. Sent: both tuples, the status (CONFIRMED is added, since the kernel refuses a new entry
     * without it; EXPECTED and DYING are dropped), the timeout, TCP or SCTP protocol info, mark,
     * zone, labels and helper when present, and NAT ({@code CTA_NAT_SRC}/{@code CTA_NAT_DST}) when
     * the reply tuple is not the inverse of the original.
     *
     * <pre>{@code
     * Tuple orig = Tuple.ofPorts(IpAddress.parse("10.0.0.1"), IpAddress.parse("10.0.0.2"), L4Protocol.TCP, 4000, 80);
     * table.create(Connection.builder(orig).tcpState(TcpState.ESTABLISHED).timeout(120).mark(7).build());
     * }</pre>
     *
     * @param connection the entry; must have a timeout
     * @throws NetlinkException EEXIST when the entry exists; ENOSPC (explained, and nothing is
     *     created) when labels are set but no rule of the namespace uses connection labels
     * @throws IllegalArgumentException when the connection has no timeout
     */
    public void create(Connection connection) {
        Objects.requireNonNull(connection, "connection");
        MessageWriter writer = socket.request(CtMessageType.NEW,
                Netlink.NLM_F_ACK | Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL,
                connection.family().number(), Netlink.NFNETLINK_V0);
        ConnectionEncoder.writeCreate(writer, connection);
        String operation = "create conntrack entry " + connection.original();
        execute(operation, connection);
        if (hasLabelBits(connection)) {
            // without the labels extension a create drops the labels silently; an update says ENOSPC
            MessageWriter labels = socket.request(CtMessageType.NEW, Netlink.NLM_F_ACK,
                    connection.family().number(), Netlink.NFNETLINK_V0);
            ConnectionEncoder.writeLabelUpdate(labels, connection);
            try {
                execute(operation, connection);
            } catch (NetlinkException e) {
                delete(connection.original(), connection.hasZone() ? connection.zone() : 0);
                throw e;
            }
        }
    }

    /**
     * Updates the existing entry of {@code connection}'s original tuple and zone
     * (IPCTNL_MSG_CT_NEW without NLM_F_CREATE), what {@code conntrack -U} does. Sent: whichever of
     * status, timeout, protocol info, mark and labels the connection has; mark and labels replace
     * the old values entirely. The kernel refuses to clear SEEN_REPLY or ASSURED (EBUSY), and NAT or
     * helper changes (they are not sent). SCTP protocol info is taken only whole: a new SCTP state
     * needs both vtags too ({@link Connection.Builder#sctpVtags}), or the kernel answers EINVAL.
     *
     * <pre>{@code
     * table.update(Connection.builder(orig).mark(42).timeout(600).build());
     * }</pre>
     *
     * @param connection the tuple and the new values
     * @throws NetlinkException ENOENT when there is no such entry
     */
    public void update(Connection connection) {
        update(connection, Objects.requireNonNull(connection, "connection").family());
    }

    /**
     * {@link #update(Connection)} with the request's address family chosen by the caller, as
     * conntrack 1.4.7's {@code -U} sends the family of its command line: {@code null} sends
     * AF_UNSPEC, which kernels since 5.8 refuse with EOPNOTSUPP whatever the tuple holds.
     *
     * <pre>{@code
     * table.update(Connection.builder(orig).mark(42).build(), null); // EOPNOTSUPP on Linux 5.8+
     * }</pre>
     *
     * @param connection the tuple and the new values
     * @param requestFamily the family in the request's header, or null for AF_UNSPEC
     * @throws NetlinkException ENOENT when there is no such entry; what the kernel answers otherwise
     */
    public void update(Connection connection, AddressFamily requestFamily) {
        Objects.requireNonNull(connection, "connection");
        MessageWriter writer = socket.request(CtMessageType.NEW, Netlink.NLM_F_ACK,
                requestFamily == null ? Netlink.AF_UNSPEC : requestFamily.number(), Netlink.NFNETLINK_V0);
        ConnectionEncoder.writeUpdate(writer, connection);
        execute("update conntrack entry " + connection.original(), connection);
    }

    /**
     * Changes only the mark bits under {@code mask} of an entry: the new mark is
     * {@code (old & ~mask) | (mark & mask)}.
     *
     * <pre>{@code
     * table.updateMark(orig, 0, 0x100, 0xff00);
     * }</pre>
     *
     * @param original the original tuple
     * @param zone the zone (0 for the default)
     * @param mark the new bits
     * @param mask the bits to change
     * @throws NetlinkException ENOENT when there is no such entry
     */
    public void updateMark(Tuple original, int zone, int mark, int mask) {
        Objects.requireNonNull(original, "original");
        checkZone(zone);
        MessageWriter writer = socket.request(CtMessageType.NEW, Netlink.NLM_F_ACK,
                original.family().number(), Netlink.NFNETLINK_V0);
        ConnectionEncoder.writeMarkUpdate(writer, original, zone, mark & mask, mask);
        socket.execute("update mark of conntrack entry " + original, messages -> { });
    }

    /**
     * The entry whose original (or reply) tuple is {@code tuple} in {@code zone}, what
     * {@code conntrack -G} prints.
     *
     * <pre>{@code
     * Optional<Connection> c = table.get(orig, 0);
     * }</pre>
     *
     * @param tuple the tuple
     * @param zone the zone (0 for the default)
     * @return the entry, or empty when there is none
     * @throws NetlinkException when the kernel refuses for another reason than ENOENT
     */
    public Optional<Connection> get(Tuple tuple, int zone) {
        return get(tuple, zone, Objects.requireNonNull(tuple, "tuple").family());
    }

    /**
     * {@link #get(Tuple, int)} with the request's address family chosen by the caller
     * ({@code null}: AF_UNSPEC), as conntrack 1.4.7's {@code -U} asks for the updated entry.
     *
     * <pre>{@code
     * Optional<Connection> c = table.get(orig, 0, AddressFamily.IPV4);
     * }</pre>
     *
     * @param tuple the tuple
     * @param zone the zone (0 for the default)
     * @param requestFamily the family in the request's header, or null for AF_UNSPEC
     * @return the entry, or empty when there is none
     * @throws NetlinkException when the kernel refuses for another reason than ENOENT
     */
    public Optional<Connection> get(Tuple tuple, int zone, AddressFamily requestFamily) {
        Objects.requireNonNull(tuple, "tuple");
        checkZone(zone);
        MessageWriter writer = socket.request(CtMessageType.GET, Netlink.NLM_F_ACK,
                requestFamily == null ? Netlink.AF_UNSPEC : requestFamily.number(), Netlink.NFNETLINK_V0);
        ConnectionEncoder.writeKey(writer, tuple, zone);
        Connection[] found = {null};
        try {
            socket.execute("get conntrack entry " + tuple, messages -> {
                if (messages.type() == CtMessageType.NEW
                        && entry.wrap(socket.host(), socket.network(), messages.offset(), messages.length())) {
                    found[0] = entry.toConnection();
                }
            });
        } catch (NetlinkException e) {
            if (e.errno() == ENOENT) {
                return Optional.empty();
            }
            throw e;
        }
        return Optional.ofNullable(found[0]);
    }

    /**
     * Deletes the entry whose original (or reply) tuple is {@code tuple} in {@code zone}.
     *
     * <pre>{@code
     * table.delete(orig, 0);
     * }</pre>
     *
     * @param tuple the tuple
     * @param zone the zone (0 for the default)
     * @throws NetlinkException ENOENT when there is no such entry
     */
    public void delete(Tuple tuple, int zone) {
        Objects.requireNonNull(tuple, "tuple");
        checkZone(zone);
        MessageWriter writer = socket.request(CtMessageType.DELETE, Netlink.NLM_F_ACK, tuple.family().number(),
                Netlink.NFNETLINK_V0);
        ConnectionEncoder.writeKey(writer, tuple, zone);
        socket.execute("delete conntrack entry " + tuple, messages -> { });
    }

    /**
     * Deletes an entry only if it still has the id it had when it was read: an entry that expired
     * and was replaced by a new one with the same tuple is left alone, so a delete decided on an old
     * dump cannot kill a newer connection.
     *
     * <pre>{@code
     * table.dump(entry -> { if (entry.mark() == 13) doomed.add(entry.toConnection()); return true; });
     * for (Connection c : doomed) table.delete(c.original(), c.zone(), c.id());
     * }</pre>
     *
     * @param tuple the original (or reply) tuple
     * @param zone the zone (0 for the default)
     * @param id the kernel's id ({@link Connection#id()}, unsigned 32-bit)
     * @throws NetlinkException ENOENT when there is no such entry or its id differs
     */
    public void delete(Tuple tuple, int zone, int id) {
        Objects.requireNonNull(tuple, "tuple");
        checkZone(zone);
        MessageWriter writer = socket.request(CtMessageType.DELETE, Netlink.NLM_F_ACK, tuple.family().number(),
                Netlink.NFNETLINK_V0);
        ConnectionEncoder.writeKey(writer, tuple, zone);
        writer.putU32(Cta.ID, Integer.toUnsignedLong(id));
        socket.execute("delete conntrack entry " + tuple + " id " + Integer.toUnsignedString(id), messages -> { });
    }

    /**
     * Creates many entries, packing as many requests per datagram as fit (this is not an nfnetlink
     * transaction: each request succeeds or fails on its own). See {@link #create(Connection)}.
     *
     * <pre>{@code
     * BatchResult r = table.createAll(connections);
     * r.failures().forEach(f -> System.err.println(f.index() + " " + f.errnoName()));
     * }</pre>
     *
     * @param connections the entries; each must have a timeout
     * @return which requests failed; a labelled entry in a namespace without the labels extension
     *     fails with ENOSPC but stays created, without its labels
     * @throws NetlinkException when the socket fails (not for a failed request)
     */
    public BatchResult createAll(List<Connection> connections) {
        return batch("create conntrack entries", connections, (writer, c) -> {
            socket.appendRequest(CtMessageType.NEW, Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL,
                    c.family().number(), Netlink.NFNETLINK_V0);
            ConnectionEncoder.writeCreate(writer, c);
            writer.end();
            if (hasLabelBits(c)) {
                // a create drops labels silently without the extension; an update says ENOSPC
                socket.appendRequest(CtMessageType.NEW, 0, c.family().number(), Netlink.NFNETLINK_V0);
                ConnectionEncoder.writeLabelUpdate(writer, c);
                writer.end();
            }
        });
    }

    /**
     * Deletes many entries by their original tuple and zone, packed as in {@link #createAll(List)}.
     *
     * <pre>{@code
     * BatchResult r = table.deleteAll(table.list());
     * }</pre>
     *
     * @param connections the entries (only the original tuple and zone are used)
     * @return which requests failed (ENOENT for entries already gone)
     * @throws NetlinkException when the socket fails
     */
    public BatchResult deleteAll(List<Connection> connections) {
        return batch("delete conntrack entries", connections, (writer, c) -> {
            socket.appendRequest(CtMessageType.DELETE, 0, c.family().number(), Netlink.NFNETLINK_V0);
            ConnectionEncoder.writeKey(writer, c.original(), c.hasZone() ? c.zone() : 0);
            writer.end();
        });
    }

    /** Writes the message or messages of one request of a batch, ending each. */
    private interface RequestWriter {
        void write(MessageWriter writer, Connection c);
    }

    private BatchResult batch(String operation, List<Connection> connections, RequestWriter requests) {
        Objects.requireNonNull(connections, "connections");
        List<BatchResult.Failure> failures = new ArrayList<>();
        // a request may take two messages: message number (seq - first seq) -> request index
        int[] requestOfMessage = new int[2 * BATCH_REQUESTS];
        int next = 0;
        while (next < connections.size()) {
            MessageWriter writer = socket.beginBatch();
            int first = next;
            int firstSeq = socket.lastSeq() + 1;
            // a bounded number per datagram keeps the kernel's error replies within the receive buffer
            while (next < connections.size() && next - first < BATCH_REQUESTS
                    && socket.batchRoom() >= 2 * MAX_REQUEST_BYTES) {
                Connection c = Objects.requireNonNull(connections.get(next), "connection");
                int before = socket.lastSeq();
                requests.write(writer, c);
                for (int seq = before + 1; seq <= socket.lastSeq(); seq++) {
                    requestOfMessage[seq - firstSeq] = next;
                }
                next++;
            }
            int lastSeq = socket.lastSeq();
            // the last request asks for an ACK so the end of the batch is known
            writer.addFlagsToLastMessage(Netlink.NLM_F_ACK);
            int[] lastFailed = {-1};
            socket.executeBatch(operation, firstSeq, lastSeq, (seq, errno, message) -> {
                int index = requestOfMessage[seq - firstSeq];
                if (index != lastFailed[0]) {
                    lastFailed[0] = index;
                    failures.add(new BatchResult.Failure(index, errno, message));
                }
            });
        }
        return new BatchResult(connections.size(), failures);
    }

    private static boolean hasLabelBits(Connection c) {
        return c.hasLabels() && (c.labelsHigh() | c.labelsLow()) != 0;
    }

    private void execute(String operation, Connection connection) {
        try {
            socket.execute(operation, messages -> { });
        } catch (NetlinkException e) {
            if (e.errno() == ENOSPC && connection.hasLabels()) {
                throw new NetlinkException(operation + " (connection labels need the labels extension: some rule"
                        + " of this network namespace must use ct label, e.g. nft 'ct label set ...')",
                        e.errno(), e.kernelMessage());
            }
            throw e;
        }
    }

    private static void checkZone(int zone) {
        if (zone < 0 || zone > 65535) {
            throw new IllegalArgumentException("zone must be in [0, 65535]: " + zone);
        }
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

package io.conntrack4j.netlink;

import io.conntrack4j.core.AddressFamily;
import io.conntrack4j.core.Expectation;
import io.conntrack4j.core.Tuple;
import io.conntrack4j.netlink.internal.AttributeIterator;
import io.conntrack4j.netlink.internal.CtaExpect;
import io.conntrack4j.netlink.internal.ExpMessageType;
import io.conntrack4j.netlink.internal.MessageWriter;
import io.conntrack4j.netlink.internal.Netlink;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * The kernel's expectation table of one network namespace (the {@code NFNL_SUBSYS_CTNETLINK_EXP}
 * subsystem), through a {@link NetlinkSocket}: what {@code conntrack -L/-G/-I/-D/-F expect} do.
 * Expectations are what connection-tracking helpers (FTP, SIP, H.323...) announce: a connection
 * that will be tracked as RELATED to its master.
 * Not thread-safe, like the socket.
 *
 * <pre>{@code
 * try (ExpectationTable expectations = new ExpectationTable(NetlinkSocket.open())) {
 *     ExpectationFormat format = ExpectationFormat.plain();
 *     for (Expectation e : expectations.list()) {
 *         System.out.println(format.format(e));   // as conntrack -L expect prints it
 *     }
 *     expectations.flush();
 * }
 * }</pre>
 */
public final class ExpectationTable implements AutoCloseable {
    private static final int ENOENT = 2;
    private final NetlinkSocket socket;
    private final ExpectationEntry entry = new ExpectationEntry();
    private long incomplete;

    /**
     * Works on the namespace of {@code socket}.
     *
     * @param socket an open netfilter socket; owned by the table from now on
     */
    public ExpectationTable(NetlinkSocket socket) {
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
     * Streams every expectation (both families); see {@link #dump(AddressFamily, ExpectationVisitor)}.
     *
     * @param visitor called per expectation; returning false skips the rest
     * @return what the dump saw
     * @throws NetlinkException when the kernel refuses
     */
    public DumpSummary dump(ExpectationVisitor visitor) {
        return dump(Netlink.AF_UNSPEC, null, 0, visitor);
    }

    /**
     * Streams the expectations of one family: calls {@code visitor} once per expectation with a
     * reused view, allocating nothing per expectation.
     *
     * @param family IPV4 or IPV6 (filtered by the kernel)
     * @param visitor called per expectation; returning false skips the rest
     * @return what the dump saw
     * @throws NetlinkException when the kernel refuses
     */
    public DumpSummary dump(AddressFamily family, ExpectationVisitor visitor) {
        return dump(Objects.requireNonNull(family, "family").number(), null, 0, visitor);
    }

    /**
     * Streams the expectations of one master connection (CTA_EXPECT_MASTER in the dump request:
     * the kernel walks only that connection's list).
     *
     * <pre>{@code
     * expectations.dumpOf(ftpControl, 0, e -> { System.out.println(e.tuple().destinationPort()); return true; });
     * }</pre>
     *
     * @param master the master's original (or reply) tuple
     * @param zone the master's zone (0 for the default)
     * @param visitor called per expectation; returning false skips the rest
     * @return what the dump saw (nothing when the master has no helper)
     * @throws NetlinkException ENOENT when there is no such master connection
     */
    public DumpSummary dumpOf(Tuple master, int zone, ExpectationVisitor visitor) {
        Objects.requireNonNull(master, "master");
        checkZone(zone);
        return dump(master.family().number(), master, zone, visitor);
    }

    private DumpSummary dump(int family, Tuple master, int zone, ExpectationVisitor visitor) {
        Objects.requireNonNull(visitor, "visitor");
        DumpTally tally = new DumpTally(entry.malformedAttributes(), entry.unknownAttributes());
        // ACK as well: a master without a helper makes the kernel answer nothing but the ACK
        MessageWriter writer = socket.request(ExpMessageType.GET, Netlink.NLM_F_DUMP | Netlink.NLM_F_ACK, family,
                Netlink.NFNETLINK_V0);
        if (master != null) {
            ConnectionEncoder.writeTuple(writer, CtaExpect.MASTER, master);
            writeZone(writer, zone);
        }
        BooleanSupplier visit = () -> visitor.visit(entry);
        socket.execute(master == null ? "dump expectations" : "dump expectations of " + master, messages ->
                tally.offer(messages.type() == ExpMessageType.NEW
                        && entry.wrap(socket.host(), socket.network(), messages.offset(), messages.length()), visit));
        return tally.summary(entry.malformedAttributes(), entry.unknownAttributes());
    }

    /**
     * Every expectation (both families) as immutable core {@link Expectation}s: what
     * {@code conntrack -L expect} lists. Expectations the kernel sent without a usable master,
     * tuple or mask are left out and counted in {@link #incompleteEntries()}.
     *
     * @return the expectations, in the kernel's order
     * @throws NetlinkException when the kernel refuses
     */
    public List<Expectation> list() {
        return collect(Netlink.AF_UNSPEC, null, 0);
    }

    /**
     * The expectations of one family.
     *
     * @param family IPV4 or IPV6
     * @return the expectations, in the kernel's order
     * @throws NetlinkException when the kernel refuses
     */
    public List<Expectation> list(AddressFamily family) {
        return collect(Objects.requireNonNull(family, "family").number(), null, 0);
    }

    /**
     * The expectations of one master connection.
     *
     * @param master the master's original tuple
     * @param zone the master's zone (0 for the default)
     * @return the expectations
     * @throws NetlinkException ENOENT when there is no such master connection
     */
    public List<Expectation> listOf(Tuple master, int zone) {
        Objects.requireNonNull(master, "master");
        checkZone(zone);
        return collect(master.family().number(), master, zone);
    }

    private List<Expectation> collect(int family, Tuple master, int zone) {
        List<Expectation> result = new ArrayList<>();
        dump(family, master, zone, view -> {
            Expectation e = view.toExpectation();
            if (e == null) {
                incomplete++;
            } else {
                result.add(e);
            }
            return true;
        });
        return result;
    }

    /**
     * Expectations that {@link #list()} left out since this table was opened, because the kernel
     * sent them without a usable master, tuple or mask.
     *
     * @return count
     */
    public long incompleteEntries() {
        return incomplete;
    }

    /**
     * The expectation whose expected tuple is {@code tuple} in {@code zone}, what
     * {@code conntrack -G expect} prints.
     *
     * <pre>{@code
     * Optional<Expectation> e = expectations.get(Tuple.ofPorts(server, client, L4Protocol.TCP, 0, 1025), 0);
     * }</pre>
     *
     * @param tuple the expected tuple (its source port is usually 0: any)
     * @param zone the zone (0 for the default)
     * @return the expectation, or empty when there is none
     * @throws NetlinkException when the kernel refuses for another reason than ENOENT
     */
    public Optional<Expectation> get(Tuple tuple, int zone) {
        MessageWriter writer = requestFor(ExpMessageType.GET, tuple, zone);
        Expectation[] found = {null};
        try {
            socket.execute("get expectation " + tuple, messages -> {
                if (messages.type() == ExpMessageType.NEW
                        && entry.wrap(socket.host(), socket.network(), messages.offset(), messages.length())) {
                    found[0] = entry.toExpectation();
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
     * Creates an expectation (IPCTNL_MSG_EXP_NEW with NLM_F_CREATE|NLM_F_EXCL), what
     * {@code conntrack -I expect} does. The master connection must exist in the expectation's
     * zone and have a helper (the kernel refuses with EOPNOTSUPP otherwise). Sent: master, tuple,
     * mask, timeout, and when set the zone, flags (the kernel ignores USERSPACE), class, helper
     * name (which helper's classes the class counts in), function and NAT. The id is the kernel's.
     *
     * <pre>{@code
     * Tuple expected = Tuple.ofPorts(server, client, L4Protocol.TCP, 0, 7001);
     * Tuple mask = Tuple.ofPorts(IpAddress.parse("255.255.255.255"), IpAddress.parse("255.255.255.255"),
     *         L4Protocol.TCP, 0, 65535);
     * expectations.create(new Expectation(ftpControl, expected, mask, 200, 0, 0, "ftp", null, null, 0, 0));
     * }</pre>
     *
     * @param e the expectation
     * @throws NetlinkException EEXIST when it exists, ENOENT when the master does not exist,
     *     EOPNOTSUPP when the master has no helper or the helper is unknown
     */
    public void create(Expectation e) {
        Objects.requireNonNull(e, "expectation");
        MessageWriter writer = socket.request(ExpMessageType.NEW,
                Netlink.NLM_F_ACK | Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL, e.tuple().family().number(),
                Netlink.NFNETLINK_V0);
        writeKey(writer, e);
        writer.putU32(CtaExpect.TIMEOUT, e.timeout() & 0xFFFFFFFFL);
        if (e.flags() != 0) {
            writer.putU32(CtaExpect.FLAGS, e.flags() & 0xFFFFFFFFL);
        }
        if (e.expectClass() != 0) {
            writer.putU32(CtaExpect.CLASS, e.expectClass() & 0xFFFFFFFFL);
        }
        if (e.helper() != null) {
            writer.putBytes(CtaExpect.HELP_NAME, cString(e.helper()));
        }
        if (e.function() != null) {
            writer.putBytes(CtaExpect.FN, cString(e.function()));
        }
        if (e.nat() != null) {
            int nat = writer.beginNest(CtaExpect.NAT);
            writer.putU32(CtaExpect.NAT_DIR, e.nat().direction());
            ConnectionEncoder.writeTuple(writer, CtaExpect.NAT_TUPLE, e.nat().tuple());
            writer.endNest(nat);
        }
        socket.execute("create expectation " + e.tuple(), messages -> { });
    }

    /**
     * Sets the timeout of an existing expectation (IPCTNL_MSG_EXP_NEW without NLM_F_CREATE): the
     * only thing the kernel lets user space change. The master, tuple, mask and zone of {@code e}
     * find it; everything else but the timeout is ignored.
     *
     * <pre>{@code
     * expectations.updateTimeout(e, 600);
     * }</pre>
     *
     * @param e the expectation
     * @param seconds the new timeout (unsigned 32-bit)
     * @throws NetlinkException ENOENT when there is no such expectation, ETIME when it is expiring
     */
    public void updateTimeout(Expectation e, int seconds) {
        Objects.requireNonNull(e, "expectation");
        MessageWriter writer = socket.request(ExpMessageType.NEW, Netlink.NLM_F_ACK, e.tuple().family().number(),
                Netlink.NFNETLINK_V0);
        writeKey(writer, e);
        writer.putU32(CtaExpect.TIMEOUT, seconds & 0xFFFFFFFFL);
        socket.execute("update expectation timeout " + e.tuple(), messages -> { });
    }

    private static void writeKey(MessageWriter writer, Expectation e) {
        ConnectionEncoder.writeTuple(writer, CtaExpect.MASTER, e.master());
        ConnectionEncoder.writeTuple(writer, CtaExpect.TUPLE, e.tuple());
        ConnectionEncoder.writeTuple(writer, CtaExpect.MASK, e.mask());
        writeZone(writer, e.zone());
    }

    /**
     * Deletes the expectation whose expected tuple is {@code tuple} in {@code zone}, what
     * {@code conntrack -D expect} does.
     *
     * <pre>{@code
     * expectations.delete(e.tuple(), e.zone());
     * }</pre>
     *
     * @param tuple the expected tuple
     * @param zone the zone (0 for the default)
     * @throws NetlinkException ENOENT when there is no such expectation
     */
    public void delete(Tuple tuple, int zone) {
        deleteMatching(tuple, zone, -1L);
    }

    /**
     * Deletes an expectation only if it still has the id it had when it was read: a newer
     * expectation with the same tuple is left alone.
     *
     * <pre>{@code
     * expectations.delete(e.tuple(), e.zone(), e.id());
     * }</pre>
     *
     * @param tuple the expected tuple
     * @param zone the zone (0 for the default)
     * @param id the kernel's id ({@link Expectation#id()}, unsigned 32-bit)
     * @throws NetlinkException ENOENT when there is no such expectation or its id differs
     */
    public void delete(Tuple tuple, int zone, int id) {
        deleteMatching(tuple, zone, id & 0xFFFFFFFFL);
    }

    private void deleteMatching(Tuple tuple, int zone, long id) {
        MessageWriter writer = requestFor(ExpMessageType.DELETE, tuple, zone);
        if (id >= 0) {
            writer.putU32(CtaExpect.ID, id);
        }
        socket.execute("delete expectation " + tuple, messages -> { });
    }

    /**
     * Deletes every expectation whose master uses the named helper.
     *
     * <pre>{@code
     * expectations.deleteOfHelper("ftp");
     * }</pre>
     *
     * @param helper the helper's name, such as {@code ftp} or {@code sip}
     * @throws NetlinkException when the kernel refuses
     */
    public void deleteOfHelper(String helper) {
        Objects.requireNonNull(helper, "helper");
        MessageWriter writer = socket.request(ExpMessageType.DELETE, Netlink.NLM_F_ACK, Netlink.AF_UNSPEC,
                Netlink.NFNETLINK_V0);
        writer.putBytes(CtaExpect.HELP_NAME, cString(helper));
        socket.execute("delete expectations of helper " + helper, messages -> { });
    }

    /**
     * Deletes every expectation of the namespace, what {@code conntrack -F expect} does.
     *
     * @throws NetlinkException when the kernel refuses
     */
    public void flush() {
        socket.request(ExpMessageType.DELETE, Netlink.NLM_F_ACK, Netlink.AF_UNSPEC, Netlink.NFNETLINK_V0);
        socket.execute("flush expectations", messages -> { });
    }

    /**
     * The expectation counters of every possible CPU (what {@code conntrack -S expect} prints),
     * from the IPCTNL_MSG_EXP_GET_STATS_CPU dump. The kernel stamps these replies with the
     * conntrack subsystem's number, so they are recognised by message number alone.
     *
     * <pre>{@code
     * expectations.cpuStatistics().forEach(System.out::println);
     * }</pre>
     *
     * @return one record per CPU, in the kernel's order
     * @throws NetlinkException when the kernel refuses
     */
    public List<ExpectationCpuStatistics> cpuStatistics() {
        List<ExpectationCpuStatistics> result = new ArrayList<>();
        AttributeIterator attributes = new AttributeIterator();
        socket.request(ExpMessageType.GET_STATS_CPU, Netlink.NLM_F_DUMP, Netlink.AF_UNSPEC, Netlink.NFNETLINK_V0);
        socket.execute("read per-CPU expectation statistics", messages -> {
            if ((messages.type() & 0xFF) != (ExpMessageType.GET_STATS_CPU & 0xFF)
                    || messages.length() < Netlink.NLMSG_HDRLEN + Netlink.NFGENMSG_LEN) {
                return;
            }
            int cpu = socket.network().getShort(messages.offset() + Netlink.NLMSG_HDRLEN + 2) & 0xFFFF;
            long[] values = new long[CtaExpect.STATS_DELETE + 1];
            int start = messages.offset() + Netlink.NLMSG_HDRLEN + Netlink.NFGENMSG_LEN;
            attributes.wrap(socket.host(), socket.network(), start, messages.offset() + messages.length() - start);
            while (attributes.next()) {
                long value = attributes.u32();
                if (attributes.type() <= CtaExpect.STATS_DELETE && value >= 0) {
                    values[attributes.type()] = value;
                }
            }
            result.add(new ExpectationCpuStatistics(cpu, values[CtaExpect.STATS_NEW], values[CtaExpect.STATS_CREATE],
                    values[CtaExpect.STATS_DELETE]));
        });
        return result;
    }

    /** Starts a request about the expectation whose expected tuple is {@code tuple} in {@code zone}. */
    private MessageWriter requestFor(int type, Tuple tuple, int zone) {
        Objects.requireNonNull(tuple, "tuple");
        checkZone(zone);
        MessageWriter writer = socket.request(type, Netlink.NLM_F_ACK, tuple.family().number(), Netlink.NFNETLINK_V0);
        ConnectionEncoder.writeTuple(writer, CtaExpect.TUPLE, tuple);
        writeZone(writer, zone);
        return writer;
    }

    private static void writeZone(MessageWriter writer, int zone) {
        if (zone != 0) {
            writer.putU16(CtaExpect.ZONE, zone);
        }
    }

    private static void checkZone(int zone) {
        if (zone < 0 || zone > 65535) {
            throw new IllegalArgumentException("zone must be in [0, 65535]: " + zone);
        }
    }

    private static byte[] cString(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        byte[] withNul = new byte[bytes.length + 1];
        System.arraycopy(bytes, 0, withNul, 0, bytes.length);
        return withNul;
    }

    /** Closes the socket. */
    @Override
    public void close() {
        socket.close();
    }
}

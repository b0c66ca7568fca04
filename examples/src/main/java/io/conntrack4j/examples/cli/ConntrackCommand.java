package io.conntrack4j.examples.cli;

import io.conntrack4j.core.Connection;
import io.conntrack4j.core.IpAddress;
import io.conntrack4j.core.L4Protocol;
import io.conntrack4j.core.StatusBit;
import io.conntrack4j.core.Tuple;
import io.conntrack4j.core.format.ConntrackFormat;
import io.conntrack4j.core.format.ConntrackXmlFormat;
import io.conntrack4j.netlink.ConntrackTable;
import io.conntrack4j.netlink.ConntrackVisitor;
import io.conntrack4j.netlink.CpuStatistics;
import io.conntrack4j.netlink.NetlinkException;
import io.conntrack4j.netlink.NetlinkSocket;
import java.io.PrintStream;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * The conntrack(8)-compatible commands: {@code -L}/{@code --dump}, {@code -C}/{@code --count},
 * {@code -I}, {@code -U}, {@code -D}, {@code -G}, {@code -F}, {@code -S} and {@code -E}, on the kernel table of the current network namespace. Standard output, standard error and the
 * exit code are conntrack 1.4.7's, so scripts can swap one for the other. The same commands on
 * the expectation table ({@code -L expect}) go to {@link ExpectationCommand}.
 */
final class ConntrackCommand {
    /** conntrack prefixes every message on standard error with its name and version. */
    static final String PREFIX = "conntrack v1.4.7 (conntrack-tools): ";
    private static final String TRY_HELP = "Try `conntrack -h' or 'conntrack --help' for more information.";
    /** conntrack's exit code for a bad command line (PARAMETER_PROBLEM). */
    static final int PARAMETER_PROBLEM = 2;
    /** conntrack's exit code when the kernel refuses (OTHER_PROBLEM). */
    static final int OTHER_PROBLEM = 1;
    private static final int ENOENT = 2;
    /** What a shell reports for a program killed by SIGPIPE, as conntrack is when its reader leaves. */
    static final int SIGPIPE_EXIT = 141;
    /** What a shell reports for a program killed by SIGSEGV, as conntrack 1.4.7 is by a bare --id. */
    static final int SEGFAULT_EXIT = 139;
    private static final int EEXIST = 17;
    private static final int EBUSY = 16;

    private ConntrackCommand() {
    }

    /**
     * Runs a conntrack command line.
     *
     * @param args the arguments, starting with an option such as {@code -L}
     * @param out standard output
     * @param err standard error
     * @return the exit code
     */
    static int run(String[] args, PrintStream out, PrintStream err) {
        ConntrackOptions options;
        List<String> warnings = new ArrayList<>();
        try {
            options = ConntrackOptions.parse(args, warnings);
        } catch (CommandLineException e) {
            warnings.forEach(err::println);
            err.println(PREFIX + e.getMessage());
            if (e.otherProblem()) {
                return OTHER_PROBLEM;
            }
            err.println(TRY_HELP);
            return PARAMETER_PROBLEM;
        }
        warnings.forEach(err::println);
        return run(options, out, err);
    }

    /**
     * Runs a parsed command line.
     *
     * @param options the options
     * @param out standard output
     * @param err standard error
     * @return the exit code
     */
    static int run(ConntrackOptions options, PrintStream out, PrintStream err) {
        if (options.crashed()) {
            return SEGFAULT_EXIT;
        }
        if (options.command() == ConntrackOptions.Command.VERSION) {
            out.println("conntrack v1.4.7 (conntrack-tools)");
            return 0;
        }
        if (options.command() == ConntrackOptions.Command.HELP) {
            out.print(ConntrackHelp.USAGE);
            if (options.protocol() >= 0) {
                out.print(ConntrackHelp.protocol(options.protocol(), protocolName(options), options.protocolExtension()));
            }
            out.flush();
            return 0;
        }
        if (options.expect()) {
            return ExpectationCommand.run(options, out, err);
        }
        try {
            if (options.command() == ConntrackOptions.Command.EVENT) {
                return EventCommand.run(options, out, err, format(options));
            }
        } catch (NetlinkException e) {
            if (e.getMessage().startsWith("bind")) {
                // conntrack's perror of the failed bind, then its own line
                err.println("mnl_socket_bind: " + ConntrackErrors.strerror(e.errno()));
                err.println(PREFIX + "Can't open netlink socket");
            } else {
                err.println(PREFIX + "Operation failed: "
                        + ConntrackErrors.describe(e.errno(), options.command(), false));
            }
            return OTHER_PROBLEM;
        }
        try (ConntrackTable table = new ConntrackTable(NetlinkSocket.open())) {
            return switch (options.command()) {
                case EVENT -> throw new IllegalStateException("handled above");
                case STATS -> stats(table, out, err);
                case LIST -> list(table, options, out, err);
                case COUNT -> count(table, out, err);
                case CREATE, ADD -> create(table, options, err);
                case VERSION, HELP -> throw new IllegalStateException("handled above");
                case GET -> get(table, options, out, err);
                case DELETE -> delete(table, options, out, err);
                case UPDATE -> UpdateCommand.run(table, options, out, err);
                case FLUSH -> flush(table, err);
            };
        } catch (NetlinkException e) {
            out.flush();
            err.println(PREFIX + "Operation failed: " + ConntrackErrors.describe(e.errno(), options.command(), false));
            return OTHER_PROBLEM;
        }
    }

    /** The name conntrack's help gives a protocol: its extension's, else /etc/protocols', else "unknown". */
    private static String protocolName(ConntrackOptions o) {
        if (o.protocolExtension()) {
            return L4Protocol.of(o.protocol()).conntrackName();
        }
        String name = ProtocolNames.name(o.protocol());
        return name == null ? "unknown" : name;
    }

    private static ConntrackFormat format(ConntrackOptions options) {
        return ConntrackFormat.builder().extended(options.extended()).id(options.id())
                .kernelTimestamps(options.kernelTimestamps()).labels(options.labelMap()).build();
    }

    /** The original tuple of -s/-d/-p and the protocol options. */
    private static Tuple original(ConntrackOptions o) {
        L4Protocol protocol = L4Protocol.of(o.protocol());
        return switch (protocol.keyKind()) {
            case PORTS -> Tuple.ofPorts(o.source(), o.destination(), protocol, o.sourcePort(), o.destinationPort());
            case ICMP -> Tuple.ofIcmp(o.source(), o.destination(), o.icmpType(), o.icmpCode(), Math.max(0, o.icmpId()));
            // the GRE extension keeps --srckey/--dstkey where the others keep ports
            case GRE -> Tuple.ofGre(o.source(), o.destination(), o.sourcePort(), o.destinationPort());
            default -> Tuple.ofAddresses(o.source(), o.destination(), protocol);
        };
    }

    /** The reply tuple: the inverse of the original, with whatever -r/-q and reply ports change. */
    private static Tuple reply(ConntrackOptions o, Tuple original) {
        Tuple inverse = original.isInvertible() ? original.inverse() : original;
        IpAddress source = o.replySource() != null ? o.replySource() : inverse.source();
        IpAddress destination = o.replyDestination() != null ? o.replyDestination() : inverse.destination();
        int sourceKey = inverse.sourceKey();
        int destinationKey = inverse.destinationKey();
        if (original.protocol().keyKind() == L4Protocol.KeyKind.PORTS) {
            sourceKey = o.replySourcePort() >= 0 ? o.replySourcePort() : sourceKey;
            destinationKey = o.replyDestinationPort() >= 0 ? o.replyDestinationPort() : destinationKey;
        }
        return new Tuple(source, destination, original.protocol(), sourceKey, destinationKey, Tuple.NO_ZONE);
    }

    private static int create(ConntrackTable table, ConntrackOptions o, PrintStream err) {
        Tuple original = original(o);
        Tuple reply = natted(o, original, reply(o, original));
        if (o.originalZone() >= 0) {
            original = original.withZone(o.originalZone());
        }
        if (o.replyZone() >= 0) {
            reply = reply.withZone(o.replyZone());
        }
        Connection.Builder c = Connection.builder(original, reply).timeout((int) o.timeout());
        if (o.state() != null) {
            c.tcpState(o.state());
        }
        protocolInfo(o, c);
        if (o.status() >= 0) {
            c.status(o.status());
        }
        if (o.mark() >= 0) {
            c.mark((int) o.mark());
        }
        if (o.zone() >= 0) {
            c.zone(o.zone());
        }
        if (o.labelAdd() != null) {
            c.labels(o.labelAdd()[1], o.labelAdd()[0]);
        }
        boolean add = o.command() == ConntrackOptions.Command.ADD;
        if (o.status() >= 0 && (o.status() & StatusBit.EXPECTED.mask()) != 0) {
            // the kernel refuses a new entry marked EXPECTED (EBUSY); the library drops the bit so
            // that helper-made entries can be re-created from a dump, conntrack sends it as given
            err.println(PREFIX + "Operation failed: " + ConntrackErrors.describe(EBUSY, o.command(), false));
            return OTHER_PROBLEM;
        }
        try {
            table.create(c.build());
        } catch (NetlinkException e) {
            if (e.errno() == EEXIST && add) {
                // conntrack -A leaves an existing entry as it is, counts nothing and succeeds
                err.println(PREFIX + "0 flow entries have been added.");
                return 0;
            }
            if (e.errno() == EEXIST) {
                err.println(PREFIX + "Operation failed: Such conntrack exists, try -U to update");
                return OTHER_PROBLEM;
            }
            throw e;
        }
        err.println(PREFIX + "1 flow entries have been " + (add ? "added." : "created."));
        return 0;
    }

    /**
     * The reply tuple of {@code -I} with {@code --src-nat ADDR[:PORT]} (its destination) and
     * {@code --dst-nat ADDR[:PORT]} (its source) applied: conntrack asks the kernel for that NAT,
     * which rewrites the reply tuple, whatever {@code -r}/{@code -q} said. libnetfilter_conntrack
     * sends the port for TCP and UDP only; a NAT option without a value asks for nothing.
     */
    private static Tuple natted(ConntrackOptions o, Tuple original, Tuple reply) {
        ConntrackOptions.NatFilter source = o.sourceNat();
        ConntrackOptions.NatFilter destination = o.destinationNat();
        if ((source == null || source.address() == null) && (destination == null || destination.address() == null)) {
            return reply;
        }
        int number = original.protocol().number();
        boolean ports = number == L4Protocol.TCP_NUMBER || number == L4Protocol.UDP_NUMBER;
        IpAddress replySource = reply.source();
        IpAddress replyDestination = reply.destination();
        int sourceKey = reply.sourceKey();
        int destinationKey = reply.destinationKey();
        if (source != null && source.address() != null) {
            replyDestination = source.address();
            destinationKey = ports && source.port() >= 0 ? source.port() : destinationKey;
        }
        if (destination != null && destination.address() != null) {
            replySource = destination.address();
            sourceKey = ports && destination.port() >= 0 ? destination.port() : sourceKey;
        }
        return new Tuple(replySource, replyDestination, reply.protocol(), sourceKey, destinationKey, reply.zone());
    }

    private static int get(ConntrackTable table, ConntrackOptions o, PrintStream out, PrintStream err) {
        Optional<Connection> found = table.get(original(o), 0);
        if (found.isEmpty()) {
            err.println(PREFIX + "Operation failed: such conntrack doesn't exist");
            return OTHER_PROBLEM;
        }
        if (!idMatches(o, found.get()) || !protocolMatches(o, found.get())) {
            // conntrack filters what the kernel answered with -i
            err.println(PREFIX + "0 flow entries have been shown.");
            return OTHER_PROBLEM;
        }
        StringBuilder line = new StringBuilder();
        if (o.save()) {
            SaveFormat.appendTo(line, found.get(), "-A");
        } else if (o.xml()) {
            // conntrack opens the XML document for the entry and never closes it
            xmlFormat(o).appendTo(line.append(XML_HEADER), found.get(), true);
        } else {
            format(o).formatTo(line, found.get());
        }
        out.println(line);
        out.flush();
        err.println(PREFIX + "1 flow entries have been shown.");
        return 0;
    }

    /**
     * conntrack -D dumps the table and deletes each entry the options match; with no match it
     * fails (exit 1) after saying that 0 entries were deleted. -U is {@link UpdateCommand}.
     */
    private static int delete(ConntrackTable table, ConntrackOptions o, PrintStream out, PrintStream err) {
        List<Connection> matches = new ArrayList<>();
        for (Connection c : o.family() == null ? table.list() : table.list(o.family())) {
            if (matches(o, c)) {
                matches.add(c);
            }
        }
        // conntrack prints what it deleted without labels, whatever -l or -o labels say
        ConntrackFormat format = ConntrackFormat.builder().extended(o.extended()).id(o.id())
                .kernelTimestamps(o.kernelTimestamps()).build();
        int done = 0;
        StringBuilder text = new StringBuilder();
        for (Connection c : matches) {
            int zone = c.hasZone() ? c.zone() : 0;
            try {
                table.delete(c.original(), zone);
                if (o.save()) {
                    SaveFormat.appendTo(text, c, "-D");
                } else if (o.xml()) {
                    // one <flow> per deleted entry, without the document around them
                    xmlFormat(o).appendTo(text, c, true);
                } else {
                    format.formatTo(text, c);
                }
                text.append('\n');
                done++;
            } catch (NetlinkException e) {
                // gone meanwhile (timed out, or deleted by someone else): not counted, like conntrack
                if (e.errno() != ENOENT) {
                    throw e;
                }
            }
        }
        out.print(text);
        out.flush();
        err.println(PREFIX + done + " flow entries have been deleted.");
        return done == 0 ? OTHER_PROBLEM : 0;
    }

    /**
     * What conntrack compares of TCP, SCTP and DCCP entries (also on the answer of {@code -G}): the
     * state of {@code -p tcp|sctp|dccp --state} (libnetfilter_conntrack compares the state, never the
     * vtags or the role). A kernel without a DCCP tracker keeps DCCP entries as generic ones, without
     * protocol info and without ports, so that no port option (not even 0) and no state matches
     * them. Nothing here with {@code -U}: its state is the new value, and it does not compare ports
     * this way.
     */
    private static boolean protocolMatches(ConntrackOptions o, Connection c) {
        if (o.command() == ConntrackOptions.Command.UPDATE) {
            return true;
        }
        int protocol = c.original().protocol().number();
        if (protocol == L4Protocol.DCCP_NUMBER && !c.hasProtocolState() && (o.sourcePort() >= 0
                || o.destinationPort() >= 0 || o.replySourcePort() >= 0 || o.replyDestinationPort() >= 0)) {
            return false;
        }
        if (o.state() != null && protocol == L4Protocol.TCP_NUMBER) {
            return c.tcpState() == o.state();
        }
        if (o.sctpState() != null && protocol == L4Protocol.SCTP_NUMBER) {
            return c.sctpState() == o.sctpState();
        }
        if (o.dccpState() != null && protocol == L4Protocol.DCCP_NUMBER) {
            return c.dccpState() == o.dccpState();
        }
        return true;
    }

    /**
     * The SCTP and DCCP protocol info of {@code -I}. The kernel takes SCTP's only whole (state and
     * both vtags), which conntrack's checks make sure of; DCCP's, ignored by a kernel without a
     * DCCP tracker, is left to the encoder.
     */
    static void protocolInfo(ConntrackOptions o, Connection.Builder c) {
        int protocol = o.protocol();
        if (protocol == L4Protocol.SCTP_NUMBER && o.sctpState() != null) {
            c.sctpState(o.sctpState());
        }
        if (protocol == L4Protocol.SCTP_NUMBER && o.originalVtag() >= 0 && o.replyVtag() >= 0) {
            c.sctpVtags(kernelVtag(o.originalVtag()), kernelVtag(o.replyVtag()));
        }
        if (protocol == L4Protocol.DCCP_NUMBER && o.dccpState() != null) {
            c.dccpState(o.dccpState());
        }
    }

    /**
     * The vtag the kernel gets from conntrack for {@code --orig-vtag N}: libnetfilter_conntrack
     * converts it to network byte order twice (once when conntrack sets it, once when it builds the
     * message), so on a little-endian host the kernel holds N with its bytes swapped, and conntrack,
     * swapping twice again when it reads, prints N back.
     *
     * @param value the number on the command line (unsigned 32 bits)
     * @return the vtag as the kernel (and {@link Connection#sctpVtagOriginal()}) holds it
     */
    static int kernelVtag(long value) {
        int n = (int) value;
        return ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? Integer.reverseBytes(n) : n;
    }

    /** {@code -i}: the entry's id, when both have one. */
    private static boolean idMatches(ConntrackOptions o, Connection c) {
        return o.idFilter() < 0 || !c.hasId() || (c.id() & 0xFFFFFFFFL) == o.idFilter();
    }

    /** The user-space filter of -D, -U and -L: the original tuple's fields, mark and zone. */
    static boolean matches(ConntrackOptions o, Connection c) {
        if (!idMatches(o, c) || !protocolMatches(o, c)) {
            return false;
        }
        Tuple orig = c.original();
        Tuple reply = c.reply();
        if (o.protocol() >= 0 && orig.protocol().number() != o.protocol()
                || o.source() != null && !AddressMask.matches(orig.source(), o.source(), o.maskSource())
                || o.destination() != null && !AddressMask.matches(orig.destination(), o.destination(),
                        o.maskDestination())
                || o.replySource() != null && !reply.source().equals(o.replySource())
                || o.replyDestination() != null && !reply.destination().equals(o.replyDestination())) {
            return false;
        }
        if (orig.protocol().keyKind() == L4Protocol.KeyKind.PORTS
                && (o.sourcePort() >= 0 && orig.sourcePort() != o.sourcePort()
                || o.destinationPort() >= 0 && orig.destinationPort() != o.destinationPort()
                || o.replySourcePort() >= 0 && reply.sourcePort() != o.replySourcePort()
                || o.replyDestinationPort() >= 0 && reply.destinationPort() != o.replyDestinationPort())) {
            return false;
        }
        if (o.mark() >= 0 && o.command() != ConntrackOptions.Command.UPDATE
                && ((c.hasMark() ? c.mark() & 0xFFFFFFFFL : 0) & o.markMask()) != (o.mark() & o.markMask())) {
            return false;
        }
        // conntrack compares a missing directional zone as zone 0
        if (o.originalZone() >= 0 && (orig.hasZone() ? orig.zone() : 0) != o.originalZone()
                || o.replyZone() >= 0 && (reply.hasZone() ? reply.zone() : 0) != o.replyZone()
                || !natMatches(o, c)) {
            return false;
        }
        long[] labels = o.labelFilter();
        if (labels != null && (!c.hasLabels() || (c.labelsLow() & labels[0]) != labels[0]
                || (c.labelsHigh() & labels[1]) != labels[1])) {
            return false;
        }
        int status = c.hasStatus() ? c.status() : 0;
        if (o.command() == ConntrackOptions.Command.LIST && o.status() >= 0
                && (status & o.statusMask()) != o.status()) {
            return false;
        }
        if (o.status() >= 0 && o.command() != ConntrackOptions.Command.UPDATE
                && o.command() != ConntrackOptions.Command.LIST && (status & o.status()) != o.status()) {
            return false;
        }
        return o.zone() < 0 || (c.hasZone() ? c.zone() : 0) == o.zone();
    }

    /**
     * conntrack's NAT filter: an entry is source-NATed when SRC_NAT_DONE is set and the reply's
     * destination differs from the original source (the address), or the reply's destination port
     * from the original source port (the port); destination NAT likewise on the other ends. With
     * both --src-nat and --dst-nat both must hold, with --any-nat either. libnetfilter_conntrack
     * compares the 16-bit keys of every protocol as "ports": an ICMP entry's id against its
     * {@code type << 8 | code}, so a NATed ICMP entry counts as port-translated both ways, while
     * a wanted port is compared with the port attribute, which an ICMP entry lacks (port 0).
     */
    private static boolean natMatches(ConntrackOptions o, Connection c) {
        if (o.sourceNat() == null && o.destinationNat() == null) {
            return true;
        }
        Tuple orig = c.original();
        Tuple reply = c.reply();
        int status = c.hasStatus() ? c.status() : 0;
        boolean icmp = orig.protocol().keyKind() == L4Protocol.KeyKind.ICMP;
        boolean source = o.sourceNat() != null && translated(o.sourceNat(),
                StatusBit.SRC_NAT_DONE.isSet(status) && !reply.destination().equals(orig.source()),
                StatusBit.SRC_NAT_DONE.isSet(status) && reply.destinationKey() != orig.sourceKey(),
                reply.destination(), icmp ? 0 : reply.destinationKey());
        boolean destination = o.destinationNat() != null && translated(o.destinationNat(),
                StatusBit.DST_NAT_DONE.isSet(status) && !reply.source().equals(orig.destination()),
                StatusBit.DST_NAT_DONE.isSet(status) && reply.sourceKey() != orig.destinationKey(),
                reply.source(), icmp ? 0 : reply.sourceKey());
        if (o.anyNat()) {
            return source || destination;
        }
        return (o.sourceNat() == null || source) && (o.destinationNat() == null || destination);
    }

    /**
     * One side of the NAT filter. conntrack compares only IPv4 addresses (it looks for the IPv4
     * NAT attribute), so an IPv6 address is ignored: {@code --src-nat 2001:db8::5} lists every
     * source-NATed entry.
     */
    private static boolean translated(ConntrackOptions.NatFilter filter, boolean addressChanged, boolean portChanged,
            IpAddress to, int toPort) {
        IpAddress wanted = filter.address() != null && filter.address().isIpv4() ? filter.address() : null;
        if (wanted == null && filter.port() < 0) {
            return addressChanged || portChanged;
        }
        boolean address = wanted == null || addressChanged && wanted.equals(to);
        boolean port = filter.port() < 0 || portChanged && filter.port() == toPort;
        return address && port;
    }

    /** conntrack says the table has been emptied before it looks at the kernel's answer. */
    private static int flush(ConntrackTable table, PrintStream err) {
        NetlinkException failure = null;
        try {
            table.flush();
        } catch (NetlinkException e) {
            failure = e;
        }
        err.println(PREFIX + "connection tracking table has been emptied.");
        if (failure != null) {
            throw failure;
        }
        return 0;
    }

    /**
     * Streams the table into one reused byte buffer: lines come straight from the netlink
     * flyweight ({@link EntryLineFormat}); only entries with rare parts, and filters on more than
     * family and protocol, build a {@link Connection}.
     */
    private static int list(ConntrackTable table, ConntrackOptions options, PrintStream out, PrintStream err) {
        if (options.specialList() != null) {
            return listSpecial(table, options, out, err);
        }
        if (options.zero() && filtersEntries(options)) {
            err.println(PREFIX + "Can't use -z with filtering parameters");
            err.println(TRY_HELP);
            return PARAMETER_PROBLEM;
        }
        if (options.status() >= 0 && options.statusMask() == 0) {
            // conntrack asks the kernel to filter on status, and the kernel refuses an empty mask
            err.println(PREFIX + "Operation failed: invalid parameters");
            return OTHER_PROBLEM;
        }
        // the kernel fills each datagram inside the receive of the one before: receiving on a
        // second thread lets it work while this thread formats
        table.receiveAhead(true);
        if (options.xml()) {
            return listXml(table, options, out, err);
        }
        if (options.save()) {
            return listSave(table, options, out, err);
        }
        ConntrackFormat format = format(options);
        EntryLineFormat lines = new EntryLineFormat(options.extended(), options.id(), options.kernelTimestamps(),
                options.labelMap() != null);
        boolean filterOnConnection = filtersBeyondProtocol(options);
        LineBuffer text = new LineBuffer(out);
        StringBuilder slow = new StringBuilder(512);
        long[] shown = {0};
        ConntrackVisitor print = entry -> {
            // conntrack filters the protocol in user space, after the kernel's family filter
            if (options.protocol() >= 0 && entry.original().protocol() != options.protocol()
                    || !EntryLineFormat.usable(entry.original())) {
                return true;
            }
            Connection c = null;
            if (filterOnConnection) {
                c = entry.toConnection();
                if (c == null || !matches(options, c)) {
                    return true;
                }
            }
            if (!lines.append(text, entry)) {
                c = c != null ? c : entry.toConnection();
                if (c == null) {
                    return true;
                }
                slow.setLength(0);
                text.appendUtf8(format.formatTo(slow, c)).append('\n');
            }
            shown[0]++;
            // a reader that went away (ct4j -L | head) ends the dump, as SIGPIPE ends conntrack
            return !(text.flushIfFull() && out.checkError());
        };
        dump(table, options, print);
        text.flush();
        if (out.checkError()) {
            return SIGPIPE_EXIT;
        }
        err.println(PREFIX + shown[0] + " flow entries have been shown.");
        return 0;
    }

    /**
     * Dumps the family of {@code -f} (both without it); with {@code -z} the kernel zeroes the
     * counters of every entry it sends, and the visitor sees them as they were.
     */
    private static void dump(ConntrackTable table, ConntrackOptions options, ConntrackVisitor visitor) {
        if (options.zero()) {
            if (options.family() == null) {
                table.dumpAndZeroCounters(visitor);
            } else {
                table.dumpAndZeroCounters(options.family(), visitor);
            }
        } else if (options.family() == null) {
            table.dump(visitor);
        } else {
            table.dump(options.family(), visitor);
        }
    }

    /**
     * The options conntrack counts as filtering parameters, which -z refuses (CT_COMPARISON): -p,
     * addresses, mark, status, zones and labels (the family and NAT filters are not among them).
     */
    private static boolean filtersEntries(ConntrackOptions o) {
        return o.protocol() >= 0 || o.source() != null || o.destination() != null || o.replySource() != null
                || o.replyDestination() != null || o.mark() >= 0 || o.status() >= 0 || o.zone() >= 0
                || o.originalZone() >= 0 || o.replyZone() >= 0 || o.labelFilter() != null || o.secmark() >= 0;
    }

    /**
     * {@code -L -o xml}: the XML declaration and {@code <conntrack>} before the first flow, one
     * {@code <flow>} line per entry, {@code </conntrack>} after the last; nothing for an empty list.
     */
    private static int listXml(ConntrackTable table, ConntrackOptions options, PrintStream out, PrintStream err) {
        ConntrackXmlFormat xml = ConntrackXmlFormat.builder().kernelTimestamps(options.kernelTimestamps())
                .labels(options.labelMap()).build();
        return listConnections(table, options, out, err, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<conntrack>\n",
                "</conntrack>\n", (line, c) -> xml.appendTo(line, c, true));
    }

    /** {@code -L -o save}: one {@code -A} command line per entry ({@link SaveFormat}). */
    private static int listSave(ConntrackTable table, ConntrackOptions options, PrintStream out, PrintStream err) {
        return listConnections(table, options, out, err, "", "", SaveFormat::appendTo);
    }

    /**
     * The listings that go through a core {@link Connection} per entry: {@code header} before the
     * first line and {@code footer} after the last (neither for an empty list), one formatted line
     * per matching entry, and the closed-pipe exit conntrack's SIGPIPE would give.
     */
    private static int listConnections(ConntrackTable table, ConntrackOptions options, PrintStream out,
                                       PrintStream err, String header, String footer,
                                       BiConsumer<StringBuilder, Connection> format) {
        LineBuffer text = new LineBuffer(out);
        StringBuilder line = new StringBuilder(1024);
        long[] shown = {0};
        ConntrackVisitor print = entry -> {
            if (options.protocol() >= 0 && entry.original().protocol() != options.protocol()) {
                return true;
            }
            Connection c = entry.toConnection();
            if (c == null || !matches(options, c)) {
                return true;
            }
            if (shown[0]++ == 0) {
                text.appendAscii(header);
            }
            line.setLength(0);
            format.accept(line, c);
            text.appendUtf8(line).append('\n');
            return !(text.flushIfFull() && out.checkError());
        };
        dump(table, options, print);
        if (shown[0] > 0) {
            text.appendAscii(footer);
        }
        text.flush();
        if (out.checkError()) {
            return SIGPIPE_EXIT;
        }
        err.println(PREFIX + shown[0] + " flow entries have been shown.");
        return 0;
    }

    /**
     * {@code -L dying} and {@code -L unconfirmed}: the kernel's lists of entries on their way out
     * or not yet confirmed, printed like the table (the XML is not closed: conntrack closes it only
     * for the table), with the same user-space filters.
     */
    private static int listSpecial(ConntrackTable table, ConntrackOptions options, PrintStream out,
                                   PrintStream err) {
        ConntrackFormat format = format(options);
        ConntrackXmlFormat xml = xmlFormat(options);
        StringBuilder text = new StringBuilder();
        long[] shown = {0};
        ConntrackVisitor print = entry -> {
            Connection c = entry.toConnection();
            if (c == null || options.family() != null && c.family() != options.family()
                    || options.protocol() >= 0 && c.protocol().number() != options.protocol()
                    || !matches(options, c)) {
                return true;
            }
            if (options.save()) {
                SaveFormat.appendTo(text, c, "-A");
            } else if (options.xml()) {
                text.append(shown[0] == 0 ? XML_HEADER : "");
                xml.appendTo(text, c, true);
            } else {
                format.formatTo(text, c);
            }
            text.append('\n');
            shown[0]++;
            return true;
        };
        if (options.specialList().equals("dying")) {
            table.dumpDying(print);
        } else {
            table.dumpUnconfirmed(print);
        }
        out.print(text);
        out.flush();
        err.println(PREFIX + shown[0] + " flow entries have been shown.");
        return 0;
    }

    private static final String XML_HEADER = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<conntrack>\n";

    private static ConntrackXmlFormat xmlFormat(ConntrackOptions options) {
        return ConntrackXmlFormat.builder().kernelTimestamps(options.kernelTimestamps())
                .labels(options.labelMap()).build();
    }

    /** Whether {@link #matches} has more to check than the protocol, which the flyweight answers. */
    private static boolean filtersBeyondProtocol(ConntrackOptions o) {
        return o.source() != null || o.destination() != null || o.replySource() != null
                || o.sourceNat() != null || o.destinationNat() != null || o.originalZone() >= 0 || o.replyZone() >= 0
                || o.replyDestination() != null || o.sourcePort() >= 0 || o.destinationPort() >= 0
                || o.replySourcePort() >= 0 || o.replyDestinationPort() >= 0 || o.mark() >= 0 || o.status() >= 0
                || o.zone() >= 0 || o.labelFilter() != null || o.state() != null || o.sctpState() != null
                || o.dccpState() != null;
    }

    /**
     * conntrack -S: one line per CPU, {@code cpu=N} padded to 4 then a tab, then the counters.
     * When the kernel refuses, conntrack prints {@code /proc/net/stat/nf_conntrack} the same way
     * and still fails with the kernel's error.
     */
    private static int stats(ConntrackTable table, PrintStream out, PrintStream err) {
        StringBuilder text = new StringBuilder();
        try {
            for (CpuStatistics cpu : table.cpuStatistics()) {
                text.append(cpu).append('\n');
            }
        } catch (NetlinkException e) {
            if (!ProcFallback.statistics(text)) {
                err.println(PREFIX + "Can't open /proc interface");
                return OTHER_PROBLEM;
            }
            out.print(text);
            out.flush();
            throw e;
        }
        out.print(text);
        out.flush();
        return 0;
    }

    /** conntrack -C; when the kernel refuses, conntrack prints the count /proc has and still fails. */
    private static int count(ConntrackTable table, PrintStream out, PrintStream err) {
        try {
            out.println(table.count());
        } catch (NetlinkException e) {
            String count = ProcFallback.count();
            if (count == null || count.isEmpty()) {
                err.println(PREFIX + (count == null ? "Can't open " : "Can't read ") + ProcFallback.COUNT);
                return OTHER_PROBLEM;
            }
            out.println(count);
            out.flush();
            throw e;
        }
        return 0;
    }
}

package io.conntrack4j.examples.cli;

import io.conntrack4j.core.EventType;
import io.conntrack4j.core.Expectation;
import io.conntrack4j.core.IpAddress;
import io.conntrack4j.core.L4Protocol;
import io.conntrack4j.core.Tuple;
import io.conntrack4j.core.format.ConntrackXmlFormat;
import io.conntrack4j.core.format.ExpectationEvent;
import io.conntrack4j.core.format.ExpectationFormat;
import io.conntrack4j.netlink.ConntrackEntry;
import io.conntrack4j.netlink.ConntrackEventHandler;
import io.conntrack4j.netlink.ConntrackEventListener;
import io.conntrack4j.netlink.ExpectationCpuStatistics;
import io.conntrack4j.netlink.ExpectationEntry;
import io.conntrack4j.netlink.ExpectationTable;
import io.conntrack4j.netlink.NetlinkException;
import io.conntrack4j.netlink.NetlinkSocket;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The expectation table's commands of conntrack(8): {@code -L}, {@code -G}, {@code -I},
 * {@code -D}, {@code -F}, {@code -C}, {@code -S} and {@code -E} followed by {@code expect}, with
 * conntrack 1.4.7's output, messages and exit codes, quirks included: {@code -I expect} says
 * nothing when it succeeds, {@code -D expect} reports "0 expectations have been shown." and exits
 * 1 even when it deleted one, and TCP's {@code --tuple-port-*} options set the expected tuple's
 * protocol ({@link ConntrackOptions#expectedProtocol()}).
 */
final class ExpectationCommand {
    private static final ExpectationFormat LINES = ExpectationFormat.plain();

    private ExpectationCommand() {
    }

    /**
     * Runs a parsed expectation command.
     *
     * @param o the options, with {@link ConntrackOptions#expect()} set
     * @param out standard output
     * @param err standard error
     * @return the exit code
     */
    static int run(ConntrackOptions o, PrintStream out, PrintStream err) {
        try {
            if (o.command() == ConntrackOptions.Command.EVENT) {
                return Events.run(o, out, err);
            }
            try (ExpectationTable table = new ExpectationTable(NetlinkSocket.open())) {
                return switch (o.command()) {
                    case LIST -> list(table, o, out, err);
                    case GET -> get(table, o, out, err);
                    case CREATE -> create(table, o);
                    case DELETE -> delete(table, o, err);
                    case FLUSH -> flush(table, err);
                    case COUNT -> count(table, out);
                    case STATS -> stats(table, out, err);
                    case UPDATE, ADD, EVENT, VERSION, HELP -> throw new IllegalStateException("refused or handled above");
                };
            }
        } catch (NetlinkException e) {
            if (o.command() == ConntrackOptions.Command.EVENT && e.getMessage().startsWith("bind")) {
                // libnetfilter_conntrack's nfct_open failed to join the groups
                err.println(ConntrackCommand.PREFIX + "Can't open handler");
            } else {
                err.println(ConntrackCommand.PREFIX + "Operation failed: " + describe(e, o.command()));
            }
            return ConntrackCommand.OTHER_PROBLEM;
        }
    }

    /** conntrack's err2str: a few errors of some commands have their own words, the rest strerror's. */
    private static String describe(NetlinkException e, ConntrackOptions.Command command) {
        return ConntrackErrors.describe(e.errno(), command, true);
    }

    /** The master (or, for -G/-D, the looked-up) tuple of -s, -d, -p and the ports. */
    private static Tuple original(ConntrackOptions o) {
        L4Protocol protocol = L4Protocol.of(o.protocol());
        return switch (protocol.keyKind()) {
            case PORTS -> Tuple.ofPorts(o.source(), o.destination(), protocol, o.sourcePort(), o.destinationPort());
            // conntrack sends the ICMP fields it has, none: type 0, code 0, id 0
            case ICMP -> new Tuple(o.source(), o.destination(), protocol, 0, 0, Tuple.NO_ZONE);
            // GRE's keys (--srckey, --dstkey) are kept where the ports go
            case GRE -> new Tuple(o.source(), o.destination(), protocol, Math.max(0, o.sourcePort()),
                    Math.max(0, o.destinationPort()), Tuple.NO_ZONE);
            default -> Tuple.ofAddresses(o.source(), o.destination(), protocol);
        };
    }

    /**
     * The expected tuple of -I expect. Its ports fill whatever keys the (possibly quirky)
     * protocol has, as the union in libnetfilter_conntrack's tuple does: ICMP reads the
     * destination port's bytes as type and code and the source port as id.
     */
    private static Tuple expected(ConntrackOptions o) {
        L4Protocol protocol = L4Protocol.of(o.expectedProtocol());
        IpAddress source = o.tupleSource();
        IpAddress destination = o.tupleDestination();
        int sport = Math.max(0, o.tupleSourcePort());
        int dport = Math.max(0, o.tupleDestinationPort());
        return switch (protocol.keyKind()) {
            case PORTS, GRE, ICMP -> new Tuple(source, destination, protocol, sport, dport, Tuple.NO_ZONE);
            default -> Tuple.ofAddresses(source, destination, protocol);
        };
    }

    private static Tuple mask(ConntrackOptions o) {
        L4Protocol protocol = L4Protocol.of(o.protocol());
        if (protocol.keyKind() == L4Protocol.KeyKind.PORTS) {
            return Tuple.ofPorts(o.maskSource(), o.maskDestination(), protocol, Math.max(0, o.maskSourcePort()),
                    Math.max(0, o.maskDestinationPort()));
        }
        if (protocol.keyKind() == L4Protocol.KeyKind.GRE) {
            return new Tuple(o.maskSource(), o.maskDestination(), protocol, Math.max(0, o.maskSourcePort()),
                    Math.max(0, o.maskDestinationPort()), Tuple.NO_ZONE);
        }
        return Tuple.ofAddresses(o.maskSource(), o.maskDestination(), protocol);
    }

    private static int list(ExpectationTable table, ConntrackOptions o, PrintStream out, PrintStream err) {
        StringBuilder text = new StringBuilder();
        ConntrackXmlFormat xml = ConntrackXmlFormat.builder().build();
        long[] shown = {0};
        Clock clock = Clock.systemUTC();
        for (Expectation e : o.family() == null ? table.list() : table.list(o.family())) {
            if (o.xml()) {
                if (shown[0] == 0) {
                    text.append("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<expect>\n");
                }
                xml.appendTo(text, e, true).append('\n');
            } else if (o.timestamps()) {
                LINES.formatTo(timestamp(text, micros(clock)), e).append('\n');
            } else {
                LINES.formatTo(text, e).append('\n');
            }
            shown[0]++;
        }
        if (o.xml() && shown[0] > 0) {
            text.append("</expect>\n");
        }
        out.print(text);
        out.flush();
        err.println(ConntrackCommand.PREFIX + shown[0] + " expectations have been shown.");
        return 0;
    }

    /** conntrack's {@code [%-8ld.%-6ld]\t}, which -o timestamp puts before each listed expectation. */
    private static StringBuilder timestamp(StringBuilder text, long micros) {
        String seconds = Long.toString(micros / 1_000_000);
        String fraction = Long.toString(micros % 1_000_000);
        text.append('[').append(seconds).append(" ".repeat(Math.max(0, 8 - seconds.length()))).append('.');
        return text.append(fraction).append(" ".repeat(Math.max(0, 6 - fraction.length()))).append("]\t");
    }

    private static long micros(Clock clock) {
        Instant now = clock.instant();
        return now.getEpochSecond() * 1_000_000 + now.getNano() / 1000;
    }

    private static int get(ExpectationTable table, ConntrackOptions o, PrintStream out, PrintStream err) {
        Optional<Expectation> found = table.get(original(o), 0);
        if (found.isEmpty()) {
            err.println(ConntrackCommand.PREFIX + "Operation failed: No such file or directory");
            return ConntrackCommand.OTHER_PROBLEM;
        }
        out.println(LINES.format(found.get()));
        out.flush();
        return 0;
    }

    private static int create(ExpectationTable table, ConntrackOptions o) {
        table.create(new Expectation(original(o), expected(o), mask(o), (int) o.timeout(), 0, 0, null, null, null,
                0, 0));
        return 0;
    }

    private static int delete(ExpectationTable table, ConntrackOptions o, PrintStream err) {
        table.delete(original(o), 0);
        // conntrack 1.4.7 counts nothing for -D expect, so it reports 0 and fails after deleting
        err.println(ConntrackCommand.PREFIX + "0 expectations have been shown.");
        return ConntrackCommand.OTHER_PROBLEM;
    }

    /** conntrack says the table has been emptied before it looks at the kernel's answer. */
    private static int flush(ExpectationTable table, PrintStream err) {
        NetlinkException failure = null;
        try {
            table.flush();
        } catch (NetlinkException e) {
            failure = e;
        }
        err.println(ConntrackCommand.PREFIX + "expectation table has been emptied.");
        if (failure != null) {
            throw failure;
        }
        return 0;
    }

    /** conntrack prints what it counted even when the dump fails. */
    private static int count(ExpectationTable table, PrintStream out) {
        long[] count = {0};
        try {
            table.dump(e -> {
                count[0]++;
                return true;
            });
        } finally {
            out.println(count[0]);
            out.flush();
        }
        return 0;
    }

    /**
     * When the kernel refuses, conntrack falls back to /proc as for the conntrack table, and so
     * prints the conntrack table's counters before failing.
     */
    private static int stats(ExpectationTable table, PrintStream out, PrintStream err) {
        StringBuilder text = new StringBuilder();
        try {
            for (ExpectationCpuStatistics cpu : table.cpuStatistics()) {
                text.append(cpu).append('\n');
            }
        } catch (NetlinkException e) {
            text.setLength(0);
            if (!ProcFallback.statistics(text)) {
                err.println(ConntrackCommand.PREFIX + "Can't open /proc interface");
                return ConntrackCommand.OTHER_PROBLEM;
            }
            out.print(text);
            out.flush();
            throw e;
        }
        out.print(text);
        out.flush();
        return 0;
    }

    /**
     * {@code conntrack -E expect}: NEW, UPDATE and DESTROY expectation events, one flushed line
     * each, until SIGINT or SIGTERM, which print the count and exit 0.
     */
    private static final class Events implements ConntrackEventHandler {
        private final ConntrackOptions options;
        private final PrintStream out;
        private final PrintStream err;
        private final Clock clock = Clock.systemUTC();
        private final AtomicLong shown = new AtomicLong();
        private final ConntrackXmlFormat xml = ConntrackXmlFormat.builder().build();
        /** Whether the XML declaration and {@code <expect>} are out, so that exit closes the root. */
        private volatile boolean xmlOpen;

        private Events(ConntrackOptions options, PrintStream out, PrintStream err) {
            this.options = options;
            this.out = out;
            this.err = err;
        }

        static int run(ConntrackOptions options, PrintStream out, PrintStream err) {
            Events events = new Events(options, out, err);
            ConntrackEventListener.Options subscription = ConntrackEventListener.Options.ALL
                    .withExpectationEvents(EnumSet.allOf(EventType.class)).withEvents(Set.of());
            try (ConntrackEventListener listener = ConntrackEventListener.open(subscription)) {
                Thread goodbye = new Thread(events::goodbye, "ct4j-expect-event-exit");
                Runtime.getRuntime().addShutdownHook(goodbye);
                try {
                    while (!out.checkError()) {
                        listener.poll(256, 1000, events);
                    }
                } finally {
                    Runtime.getRuntime().removeShutdownHook(goodbye);
                }
            }
            return ConntrackCommand.SIGPIPE_EXIT;
        }

        private void goodbye() {
            if (xmlOpen) {
                out.print("</expect>\n");
            }
            out.flush();
            err.println(ConntrackCommand.PREFIX + shown.get() + " expectation events have been shown.");
            err.flush();
            Runtime.getRuntime().halt(0);
        }

        @Override
        public void onEvent(EventType type, ConntrackEntry entry, int portId, boolean own) {
            // subscribed to expectation groups only
        }

        @Override
        public void onExpectation(EventType type, ExpectationEntry entry, int portId, boolean own) {
            Expectation e = entry.toExpectation();
            if (e == null) {
                return;
            }
            if (options.xml()) {
                if (!xmlOpen) {
                    out.print("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<expect>\n");
                    xmlOpen = true;
                }
                // an event's element says what happened: <flow type="new">
                StringBuilder line = xml.appendTo(new StringBuilder(700), e, true);
                line.insert("<flow".length(), " type=\"" + type.name().toLowerCase(Locale.ROOT) + "\"");
                out.println(line);
                out.flush();
                shown.incrementAndGet();
                return;
            }
            long timestamp = options.timestamps() ? micros(clock) : ExpectationEvent.NO_TIMESTAMP;
            out.println(LINES.formatEvent(new ExpectationEvent(type, e, timestamp)));
            out.flush();
            shown.incrementAndGet();
        }
    }
}

package io.conntrack4j.examples.cli;

import io.conntrack4j.core.Connection;
import io.conntrack4j.core.EventType;
import io.conntrack4j.core.format.ConntrackEvent;
import io.conntrack4j.core.format.ConntrackFormat;
import io.conntrack4j.core.format.ConntrackXmlFormat;
import io.conntrack4j.netlink.ConntrackEntry;
import io.conntrack4j.netlink.ConntrackEventHandler;
import io.conntrack4j.netlink.ConntrackEventListener;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code conntrack -E}: prints the kernel's conntrack events as they come, one flushed line each,
 * until killed; then, on SIGINT or SIGTERM, says how many it showed and exits 0, as conntrack does.
 * The same filters as {@code -L} apply, in user space; {@code -e} picks the event types (the
 * kernel's multicast groups), {@code -b} the socket's receive buffer, and {@code -o timestamp}
 * prefixes each line with the time it was printed.
 */
final class EventCommand implements ConntrackEventHandler {
    private static final String ENOBUFS_WARNING = String.join("\n",
            "WARNING: We have hit ENOBUFS! We are losing events.",
            "This message means that the current netlink socket buffer size is too small.",
            "Please, check --buffer-size in conntrack(8) manpage.");

    private final ConntrackOptions options;
    private final PrintStream out;
    private final PrintStream err;
    private final ConntrackFormat format;
    /** {@code -o xml}: events as {@code <flow type="...">} elements, or null for plain lines. */
    private final ConntrackXmlFormat xml;
    /** Whether the XML declaration and {@code <conntrack>} went out (conntrack prints them with the first event). */
    private volatile boolean xmlOpened;
    private final NetlinkProgramNames programs = new NetlinkProgramNames(Path.of("/proc"));
    private final Clock clock = Clock.systemUTC();
    private final AtomicLong shown = new AtomicLong();
    private final StringBuilder line = new StringBuilder(512);

    private EventCommand(ConntrackOptions options, PrintStream out, PrintStream err, ConntrackFormat format) {
        this.options = options;
        this.out = out;
        this.err = err;
        this.format = format;
        this.xml = options.xml() ? ConntrackXmlFormat.builder().eventTime(options.timestamps())
                .labels(options.labelMap()).build() : null;
    }

    /**
     * Listens until the process is killed (or standard output is closed).
     *
     * @return the exit code when standard output went away
     */
    static int run(ConntrackOptions options, PrintStream out, PrintStream err, ConntrackFormat format) {
        EventCommand command = new EventCommand(options, out, err, format);
        ConntrackEventListener.Options subscription = ConntrackEventListener.Options.ALL.withEvents(options.events());
        if (options.bufferSize() >= 0) {
            // the kernel raises anything below its minimum to the minimum, as conntrack -b 0 shows
            subscription = subscription.withReceiveBufferBytes((int) Math.max(1, Math.min(options.bufferSize(),
                    Integer.MAX_VALUE / 2)));
        }
        try (ConntrackEventListener listener = ConntrackEventListener.open(subscription)) {
            if (options.bufferSize() >= 0) {
                err.println("NOTICE: Netlink socket buffer size has been set to " + listener.receiveBufferBytes()
                        + " bytes.");
            }
            Thread goodbye = new Thread(command::goodbye, "ct4j-event-exit");
            Runtime.getRuntime().addShutdownHook(goodbye);
            try {
                while (!out.checkError()) {
                    listener.poll(256, 1000, command);
                }
            } finally {
                Runtime.getRuntime().removeShutdownHook(goodbye);
            }
        }
        // stdout is gone (a closed pipe): conntrack would have died of SIGPIPE
        return ConntrackCommand.SIGPIPE_EXIT;
    }

    /** conntrack's SIGINT/SIGTERM handler: the count on stderr, then exit 0. */
    private void goodbye() {
        if (xmlOpened) {
            out.print("</conntrack>\n");
        }
        out.flush();
        err.println(ConntrackCommand.PREFIX + shown.get() + " flow events have been shown.");
        err.flush();
        Runtime.getRuntime().halt(0);
    }

    @Override
    public void onEvent(EventType type, ConntrackEntry entry, int portId, boolean own) {
        if (options.family() != null && entry.family() != options.family().number()
                || options.protocol() >= 0 && entry.original().protocol() != options.protocol()) {
            return;
        }
        Connection c = entry.toConnection();
        if (c == null || !ConntrackCommand.matches(options, c)) {
            return;
        }
        long port = Integer.toUnsignedLong(portId);
        long timestamp = ConntrackEvent.NO_TIMESTAMP;
        if (options.timestamps()) {
            Instant now = clock.instant();
            timestamp = now.getEpochSecond() * 1_000_000 + now.getNano() / 1000;
        }
        ConntrackEvent event = new ConntrackEvent(type, c, timestamp, port == 0 ? ConntrackEvent.NO_PORT_ID : port,
                port == 0 ? null : programs.nameOf(port));
        line.setLength(0);
        if (xml == null) {
            line.append(format.formatEvent(event)).append('\n');
        } else {
            if (!xmlOpened) {
                line.append("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<conntrack>\n");
                xmlOpened = true;
            }
            xml.appendTo(line, event).append('\n');
        }
        out.print(line);
        out.flush();
        shown.incrementAndGet();
    }

    @Override
    public void onOverrun(long overruns, long kernelDrops) {
        err.println(ENOBUFS_WARNING);
    }
}

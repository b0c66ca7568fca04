package io.conntrack4j.examples.cli;

import io.conntrack4j.core.Connection;
import io.conntrack4j.core.Filter;
import io.conntrack4j.core.capture.CaptureFormatException;
import io.conntrack4j.core.capture.CaptureReader;
import io.conntrack4j.core.format.ConntrackEvent;
import io.conntrack4j.core.format.ConntrackFormat;
import io.conntrack4j.core.packet.ParseResult;
import io.conntrack4j.core.packet.PacketView;
import io.conntrack4j.core.reassembly.Reassembler;
import io.conntrack4j.core.reassembly.ReassemblyVerdict;
import io.conntrack4j.core.tracker.ConnectionTracker;
import io.conntrack4j.core.tracker.ProcessResult;
import io.conntrack4j.core.tracker.TrackerConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code ct4j replay FILE [--events] [--zone N]}: runs a pcap or pcapng capture through the
 * user-space tracker, on the capture's own clock, and prints the final table as {@code conntrack -L}
 * would (timeouts relative to the last packet), or with {@code --events} the event stream as
 * {@code conntrack -E} would.
 *
 * <p>Fragments are reassembled before tracking, as Linux's {@code nf_defrag_ipv4} and
 * {@code nf_defrag_ipv6} do in front of conntrack: the datagram is tracked once, when its last
 * fragment arrives, and fragments that complete nothing (queued, or refused by reassembly) are not
 * tracked at all, as the kernel steals or drops them before conntrack sees them.
 */
final class ReplayCommand {

    static final String USAGE = String.join("\n",
            "usage: ct4j replay FILE [--events] [--zone N] [--at SECONDS] [--acct]",
            "",
            "Runs the packets of a pcap or pcapng capture through conntrack4j's user-space tracker (Linux's",
            "rules and default timeouts; time is the packets' timestamps) and prints the table left after",
            "the last packet as `conntrack -L` prints it, timeouts relative to that packet, followed on",
            "stderr by conntrack's \"N flow entries have been shown.\" With --events, prints instead the",
            "events as `conntrack -E` prints them: [NEW], [UPDATE] and [DESTROY] (expired connections are",
            "destroyed when later packets pass their timeout). All packets are tracked in zone N (default 0).",
            "Fragments are reassembled first, as Linux's defrag does before conntrack: a fragmented datagram",
            "is tracked once, when complete. --at SECONDS (since the epoch, with a fraction, on the capture's",
            "clock) lists the table as it stands at that later time instead: entries that have expired by",
            "then are gone and timeouts count from then, as when `conntrack -L` runs some time after the",
            "capture ends. --acct counts packets and bytes per direction, as nf_conntrack_acct=1 does.",
            "Exit status: 0 when the capture was read, 1 when it cannot be read, 2 on bad usage.",
            "");

    private ReplayCommand() {
    }

    /**
     * Runs the command.
     *
     * @param args the arguments after {@code replay}
     * @param out standard output
     * @param err standard error
     * @return the exit code
     */
    static int run(String[] args, PrintStream out, PrintStream err) {
        String file = null;
        boolean events = false;
        int zone = 0;
        long at = Long.MIN_VALUE;
        boolean accounting = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--events" -> events = true;
                case "--acct" -> accounting = true;
                case "--zone" -> {
                    if (i + 1 == args.length) {
                        return usage(err, "--zone needs a number");
                    }
                    try {
                        zone = Integer.parseInt(args[++i]);
                    } catch (NumberFormatException e) {
                        zone = -1;
                    }
                    if (zone < 0 || zone > 0xffff) {
                        return usage(err, "zone '" + args[i] + "' is not a number from 0 to 65535");
                    }
                }
                case "--at" -> {
                    if (i + 1 == args.length) {
                        return usage(err, "--at needs a time in seconds");
                    }
                    at = seconds(args[++i]);
                    if (at == Long.MIN_VALUE) {
                        return usage(err, "time '" + args[i] + "' is not seconds since the epoch (like 1732530000.25)");
                    }
                }
                case "-h", "--help" -> {
                    out.print(USAGE);
                    return 0;
                }
                default -> {
                    if (args[i].startsWith("-") || file != null) {
                        return usage(err, "unexpected argument '" + args[i] + "'");
                    }
                    file = args[i];
                }
            }
        }
        if (file == null) {
            return usage(err, "missing FILE");
        }
        return replay(Path.of(file), events, zone, at, accounting, out, err);
    }

    /**
     * Passes a parsed packet through reassembly, as {@code nf_defrag} runs before conntrack's own
     * hook: fragments are held until their datagram is complete, which then replaces them in
     * {@code view}.
     *
     * @return whether {@code view} now holds something to track
     */
    static boolean defragment(ParseResult parsed, PacketView view, byte[] bytes, int offset, int length, long nanos,
                              int zone, Reassembler reassembler) {
        if (view.ipVersion() == 0 || parsed != ParseResult.NON_FIRST_FRAGMENT && !view.isFragment()
                && !view.hasFragmentHeader()) {
            return true; // not a fragment, or not IP: the tracker judges it as the kernel would
        }
        int ip = offset + view.networkOffset();
        ReassemblyVerdict verdict = reassembler.offer(bytes, ip, offset + length - ip, nanos, zone, 0);
        return switch (verdict) {
            case NOT_FRAGMENT -> true;
            case REASSEMBLED -> {
                view.parseIp(reassembler.datagram(), 0, reassembler.datagramLength());
                yield true;
            }
            case QUEUED, DROPPED -> false;
        };
    }

    /** Seconds with an optional fraction as nanoseconds, or {@code Long.MIN_VALUE} if not such a number. */
    private static long seconds(String text) {
        if (!text.matches("[0-9]{1,11}(\\.[0-9]{1,9})?")) {
            return Long.MIN_VALUE;
        }
        int dot = text.indexOf('.');
        String whole = dot < 0 ? text : text.substring(0, dot);
        String fraction = dot < 0 ? "" : text.substring(dot + 1);
        return Long.parseLong(whole) * 1_000_000_000L + Long.parseLong((fraction + "000000000").substring(0, 9));
    }

    private static int usage(PrintStream err, String problem) {
        err.println("ct4j replay: " + problem);
        err.print(USAGE);
        return 2;
    }

    private static int replay(Path file, boolean events, int zone, long at, boolean accounting, PrintStream out,
                              PrintStream err) {
        // the file is opened first: a missing or unreadable one costs no table allocation
        try (CaptureReader reader = CaptureReader.open(file)) {
            long[] now = {0};
            ConnectionTracker tracker = new ConnectionTracker(TrackerConfig.builder().maxConnections(1 << 18)
                    .accounting(accounting).clock(() -> now[0]).build());
            ConntrackFormat format = ConntrackFormat.builder().build();
            if (events) {
                tracker.addListener((type, c) -> out.println(format.formatEvent(
                        ConntrackEvent.of(type, c.toEventConnection(type)))));
            }
            PacketView view = new PacketView();
            ProcessResult result = new ProcessResult();
            Reassembler reassembler = new Reassembler();
            reader.readAll((t, linkType, bytes, offset, length, original, iface) -> {
                now[0] = t;
                tracker.sweep(t, 64);
                if (defragment(view.parse(linkType, bytes, offset, length), view, bytes, offset, length, t, zone,
                        reassembler)) {
                    tracker.process(view, zone, t, result);
                }
            });
            if (!events) {
                long listed = Math.max(now[0], at);
                now[0] = listed;
                tracker.sweep(listed, Integer.MAX_VALUE);
                List<Connection> table = tracker.list(Filter.all(), listed);
                for (Connection c : table) {
                    out.println(format.format(c));
                }
                err.println("conntrack v1.4.7 (conntrack-tools): " + table.size() + " flow entries have been shown.");
            }
        } catch (NoSuchFileException e) {
            err.println("ct4j replay: " + file + ": No such file or directory");
            return 1;
        } catch (CaptureFormatException e) {
            err.println("ct4j replay: " + e.getMessage()); // names the file and the offset
            return 1;
        } catch (IOException e) {
            err.println("ct4j replay: " + file + ": " + e.getMessage());
            return 1;
        }
        return 0;
    }
}

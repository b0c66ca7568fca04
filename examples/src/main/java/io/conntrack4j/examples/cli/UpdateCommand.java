package io.conntrack4j.examples.cli;

import io.conntrack4j.core.Connection;
import io.conntrack4j.core.L4Protocol;
import io.conntrack4j.core.format.ConntrackFormat;
import io.conntrack4j.netlink.ConntrackTable;
import io.conntrack4j.netlink.NetlinkException;
import java.io.PrintStream;
import java.util.ArrayDeque;
import java.util.Optional;

/**
 * {@code conntrack -U} as conntrack 1.4.7 does it, quirks included, so that scripts see the same
 * output, messages, exit codes and resulting table.
 *
 * <p>For every entry the filter matches, conntrack builds the change ({@code -t}; {@code -u} bits
 * added to the old status; {@code -m VALUE/MASK} as {@code (old & ~MASK) ^ VALUE};
 * {@code --label-add}/{@code --label-del}), skips the entry when the change looks like no change,
 * sends it, then asks for the entry to print it. Three things follow from how 1.4.7 does that:
 * <ul>
 *   <li>Both requests carry the address family of the command line, AF_UNSPEC without {@code -f}
 *       or an address, which Linux 5.8+ refuses with EOPNOTSUPP: {@code conntrack -U -p udp -m 1}
 *       fails there.</li>
 *   <li>A failed change is reported without conntrack's prefix and the entry is still asked for;
 *       only a failed request for the entry ends the command (exit 1).</li>
 *   <li>Both requests want an acknowledgement, but conntrack reads one message per request, so
 *       from the second entry on it reads the answer of the request before: it prints the first
 *       updated entry only (yet counts them all), and an error shows up one request late.
 *       {@link Replies} replays that queue.</li>
 * </ul>
 * Label changes need the labels extension (a {@code ct label} rule in the namespace when the
 * entry was made); without it the kernel answers ENOSPC, and conntrack prints
 * "Operation failed: No space left on device". With an extension, {@code --label-add} and
 * {@code --label-del NAME} always send (conntrack's mask makes every such change look new), while
 * an entry without labels is skipped by {@code --label-del}.
 */
final class UpdateCommand {
    private static final int ENOENT = 2;

    private UpdateCommand() {
    }

    /**
     * Runs {@code -U}.
     *
     * @param table the kernel table
     * @param o the options
     * @param out standard output
     * @param err standard error
     * @return the exit code
     */
    static int run(ConntrackTable table, ConntrackOptions o, PrintStream out, PrintStream err) {
        // what conntrack prints of an updated entry: its print callback, labels when a map is loaded
        ConntrackFormat format = ConntrackFormat.builder().extended(o.extended()).id(o.id()).labels(o.labelMap())
                .build();
        Replies replies = new Replies();
        int updated = 0;
        StringBuilder text = new StringBuilder();
        for (Connection c : o.family() == null ? table.list() : table.list(o.family())) {
            if (!ConntrackCommand.matches(o, c)) {
                continue;
            }
            Connection change = change(o, c);
            if (change == null) {
                continue;
            }
            int zone = c.hasZone() ? c.zone() : 0;
            try {
                table.update(change, o.family());
                replies.ack();
            } catch (NetlinkException e) {
                replies.error(e.errno());
            }
            Reply answer = replies.next();
            if (answer.errno != 0) {
                err.println("Operation failed: " + Strerror.forUpdate(answer.errno));
            }
            try {
                Optional<Connection> now = table.get(c.original(), zone, o.family());
                if (now.isPresent()) {
                    replies.entry(now.get());
                    replies.ack();
                } else {
                    replies.error(ENOENT);
                }
            } catch (NetlinkException e) {
                replies.error(e.errno());
            }
            answer = replies.next();
            if (answer.errno == ENOENT) {
                continue;
            }
            if (answer.errno != 0) {
                out.print(text);
                out.flush();
                err.println(ConntrackCommand.PREFIX + "Operation failed: " + Strerror.forUpdate(answer.errno));
                return ConntrackCommand.OTHER_PROBLEM;
            }
            if (answer.entry != null) {
                format.formatTo(text, answer.entry).append('\n');
            }
            updated++;
        }
        out.print(text);
        out.flush();
        err.println(ConntrackCommand.PREFIX + updated + " flow entries have been updated.");
        return updated == 0 ? ConntrackCommand.OTHER_PROBLEM : 0;
    }

    /**
     * The request conntrack builds for {@code c}: its original tuple (and zone) with the new
     * values; null when conntrack would find nothing changed and send nothing.
     */
    static Connection change(ConntrackOptions o, Connection c) {
        Connection.Builder change = Connection.builder(c.original(), c.reply());
        if (c.hasZone()) {
            change.zone(c.zone());
        }
        boolean changed = false;
        if (o.timeout() >= 0) {
            change.timeout((int) o.timeout());
            changed |= !c.hasTimeout() || (c.timeout() & 0xFFFFFFFFL) != o.timeout();
        }
        if (o.status() >= 0) {
            int old = c.hasStatus() ? c.status() : 0;
            change.status(old | o.status());
            changed |= (old | o.status()) != old;
        }
        if (o.mark() >= 0) {
            long old = c.hasMark() ? c.mark() & 0xFFFFFFFFL : 0;
            long mark = (old & ~o.updateMarkMask() & 0xFFFFFFFFL) ^ o.updateMark();
            change.mark((int) mark);
            changed |= !c.hasMark() || mark != old;
        }
        changed |= protocolInfo(o, c, change);
        boolean labelled = c.hasLabels() && (c.labelsLow() | c.labelsHigh()) != 0;
        long low = labelled ? c.labelsLow() : 0;
        long high = labelled ? c.labelsHigh() : 0;
        if (o.labelAdd() != null) {
            // with labels, conntrack sends a mask too, which no entry has: always a change
            change.labels(high | o.labelAdd()[1], low | o.labelAdd()[0]);
            changed = true;
        } else if (o.labelDelGiven() && labelled) {
            long[] del = o.labelDel();
            change.labels(del == null ? 0 : high & ~del[1], del == null ? 0 : low & ~del[0]);
            changed = true;
        }
        return changed ? change.build() : null;
    }

    /**
     * The TCP, SCTP or DCCP protocol info of {@code -U -p tcp|sctp|dccp --state ...} in {@code change};
     * whether it counts as a change. As in conntrack, a new state is a change and vtags never are; what is
     * sent is what was given, so the kernel, which takes SCTP's info only whole, refuses a state
     * without both vtags, or vtags without a state, with EINVAL. A single vtag is not sent (the
     * builder takes them as a pair): the request is refused all the same.
     */
    private static boolean protocolInfo(ConntrackOptions o, Connection c, Connection.Builder change) {
        int protocol = c.original().protocol().number();
        if (protocol == L4Protocol.TCP_NUMBER && o.protocol() == L4Protocol.TCP_NUMBER && o.state() != null) {
            change.tcpState(o.state());
            return c.tcpState() != o.state();
        }
        if (protocol == L4Protocol.SCTP_NUMBER && o.protocol() == L4Protocol.SCTP_NUMBER) {
            if (o.sctpState() != null) {
                change.sctpState(o.sctpState());
            }
            if (o.originalVtag() >= 0 && o.replyVtag() >= 0 || o.sctpState() == null
                    && (o.originalVtag() >= 0 || o.replyVtag() >= 0)) {
                change.sctpVtags(ConntrackCommand.kernelVtag(Math.max(0, o.originalVtag())),
                        ConntrackCommand.kernelVtag(Math.max(0, o.replyVtag())));
            }
            return o.sctpState() != null && c.sctpState() != o.sctpState();
        }
        if (protocol == L4Protocol.DCCP_NUMBER && o.protocol() == L4Protocol.DCCP_NUMBER && o.dccpState() != null) {
            change.dccpState(o.dccpState());
            return c.dccpState() != o.dccpState();
        }
        return false;
    }

    /** One answer on conntrack's socket: an acknowledgement, an error, or an entry. */
    private record Reply(int errno, Connection entry) {
    }

    /**
     * The messages waiting on conntrack's socket, oldest first; each request of conntrack reads
     * exactly one of them, whichever request it answers.
     */
    private static final class Replies {
        private final ArrayDeque<Reply> waiting = new ArrayDeque<>();

        void ack() {
            waiting.add(new Reply(0, null));
        }

        void error(int errno) {
            waiting.add(new Reply(errno, null));
        }

        void entry(Connection c) {
            waiting.add(new Reply(0, c));
        }

        Reply next() {
            return waiting.remove();
        }
    }
}

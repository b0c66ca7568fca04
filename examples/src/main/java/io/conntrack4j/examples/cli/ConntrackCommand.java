package io.conntrack4j.examples.cli;

import io.conntrack4j.core.Connection;
import io.conntrack4j.core.format.ConntrackFormat;
import io.conntrack4j.netlink.ConntrackTable;
import io.conntrack4j.netlink.ConntrackVisitor;
import io.conntrack4j.netlink.NetlinkException;
import io.conntrack4j.netlink.NetlinkSocket;
import java.io.PrintStream;

/**
 * The conntrack(8)-compatible commands: {@code -L}/{@code --dump} and {@code -C}/{@code --count},
 * on the kernel table of the current network namespace. Standard output, standard error and the
 * exit code are conntrack 1.4.7's, so scripts can swap one for the other.
 */
final class ConntrackCommand {
    /** conntrack prefixes every message on standard error with its name and version. */
    static final String PREFIX = "conntrack v1.4.7 (conntrack-tools): ";
    private static final String TRY_HELP = "Try `conntrack -h' or 'conntrack --help' for more information.";
    /** conntrack's exit code for a bad command line (PARAMETER_PROBLEM). */
    static final int PARAMETER_PROBLEM = 2;
    /** conntrack's exit code when the kernel refuses (OTHER_PROBLEM). */
    static final int OTHER_PROBLEM = 1;
    private static final int FLUSH_AT = 64 * 1024;

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
        try {
            options = ConntrackOptions.parse(args);
        } catch (CommandLineException e) {
            err.println(PREFIX + e.getMessage());
            err.println(TRY_HELP);
            return PARAMETER_PROBLEM;
        }
        try (ConntrackTable table = new ConntrackTable(NetlinkSocket.open())) {
            return switch (options.command()) {
                case LIST -> list(table, options, out, err);
                case COUNT -> count(table, out);
            };
        } catch (NetlinkException e) {
            err.println(PREFIX + "Operation failed: " + e.getMessage());
            return OTHER_PROBLEM;
        }
    }

    private static int list(ConntrackTable table, ConntrackOptions options, PrintStream out, PrintStream err) {
        ConntrackFormat format = ConntrackFormat.builder().extended(options.extended()).id(options.id())
                .kernelTimestamps(options.kernelTimestamps()).build();
        StringBuilder text = new StringBuilder(FLUSH_AT + 1024);
        long[] shown = {0};
        ConntrackVisitor print = entry -> {
            // conntrack filters the protocol in user space, after the kernel's family filter
            if (options.protocol() >= 0 && entry.original().protocol() != options.protocol()) {
                return true;
            }
            Connection c = entry.toConnection();
            if (c == null) {
                return true;
            }
            format.formatTo(text, c).append('\n');
            shown[0]++;
            if (text.length() >= FLUSH_AT) {
                out.print(text);
                text.setLength(0);
            }
            return true;
        };
        if (options.family() == null) {
            table.dump(print);
        } else {
            table.dump(options.family(), print);
        }
        out.print(text);
        out.flush();
        err.println(PREFIX + shown[0] + " flow entries have been shown.");
        return 0;
    }

    private static int count(ConntrackTable table, PrintStream out) {
        out.println(table.count());
        return 0;
    }
}

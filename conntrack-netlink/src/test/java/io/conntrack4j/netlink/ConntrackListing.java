package io.conntrack4j.netlink;

import io.conntrack4j.core.Connection;
import io.conntrack4j.core.format.ConntrackFormat;
import io.conntrack4j.testkit.NetNs;
import java.util.ArrayList;
import java.util.List;

/**
 * Compares dumps with conntrack(8) in a namespace: inserts entries with conntrack -I, lists
 * with conntrack -L, and brings both sides to sorted lines whose timeout is blanked (it ticks
 * between the two listings).
 */
final class ConntrackListing {
    private static final ConntrackFormat FORMAT = ConntrackFormat.builder().build();

    private ConntrackListing() {
    }

    /**
     * Inserts each entry (conntrack -I arguments) with an hour-long timeout, so none may expire
     * while a slow machine runs the cases.
     */
    static void insertLongLived(NetNs ns, List<String[]> entries) {
        for (String[] entry : entries) {
            String[] argv = new String[entry.length + 2];
            argv[0] = "conntrack";
            argv[1] = "-I";
            System.arraycopy(entry, 0, argv, 2, entry.length);
            for (int i = 2; i < argv.length - 1; i++) {
                if (argv[i].equals("-t")) {
                    argv[i + 1] = "3600";
                }
            }
            ns.execOk(argv);
        }
    }

    /** conntrack -L's lines with the timeout blanked, sorted. */
    static List<String> conntrack(NetNs ns, String... options) {
        String[] argv = new String[options.length + 2];
        argv[0] = "conntrack";
        argv[1] = "-L";
        System.arraycopy(options, 0, argv, 2, options.length);
        return blanked(ns.execOk(argv).lines().toList());
    }

    /** The lines with the timeout (third field) replaced by T, sorted. */
    static List<String> blanked(List<String> lines) {
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            out.add(line.replaceFirst("^(\\S+ +\\d+ )\\d+ ", "$1T "));
        }
        out.sort(null);
        return out;
    }

    /** The connections as conntrack -L prints them, blanked and sorted. */
    static List<String> formatted(List<Connection> connections) {
        List<String> lines = new ArrayList<>();
        for (Connection c : connections) {
            lines.add(FORMAT.format(c));
        }
        return blanked(lines);
    }

    /** A table on a socket opened in the namespace. */
    static ConntrackTable tableIn(NetNs ns) {
        return new ConntrackTable(NetlinkSocket.openInNamespace(ns.name(), NetlinkSocket.Options.DEFAULT));
    }
}

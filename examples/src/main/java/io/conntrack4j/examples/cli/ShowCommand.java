package io.conntrack4j.examples.cli;

import io.conntrack4j.core.AddressFamily;
import io.conntrack4j.core.Connection;
import io.conntrack4j.core.format.VyosConntrackTable;
import io.conntrack4j.netlink.ConntrackTable;
import io.conntrack4j.netlink.NetlinkException;
import io.conntrack4j.netlink.NetlinkSocket;
import java.io.PrintStream;
import java.util.List;

/**
 * {@code ct4j show conntrack table ipv4|ipv6}: VyOS's operational-mode table of the live kernel
 * table (legend, header, one row per connection of the family, in the kernel's order), as
 * {@link VyosConntrackTable} prints it.
 */
final class ShowCommand {
    private static final String USAGE = "usage: ct4j show conntrack table ipv4|ipv6";

    private ShowCommand() {
    }

    /**
     * @param args the words after {@code show}
     * @return the exit code: 0, 1 when the kernel refuses, 2 for a bad command line
     */
    static int run(String[] args, PrintStream out, PrintStream err) {
        AddressFamily family = args.length == 3 && args[0].equals("conntrack") && args[1].equals("table")
                ? AddressFamily.ofConntrackName(args[2]) : null;
        if (family == null) {
            err.println(USAGE);
            return 2;
        }
        List<Connection> connections;
        try (ConntrackTable table = new ConntrackTable(NetlinkSocket.open())) {
            connections = table.list(family);
        } catch (NetlinkException e) {
            err.println("ct4j: " + e.getMessage());
            return 1;
        }
        out.print(VyosConntrackTable.format(connections));
        out.flush();
        return 0;
    }
}

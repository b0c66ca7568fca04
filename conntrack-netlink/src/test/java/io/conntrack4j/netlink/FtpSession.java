package io.conntrack4j.netlink;

import io.conntrack4j.core.IpAddress;
import io.conntrack4j.core.L4Protocol;
import io.conntrack4j.core.Tuple;
import io.conntrack4j.testkit.FtpControlConnection;
import io.conntrack4j.testkit.NetNs;
import io.conntrack4j.testkit.NetworkLab;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A real FTP control connection from client 10.9.0.1 to server 10.9.0.2 through the server
 * namespace's kernel FTP helper (nft {@code ct helper}): a {@code PORT 10,9,0,1,4,1} command makes
 * the kernel expect a data connection from the server to 10.9.0.1 port 1025.
 */
final class FtpSession {
    static final Duration WAIT = Duration.ofSeconds(10);

    final NetNs client;
    final NetNs server;
    /** The control connection's original tuple (the expectations' master). */
    final Tuple master;

    private FtpSession(NetNs client, NetNs server, Tuple master) {
        this.client = client;
        this.server = server;
        this.master = master;
    }

    static IpAddress ip(String text) {
        return IpAddress.parse(text);
    }

    /** Sets up both namespaces, the helper and the connection; returns once the expectation exists. */
    static FtpSession start(NetworkLab lab) {
        FtpControlConnection ftp = FtpControlConnection.open(lab);
        Tuple master = Tuple.ofPorts(ip("10.9.0.1"), ip("10.9.0.2"), L4Protocol.TCP, ftp.sourcePort(), 21);
        return new FtpSession(ftp.client(), ftp.server(), master);
    }

    /** {@code conntrack -L expect}'s lines, timeouts blanked, sorted. */
    List<String> conntrackListing() {
        return blankedSorted(server.execOk("conntrack", "-L", "expect").lines().toList());
    }

    static List<String> blankedSorted(List<String> lines) {
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            if (!line.isEmpty()) {
                out.add(line.replaceFirst("^\\d+ ", "T "));
            }
        }
        out.sort(null);
        return out;
    }

    ExpectationTable expectations() {
        return new ExpectationTable(NetlinkSocket.openInNamespace(server.name(), NetlinkSocket.Options.DEFAULT));
    }
}

package io.conntrack4j.netlink;

import io.conntrack4j.core.IpAddress;
import io.conntrack4j.core.L4Protocol;
import io.conntrack4j.core.Tuple;
import io.conntrack4j.testkit.Await;
import io.conntrack4j.testkit.BackgroundProcess;
import io.conntrack4j.testkit.NetNs;
import io.conntrack4j.testkit.NetworkLab;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real FTP control connection from client 10.9.0.1 to server 10.9.0.2 through the server
 * namespace's kernel FTP helper (nft {@code ct helper}): a {@code PORT 10,9,0,1,4,1} command makes
 * the kernel expect a data connection from the server to 10.9.0.1 port 1025.
 */
final class FtpSession {
    static final Duration WAIT = Duration.ofSeconds(10);
    private static final Pattern SPORT = Pattern.compile(" sport=(\\d+) dport=21 ");

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
        NetNs client = lab.namespace("ftpc");
        NetNs server = lab.namespace("ftps");
        lab.link(client, "10.9.0.1/24", server, "10.9.0.2/24");
        server.enableConntrack();
        // expectation events need the master's event extension, which the default (2, "auto")
        // gives only to connections made while some listener exists
        server.execOk("sysctl", "-qw", "net.netfilter.nf_conntrack_events=1");
        server.exec(Duration.ofSeconds(30), "table inet ct4j_helpers {\n"
                + "  ct helper ftp-standard { type \"ftp\" protocol tcp; }\n"
                + "  chain pre { type filter hook prerouting priority 0; tcp dport 21 ct helper set \"ftp-standard\"; }\n"
                + "}\n", "nft", "-f", "-").stdoutOrThrow();
        lab.start(server, "nc", "-l", "-p", "21");
        Await.until(WAIT, "FTP server listening", () -> server.exec("ss", "-Hltn", "sport", "=", ":21").stdout()
                .contains(":21"));
        BackgroundProcess ftp = lab.start(client, "nc", "10.9.0.2", "21");
        // the helper reads a command only in a segment that follows a newline it has seen: one
        // line first, then (once the kernel has seen data both ways) the PORT command
        ftp.write("USER anonymous\r\n");
        String control = Await.value(WAIT, "FTP control connection",
                () -> server.exec("conntrack", "-L", "-p", "tcp", "--dport", "21").stdout(),
                s -> s.contains("[ASSURED]"));
        ftp.write("PORT 10,9,0,1,4,1\r\n");
        Await.until(WAIT, "the FTP expectation", () -> server.exec("conntrack", "-L", "expect").stdout()
                .contains("helper=ftp"));
        Matcher m = SPORT.matcher(control);
        if (!m.find()) {
            throw new AssertionError("no control connection in " + control);
        }
        Tuple master = Tuple.ofPorts(ip("10.9.0.1"), ip("10.9.0.2"), L4Protocol.TCP, Integer.parseInt(m.group(1)), 21);
        return new FtpSession(client, server, master);
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

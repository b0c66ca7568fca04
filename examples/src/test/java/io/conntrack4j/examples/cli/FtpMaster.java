package io.conntrack4j.examples.cli;

import io.conntrack4j.testkit.Await;
import io.conntrack4j.testkit.BackgroundProcess;
import io.conntrack4j.testkit.NetNs;
import io.conntrack4j.testkit.NetworkLab;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real FTP control connection from 10.9.0.1 (client namespace) to 10.9.0.2 (server namespace)
 * through the server's kernel FTP helper: the master connection expectations need, and, after its
 * {@code PORT 10,9,0,1,4,1} command, the helper's own expectation of a data connection from the
 * server to 10.9.0.1 port 1025.
 */
final class FtpMaster {
    static final Duration WAIT = Duration.ofSeconds(20);
    private static final Pattern SPORT = Pattern.compile(" sport=(\\d+) dport=21 ");

    final NetNs server;
    /** The control connection's source port (its destination port is 21). */
    final int sourcePort;

    private FtpMaster(NetNs server, int sourcePort) {
        this.server = server;
        this.sourcePort = sourcePort;
    }

    static FtpMaster start(NetworkLab lab) {
        NetNs client = lab.namespace("ftpc");
        NetNs server = lab.namespace("ftps");
        lab.link(client, "10.9.0.1/24", server, "10.9.0.2/24");
        server.enableConntrack();
        // expectation events need the master's event extension, which "auto" (2) gives only to
        // connections made while some listener exists
        server.execOk("sysctl", "-qw", "net.netfilter.nf_conntrack_events=1");
        server.exec(Duration.ofSeconds(30), "table inet ct4j_helpers {\n"
                + "  ct helper ftp-standard { type \"ftp\" protocol tcp; }\n"
                + "  chain pre { type filter hook prerouting priority 0; tcp dport 21 ct helper set \"ftp-standard\"; }\n"
                + "}\n", "nft", "-f", "-").stdoutOrThrow();
        lab.start(server, "nc", "-l", "-p", "21");
        Await.until(WAIT, "FTP server listening", () -> server.exec("ss", "-Hltn", "sport", "=", ":21").stdout()
                .contains(":21"));
        BackgroundProcess ftp = lab.start(client, "nc", "10.9.0.2", "21");
        // the helper reads a command only after a newline it has seen in an earlier segment
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
        return new FtpMaster(server, Integer.parseInt(m.group(1)));
    }
}

package io.conntrack4j.testkit;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real FTP control connection from 10.9.0.1 (namespace "ftpc") to 10.9.0.2 port 21 (namespace
 * "ftps") through the server kernel's FTP helper, left open after a {@code PORT 10,9,0,1,4,1}
 * command, so that the server's kernel holds the helper's expectation of a data connection from the
 * server to 10.9.0.1 port 1025. Expectation events are on ({@code nf_conntrack_events=1}: the
 * default gives the master the event extension only while some listener exists).
 *
 * <pre>{@code
 * FtpControlConnection ftp = FtpControlConnection.open(lab);
 * String expectations = ftp.server().execOk("conntrack", "-L", "expect");
 * }</pre>
 */
public final class FtpControlConnection {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Pattern SPORT = Pattern.compile(" sport=(\\d+) dport=21 ");

    private final NetNs client;
    private final NetNs server;
    private final int sourcePort;

    private FtpControlConnection(NetNs client, NetNs server, int sourcePort) {
        this.client = client;
        this.server = server;
        this.sourcePort = sourcePort;
    }

    /**
     * Creates both namespaces, the helper rule and the connection; returns once the server's kernel
     * lists the FTP expectation.
     *
     * @param lab the lab that owns (and removes) the namespaces and processes
     * @return the connection
     */
    public static FtpControlConnection open(NetworkLab lab) {
        NetNs client = lab.namespace("ftpc");
        NetNs server = lab.namespace("ftps");
        lab.link(client, "10.9.0.1/24", server, "10.9.0.2/24");
        server.enableConntrack();
        server.execOk("sysctl", "-qw", "net.netfilter.nf_conntrack_events=1");
        server.exec(Duration.ofSeconds(30), "table inet ct4j_helpers {\n"
                + "  ct helper ftp-standard { type \"ftp\" protocol tcp; }\n"
                + "  chain pre { type filter hook prerouting priority 0; tcp dport 21 ct helper set \"ftp-standard\"; }\n"
                + "}\n", "nft", "-f", "-").stdoutOrThrow();
        BackgroundProcess ftpServer = lab.start(server, "nc", "-l", "-p", "21");
        Await.until(WAIT, "FTP server listening", () -> server.exec("ss", "-Hltn", "sport", "=", ":21").stdout()
                .contains(":21"));
        BackgroundProcess ftp = lab.start(client, "nc", "10.9.0.2", "21");
        // The helper reads a command only in a segment that follows a newline it has seen: one line
        // first, and the PORT command only once the server has received it (on a busy machine nc
        // could otherwise send both lines in one segment).
        ftp.write("USER anonymous\r\n");
        Await.until(WAIT, "the FTP server to receive the first line", () -> ftpServer.stdoutSoFar().contains("USER"));
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
        return new FtpControlConnection(client, server, Integer.parseInt(m.group(1)));
    }

    /** @return the client's namespace (10.9.0.1) */
    public NetNs client() {
        return client;
    }

    /** @return the server's namespace (10.9.0.2), whose kernel tracks the connection */
    public NetNs server() {
        return server;
    }

    /** @return the control connection's source port (its destination port is 21) */
    public int sourcePort() {
        return sourcePort;
    }
}

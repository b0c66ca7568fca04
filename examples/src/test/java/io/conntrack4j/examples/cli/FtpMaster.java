package io.conntrack4j.examples.cli;

import io.conntrack4j.testkit.FtpControlConnection;
import io.conntrack4j.testkit.NetNs;
import io.conntrack4j.testkit.NetworkLab;

/**
 * A real FTP control connection from 10.9.0.1 (client namespace) to 10.9.0.2 (server namespace)
 * through the server's kernel FTP helper: the master connection expectations need, and, after its
 * {@code PORT 10,9,0,1,4,1} command, the helper's own expectation of a data connection from the
 * server to 10.9.0.1 port 1025.
 */
final class FtpMaster {
    final NetNs server;
    /** The control connection's source port (its destination port is 21). */
    final int sourcePort;

    private FtpMaster(NetNs server, int sourcePort) {
        this.server = server;
        this.sourcePort = sourcePort;
    }

    static FtpMaster start(NetworkLab lab) {
        FtpControlConnection ftp = FtpControlConnection.open(lab);
        return new FtpMaster(ftp.server(), ftp.sourcePort());
    }
}

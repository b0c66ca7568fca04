package io.conntrack4j.examples.cli;

import io.conntrack4j.testkit.Await;
import io.conntrack4j.testkit.NetNs;
import io.conntrack4j.testkit.NetworkLab;
import java.time.Duration;

/**
 * A TFTP read request from 10.9.0.1 port 40000 (client namespace) to 10.9.0.2 port 69 (server
 * namespace) through the server's kernel TFTP helper: a UDP master connection, and the helper's
 * expectation of the server's answer from any port to 10.9.0.1 port 40000.
 */
final class TftpMaster {
    static final Duration WAIT = Duration.ofSeconds(20);
    /** The client's source port, which the expectation expects the answer to go to. */
    static final int CLIENT_PORT = 40000;

    final NetNs server;
    private final NetNs client;

    private TftpMaster(NetNs server, NetNs client) {
        this.server = server;
        this.client = client;
    }

    static TftpMaster start(NetworkLab lab) {
        NetNs client = lab.namespace("tftpc");
        NetNs server = lab.namespace("tftps");
        lab.link(client, "10.9.0.1/24", server, "10.9.0.2/24");
        server.enableConntrack();
        server.execOk("sysctl", "-qw", "net.netfilter.nf_conntrack_events=1");
        server.exec(Duration.ofSeconds(30), "table inet ct4j_helpers {\n"
                + "  ct helper tftp-standard { type \"tftp\" protocol udp; }\n"
                + "  chain pre { type filter hook prerouting priority 0; udp dport 69 ct helper set \"tftp-standard\"; }\n"
                + "}\n", "nft", "-f", "-").stdoutOrThrow();
        TftpMaster tftp = new TftpMaster(server, client);
        tftp.request();
        return tftp;
    }

    /** Sends a read request (opcode 1, file "f", mode "octet") and waits for the helper's expectation. */
    void request() {
        Await.until(WAIT, "the TFTP expectation", () -> {
            client.exec(Duration.ofSeconds(10), "\u0000\u0001f\u0000octet\u0000", "nc", "-u", "-w1", "-p",
                    String.valueOf(CLIENT_PORT), "10.9.0.2", "69");
            return server.exec("conntrack", "-L", "expect").stdout().contains("helper=tftp");
        });
    }
}

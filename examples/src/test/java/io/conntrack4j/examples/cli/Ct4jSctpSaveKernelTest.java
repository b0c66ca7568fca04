package io.conntrack4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.testkit.Await;
import io.conntrack4j.testkit.CommandResult;
import io.conntrack4j.testkit.KernelTest;
import io.conntrack4j.testkit.NetNs;
import io.conntrack4j.testkit.NetworkLab;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code ct4j -L -o save} prints SCTP verification tags as conntrack 1.4.7 does, for an
 * association the kernel tracked from real packets (INIT and INIT-ACK sent from raw sockets, as
 * this kernel has no SCTP stack) and for entries conntrack created with {@code --orig-vtag}.
 * conntrack shows the wire's tag with its bytes reversed (libnetfilter_conntrack converts to host
 * order, conntrack's printer converts once more), and reverses them back on {@code -I}.
 */
@KernelTest(requires = {"conntrack", "python3"})
class Ct4jSctpSaveKernelTest {
    private static final Duration LIMIT = Duration.ofSeconds(60);
    /** The INIT's initiate tag: the tag the kernel expects on packets of the reply direction. */
    private static final long CLIENT_TAG = 0x11223344L;
    /** The INIT-ACK's initiate tag: expected on packets of the original direction. */
    private static final long SERVER_TAG = 0xA1B2C3D4L;
    /**
     * Sends one SCTP packet (common header, one INIT or INIT-ACK chunk, CRC32c) from a raw socket:
     * DST SPORT DPORT VTAG CHUNK_TYPE INITIATE_TAG.
     */
    private static final String SEND = String.join("\n",
            "import socket, struct, sys",
            "def crc32c(data):",
            "    crc = 0xffffffff",
            "    for b in data:",
            "        crc ^= b",
            "        for _ in range(8):",
            "            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)",
            "    return crc ^ 0xffffffff",
            "dst, sport, dport, vtag, kind, tag = sys.argv[1], *map(int, sys.argv[2:])",
            "body = struct.pack('!IIHHI', tag, 65536, 10, 10, 1)",
            "chunk = struct.pack('!BBH', kind, 0, 4 + len(body)) + body",
            "header = struct.pack('!HHII', sport, dport, vtag, 0)",
            "packet = header[:8] + struct.pack('<I', crc32c(header + chunk)) + chunk",
            "socket.socket(socket.AF_INET, socket.SOCK_RAW, 132).sendto(packet, (dst, 0))");

    @RegisterExtension
    final NetworkLab lab = new NetworkLab();

    @Test
    void trackedAndCreatedAssociationsSaveAsConntrackSavesThem() {
        NetNs client = lab.namespace("client");
        NetNs server = lab.namespace("server");
        lab.link(client, "10.81.0.1/24", server, "10.81.0.2/24");
        server.enableConntrack();
        // SCTP's 3 s handshake timeouts are shorter than a JVM start on a busy machine
        server.execOk("sysctl", "-qw", "net.netfilter.nf_conntrack_sctp_timeout_cookie_wait=120");
        server.execOk("sysctl", "-qw", "net.netfilter.nf_conntrack_sctp_timeout_cookie_echoed=120");
        client.execOk("python3", "-c", SEND, "10.81.0.2", "5000", "6000", "0", "1", Long.toString(CLIENT_TAG));
        server.execOk("python3", "-c", SEND, "10.81.0.1", "6000", "5000", Long.toString(CLIENT_TAG), "2",
                Long.toString(SERVER_TAG));
        Await.until(Duration.ofSeconds(10), "the INIT-ACK to be tracked",
                () -> server.exec("conntrack", "-L", "-p", "sctp").stdout().contains("COOKIE_WAIT"));
        server.execOk("conntrack", "-I", "-p", "sctp", "-s", "10.9.0.1", "-d", "10.9.0.2", "--sport", "1", "--dport",
                "2", "-t", "300", "--state", "ESTABLISHED", "--orig-vtag", "2", "--reply-vtag", "305419896");

        CommandResult expected = server.exec(LIMIT, null, "conntrack", "-L", "-p", "sctp", "-o", "save");
        CommandResult got = Ct4jProcess.run(server, LIMIT, "-L", "-p", "sctp", "-o", "save");
        String saved = expected.stdout();
        assertTrue(saved.contains("--orig-vtag " + Integer.toUnsignedLong(Integer.reverseBytes((int) SERVER_TAG))
                + " --reply-vtag " + Integer.toUnsignedLong(Integer.reverseBytes((int) CLIENT_TAG))), saved);
        assertTrue(saved.contains("--orig-vtag 2 --reply-vtag 305419896"), saved);
        assertEquals(expected.exitCode(), got.exitCode(), got.toString());
        assertEquals(expected.stderr(), got.stderr());
        assertEquals(Ct4jWriteKernelTest.blank(saved.replaceAll("-t \\d+ ", "-t T ")),
                Ct4jWriteKernelTest.blank(got.stdout().replaceAll("-t \\d+ ", "-t T ")));
    }
}

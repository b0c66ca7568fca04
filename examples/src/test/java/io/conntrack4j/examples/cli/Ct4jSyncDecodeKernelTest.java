package io.conntrack4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.testkit.Await;
import io.conntrack4j.testkit.BackgroundProcess;
import io.conntrack4j.testkit.KernelTest;
import io.conntrack4j.testkit.NetNs;
import io.conntrack4j.testkit.NetworkLab;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ct4j sync-decode} on what a real conntrackd 1.4.7 FTFW pair sends over UDP: no rejection,
 * the data lines' flows equal the receiver's {@code conntrackd -e} lines without their
 * {@code [active since]} suffix, and both peers' ACKs are there (two live FTFW peers ACK each
 * other every second instead of sending ALIVE, so no ALIVE appears in such a capture).
 */
@KernelTest(requires = {"conntrackd", "conntrack", "tcpdump"})
class Ct4jSyncDecodeKernelTest {
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String A = "10.232.0.1";
    private static final String B = "10.232.0.2";

    @RegisterExtension
    final NetworkLab lab = new NetworkLab();

    @TempDir
    Path dir;

    @Test
    void decodesARealFtfwPairExactlyAsTheReceiverCachesIt() throws Exception {
        NetNs nsA = lab.namespace("sdA");
        NetNs nsB = lab.namespace("sdB");
        String[] links = lab.link(nsA, A + "/24", nsB, B + "/24");
        Path capture = dir.resolve("ftfw.pcap");
        // -Z root: tcpdump would otherwise write as its own user, in a directory only root may write.
        BackgroundProcess tcpdump = background(nsA, "tcpdump --immediate-mode -Z root -i " + links[0] + " -U -w '"
                + capture + "' udp port 3780");
        Await.until(WAIT, "tcpdump to create its file", () -> Files.exists(capture));
        conntrackd(nsA, "a", A, B, links[0], "FTFW", "UDP");
        Path confB = conntrackd(nsB, "b", B, A, links[1], "FTFW", "UDP");

        String[][] inserts = {
            {"-s", "10.1.1.1", "-d", "10.2.2.2", "-p", "tcp", "--sport", "1111", "--dport", "80", "--state",
                "ESTABLISHED", "-t", "300", "-u", "SEEN_REPLY,ASSURED", "-m", "0x42"},
            {"-s", "10.3.3.3", "-d", "10.4.4.4", "-p", "udp", "--sport", "5353", "--dport", "53", "-t", "120",
                "-u", "SEEN_REPLY", "--src-nat", "192.168.77.1", "--dst-nat", "10.9.9.9", "-m", "7", "-w", "5"},
            {"-s", "10.5.5.5", "-d", "10.6.6.6", "-p", "icmp", "--icmp-type", "8", "--icmp-code", "0",
                "--icmp-id", "4660", "-t", "30", "-u", "SEEN_REPLY"},
            {"-s", "2001:db8::1", "-d", "2001:db8::2", "-p", "tcp", "--sport", "3333", "--dport", "443", "--state",
                "ESTABLISHED", "-t", "300", "-u", "SEEN_REPLY,ASSURED"},
        };
        for (String[] insert : inserts) {
            List<String> argv = new ArrayList<>(List.of("conntrack", "-I"));
            argv.addAll(List.of(insert));
            nsA.execOk(argv.toArray(String[]::new));
        }
        Await.until(WAIT, "the peer's external cache to hold all " + inserts.length + " flows",
                () -> nsB.exec("conntrackd", "-C", confB.toString(), "-e").stdout().lines().count() >= inserts.length);
        // Idle FTFW peers ACK each other once a second (an ACK stands in for ALIVE, so with two
        // live peers no ALIVE is ever sent): wait for a few from the receiver.
        try {
            Await.until(WAIT, "ACK messages from the receiver in the capture", () -> decode(capture).stdout.lines()
                    .filter(l -> l.contains(" " + B + ":") && l.contains(" > " + A + ":3780 udp ACK flags=ACK")
                            && l.contains(" from=")).count() >= 3);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; decoded:\n" + decode(capture), e);
        }
        tcpdump.stop(Duration.ofSeconds(5));

        Decoded decoded = decode(capture);
        assertEquals(0, decoded.code, decoded.stderr);
        List<String> lines = decoded.stdout.lines().toList();
        String summary = lines.get(lines.size() - 1);
        assertTrue(summary.startsWith("SUMMARY ") && summary.contains(" malformed=0 ") && summary.contains(" notes=0 ")
                && summary.contains(" undecodable=0 "), decoded.stdout);
        assertTrue(lines.stream().noneMatch(l -> l.contains(" REJECT ")), decoded.stdout);

        TreeSet<String> decodedFlows = new TreeSet<>();
        for (String line : lines) {
            int flow = line.indexOf(" flow: ");
            if (flow >= 0 && line.startsWith(A + ":", line.indexOf(' ') + 1)) {
                decodedFlows.add(line.substring(flow + " flow: ".length()));
            }
        }
        TreeSet<String> cached = new TreeSet<>();
        for (String line : nsB.execOk("conntrackd", "-C", confB.toString(), "-e").lines().toList()) {
            int active = line.lastIndexOf(" [active since ");
            assertTrue(active > 0, line);
            cached.add(line.substring(0, active));
        }
        assertEquals(String.join("\n", cached), String.join("\n", decodedFlows));
        assertTrue(lines.stream().anyMatch(l -> l.startsWith(A + ":", l.indexOf(' ') + 1)
                && l.contains(" > " + B + ":3780 udp ACK flags=ACK") && l.contains(" from=")), decoded.stdout);
    }

    @Test
    void reassemblesTheTcpChannelOfARealNotrackPair() throws Exception {
        NetNs nsA = lab.namespace("stA");
        NetNs nsB = lab.namespace("stB");
        String[] links = lab.link(nsA, A + "/24", nsB, B + "/24");
        Path capture = dir.resolve("tcp.pcap");
        BackgroundProcess tcpdump = background(nsA, "tcpdump --immediate-mode -Z root -i " + links[0] + " -U -w '"
                + capture + "' tcp port 3780");
        Await.until(WAIT, "tcpdump to create its file", () -> Files.exists(capture));
        Path confB = conntrackd(nsB, "b", B, A, links[1], "NOTRACK", "TCP");
        conntrackd(nsA, "a", A, B, links[0], "NOTRACK", "TCP");
        // Many flows, so that messages share segments and straddle segment boundaries.
        for (int i = 0; i < 40; i++) {
            nsA.execOk("conntrack", "-I", "-s", "10.50.0." + (i + 1), "-d", "10.51.0.1", "-p", "udp", "--sport",
                    String.valueOf(1000 + i), "--dport", "53", "-t", "120", "-u", "SEEN_REPLY", "-m", String.valueOf(i));
        }
        Await.until(WAIT, "the peer's external cache to hold the 40 flows",
                () -> nsB.exec("conntrackd", "-C", confB.toString(), "-e").stdout().lines().count() >= 40);
        Await.until(WAIT, "the 40 flows in the capture", () -> decode(capture).stdout.lines()
                .filter(l -> l.contains(" tcp CT_NEW ")).count() >= 40);
        tcpdump.stop(Duration.ofSeconds(5));

        Decoded decoded = decode(capture);
        assertEquals(0, decoded.code, decoded.stderr);
        List<String> lines = decoded.stdout.lines().toList();
        assertTrue(lines.get(lines.size() - 1).contains(" malformed=0 "), decoded.stdout);
        TreeSet<String> decodedFlows = new TreeSet<>();
        for (String line : lines) {
            int flow = line.indexOf(" flow: ");
            if (flow >= 0) {
                decodedFlows.add(line.substring(flow + " flow: ".length()));
            }
        }
        TreeSet<String> cached = new TreeSet<>();
        for (String line : nsB.execOk("conntrackd", "-C", confB.toString(), "-e").lines().toList()) {
            cached.add(line.substring(0, line.lastIndexOf(" [active since ")));
        }
        assertEquals(String.join("\n", cached), String.join("\n", decodedFlows));
    }

    private record Decoded(int code, String stdout, String stderr) {
    }

    private static Decoded decode(Path capture) {
        StringBuilder out = new StringBuilder();
        StringBuilder err = new StringBuilder();
        int code = SyncDecodeCommandTest.run(capture, out, err, "--port", "3780");
        return new Decoded(code, out.toString(), err.toString());
    }

    private Path conntrackd(NetNs ns, String name, String own, String peer, String device, String mode,
            String channel) throws IOException {
        Path conf = dir.resolve(name + ".conf");
        Files.writeString(conf, """
                Sync {
                    Mode %5$s {
                        DisableExternalCache off
                    }
                    %6$s {
                        IPv4_address %2$s
                        IPv4_Destination_Address %3$s
                        Port 3780
                        Interface %4$s
                        Checksum on
                    }
                }
                General {
                    HashSize 8192
                    HashLimit 65536
                    LogFile %1$s.log
                    LockFile %1$s.lock
                    UNIX {
                        Path %1$s.ctl
                    }
                    NetlinkEventsReliable on
                    # Priority 0 is refused for RR, so the daemon stays on the normal scheduler
                    # instead of its default real-time priority 99 (it only logs a warning).
                    Scheduler {
                        Type RR
                        Priority 0
                    }
                }
                """.formatted(dir.resolve(name), own, peer, device, mode, channel));
        background(ns, "conntrackd -C '" + conf + "'");
        Await.until(WAIT, "conntrackd " + name + " to answer on its control socket",
                () -> ns.exec("conntrackd", "-C", conf.toString(), "-s", "network").ok());
        return conf;
    }

    private BackgroundProcess background(NetNs ns, String command) {
        return lab.start(ns, "sh", "-c", "exec " + command + " >>" + dir.resolve("daemons.log") + " 2>&1");
    }
}

package io.conntrack4j.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@KernelTest(requires = {"conntrack", "nft", "nc"})
class NetworkLabKernelTest {

    @RegisterExtension
    final NetworkLab lab = new NetworkLab();

    @Test
    void anOpenTcpConnectionShowsUpInTheNamespacesConntrackTable() {
        NetNs client = lab.namespace("client");
        NetNs server = lab.namespace("server");
        lab.link(client, "10.201.0.1/24", server, "10.201.0.2/24");
        server.enableConntrack();

        lab.start(server, "nc", "-l", "-k", "10.201.0.2", "5001");
        // The client keeps its standard input open, so the connection stays up until cleanup.
        Await.until(Duration.ofSeconds(10), "the server to listen",
                () -> server.exec("ss", "-Hltn", "sport = :5001").stdout().contains("5001"));
        BackgroundProcess connection = lab.start(client, "nc", "10.201.0.2", "5001");
        connection.write("hello\n");

        String entry = Await.value(Duration.ofSeconds(10), "an ESTABLISHED entry in the server's table",
                () -> server.exec("conntrack", "-L", "-p", "tcp", "--dport", "5001").stdout(),
                out -> out.contains("ESTABLISHED"));
        assertTrue(entry.contains("src=10.201.0.1 dst=10.201.0.2"), entry);
        assertTrue(entry.contains("dport=5001"), entry);
        assertTrue(entry.contains("[ASSURED]"), entry);

        // The client's own namespace has no rules, so its kernel tracks nothing there.
        String clientTable = client.exec("conntrack", "-L").stdout();
        assertFalse(clientTable.contains("dport=5001"), clientTable);
    }

    @Test
    void namespacesAreGoneAfterClose() {
        NetworkLab own = new NetworkLab();
        NetNs ns = own.namespace("short");
        assertTrue(NetworkLab.existingTestNamespaces().contains(ns.name()));
        own.close();
        assertFalse(NetworkLab.existingTestNamespaces().contains(ns.name()));
    }

    @Test
    void leftoversOfAKilledRunAreRemoved() throws Exception {
        Process finished = new ProcessBuilder("true").start();
        finished.waitFor();
        long deadPid = finished.pid();
        String stale = NetworkLab.PREFIX + deadPid + "-1-stale";
        Commands.run("ip", "netns", "add", stale).stdoutOrThrow();
        try {
            NetworkLab.removeDeadRunsNamespaces();
            assertFalse(NetworkLab.existingTestNamespaces().contains(stale));
        } finally {
            Commands.run("ip", "netns", "delete", stale);
        }
    }

    @Test
    void commandsRunInsideTheNamespaceAndReportTheirExitCode() {
        NetNs ns = lab.namespace("solo");
        CommandResult links = ns.exec("ip", "-o", "link", "show");
        assertEquals(0, links.exitCode());
        assertEquals(List.of("lo"), links.stdout().lines()
                .map(line -> line.split(":\\s*")[1]).toList());
        assertEquals(3, ns.exec("sh", "-c", "exit 3").exitCode());
    }

    @Test
    void stoppingADaemonWhoseChildHoldsTheOutputPipeKeepsWhatItPrinted() {
        NetNs ns = lab.namespace("daemon");
        // The shell prints, then leaves a child that inherits stdout and outlives the kill.
        BackgroundProcess daemon = lab.start(ns, "sh", "-c", "echo started; (sleep 300 &) ; exec sleep 300");
        Await.until(Duration.ofSeconds(10), "the daemon to print its first line",
                () -> daemon.stdoutSoFar().equals("started\n"));
        CommandResult result = daemon.stop(Duration.ofSeconds(2));
        assertFalse(daemon.isAlive());
        assertEquals("started\n", result.stdout(), result.toString());
    }
}

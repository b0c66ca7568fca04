package io.conntrack4j.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Connection labels in tests: a namespace that keeps them, and conntrack runs that name them.
 *
 * <p>The kernel attaches labels only in a namespace where a rule uses {@code ct label}; conntrack
 * reads label names from {@code /etc/xtables/connlabel.conf}. Scripts run in a private mount
 * namespace with that file on a tmpfs, so the host's {@code /etc} never changes (an empty
 * {@code /etc/xtables} is created for the mount point when missing, and removed again).
 *
 * <pre>{@code
 * ConnectionLabels.enableIn(ns);
 * String out = ConnectionLabels.runNamed("0 zero\n5 five\n",
 *         "ip netns exec " + ns.name() + " conntrack -L -o labels").stdoutOrThrow();
 * }</pre>
 */
public final class ConnectionLabels {

    private static final Path DIR = Path.of("/etc/xtables");

    private ConnectionLabels() {
    }

    /**
     * Adds an nftables rule that uses a label, so that the namespace's connections keep labels.
     *
     * @param ns the namespace
     */
    public static void enableIn(NetNs ns) {
        ns.exec(Duration.ofSeconds(30), "table inet ct4j_labels {\n"
                + "  chain pre { type filter hook prerouting priority -150; ct label 5 counter accept; }\n"
                + "}\n", "nft", "-f", "-").stdoutOrThrow();
    }

    /**
     * Runs a shell script ({@code sh -c}, {@code set -e} first) while connlabel.conf says {@code conf}.
     *
     * @param conf the file's text, lines {@code BIT NAME}
     * @param script commands; run them in a namespace with {@code ip netns exec}
     * @return what the script printed and returned
     */
    public static CommandResult runNamed(String conf, String script) {
        String body = String.join("\n", "set -e",
                "mount -t tmpfs ct4j-labels " + DIR,
                "printf '" + conf.replace("\n", "\\n") + "' > " + DIR.resolve("connlabel.conf"),
                script);
        boolean created = !Files.exists(DIR);
        try {
            if (created) {
                Files.createDirectory(DIR);
            }
            return Commands.run(Duration.ofSeconds(60), null, "unshare", "-m", "sh", "-c", body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (created) {
                try {
                    Files.deleteIfExists(DIR);
                } catch (IOException e) {
                    // Left behind empty; the next run reuses it.
                }
            }
        }
    }
}

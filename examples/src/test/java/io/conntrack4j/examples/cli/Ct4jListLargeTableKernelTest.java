package io.conntrack4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.testkit.CommandResult;
import io.conntrack4j.testkit.KernelTest;
import io.conntrack4j.testkit.NetNs;
import io.conntrack4j.testkit.NetworkLab;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ct4j -L} on a large varied table (every protocol conntrack can create, IPv4 and IPv6 in
 * many spellings, NAT, zones, marks, status bits, counters and start times) prints what
 * {@code conntrack -L} prints: the same lines in the same order, byte for byte except the two
 * fields that tick while the commands run (the timeout counts down, delta-time up), which must lie
 * between what conntrack printed just before and just after.
 */
@KernelTest(requires = {"conntrack"})
class Ct4jListLargeTableKernelTest {
    private static final int ENTRIES = 3000;
    private static final Duration LIMIT = Duration.ofSeconds(120);
    private static final String[] TCP_STATES = {
        "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT", "CLOSE_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSE"};
    private static final String[] STATUS = {"", "SEEN_REPLY", "SEEN_REPLY,ASSURED", "ASSURED"};
    /** The timeout after protocol (and with -o extended family) name and number, and delta-time. */
    private static final Pattern TIMEOUT = Pattern.compile("^((?:ipv[46] +\\d+ +)?\\S+ +\\d+ )(\\d+) ");
    private static final Pattern DELTA = Pattern.compile(" delta-time=(\\d+) ");

    @RegisterExtension
    final NetworkLab lab = new NetworkLab();

    @Test
    void printsWhatConntrackPrintsInItsOrder(@TempDir Path dir) throws IOException {
        NetNs ns = lab.namespace("big");
        ns.execOk("sysctl", "-q", "-w", "net.netfilter.nf_conntrack_acct=1", "net.netfilter.nf_conntrack_timestamp=1");
        Path file = dir.resolve("entries");
        Files.write(file, entries(new Random(20261125)));
        ns.execOk("conntrack", "-R", file.toString());
        assertEquals(String.valueOf(ENTRIES), ns.execOk("conntrack", "-C").strip(), "every generated entry loads");

        assertSame(ns, ENTRIES, "-L");
        assertSame(ns, ENTRIES, "-L", "-o", "extended,id");
        int ipv6 = assertSame(ns, -1, "-L", "-f", "ipv6", "-o", "id");
        assertTrue(ipv6 > ENTRIES / 10, "the table has IPv6 entries: " + ipv6);
        assertSame(ns, -1, "-L", "-p", "tcp", "-o", "extended");
        assertSame(ns, -1, "-L", "-m", "7/7");
        assertSameXml(ns, "-L", "-o", "xml");
        assertSameWhenTheReaderLeaves(ns);
        assertSameXml(ns, "-L", "-o", "xml,ktimestamp", "-p", "sctp");
        assertSameXml(ns, "-L", "-o", "save");
    }

    /** ct4j -L | head: the reader leaves early; conntrack dies of SIGPIPE, silently, and so does ct4j. */
    private static void assertSameWhenTheReaderLeaves(NetNs ns) {
        String script = "set -o pipefail; \"$@\" | head -c 100 > /dev/null";
        CommandResult theirs = ns.exec(LIMIT, null, "bash", "-c", script, "bash", "conntrack", "-L");
        String[] ct4j = Ct4jProcess.command("-L");
        String[] argv = new String[ct4j.length + 4];
        argv[0] = "bash";
        argv[1] = "-c";
        argv[2] = script;
        argv[3] = "bash";
        System.arraycopy(ct4j, 0, argv, 4, ct4j.length);
        CommandResult ours = ns.exec(LIMIT, null, argv);
        assertEquals(141, theirs.exitCode(), theirs.toString());
        assertEquals(theirs.exitCode(), ours.exitCode(), ours.toString());
        assertEquals(theirs.stderr(), ours.stderr());
    }

    /**
     * XML or save lines, equal once the ticking {@code <timeout>}, {@code <deltatime>} and
     * {@code -t} are masked.
     */
    private static void assertSameXml(NetNs ns, String... args) {
        CommandResult theirs = run(ns, "conntrack", args);
        CommandResult ours = Ct4jProcess.run(ns, LIMIT, args);
        String context = "ct4j " + String.join(" ", args);
        assertEquals(theirs.exitCode(), ours.exitCode(), context);
        assertEquals(theirs.stderr(), ours.stderr(), context);
        List<String> expected = theirs.stdout().lines().map(Ct4jListLargeTableKernelTest::maskXml).toList();
        List<String> got = ours.stdout().lines().map(Ct4jListLargeTableKernelTest::maskXml).toList();
        assertTrue(expected.size() > 2, context + ": " + theirs.stdout());
        assertEquals(expected.size(), got.size(), context);
        for (int i = 0; i < got.size(); i++) {
            assertEquals(expected.get(i), got.get(i), context + ": line " + (i + 1));
        }
    }

    private static String maskXml(String line) {
        return line.replaceFirst("<timeout>\\d+</timeout>", "<timeout>T</timeout>")
                .replaceFirst("<deltatime>\\d+</deltatime>", "<deltatime>D</deltatime>")
                .replaceFirst("^-A -t \\d+ ", "-A -t T ");
    }

    /** conntrack -R lines; distinct addresses per entry keep both tuples of every entry unique. */
    private static List<String> entries(Random random) {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < ENTRIES; i++) {
            boolean v6 = random.nextInt(4) == 0;
            String source = v6 ? ipv6(random, i) : "10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255);
            String destination = v6 ? "2001:db8:ffff::" + Integer.toHexString(random.nextInt(3)) : "172.16.0." + random.nextInt(3);
            int kind = random.nextInt(8);
            boolean nat = random.nextInt(5) == 0 && kind <= 1;
            // conntrack fills in the ICMP reply only when the addresses come before the ICMP options
            StringBuilder line = new StringBuilder("-I -s ").append(source).append(" -d ").append(destination);
            switch (kind) {
                case 0 -> line.append(" -p tcp").append(ports(random))
                        .append(" --state ").append(TCP_STATES[random.nextInt(TCP_STATES.length)]);
                case 1 -> line.append(" -p udp").append(ports(random));
                case 2 -> line.append(v6 ? " -p icmpv6 --icmpv6-type 128 --icmpv6-code 0 --icmpv6-id "
                        : " -p icmp --icmp-type 8 --icmp-code 0 --icmp-id ").append(random.nextInt(65536));
                case 3 -> line.append(" -p sctp").append(ports(random)).append(" --state ESTABLISHED --orig-vtag 0x")
                        .append(Integer.toHexString(random.nextInt())).append(" --reply-vtag 0x")
                        .append(Integer.toHexString(random.nextInt()));
                case 4 -> line.append(" -p gre --srckey ").append(random.nextInt(65536))
                        .append(" --dstkey ").append(random.nextInt(65536));
                case 5 -> line.append(" -p udplite").append(ports(random));
                default -> line.append(" -p ").append(v6 ? 253 : 99);
            }
            if (nat) {
                String translated = v6 ? "2001:db8:aaaa::" + Integer.toHexString(i)
                        : "192.168." + (i >> 8 & 255) + "." + (i & 255);
                line.append(" -r ").append(translated).append(" -q ").append(source)
                        .append(" --reply-port-src ").append(1 + random.nextInt(65535))
                        .append(" --reply-port-dst ").append(1 + random.nextInt(65535));
            }
            line.append(" -t ").append(1000 + random.nextInt(400_000));
            String status = STATUS[random.nextInt(STATUS.length)];
            if (!status.isEmpty()) {
                line.append(" -u ").append(status);
            }
            if (random.nextBoolean()) {
                line.append(" -m ").append(random.nextInt(3) == 0 ? Integer.toUnsignedString(random.nextInt()) : "7");
            }
            if (random.nextInt(10) == 0) {
                line.append(" -w ").append(random.nextInt(65536));
            }
            lines.add(line.toString());
        }
        return lines;
    }

    private static String ports(Random random) {
        return " --sport " + random.nextInt(65536) + " --dport " + random.nextInt(65536);
    }

    /** IPv6 spellings that exercise inet_ntop's zero compression and embedded IPv4. */
    private static String ipv6(Random random, int i) {
        String hex = Integer.toHexString(i);
        return switch (random.nextInt(5)) {
            case 0 -> "2001:db8::" + hex;
            case 1 -> "2001:db8:0:0:1:0:0:" + hex;
            case 2 -> "::ffff:10.9." + (i >> 8 & 255) + "." + (i & 255);
            case 3 -> "fe80:0:0:" + hex + "::1";
            default -> "2001:" + hex + ":1:2:3:4:5:6";
        };
    }

    /**
     * Runs conntrack, ct4j, conntrack with {@code args}; returns the number of lines.
     *
     * @param expectedLines the line count to insist on, or -1 to accept any
     */
    private static int assertSame(NetNs ns, int expectedLines, String... args) {
        CommandResult before = run(ns, "conntrack", args);
        CommandResult ours = Ct4jProcess.run(ns, LIMIT, args);
        CommandResult after = run(ns, "conntrack", args);
        String context = "ct4j " + String.join(" ", args);
        assertEquals(before.exitCode(), ours.exitCode(), context + "\n" + ours.stderr());
        assertEquals(before.stderr(), ours.stderr(), context);
        List<String> first = before.stdout().lines().toList();
        List<String> got = ours.stdout().lines().toList();
        List<String> last = after.stdout().lines().toList();
        if (expectedLines >= 0) {
            assertEquals(expectedLines, first.size(), context);
        }
        assertEquals(first.size(), got.size(), context);
        assertEquals(first.size(), last.size(), "the table changed during the test");
        assertTrue(before.stdout().endsWith("\n") == ours.stdout().endsWith("\n"), context + ": final newline");
        for (int i = 0; i < got.size(); i++) {
            String line = got.get(i);
            assertEquals(ticking(first.get(i)), ticking(line), context + ": line " + (i + 1));
            assertBetween(number(TIMEOUT, 2, last.get(i)), number(TIMEOUT, 2, line), number(TIMEOUT, 2, first.get(i)),
                    line);
            assertBetween(number(DELTA, 1, first.get(i)), number(DELTA, 1, line), number(DELTA, 1, last.get(i)), line);
        }
        return got.size();
    }

    private static CommandResult run(NetNs ns, String program, String... args) {
        String[] argv = new String[args.length + 1];
        argv[0] = program;
        System.arraycopy(args, 0, argv, 1, args.length);
        return ns.exec(LIMIT, null, argv);
    }

    private static void assertBetween(long low, long value, long high, String line) {
        assertTrue(low <= value && value <= high, value + " outside [" + low + ", " + high + "]: " + line);
    }

    /** The line with its timeout and delta-time replaced by T and D. */
    private static String ticking(String line) {
        Matcher m = TIMEOUT.matcher(line);
        String text = m.find() ? m.group(1) + "T " + line.substring(m.end()) : line;
        return DELTA.matcher(text).replaceFirst(" delta-time=D ");
    }

    private static long number(Pattern pattern, int group, String line) {
        Matcher m = pattern.matcher(line);
        return m.find() ? Long.parseLong(m.group(group)) : -1;
    }
}

package io.conntrack4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.testkit.Await;
import io.conntrack4j.testkit.BackgroundProcess;
import io.conntrack4j.testkit.CommandResult;
import io.conntrack4j.testkit.KernelTest;
import io.conntrack4j.testkit.NetNs;
import io.conntrack4j.testkit.NetworkLab;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code ct4j -E -o xml[,timestamp]} against conntrack run alongside: the XML declaration with the
 * first event, one {@code <flow type="...">} line per event with conntrack's cause suffix, and
 * {@code </conntrack>} when SIGTERM ends it.
 */
@KernelTest(requires = {"conntrack"})
class Ct4jXmlEventsKernelTest {
    private static final Duration LIMIT = Duration.ofSeconds(60);
    private static final Pattern WHEN = Pattern.compile("<when>.*</when>");

    @RegisterExtension
    final NetworkLab lab = new NetworkLab();

    /** A UDP entry created and deleted; its source port marks a place in the stream. */
    private static void marker(NetNs ns, int port) {
        ns.execOk("conntrack", "-I", "-p", "udp", "-s", "10.78.0.2", "-d", "10.78.0.1", "--sport",
                String.valueOf(port), "--dport", "9", "-t", "30");
        ns.execOk("conntrack", "-D", "-p", "udp", "--sport", String.valueOf(port));
    }

    private static boolean hasDestroy(String output, int port) {
        return output.lines().anyMatch(l -> l.startsWith("<flow type=\"destroy\">")
                && l.contains("<sport>" + port + "</sport>"));
    }

    /** The lines after marker 4243's destroy and up to the end of the stream. */
    private static List<String> after(String output) {
        List<String> lines = output.lines().toList();
        int from = lines.size();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("<flow type=\"destroy\">") && lines.get(i).contains("<sport>4243</sport>")) {
                from = i + 1;
            }
        }
        return lines.subList(from, lines.size());
    }

    private static List<String> withoutRepeats(List<String> lines) {
        List<String> kept = new ArrayList<>();
        for (String line : lines) {
            if (kept.isEmpty() || !kept.get(kept.size() - 1).equals(line)) {
                kept.add(line);
            }
        }
        return kept;
    }

    @Test
    void xmlEventsAreConntracks() {
        NetNs ns = lab.namespace("xmlev");
        String[][] variants = {{"-E", "-o", "xml"}, {"-E", "-o", "xml,timestamp"}, {"-E", "-o", "xml", "-p", "tcp"}};
        List<BackgroundProcess[]> pairs = new ArrayList<>();
        for (String[] args : variants) {
            String[] theirs = new String[args.length + 1];
            theirs[0] = "conntrack";
            System.arraycopy(args, 0, theirs, 1, args.length);
            pairs.add(new BackgroundProcess[] {lab.start(ns, Ct4jEventsKernelTest.withPid(theirs)),
                lab.start(ns, Ct4jEventsKernelTest.withPid(Ct4jProcess.command(args)))});
        }
        Await.until(LIMIT, "every listener prints events", () -> {
            marker(ns, 4242);
            // the tcp-only listeners see no marker: their subscription is taken on trust after the others'
            return pairs.subList(0, 2).stream().allMatch(p -> hasDestroy(p[0].stdoutSoFar(), 4242)
                    && hasDestroy(p[1].stdoutSoFar(), 4242));
        });
        marker(ns, 4243);
        ns.execOk("conntrack", "-I", "-p", "tcp", "-s", "10.78.0.50", "-d", "10.78.0.1", "--sport", "4000",
                "--dport", "22", "--state", "ESTABLISHED", "-u", "SEEN_REPLY,ASSURED", "-t", "100");
        ns.execOk("conntrack", "-I", "-p", "sctp", "-s", "10.78.0.50", "-d", "10.78.0.1", "--sport", "4001",
                "--dport", "22", "--state", "ESTABLISHED", "--orig-vtag", "1", "--reply-vtag", "2", "-t", "100");
        ns.execOk("conntrack", "-I", "-p", "icmpv6", "-s", "2001:db8::1", "-d", "2001:db8::2", "--icmpv6-type",
                "128", "--icmpv6-code", "0", "--icmpv6-id", "7", "-t", "30", "-m", "5");
        ns.execOk("conntrack", "-U", "-p", "tcp", "-s", "10.78.0.50", "-m", "9");
        ns.execOk("conntrack", "-F");
        marker(ns, 4244);

        for (int i = 0; i < pairs.size(); i++) {
            BackgroundProcess[] pair = pairs.get(i);
            String context = String.join(" ", variants[i]);
            int last = i == 2 ? -1 : 4244;
            if (last > 0) {
                Await.until(LIMIT, context + ": the last marker is printed", () ->
                        hasDestroy(pair[0].stdoutSoFar(), last) && hasDestroy(pair[1].stdoutSoFar(), last));
            } else {
                Await.until(LIMIT, context + ": the tcp entry's destroy is printed", () ->
                        pair[0].stdoutSoFar().contains("<flow type=\"destroy\">")
                                && pair[1].stdoutSoFar().contains("<flow type=\"destroy\">"));
            }
            CommandResult theirs = Ct4jEventsKernelTest.terminate(pair[0]);
            CommandResult ours = Ct4jEventsKernelTest.terminate(pair[1]);
            assertEquals(theirs.exitCode(), ours.exitCode(), context + "\n" + ours.stderr());
            assertEquals(theirs.stderr().replaceAll("\\d+ flow", "N flow"), ours.stderr().replaceAll("\\d+ flow", "N flow"),
                    context);
            // conntrack's SIGTERM handler prints from inside the signal (not async-signal-safe):
            // seen once to repeat the last event line, so conntrack's consecutive repeats go.
            List<String> expected = withoutRepeats(i == 2 ? theirs.stdout().lines().skip(1).toList()
                    : after(theirs.stdout()));
            List<String> got = i == 2 ? ours.stdout().lines().skip(1).toList() : after(ours.stdout());
            assertEquals(expected.size(), got.size(), context + "\n" + String.join("\n", expected) + "\n--- ct4j:\n"
                    + String.join("\n", got));
            // new + update + destroy of the TCP entry at least, then the closing tag
            assertTrue(got.size() >= 4, context + ": " + got);
            assertEquals("</conntrack>", got.get(got.size() - 1), context);
            for (int k = 0; k < got.size(); k++) {
                String a = expected.get(k);
                String b = got.get(k);
                if (i == 1 && a.startsWith("<flow")) {
                    assertTrue(WHEN.matcher(b).find(), context + ": <when> expected: " + b);
                    a = WHEN.matcher(a).replaceFirst("");
                    b = WHEN.matcher(b).replaceFirst("");
                }
                // a program that exited before one listener looked it up is named by the other only
                assertEquals(a.replaceFirst(" progname=conntrack$", ""), b.replaceFirst(" progname=conntrack$", ""),
                        context);
            }
            if (i == 2) {
                assertTrue(got.get(0).startsWith("<?xml version=\"1.0\" encoding=\"utf-8\"?>"), context + ": " + got);
            }
        }
    }
}

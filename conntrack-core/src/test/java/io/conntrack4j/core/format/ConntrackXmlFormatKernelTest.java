package io.conntrack4j.core.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.core.Connection;
import io.conntrack4j.core.L4Protocol;
import io.conntrack4j.testkit.CommandResult;
import io.conntrack4j.testkit.ConnectionLabels;
import io.conntrack4j.testkit.KernelTest;
import io.conntrack4j.testkit.NetNs;
import io.conntrack4j.testkit.NetworkLab;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The oracle for {@link ConntrackXmlFormat}: the real {@code conntrack -L -o xml} (with labels,
 * kernel timestamps, directional and plain zones, SCTP in every state) and {@code conntrack -E -o
 * xml,timestamp} against our XML of the same entries, which are read from conntrack's plain lines of
 * the same listing (matched by id).
 */
@KernelTest(requires = {"conntrack", "nft", "sysctl", "unshare"})
class ConntrackXmlFormatKernelTest {

    @RegisterExtension
    final NetworkLab lab = new NetworkLab();

    private static final String CONF = "0 zero\n1 one\n5 five\n99 ninetynine\n";
    /** conntrack 1.4.7 dies of SIGSEGV on {@code --state HEARTBEAT_SENT} and {@code HEARTBEAT_ACKED}. */
    private static final String[] SCTP_STATES = {"CLOSED", "COOKIE_WAIT", "COOKIE_ECHOED", "ESTABLISHED",
        "SHUTDOWN_SENT", "SHUTDOWN_RECD", "SHUTDOWN_ACK_SENT"};
    private static final Pattern ID = Pattern.compile("<id>(\\d+)</id>");
    private static final Pattern START = Pattern.compile("<start>(\\d+)</start>");
    private static final Pattern PROGRAM = Pattern.compile(" progname=(\\S+)$");
    private static final Pattern NUMBER_IN = Pattern.compile("<(timeout|deltatime|sec|min|hour)>(\\d+)</\\1>");

    @Test
    void listingsAndEventsMatchTheRealXml() {
        NetNs ns = lab.namespace("xml");
        ConnectionLabels.enableIn(ns);
        ns.execOk("sysctl", "-q", "-w", "net.netfilter.nf_conntrack_acct=1", "net.netfilter.nf_conntrack_timestamp=1");
        String in = "ip netns exec " + ns.name() + " ";
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < SCTP_STATES.length; i++) {
            lines.add(in + "conntrack -I -p sctp -s 10.0.5.1 -d 10.0.5.2 --sport 5 --dport " + (100 + i)
                    + " --state " + SCTP_STATES[i] + " --orig-vtag 1 --reply-vtag 2 -t 200"
                    + (i % 2 == 0 ? " -u SEEN_REPLY,ASSURED" : "") + " >/dev/null 2>&1");
        }
        lines.addAll(List.of(
                in + "conntrack -I -p tcp -s 10.0.0.1 -d 10.0.0.4 --sport 5 --dport 6 --state ESTABLISHED -t 300"
                        + " --label-add one,five,ninetynine -u SEEN_REPLY --zone 7 -m 9 >/dev/null 2>&1",
                in + "conntrack -I -p udp -s 10.0.0.1 -d 10.0.0.4 --sport 5 --dport 6 -t 100 --label-add zero"
                        + " --orig-zone 3 >/dev/null 2>&1",
                in + "conntrack -I -p udp -s 10.0.0.1 -d 10.0.0.4 --sport 7 --dport 6 -t 100 --zone 4 -m 4294967295"
                        + " >/dev/null 2>&1",
                in + "conntrack -I -p icmpv6 -s 2001:db8::1 -d 2001:db8::2 --icmpv6-type 128 --icmpv6-code 0"
                        + " --icmpv6-id 5 -t 30 -u SEEN_REPLY >/dev/null 2>&1",
                in + "conntrack -I -p gre -s 10.0.0.1 -d 10.0.0.9 --srckey 0x10 --dstkey 0x20 -t 90 >/dev/null 2>&1",
                in + "conntrack -L -o id,labels 2>/dev/null",
                "echo ===",
                in + "conntrack -L -o xml,ktimestamp,labels 2>/dev/null",
                "echo ===",
                in + "conntrack -L -o xml 2>/dev/null"));
        long began = System.nanoTime();
        CommandResult result = ConnectionLabels.runNamed(CONF, String.join("\n", lines));
        // Timeouts and delta times tick between the listings: allow the script's run time, plus one.
        long slack = (System.nanoTime() - began) / 1_000_000_000L + 1;
        String[] parts = result.stdoutOrThrow().split("===\n", -1);
        assertEquals(3, parts.length, result.toString());

        LabelMap names = LabelMap.parse(CONF);
        ConntrackFormat plain = ConntrackFormat.builder().id(true).labels(names).build();
        Map<Integer, Connection> byId = new HashMap<>();
        for (String line : parts[0].lines().toList()) {
            Connection c = plain.parse(line);
            // The plain line of a directional zone, an SCTP state, labels: back byte for byte.
            assertEquals(line, plain.format(c), "conntrack -L -o id,labels");
            byId.put(c.id(), c);
        }
        assertEquals(SCTP_STATES.length + 5, byId.size(), parts[0]);

        // Plain lines carry no nanoseconds: the start comes from the XML with ktimestamp.
        Map<Integer, Long> startById = new HashMap<>();
        for (String real : parts[1].lines().filter(l -> l.startsWith("<flow>")).toList()) {
            Matcher id = ID.matcher(real);
            Matcher start = START.matcher(real);
            assertTrue(id.find() && start.find(), real);
            startById.put(Integer.parseUnsignedInt(id.group(1)), Long.parseUnsignedLong(start.group(1)));
        }
        ConntrackXmlFormat withLabels = ConntrackXmlFormat.builder().kernelTimestamps(true).labels(names).build();
        ConntrackXmlFormat bare = ConntrackXmlFormat.builder().build();
        int sctp = 0;
        for (int part = 1; part <= 2; part++) {
            List<String> flows = parts[part].lines().filter(l -> l.startsWith("<flow>")).toList();
            assertEquals(byId.size(), flows.size(), parts[part]);
            for (String real : flows) {
                Matcher id = ID.matcher(real);
                assertTrue(id.find(), real);
                Connection c = byId.get(Integer.parseUnsignedInt(id.group(1)));
                assertNotNull(c, real);
                Long start = startById.get(c.id());
                assertNotNull(start, real);
                c = c.toBuilder().start(start).build();
                String ours = (part == 1 ? withLabels : bare).format(c);
                assertEquals(real, withNumbersOf(real, ours, slack), "conntrack -L -o xml");
                if (c.protocol() == L4Protocol.SCTP) {
                    sctp++;
                }
            }
        }
        assertEquals(2 * SCTP_STATES.length, sctp);
        assertTrue(parts[1].contains("<labels><label>one</label><label>five</label><label>ninetynine</label></labels>"),
                parts[1]);
        assertTrue(parts[1].contains("<state>FIN_WAIT</state>"), "SCTP ESTABLISHED through TCP names: " + parts[1]);
    }

    @Test
    void eventsMatchTheRealXml() {
        NetNs ns = lab.namespace("xmlev");
        String script = String.join("\n",
                "set -e",
                "out=$(mktemp)",
                "conntrack -E -o xml,timestamp > $out 2>/dev/null &",
                "xml=$!",
                "conntrack -E -o id > $out.plain 2>/dev/null &",
                "plain=$!",
                "i=0",
                "while ! grep -q '<sport>9</sport>' $out || ! grep -q 'sport=9 ' $out.plain; do",
                "  conntrack -D -p udp -s 10.9.9.9 --sport 9 >/dev/null 2>&1 || true",
                "  conntrack -I -p udp -s 10.9.9.9 -d 10.9.9.8 --sport 9 --dport 9 -t 50 >/dev/null 2>&1",
                "  i=$((i+1)); [ $i -lt 100 ] || break; sleep 0.1",
                "done",
                "conntrack -I -p tcp -s 10.1.0.1 -d 10.1.0.2 --sport 1 --dport 81 --state SYN_SENT -t 50 >/dev/null 2>&1",
                "conntrack -U -p tcp -s 10.1.0.1 -d 10.1.0.2 --sport 1 --dport 81 -m 5 >/dev/null 2>&1",
                "conntrack -I -p sctp -s 10.1.0.1 -d 10.1.0.2 --sport 1 --dport 82 --state ESTABLISHED"
                        + " --orig-vtag 3 --reply-vtag 4 -t 50 >/dev/null 2>&1",
                "conntrack -D -p tcp -s 10.1.0.1 -d 10.1.0.2 --sport 1 --dport 81 >/dev/null 2>&1",
                "conntrack -D -p sctp >/dev/null 2>&1",
                "i=0",
                "while [ $(grep -c destroy $out) -lt 3 ] || [ $(grep -c DESTROY $out.plain) -lt 3 ]; do",
                "  i=$((i+1)); [ $i -lt 100 ] || break; sleep 0.1",
                "done",
                "kill $xml $plain; wait $xml $plain 2>/dev/null || true",
                "cat $out; echo ===; cat $out.plain; rm -f $out $out.plain");
        CommandResult result = ns.exec(Duration.ofSeconds(60), null, "sh", "-c", script);
        String[] parts = result.stdoutOrThrow().split("===\n", -1);
        assertEquals(2, parts.length, result.toString());
        List<String> real = parts[0].lines().filter(l -> l.startsWith("<flow")).toList();
        List<String> plainLines = parts[1].lines().filter(l -> l.strip().startsWith("[")).toList();
        assertEquals(plainLines.size(), real.size(), result.toString());
        assertTrue(real.size() >= 6, result.toString());
        ConntrackFormat plain = ConntrackFormat.builder().id(true).build();
        ConntrackXmlFormat xml = ConntrackXmlFormat.builder().eventTime(true).build();
        for (int i = 0; i < real.size(); i++) {
            ConntrackEvent event = plain.parseEvent(plainLines.get(i));
            // Each listener looks the causing program up in /proc itself; one may miss a program
            // that has exited already.
            Matcher program = PROGRAM.matcher(real.get(i));
            event = new ConntrackEvent(event.type(), event.connection(), event.timestampMicros(), event.portId(),
                    program.find() ? program.group(1) : null);
            String ours = xml.format(event);
            assertEquals(real.get(i), withNumbersOf(real.get(i), ours, 1), "conntrack -E -o xml,timestamp");
        }
    }

    /**
     * {@code ours} with the timeout and delta time of {@code real} where they differ by at most
     * {@code slack} (the listings ran a moment apart) and the clock fields of {@code <when>}, so that
     * only real differences remain.
     */
    private static String withNumbersOf(String real, String ours, long slack) {
        Matcher r = NUMBER_IN.matcher(real);
        Matcher o = NUMBER_IN.matcher(ours);
        StringBuilder out = new StringBuilder();
        int at = 0;
        while (r.find() && o.find()) {
            if (!r.group(1).equals(o.group(1))) {
                return ours;
            }
            long a = Long.parseLong(r.group(2));
            long b = Long.parseLong(o.group(2));
            boolean close = Math.abs(a - b) <= slack || (!r.group(1).equals("timeout") && !r.group(1).equals("deltatime"));
            out.append(ours, at, o.start(2)).append(close ? r.group(2) : o.group(2));
            at = o.end(2);
        }
        return out.append(ours, at, ours.length()).toString();
    }
}

package io.conntrack4j.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.core.Connection;
import io.conntrack4j.core.format.ConntrackFormat;
import io.conntrack4j.core.format.ConntrackXmlFormat;
import io.conntrack4j.core.format.LabelMap;
import io.conntrack4j.testkit.CommandResult;
import io.conntrack4j.testkit.ConnectionLabels;
import io.conntrack4j.testkit.KernelTest;
import io.conntrack4j.testkit.NetNs;
import io.conntrack4j.testkit.NetworkLab;
import java.time.Duration;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Connection labels dumped over netlink format as conntrack prints them with a connlabel.conf, in
 * plain lines ({@code -o id,labels}) and XML ({@code -o xml,labels}).
 */
@KernelTest(requires = {"conntrack", "nft", "unshare"})
class ConntrackListLabelsKernelTest {

    private static final String CONF = "0 zero\n1 one\n5 five\n64 sixtyfour\n127 last\n";
    private static final Pattern PLAIN_TIMEOUT = Pattern.compile("^(\\S+ +\\d+ )(\\d+) ");
    private static final Pattern XML_TIMEOUT = Pattern.compile("(<timeout>)(\\d+)(</timeout>)");

    @RegisterExtension
    final NetworkLab lab = new NetworkLab();

    @Test
    void labelledEntriesFormatLikeConntrack() {
        NetNs ns = lab.namespace("labels");
        ConnectionLabels.enableIn(ns);
        String in = "ip netns exec " + ns.name() + " ";
        String script = String.join("\n",
                in + "conntrack -I -p tcp -s 10.0.0.5 -d 10.0.0.6 --sport 1 --dport 80 --state ESTABLISHED -t 300"
                        + " -u SEEN_REPLY,ASSURED --label-add zero,five,sixtyfour,last >/dev/null 2>&1",
                in + "conntrack -I -p udp -s 10.0.0.5 -d 10.0.0.6 --sport 2 --dport 80 -t 300 --label-add one"
                        + " >/dev/null 2>&1",
                in + "conntrack -I -p udp -s 2001:db8::5 -d 2001:db8::6 --sport 3 --dport 80 -t 300 >/dev/null 2>&1",
                in + "conntrack -L -o id,labels 2>/dev/null",
                "echo ===",
                in + "conntrack -L -o xml,labels 2>/dev/null | grep '^<flow>'");
        long began = System.nanoTime();
        CommandResult result = ConnectionLabels.runNamed(CONF, script);
        String[] parts = result.stdoutOrThrow().split("===\n", -1);
        assertEquals(2, parts.length, result.toString());

        List<Connection> dumped;
        try (ConntrackTable table = new ConntrackTable(
                NetlinkSocket.openInNamespace(ns.name(), NetlinkSocket.Options.DEFAULT))) {
            dumped = table.list();
        }
        // Timeouts tick while conntrack and we list: allow what passed between, plus one.
        long slack = (System.nanoTime() - began) / 1_000_000_000L + 1;
        assertEquals(3, dumped.size());
        assertEquals(2, dumped.stream().filter(Connection::hasLabels).count(), dumped.toString());
        LabelMap names = LabelMap.parse(CONF);
        ConntrackFormat plain = ConntrackFormat.builder().id(true).labels(names).build();
        ConntrackXmlFormat xml = ConntrackXmlFormat.builder().labels(names).build();
        TreeSet<String> ours = new TreeSet<>();
        TreeSet<String> oursXml = new TreeSet<>();
        for (Connection c : dumped) {
            ours.add(plain.format(c));
            oursXml.add(xml.format(c));
        }
        assertSameButTimeouts(new TreeSet<>(parts[0].lines().toList()), ours, PLAIN_TIMEOUT, slack);
        assertSameButTimeouts(new TreeSet<>(parts[1].lines().toList()), oursXml, XML_TIMEOUT, slack);
        assertTrue(parts[0].contains(" labels=zero,five,sixtyfour,last"), parts[0]);
    }

    /** Equal line for line once timeouts, which may have ticked by {@code slack} seconds, are blanked. */
    private static void assertSameButTimeouts(TreeSet<String> real, TreeSet<String> ours, Pattern timeout,
                                              long slack) {
        assertEquals(blank(real, timeout), blank(ours, timeout), "conntrack printed:\n" + String.join("\n", real));
        List<String> a = real.stream().toList();
        List<String> b = ours.stream().toList();
        for (int i = 0; i < a.size(); i++) {
            Matcher x = timeout.matcher(a.get(i));
            Matcher y = timeout.matcher(b.get(i));
            assertTrue(x.find() && y.find(), a.get(i));
            assertTrue(Math.abs(Long.parseLong(x.group(2)) - Long.parseLong(y.group(2))) <= slack, a.get(i) + "\n" + b.get(i));
        }
    }

    private static List<String> blank(TreeSet<String> lines, Pattern timeout) {
        return lines.stream().map(l -> timeout.matcher(l).replaceFirst("$1T")).toList();
    }
}

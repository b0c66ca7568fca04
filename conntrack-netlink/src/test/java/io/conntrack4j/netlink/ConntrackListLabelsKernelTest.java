package io.conntrack4j.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.core.Connection;
import io.conntrack4j.core.format.ConntrackFormat;
import io.conntrack4j.core.format.ConntrackXmlFormat;
import io.conntrack4j.core.format.LabelMap;
import io.conntrack4j.testkit.CommandResult;
import io.conntrack4j.testkit.Commands;
import io.conntrack4j.testkit.KernelTest;
import io.conntrack4j.testkit.NetNs;
import io.conntrack4j.testkit.NetworkLab;
import java.nio.file.Files;
import java.nio.file.Path;
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
    void labelledEntriesFormatLikeConntrack() throws Exception {
        NetNs ns = lab.namespace("labels");
        // The kernel keeps labels only when a rule of the namespace uses them.
        ns.exec(Duration.ofSeconds(30), "table inet ct4j_labels {\n"
                + "  chain pre { type filter hook prerouting priority -150; ct label 5 counter accept; }\n"
                + "}\n", "nft", "-f", "-").stdoutOrThrow();
        String in = "ip netns exec " + ns.name() + " ";
        String script = String.join("\n",
                "set -e",
                "mount -t tmpfs ct4j-labels /etc/xtables",
                "printf '" + CONF.replace("\n", "\\n") + "' > /etc/xtables/connlabel.conf",
                in + "conntrack -I -p tcp -s 10.0.0.5 -d 10.0.0.6 --sport 1 --dport 80 --state ESTABLISHED -t 300"
                        + " -u SEEN_REPLY,ASSURED --label-add zero,five,sixtyfour,last >/dev/null 2>&1",
                in + "conntrack -I -p udp -s 10.0.0.5 -d 10.0.0.6 --sport 2 --dport 80 -t 300 --label-add one"
                        + " >/dev/null 2>&1",
                in + "conntrack -I -p udp -s 2001:db8::5 -d 2001:db8::6 --sport 3 --dport 80 -t 300 >/dev/null 2>&1",
                in + "conntrack -L -o id,labels 2>/dev/null",
                "echo ===",
                in + "conntrack -L -o xml,labels 2>/dev/null | grep '^<flow>'");
        CommandResult result;
        Path dir = Path.of("/etc/xtables");
        boolean created = !Files.exists(dir);
        if (created) {
            Files.createDirectory(dir);
        }
        try {
            result = Commands.run(Duration.ofSeconds(60), null, "unshare", "-m", "sh", "-c", script);
        } finally {
            if (created) {
                Files.deleteIfExists(dir);
            }
        }
        String[] parts = result.stdoutOrThrow().split("===\n", -1);
        assertEquals(2, parts.length, result.toString());

        List<Connection> dumped;
        try (ConntrackTable table = new ConntrackTable(
                NetlinkSocket.openInNamespace(ns.name(), NetlinkSocket.Options.DEFAULT))) {
            dumped = table.list();
        }
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
        assertSameButTimeouts(new TreeSet<>(parts[0].lines().toList()), ours, PLAIN_TIMEOUT);
        assertSameButTimeouts(new TreeSet<>(parts[1].lines().toList()), oursXml, XML_TIMEOUT);
        assertTrue(parts[0].contains(" labels=zero,five,sixtyfour,last"), parts[0]);
    }

    /** Equal line for line once timeouts, which may have ticked by two seconds at most, are blanked. */
    private static void assertSameButTimeouts(TreeSet<String> real, TreeSet<String> ours, Pattern timeout) {
        assertEquals(blank(real, timeout), blank(ours, timeout), "conntrack printed:\n" + String.join("\n", real));
        List<String> a = real.stream().toList();
        List<String> b = ours.stream().toList();
        for (int i = 0; i < a.size(); i++) {
            Matcher x = timeout.matcher(a.get(i));
            Matcher y = timeout.matcher(b.get(i));
            assertTrue(x.find() && y.find(), a.get(i));
            assertTrue(Math.abs(Long.parseLong(x.group(2)) - Long.parseLong(y.group(2))) <= 2, a.get(i) + "\n" + b.get(i));
        }
    }

    private static List<String> blank(TreeSet<String> lines, Pattern timeout) {
        return lines.stream().map(l -> timeout.matcher(l).replaceFirst("$1T")).toList();
    }
}

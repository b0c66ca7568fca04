package io.conntrack4j.core.format;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.conntrack4j.core.Connection;
import io.conntrack4j.core.IpAddress;
import io.conntrack4j.core.L4Protocol;
import io.conntrack4j.core.TcpState;
import io.conntrack4j.core.Tuple;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link VyosConntrackTable} against the table in the VyOS documentation (the project's seed file). */
class VyosConntrackTableTest {

    static final Path SEED = Path.of(System.getProperty("ct4j.seed", "/work/shared/seed/vyos-conntrack-sync.txt"));

    static IpAddress ip(String s) {
        return IpAddress.parse(s);
    }

    static Connection tcp(int id, String src, int sport, String dst, int dport, int timeout) {
        return Connection.builder(Tuple.ofPorts(ip(src), ip(dst), L4Protocol.TCP, sport, dport))
                .id(id).timeout(timeout).tcpState(TcpState.ESTABLISHED).build();
    }

    static Connection icmp(int id, String src, String dst, int timeout) {
        return Connection.builder(Tuple.ofIcmp(ip(src), ip(dst), 8, 0, 1)).id(id).timeout(timeout).build();
    }

    /** The block from the legend to the last row, as the seed shows it. */
    static String seedTable() throws IOException {
        List<String> lines = Files.readAllLines(SEED);
        int from = -1;
        for (int i = 0; i < lines.size() && from < 0; i++) {
            if (lines.get(i).startsWith("TCP state codes:")) {
                from = i;
            }
        }
        StringBuilder out = new StringBuilder();
        int i = from;
        for (; i < from + 5; i++) {
            out.append(lines.get(i)).append('\n');
        }
        for (; i < lines.size() && lines.get(i).matches("\\d+ .*"); i++) {
            out.append(lines.get(i)).append('\n');
        }
        return out.toString();
    }

    @Test
    void printsTheDocumentedTableByteForByte() throws IOException {
        List<Connection> rows = List.of(
                tcp(1015736576, "10.35.100.87", 58172, "172.31.20.12", 22, 430279),
                tcp(1006235648, "10.35.101.221", 57483, "172.31.120.21", 22, 413310),
                icmp(1006237088, "10.100.68.100", "172.31.120.21", 29),
                tcp(1015734848, "10.35.100.87", 56282, "172.31.20.12", 22, 300),
                Connection.builder(Tuple.ofPorts(ip("172.31.20.12"), ip("239.10.10.14"), L4Protocol.UDP, 60286, 694))
                        .id(1015734272).timeout(29).build(),
                icmp(1006239392, "10.35.101.221", "172.31.120.21", 29));
        String expected = seedTable();
        assertEquals(11, expected.split("\n").length, expected);
        assertEquals(expected, VyosConntrackTable.format(rows));
    }

    @Test
    void stateCodesAndOverlongCells() {
        Connection c = Connection.builder(Tuple.ofPorts(ip("2001:db8::1"), ip("2001:db8::2"), L4Protocol.TCP, 1, 2))
                .id(-1).timeout(5).tcpState(TcpState.TIME_WAIT).build();
        StringBuilder out = VyosConntrackTable.appendRow(new StringBuilder(), c);
        assertEquals("4294967295 2001:db8::1:1          2001:db8::2:2          tcp [6] TW       5", out.toString());
        Connection none = c.toBuilder().tcpState(TcpState.SYN_SENT2).clearTimeout().build();
        assertEquals("4294967295 2001:db8::1:1          2001:db8::2:2          tcp [6]          ",
                VyosConntrackTable.appendRow(new StringBuilder(), none).toString());
        assertEquals("CL", VyosConntrackTable.stateCode(TcpState.CLOSE));
    }
}

package io.conntrack4j.core.format;

import io.conntrack4j.core.Connection;
import io.conntrack4j.core.L4Protocol;
import io.conntrack4j.core.TcpState;
import io.conntrack4j.core.Tuple;

/**
 * The legacy VyOS / Vyatta {@code show conntrack table ipv4} table (vyatta-show-conntrack.pl, still
 * the example in the VyOS documentation), byte for byte: the TCP state-code legend, an empty line,
 * the header and one row per connection, each line ending with a newline.
 *
 * <pre>{@code
 * String text = VyosConntrackTable.format(connections);
 * // TCP state codes: SS - SYN SENT, SR - SYN RECEIVED, ES - ESTABLISHED,
 * // ...
 * // CONN ID    Source                 Destination            Protocol         TIMEOUT
 * // 1015736576 10.35.100.87:58172     172.31.20.12:22        tcp [6] ES       430279
 * }</pre>
 *
 * <p>Columns are left-aligned in 10, 22, 22 and 16 characters with one space between them, as the
 * Perl {@code printf} did; longer values push the rest of the row right rather than being cut.
 * Source and destination are the original direction's, with {@code :port} for protocols with
 * ports; the protocol is {@code name [number]}, for TCP followed by the two-letter state code. A
 * connection without an id or a timeout gets an empty cell.
 */
public final class VyosConntrackTable {

    /** The three legend lines, each with its newline. */
    public static final String LEGEND = "TCP state codes: SS - SYN SENT, SR - SYN RECEIVED, ES - ESTABLISHED,\n"
            + "                 FW - FIN WAIT, CW - CLOSE WAIT, LA - LAST ACK,\n"
            + "                 TW - TIME WAIT, CL - CLOSE, LI - LISTEN\n";

    /** The column header line, without its newline. */
    public static final String HEADER = row(new StringBuilder(), "CONN ID", "Source", "Destination", "Protocol",
            "TIMEOUT").toString();

    private VyosConntrackTable() {
    }

    /**
     * The whole table: legend, empty line, header, rows.
     *
     * @param connections the rows, in order
     * @return the text, every line ending with a newline
     */
    public static String format(Iterable<Connection> connections) {
        StringBuilder out = new StringBuilder(LEGEND).append('\n').append(HEADER).append('\n');
        for (Connection c : connections) {
            appendRow(out, c).append('\n');
        }
        return out.toString();
    }

    /**
     * Appends one row, without a newline.
     *
     * @param out where to append
     * @param c the connection
     * @return {@code out}
     */
    public static StringBuilder appendRow(StringBuilder out, Connection c) {
        L4Protocol p = c.protocol();
        String protocol = p.conntrackName() + " [" + p.number() + "]";
        if (p == L4Protocol.TCP && c.hasProtocolState()) {
            String code = stateCode(TcpState.ofNumber(c.protocolState()));
            if (code != null) {
                protocol += " " + code;
            }
        }
        return row(out, c.hasId() ? Integer.toUnsignedString(c.id()) : "", endpoint(c.original(), true),
                endpoint(c.original(), false), protocol, c.hasTimeout() ? Integer.toUnsignedString(c.timeout()) : "");
    }

    /**
     * The two-letter code of a TCP state in the legend. The legend's {@code LI - LISTEN} is the
     * kernel's state 9 under its pre-2.6 name; conntrack now prints it as SYN_SENT2, which the Perl
     * mapping, keyed on names, never matched, so it gets no code here either.
     *
     * @param state a state, or null
     * @return the code, or null for states the mapping does not know (NONE, SYN_SENT2)
     */
    public static String stateCode(TcpState state) {
        if (state == null) {
            return null;
        }
        return switch (state) {
            case SYN_SENT -> "SS";
            case SYN_RECV -> "SR";
            case ESTABLISHED -> "ES";
            case FIN_WAIT -> "FW";
            case CLOSE_WAIT -> "CW";
            case LAST_ACK -> "LA";
            case TIME_WAIT -> "TW";
            case CLOSE -> "CL";
            default -> null;
        };
    }

    private static String endpoint(Tuple t, boolean source) {
        String address = (source ? t.source() : t.destination()).toString();
        if (t.protocol().keyKind() != L4Protocol.KeyKind.PORTS) {
            return address;
        }
        return address + ":" + (source ? t.sourcePort() : t.destinationPort());
    }

    private static StringBuilder row(StringBuilder out, String id, String source, String destination, String protocol,
                                     String timeout) {
        padded(out, id, 10);
        padded(out, source, 22);
        padded(out, destination, 22);
        padded(out, protocol, 16);
        return out.append(timeout);
    }

    private static void padded(StringBuilder out, String text, int width) {
        out.append(text);
        for (int i = text.length(); i < width; i++) {
            out.append(' ');
        }
        out.append(' ');
    }
}

package io.conntrack4j.examples.cli;

import io.conntrack4j.core.AddressFamily;
import io.conntrack4j.core.DccpState;
import io.conntrack4j.core.IpAddress;
import io.conntrack4j.core.L4Protocol;
import io.conntrack4j.core.SctpState;
import io.conntrack4j.core.StatusBit;
import io.conntrack4j.core.TcpState;
import io.conntrack4j.core.format.ConntrackFormat;
import io.conntrack4j.netlink.ConntrackEntry;
import io.conntrack4j.netlink.TupleView;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * conntrack(8)'s line for a netlink entry, written straight from the {@link ConntrackEntry}
 * flyweight into a {@link LineBuffer}: the same bytes as {@link ConntrackFormat} gives for
 * {@link ConntrackEntry#toConnection()}, without building the connection or any text object, which
 * is what makes {@code ct4j -L} on a million entries cheap. Entries with parts this class does not
 * print itself (a helper, a security context, kernel timestamps with {@code -o ktimestamp}, labels,
 * a reply tuple the kernel sent incomplete) are declined, and the caller prints them through
 * {@link ConntrackFormat}.
 */
final class EntryLineFormat {
    private static final byte[][] PROTOCOL = new byte[256][];
    private static final byte[][] TCP_STATE = names(TcpState.NONE.conntrackName());
    private static final byte[][] SCTP_STATE = names(SctpState.NONE.conntrackName());
    private static final byte[][] DCCP_STATE = names(DccpState.NONE.conntrackName());
    private static final byte[] IPV4 = padded(AddressFamily.IPV4.conntrackName(), AddressFamily.IPV4.number());
    private static final byte[] IPV6 = padded(AddressFamily.IPV6.conntrackName(), AddressFamily.IPV6.number());
    private static final byte[] SRC = ascii("src=");
    private static final byte[] DST = ascii(" dst=");
    private static final byte[] SPORT = ascii(" sport=");
    private static final byte[] DPORT = ascii(" dport=");
    private static final byte[] SRCKEY = ascii(" srckey=0x");
    private static final byte[] DSTKEY = ascii(" dstkey=0x");
    private static final byte[] TYPE = ascii(" type=");
    private static final byte[] CODE = ascii(" code=");
    private static final byte[] ID = ascii(" id=");
    private static final byte[] ZONE_ORIG = ascii(" zone-orig=");
    private static final byte[] ZONE_REPLY = ascii(" zone-reply=");
    private static final byte[] PACKETS = ascii(" packets=");
    private static final byte[] BYTES = ascii(" bytes=");
    private static final byte[] UNREPLIED = ascii(" [UNREPLIED]");
    private static final byte[] HW_OFFLOAD = ascii(" [HW_OFFLOAD]");
    private static final byte[] OFFLOAD = ascii(" [OFFLOAD]");
    private static final byte[] ASSURED = ascii(" [ASSURED]");
    private static final byte[] MARK = ascii(" mark=");
    private static final byte[] SECMARK = ascii(" secmark=");
    private static final byte[] ZONE = ascii(" zone=");
    private static final byte[] DELTA_TIME = ascii(" delta-time=");
    private static final byte[] USE = ascii(" use=");
    private static final int SEEN_REPLY_BIT = StatusBit.SEEN_REPLY.mask();
    private static final int ASSURED_BIT = StatusBit.ASSURED.mask();
    private static final int OFFLOAD_BIT = StatusBit.OFFLOAD.mask();
    private static final int HW_OFFLOAD_BIT = StatusBit.HW_OFFLOAD.mask();

    static {
        for (int n = 0; n < 256; n++) {
            PROTOCOL[n] = padded(L4Protocol.conntrackName(n), n);
        }
        for (TcpState s : TcpState.values()) {
            TCP_STATE[s.number()] = ascii(s.conntrackName());
        }
        for (SctpState s : SctpState.values()) {
            SCTP_STATE[s.number()] = ascii(s.conntrackName());
        }
        for (DccpState s : DccpState.values()) {
            DCCP_STATE[s.number()] = ascii(s.conntrackName());
        }
    }

    private final boolean extended;
    private final boolean id;
    private final boolean kernelTimestamps;
    private final boolean labels;
    private final byte[] address = new byte[16];
    private final StringBuilder ipv6 = new StringBuilder(48);

    /**
     * @param extended {@code -o extended}
     * @param id {@code -o id}
     * @param kernelTimestamps {@code -o ktimestamp}
     * @param labels whether labels are printed (entries with labels are then declined)
     */
    EntryLineFormat(boolean extended, boolean id, boolean kernelTimestamps, boolean labels) {
        this.extended = extended;
        this.id = id;
        this.kernelTimestamps = kernelTimestamps;
        this.labels = labels;
    }

    /**
     * Appends the entry's line (with its newline) or, when the entry has parts this class leaves
     * to {@link ConntrackFormat}, appends nothing.
     *
     * @param out where the line goes
     * @param e the entry, with a usable original tuple (see {@link #usable(TupleView)})
     * @return false when declined
     */
    boolean append(LineBuffer out, ConntrackEntry e) {
        TupleView orig = e.original();
        TupleView reply = e.reply();
        int addressLength = orig.sourceLength();
        int protocol = orig.protocol();
        if (!reply.present() || reply.protocol() != protocol || reply.sourceLength() != addressLength
                || reply.destinationLength() != addressLength
                || addressLength != 4 && addressLength != 16
                || kernelTimestamps && (e.hasStart() || e.stopNanos() != 0)
                || labels && e.hasLabels()
                || !e.hasCounters() && (e.packetsOriginal() | e.bytesOriginal() | e.packetsReply() | e.bytesReply()) != 0
                || e.helper() != null || e.secctx() != null) {
            return false;
        }
        if (extended) {
            out.append(addressLength == 4 ? IPV4 : IPV6);
        }
        out.append(PROTOCOL[protocol]);
        if (e.timeout() >= 0) {
            out.appendDecimal(e.timeout()).append((byte) ' ');
        }
        byte[] state = switch (protocol) {
            case L4Protocol.TCP_NUMBER -> name(TCP_STATE, e.tcpState());
            case L4Protocol.SCTP_NUMBER -> name(SCTP_STATE, e.sctpState());
            case L4Protocol.DCCP_NUMBER -> name(DCCP_STATE, e.dccpState());
            default -> null;
        };
        if (state != null) {
            out.append(state).append((byte) ' ');
        }
        tuple(out, orig, protocol);
        if (orig.zone() >= 0) {
            out.append(ZONE_ORIG).appendDecimal(orig.zone());
        }
        if (e.hasCounters()) {
            out.append(PACKETS).appendDecimal(e.packetsOriginal()).append(BYTES).appendDecimal(e.bytesOriginal());
        }
        long status = e.status();
        if (status >= 0 && (status & SEEN_REPLY_BIT) == 0) {
            out.append(UNREPLIED);
        }
        out.append((byte) ' ');
        tuple(out, reply, protocol);
        if (reply.zone() >= 0) {
            out.append(ZONE_REPLY).appendDecimal(reply.zone());
        }
        if (e.hasCounters()) {
            out.append(PACKETS).appendDecimal(e.packetsReply()).append(BYTES).appendDecimal(e.bytesReply());
        }
        if (status >= 0) {
            if ((status & HW_OFFLOAD_BIT) != 0) {
                out.append(HW_OFFLOAD);
            } else if ((status & OFFLOAD_BIT) != 0) {
                out.append(OFFLOAD);
            } else if ((status & ASSURED_BIT) != 0) {
                out.append(ASSURED);
            }
        }
        if (e.mark() >= 0) {
            out.append(MARK).appendDecimal(e.mark());
        }
        if (e.secmark() >= 0) {
            out.append(SECMARK).appendDecimal(e.secmark());
        }
        if (e.zone() >= 0) {
            out.append(ZONE).appendDecimal(e.zone());
        }
        if (e.hasStart()) {
            // conntrack counts a live entry's age to time(2)
            long stop = e.stopNanos() != 0 ? e.stopNanos() / 1_000_000_000L : System.currentTimeMillis() / 1000;
            out.append(DELTA_TIME).appendDecimal(stop - e.startNanos() / 1_000_000_000L);
        }
        if (e.use() >= 0) {
            out.append(USE).appendDecimal(e.use());
        }
        if (id && e.id() >= 0) {
            out.append(ID).appendDecimal(e.id());
        }
        out.append((byte) '\n');
        return true;
    }

    /**
     * Whether a tuple can be printed at all: {@link ConntrackEntry#toConnection()} gives null for an
     * entry whose original tuple is not, and conntrack skips such entries too.
     *
     * @param t a tuple of the entry
     * @return whether it has a protocol and two addresses of one family
     */
    static boolean usable(TupleView t) {
        return t.present() && t.protocol() >= 0 && t.sourceLength() != 0 && t.sourceLength() == t.destinationLength();
    }

    private void tuple(LineBuffer out, TupleView t, int protocol) {
        out.append(SRC);
        if (t.sourceLength() == 4) {
            out.appendIpv4(t.sourceIPv4()).append(DST).appendIpv4(t.destinationIPv4());
        } else {
            t.source(address);
            ipv6(out);
            out.append(DST);
            t.destination(address);
            ipv6(out);
        }
        switch (L4Protocol.keyKind(protocol)) {
            case PORTS -> out.append(SPORT).appendDecimal(Math.max(0, t.sourcePort()))
                    .append(DPORT).appendDecimal(Math.max(0, t.destinationPort()));
            case GRE -> out.append(SRCKEY).appendHex(Math.max(0, t.sourcePort()))
                    .append(DSTKEY).appendHex(Math.max(0, t.destinationPort()));
            case ICMP -> out.append(TYPE).appendByteValue(Math.max(0, t.icmpType()))
                    .append(CODE).appendByteValue(Math.max(0, t.icmpCode()))
                    .append(ID).appendDecimal(Math.max(0, t.icmpId()));
            case NONE -> {
            }
        }
    }

    /** IPv6 goes through core's inet_ntop rules (rare enough in tables to allow one small object). */
    private void ipv6(LineBuffer out) {
        ipv6.setLength(0);
        IpAddress.ofIpv6(longAt(0), longAt(8)).appendTo(ipv6);
        out.appendAscii(ipv6);
    }

    private long longAt(int at) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | (address[at + i] & 0xFF);
        }
        return v;
    }

    /** libnetfilter_conntrack prints NONE for a state number it has no name for. */
    private static byte[] name(byte[][] names, int state) {
        if (state < 0) {
            return null;
        }
        return names[Math.min(state, names.length - 1)];
    }

    /** Names by state number; the kernel's states are u8, the last slot stands for all unknown ones. */
    private static byte[][] names(String none) {
        byte[][] table = new byte[257][];
        Arrays.fill(table, ascii(none));
        return table;
    }

    private static byte[] padded(String name, int number) {
        StringBuilder s = new StringBuilder(name);
        while (s.length() < 8) {
            s.append(' ');
        }
        return ascii(s.append(' ').append(number).append(' ').toString());
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}

package io.conntrack4j.examples.cli;

import io.conntrack4j.core.format.CachedConnection;
import io.conntrack4j.core.format.ConntrackdDumpFormat;
import io.conntrack4j.sync.ConntrackCodec;
import io.conntrack4j.sync.DataMessage;
import io.conntrack4j.sync.ExpectationCodec;
import io.conntrack4j.sync.MessageHandler;
import io.conntrack4j.sync.MessageHeader;
import io.conntrack4j.sync.MessageKind;
import io.conntrack4j.sync.ReceiveCounters;
import java.io.PrintStream;

/**
 * The lines of {@code ct4j sync-decode}: one per message, rejection or note, each starting with
 * the capture time and {@code SRC > DST PROTO}, then a keyword in capitals, then {@code key=value}
 * fields, so that {@code grep ' CT_NEW '} or {@code awk '$6 == "REJECT"'} select cleanly.
 *
 * <p>Kept in the CLI rather than conntrack-sync: the layout is a presentation choice of this tool,
 * and the reusable parts (decoding, validation, counters) are already sync's public API.
 */
final class SyncMessagePrinter implements MessageHandler {

    private static final String ACTIVE = " [active since ";
    private static final String[] FLAG_NAMES = {"UNUSED", "RESYNC", "NACK", "ACK", "ALIVE", "HELLO", "HELLO_BACK",
        "0x80"};
    private static final String[] COUNTER_NAMES = {"wrongVersion", "malformedHeader", "malformedPayload", "badType",
        "truncated", "badSize"};

    private final PrintStream out;
    private final ConntrackCodec connections = new ConntrackCodec();
    private final ExpectationCodec expectations = new ExpectationCodec();
    private String prefix = "";
    private long messages;
    private long undecodable;

    SyncMessagePrinter(PrintStream out) {
        this.out = out;
    }

    /** Sets the packet the next lines belong to. */
    void packet(long nanos, String source, String destination, String protocol) {
        prefix = time(nanos) + " " + source + " > " + destination + " " + protocol;
    }

    long messages() {
        return messages;
    }

    @Override
    public void onControl(MessageHeader header, MessageKind kind) {
        messages++;
        StringBuilder line = start(header, kind.name());
        if (kind != MessageKind.ALIVE) {
            line.append(" from=").append(Integer.toUnsignedString(header.from()))
                    .append(" to=").append(Integer.toUnsignedString(header.to()));
        }
        out.println(line);
    }

    @Override
    public void onData(DataMessage message) {
        messages++;
        MessageHeader header = message.header();
        StringBuilder line = start(header, header.type().name());
        String flow;
        try {
            flow = message.isExpectation()
                    ? ConntrackdDumpFormat.formatExpectation(expectations.decode(message), 0)
                    : ConntrackdDumpFormat.formatExternal(connections.decode(message), 0, CachedConnection.NO_EXPIRY);
            int active = flow.lastIndexOf(ACTIVE);
            flow = active >= 0 ? flow.substring(0, active) : flow;
        } catch (RuntimeException e) {
            // conntrackd would accept the message, yet it does not make a printable flow (e.g. no
            // tuple): say so instead of failing the whole capture.
            undecodable++;
            flow = "UNDECODABLE reason=\"" + e.getMessage() + "\"";
        }
        out.println(line.append(" flow: ").append(flow));
    }

    /** The rejection counters, for {@link #rejections} to compare against later. */
    static long[] snapshot(ReceiveCounters c) {
        return new long[] {c.wrongVersion(), c.malformedHeader(), c.malformedPayload(), c.badType(), c.truncated(),
            c.badSize()};
    }

    /**
     * Prints a line per counter that grew since {@code before}. The decoder keeps only its last
     * reason, so when one packet has several rejections the reason describes the last of them.
     */
    void rejections(long[] before, ReceiveCounters now, String reason) {
        long[] after = snapshot(now);
        for (int i = 0; i < COUNTER_NAMES.length; i++) {
            rejection(COUNTER_NAMES[i], after[i] - before[i], reason);
        }
    }

    private void rejection(String counter, long count, String reason) {
        if (count > 0) {
            out.println(prefix + " REJECT counter=" + counter + " count=" + count + " reason=\"" + reason + "\"");
        }
    }

    /** A line about the capture rather than a message (skipped TCP segment, unparsable packet). */
    void note(String text) {
        out.println(prefix + " NOTE " + text);
    }

    void summary(long packets, long syncPackets, long notes, ReceiveCounters counters) {
        out.println("SUMMARY packets=" + packets + " syncPackets=" + syncPackets + " messages=" + messages
                + " undecodable=" + undecodable + " notes=" + notes + " " + counters);
    }

    private StringBuilder start(MessageHeader header, String type) {
        StringBuilder line = new StringBuilder(256).append(prefix).append(' ').append(type).append(" flags=");
        int flags = header.flags();
        if (flags == 0) {
            line.append('-');
        }
        for (int bit = 0; bit < FLAG_NAMES.length; bit++) {
            if ((flags & 1 << bit) != 0) {
                line.append(line.charAt(line.length() - 1) == '=' ? "" : ",").append(FLAG_NAMES[bit]);
            }
        }
        return line.append(" seq=").append(Integer.toUnsignedString(header.sequence()));
    }

    static String time(long nanos) {
        long micros = Math.floorDiv(nanos, 1000L);
        return Math.floorDiv(micros, 1_000_000L) + "." + String.format("%06d", Math.floorMod(micros, 1_000_000L));
    }

}

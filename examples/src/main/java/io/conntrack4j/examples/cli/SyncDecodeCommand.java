package io.conntrack4j.examples.cli;

import io.conntrack4j.core.capture.CaptureReader;
import io.conntrack4j.core.packet.PacketView;
import io.conntrack4j.core.packet.ParseResult;
import io.conntrack4j.sync.MessageDecoder;
import io.conntrack4j.sync.ReceiveCounters;
import io.conntrack4j.core.capture.CaptureFormatException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.io.PrintStream;
import java.nio.file.Path;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * {@code ct4j sync-decode FILE [--port N]}: decodes the conntrackd sync messages in a pcap or
 * pcapng capture, checking them as conntrackd 1.4.7 does. See {@link #USAGE} for the output.
 */
final class SyncDecodeCommand {

    static final String USAGE = String.join("\n",
            "usage: ct4j sync-decode FILE [--port N]",
            "",
            "Decodes conntrackd sync messages (UDP, multicast or TCP; every port unless --port) in a pcap",
            "or pcapng capture, checked as conntrackd 1.4.7 checks them. One line per message:",
            "  TIME SRC:PORT > DST:PORT udp|tcp TYPE flags=NAMES|- seq=N [from=N to=N] [flow: LINE]",
            "TIME is seconds.microseconds (tcpdump -tt). TYPE is CT_NEW, CT_UPD, CT_DEL, EXP_NEW, EXP_UPD,",
            "EXP_DEL, ACK, NACK, RESYNC or ALIVE; from/to are printed for ACK, NACK and RESYNC. LINE is the",
            "flow as `conntrackd -e` (or `-e expect`) prints it, without the \" [active since Ns]\" suffix,",
            "which is cache state, not message content. Sequence numbers are shown, not checked: every",
            "message is decoded, including those an FTFW receiver would drop as already seen.",
            "TCP is reassembled per direction in order; retransmitted bytes and segments after a gap are",
            "skipped with a NOTE (enough for a clean capture).",
            "Rejected messages:  TIME SRC > DST PROTO REJECT counter=NAME count=N reason=\"...\"",
            "  (NAME is a `conntrackd -s network` counter: wrongVersion, malformedHeader, malformedPayload,",
            "  badType, truncated, badSize; with several rejections in one packet, reason is the last one).",
            "Skipped TCP segments and unparsable packets:  TIME SRC > DST PROTO NOTE text",
            "Last line:  SUMMARY packets=N syncPackets=N messages=N undecodable=N notes=N malformed=N ...",
            "Exit status: 0 when the capture was read (rejections are data), 1 when the file cannot be read",
            "or is not a capture, 2 on bad usage.",
            "");

    private final PrintStream out;
    private final int port;
    private final SyncMessagePrinter printer;
    private final ReceiveCounters counters = new ReceiveCounters();
    private final MessageDecoder datagrams;
    private final TcpStreamReassembler tcp;
    private final PacketView packet = new PacketView().acceptTruncatedCaptures(false);
    private final UnsafeBuffer view = new UnsafeBuffer(new byte[0]);
    private long syncPackets;
    private long notes;

    private SyncDecodeCommand(PrintStream out, int port) {
        this.out = out;
        this.port = port;
        this.printer = new SyncMessagePrinter(out);
        this.datagrams = new MessageDecoder(printer, counters, false);
        this.tcp = new TcpStreamReassembler(printer, counters);
    }

    /**
     * Runs the command.
     *
     * @param args the arguments after {@code sync-decode}
     * @param out standard output
     * @param err standard error
     * @return the exit code
     */
    static int run(String[] args, PrintStream out, PrintStream err) {
        String file = null;
        int port = -1;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--port")) {
                if (i + 1 == args.length) {
                    return usage(err, "--port needs a number");
                }
                port = parsePort(args[++i]);
                if (port < 0) {
                    return usage(err, "bad port '" + args[i] + "' (0 to 65535)");
                }
            } else if (arg.equals("-h") || arg.equals("--help")) {
                out.print(USAGE);
                return 0;
            } else if (arg.startsWith("-")) {
                return usage(err, "unknown option '" + arg + "'");
            } else if (file == null) {
                file = arg;
            } else {
                return usage(err, "unexpected argument '" + arg + "'");
            }
        }
        if (file == null) {
            return usage(err, "missing FILE");
        }
        SyncDecodeCommand command = new SyncDecodeCommand(out, port);
        try (CaptureReader reader = CaptureReader.open(Path.of(file))) {
            try {
                reader.readAll(command::onPacket);
            } catch (CaptureFormatException e) {
                // A capture cut short (tcpdump still writing, a copy interrupted): what was read
                // is still worth its summary; a file that is no capture at all gets none.
                if (reader.packetCount() > 0) {
                    command.summary(reader);
                }
                throw e;
            }
            command.summary(reader);
        } catch (CaptureFormatException e) {
            err.println("ct4j sync-decode: " + e.getMessage()); // names the file and the offset
            return 1;
        } catch (NoSuchFileException e) {
            err.println("ct4j sync-decode: " + file + ": no such file");
            return 1;
        } catch (IOException e) {
            err.println("ct4j sync-decode: " + file + ": " + e);
            return 1;
        }
        return 0;
    }

    private void summary(CaptureReader reader) {
        printer.summary(reader.packetCount(), syncPackets, notes, counters);
        out.flush();
    }

    private void onPacket(long nanos, int linkType, byte[] bytes, int offset, int length, int wireLength, int iface) {
        ParseResult result = packet.parse(linkType, bytes, offset, length);
        if (result != ParseResult.OK) {
            if (result.isError()) {
                printer.packet(nanos, "?", "?", "-");
                note("unparsable packet: " + result);
            }
            return;
        }
        int protocol = packet.protocol();
        if (protocol != 6 && protocol != 17) {
            return;
        }
        if (port >= 0 && packet.sourcePort() != port && packet.destinationPort() != port) {
            return;
        }
        String source = endpoint(packet.sourceAddress().toString(), packet.sourcePort());
        String destination = endpoint(packet.destinationAddress().toString(), packet.destinationPort());
        long[] before = SyncMessagePrinter.snapshot(counters);
        if (protocol == 17) {
            printer.packet(nanos, source, destination, "udp");
            syncPackets++;
            view.wrap(bytes, packet.payloadOffset(), packet.payloadLength());
            datagrams.onDatagram(view, 0, packet.payloadLength());
            printer.rejections(before, counters, datagrams.lastRejection());
        } else {
            printer.packet(nanos, source, destination, "tcp");
            if (packet.payloadLength() > 0) {
                syncPackets++;
            }
            String note = tcp.segment(source + " > " + destination, packet, bytes);
            if (note != null) {
                note(note);
            }
            printer.rejections(before, counters, tcp.lastRejection());
        }
    }

    private void note(String text) {
        notes++;
        printer.note(text);
    }

    private static String endpoint(String address, int port) {
        return (address.indexOf(':') >= 0 ? "[" + address + "]" : address) + ":" + port;
    }

    private static int parsePort(String text) {
        if (text.isEmpty() || text.length() > 5 || !text.chars().allMatch(Character::isDigit)) {
            return -1;
        }
        int port = Integer.parseInt(text);
        return port <= 65535 ? port : -1;
    }

    private static int usage(PrintStream err, String problem) {
        err.println("ct4j sync-decode: " + problem);
        err.print(USAGE);
        return 2;
    }

}

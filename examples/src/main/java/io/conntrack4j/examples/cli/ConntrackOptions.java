package io.conntrack4j.examples.cli;

import io.conntrack4j.core.AddressFamily;
import io.conntrack4j.core.DccpState;
import io.conntrack4j.core.EventType;
import io.conntrack4j.core.IpAddress;
import io.conntrack4j.core.L4Protocol;
import io.conntrack4j.core.ParseException;
import io.conntrack4j.core.SctpState;
import io.conntrack4j.core.StatusBit;
import io.conntrack4j.core.TcpState;
import io.conntrack4j.core.format.LabelMap;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The part of conntrack(8)'s command line that ct4j implements, parsed the way conntrack 1.4.7
 * parses it (getopt_long: {@code -fipv4}, {@code --family ipv4} and {@code --family=ipv4} are the
 * same; a later {@code -p} wins; protocol options such as {@code --sport} exist only after
 * {@code -p}; numbers are read like strtoul, garbage giving 0; the error texts are conntrack's).
 * Options a command does not take are refused in conntrack's order, naming the first.
 */
final class ConntrackOptions {
    /** conntrack's option table order, which is also the order its checks report problems in. */
    private static final String[] CHECKED = {
        "--src", "--dst", "--reply-src", "--reply-dst", "--protonum", "--timeout", "--status", "--zero",
        "--event-mask", "--tuple-src", "--tuple-dst", "--mask-src", "--mask-dst", "--nat-range", "--mark", "--id",
        "--family", "--src-nat", "--dst-nat", "--output", "--secmark", "--buffer-size", "--any-nat", "--zone",
        "--label", "--label-add", "--label-del", "--orig-zone", "--reply-zone"};
    private static final int ZERO_COLUMN = List.of(CHECKED).indexOf("--zero");
    /**
     * Per command, per {@link #CHECKED} option: 0 illegal, 1 mandatory, 2 optional (conntrack 1.4.7's
     * table, whose "decided later" tuple entries of -I and -G are optional here and checked by
     * {@link #checkTuple()}).
     */
    private static final String LIST_RULES = "22222022000220202222202220022";
    private static final String COUNT_RULES = "00000000000000000000000000000";
    private static final String CREATE_RULES = "22221120000002200220000202022";
    private static final String UPDATE_RULES = "22222220000220222222000022200";
    private static final String DELETE_RULES = "22222220000220222222000220022";
    private static final String GET_RULES = "22221000000000020002000020000";
    private static final String FLUSH_RULES = "00000000000000002000000000000";
    private static final String EVENT_RULES = "22222000200220202222222220022";
    private static final String STATS_RULES = "00000000000000000000000000000";
    private static final String HELP_RULES = "00002000000000000000000000000";
    /** conntrack 1.4.7's rows for the expectation table ({@code -L expect}, ...), same columns. */
    private static final String EXPECT_LIST_RULES = "00000000000000002002000000000";
    private static final String EXPECT_CREATE_RULES = "11221120011110000000000000000";
    private static final String EXPECT_TUPLE_RULES = "11221000000000000000000000000";
    private static final String EXPECT_EVENT_RULES = "00000000000000000002000000000";
    /**
     * The protocol options of TCP (without {@code --state}: UDP and UDP-Lite) in the order
     * conntrack's extensions check them, and per expectation command: 0 illegal, 1 mandatory.
     */
    private static final String[] PORT_OPTIONS = {"--sport", "--dport", "--reply-port-src", "--reply-port-dst",
        "--mask-port-src", "--mask-port-dst", "--state", "--tuple-port-src", "--tuple-port-dst"};
    private static final String PORT_EXPECT_CREATE_RULES = "110011011";
    /** SCTP's options (TCP's, then the verification tags) in its extension's order. */
    private static final String[] SCTP_OPTIONS = {"--sport", "--dport", "--reply-port-src", "--reply-port-dst",
        "--mask-port-src", "--mask-port-dst", "--state", "--tuple-port-src", "--tuple-port-dst", "--orig-vtag",
        "--reply-vtag"};
    /** DCCP's options (TCP's, then the role). */
    private static final String[] DCCP_OPTIONS = {"--sport", "--dport", "--reply-port-src", "--reply-port-dst",
        "--mask-port-src", "--mask-port-dst", "--state", "--tuple-port-src", "--tuple-port-dst", "--role"};
    /** GRE's options: keys where the others have ports. */
    private static final String[] GRE_OPTIONS = {"--srckey", "--dstkey", "--reply-key-src", "--reply-key-dst",
        "--mask-key-src", "--mask-key-dst", "--tuple-key-src", "--tuple-key-dst"};
    private static final String[] SCTP_STATES = {"NONE", "CLOSED", "COOKIE_WAIT", "COOKIE_ECHOED", "ESTABLISHED",
        "SHUTDOWN_SENT", "SHUTDOWN_RECD", "SHUTDOWN_ACK_SENT"};
    private static final String[] DCCP_STATES = {"NONE", "REQUEST", "RESPOND", "PARTOPEN", "OPEN", "CLOSEREQ",
        "CLOSING", "TIMEWAIT", "IGNORE", "INVALID"};
    private static final String PORT_EXPECT_TUPLE_RULES = "111100000";
    private static final String[] LONG_OPTIONS = {
        "--dump", "--count", "--create", "--update", "--delete", "--get", "--flush", "--family", "--proto",
        "--protonum", "--output", "--src", "--orig-src", "--dst", "--orig-dst", "--reply-src", "--reply-dst",
        "--timeout", "--status", "--mark", "--zone", "--sport", "--orig-port-src", "--dport", "--orig-port-dst",
        "--reply-port-src", "--reply-port-dst", "--state", "--icmp-type", "--icmp-code", "--icmp-id",
        "--icmpv6-type", "--icmpv6-code", "--icmpv6-id", "--event", "--stats", "--event-mask", "--buffer-size",
        "--src-nat", "--dst-nat", "--any-nat", "--orig-zone", "--reply-zone", "--tuple-src", "--tuple-dst",
        "--mask-src", "--mask-dst", "--mask-port-src", "--mask-port-dst", "--tuple-port-src", "--tuple-port-dst",
        "--label", "--label-add", "--label-del", "--zero", "--add", "--version", "--help", "--nat-range", "--secmark",
        "--id", "--orig-vtag", "--reply-vtag", "--role", "--srckey", "--dstkey", "--orig-key-src", "--orig-key-dst",
        "--reply-key-src", "--reply-key-dst", "--mask-key-src", "--mask-key-dst", "--tuple-key-src", "--tuple-key-dst"};
    /** Where conntrack (libnetfilter_conntrack) reads label names from. */
    static final Path CONNLABEL_CONF = Path.of("/etc/xtables/connlabel.conf");
    private static final Set<String> NAT_OPTIONS = Set.of("--src-nat", "--dst-nat", "--any-nat");

    /** What to do. */
    enum Command {
        /** {@code -L}, {@code --dump}: list the table. */
        LIST(LIST_RULES, EXPECT_LIST_RULES),
        /** {@code -C}, {@code --count}: print the number of entries. */
        COUNT(COUNT_RULES, COUNT_RULES),
        /** {@code -I}, {@code --create}: create one entry. */
        CREATE(CREATE_RULES, EXPECT_CREATE_RULES),
        /** {@code -U}, {@code --update}: update the entries that match (no expectation form). */
        UPDATE(UPDATE_RULES, null),
        /** {@code -D}, {@code --delete}: delete the entries that match (one expectation by tuple). */
        DELETE(DELETE_RULES, EXPECT_TUPLE_RULES),
        /** {@code -G}, {@code --get}: print one entry by tuple. */
        GET(GET_RULES, EXPECT_TUPLE_RULES),
        /** {@code -F}, {@code --flush}: empty the table. */
        FLUSH(FLUSH_RULES, FLUSH_RULES.replace('2', '0')),
        /** {@code -E}, {@code --event}: print events until killed. */
        EVENT(EVENT_RULES, EXPECT_EVENT_RULES),
        /** {@code -S}, {@code --stats}: print the per-CPU counters. */
        STATS(STATS_RULES, STATS_RULES),
        /** {@code -A}, {@code --add}: create one entry, or leave an existing one as it is. */
        ADD(CREATE_RULES, null),
        /** {@code -V}, {@code --version}: print conntrack's version line. */
        VERSION(STATS_RULES, STATS_RULES),
        /** {@code -h}, {@code --help}, or no command at all: print conntrack's usage ({@code -p}: and its options). */
        HELP(HELP_RULES, HELP_RULES);

        private final String rules;
        private final String expectRules;

        Command(String rules, String expectRules) {
            this.rules = rules;
            this.expectRules = expectRules;
        }
    }

    private Command command;
    private AddressFamily family;
    private int protocol = -1;
    /** Whether -p loaded one of conntrack's protocol extensions, which bring the protocol's options. */
    private boolean protocolExtension;
    private boolean extended;
    private boolean id;
    private boolean kernelTimestamps;
    private IpAddress source;
    private IpAddress destination;
    private IpAddress replySource;
    private IpAddress replyDestination;
    private int sourcePort = -1;
    private int destinationPort = -1;
    private int replySourcePort = -1;
    private int replyDestinationPort = -1;
    private int icmpType = -1;
    private int icmpCode = -1;
    private int icmpId = -1;
    private TcpState state;
    private SctpState sctpState;
    private DccpState dccpState;
    private long originalVtag = -1;
    private long replyVtag = -1;
    private long timeout = -1;
    private int status = -1;
    private int statusMask;
    private int originalZone = -1;
    private int replyZone = -1;
    private NatFilter sourceNat;
    private NatFilter destinationNat;
    private boolean anyNat;
    private List<String> warnings = new ArrayList<>();
    private long mark = -1;
    private long markMask = 0xFFFFFFFFL;
    private int zone = -1;
    private Set<EventType> events = EnumSet.allOf(EventType.class);
    private long bufferSize = -1;
    private boolean timestamps;
    private boolean xml;
    private boolean save;
    private boolean zero;
    private boolean labels;
    private LabelMap labelMap;
    private long[] labelFilter;
    private long[] labelAdd;
    private long[] labelDel;
    private long secmark = -1;
    private long idFilter = -1;
    private boolean crashed;
    private boolean commandless;

    private long updateMark = -1;
    private long updateMarkMask = 0xFFFFFFFFL;
    private boolean labelDelGiven;
    private boolean expect;
    private String specialList;
    private IpAddress tupleSource;
    private IpAddress tupleDestination;
    private IpAddress maskSource;
    private IpAddress maskDestination;
    private int tupleSourcePort = -1;
    private int tupleDestinationPort = -1;
    private int maskSourcePort = -1;
    private int maskDestinationPort = -1;
    private int tupleProtocol = -1;
    private final List<String> protocolGiven = new ArrayList<>();
    private final boolean[] given = new boolean[CHECKED.length];

    private ConntrackOptions() {
    }

    /** @return the command */
    Command command() {
        return command;
    }

    /** @return the {@code -f} family, or the addresses' family, or null for both */
    AddressFamily family() {
        return family;
    }

    /** @return the {@code -p} protocol number, or -1 for all */
    int protocol() {
        return protocol;
    }

    /** @return {@code -o extended} */
    boolean extended() {
        return extended;
    }

    /** @return {@code -o id} */
    boolean id() {
        return id;
    }

    /** @return {@code -o ktimestamp} */
    boolean kernelTimestamps() {
        return kernelTimestamps;
    }

    /** @return {@code -s}, or null */
    IpAddress source() {
        return source;
    }

    /** @return {@code -d}, or null */
    IpAddress destination() {
        return destination;
    }

    /** @return {@code -r}, or null */
    IpAddress replySource() {
        return replySource;
    }

    /** @return {@code -q}, or null */
    IpAddress replyDestination() {
        return replyDestination;
    }

    /** @return {@code --sport}, or -1 */
    int sourcePort() {
        return sourcePort;
    }

    /** @return {@code --dport}, or -1 */
    int destinationPort() {
        return destinationPort;
    }

    /** @return {@code --reply-port-src}, or -1 */
    int replySourcePort() {
        return replySourcePort;
    }

    /** @return {@code --reply-port-dst}, or -1 */
    int replyDestinationPort() {
        return replyDestinationPort;
    }

    /** @return {@code --icmp-type}, or -1 */
    int icmpType() {
        return icmpType;
    }

    /** @return {@code --icmp-code}, or -1 */
    int icmpCode() {
        return icmpCode;
    }

    /** @return {@code --icmp-id}, or -1 */
    int icmpId() {
        return icmpId;
    }

    /** @return the SCTP state of {@code -p sctp --state}, or null */
    SctpState sctpState() {
        return sctpState;
    }

    /** @return the DCCP state of {@code -p dccp --state}, or null */
    DccpState dccpState() {
        return dccpState;
    }

    /** @return {@code --orig-vtag} as an unsigned 32-bit value, or -1 */
    long originalVtag() {
        return originalVtag;
    }

    /** @return {@code --reply-vtag} as an unsigned 32-bit value, or -1 */
    long replyVtag() {
        return replyVtag;
    }

    /** @return {@code --state}, or null */
    TcpState state() {
        return state;
    }

    /** @return {@code -t} seconds, or -1 */
    long timeout() {
        return timeout;
    }

    /** @return {@code -u} status bits, or -1 */
    int status() {
        return status;
    }

    /**
     * The bits {@code -L -u} compares: {@code !NAME} and {@code UNREPLIED} words, or else the named
     * bits; an entry is listed when {@code (status & statusMask) == status()}. conntrack sends the
     * pair to the kernel, which refuses a zero mask (as after {@code -u UNSET}).
     *
     * @return the mask
     */
    int statusMask() {
        return statusMask;
    }

    /** @return {@code --orig-zone}, or -1 */
    int originalZone() {
        return originalZone;
    }

    /** @return {@code --reply-zone}, or -1 */
    int replyZone() {
        return replyZone;
    }

    /** @return {@code --src-nat [ADDRESS][:PORT]} (or {@code --any-nat}'s), or null */
    NatFilter sourceNat() {
        return sourceNat;
    }

    /** @return {@code --dst-nat [ADDRESS][:PORT]} (or {@code --any-nat}'s), or null */
    NatFilter destinationNat() {
        return destinationNat;
    }

    /** @return {@code --any-nat}: either NAT will do */
    boolean anyNat() {
        return anyNat;
    }

    /**
     * A NAT filter: an entry passes when it is NATed that way, and, when given, to that address
     * and port.
     *
     * @param address the translated address, or null for any
     * @param port the translated port, or -1 for any
     */
    record NatFilter(IpAddress address, int port) {
    }

    private void nat(String canonical, String value) throws CommandLineException {
        for (int k = 0; k < CHECKED.length; k++) {
            if (CHECKED[k].equals(canonical)) {
                given[k] = true;
            }
        }
        NatFilter filter = value == null ? new NatFilter(null, -1) : natFilter(canonical, value);
        switch (canonical) {
            case "--src-nat" -> sourceNat = filter;
            case "--dst-nat" -> destinationNat = filter;
            default -> {
                anyNat = true;
                sourceNat = filter;
                destinationNat = filter;
            }
        }
    }

    /** ADDRESS, ADDRESS:PORT or [IPV6]:PORT, as conntrack splits it. */
    private NatFilter natFilter(String option, String value) throws CommandLineException {
        String address = value;
        String port = null;
        int open = value.indexOf('[');
        if (open >= 0) {
            int close = value.indexOf(']', open + 1);
            if (close == open + 1) {
                throw new CommandLineException("No IPv6 address specified");
            }
            if (close < 0) {
                throw new CommandLineException("No closing ']' around IPv6 address");
            }
            int colon = value.indexOf(':', close);
            if (colon >= 0) {
                address = value.substring(open + 1, close);
                port = value.substring(colon + 1);
            }
        } else {
            int colon = value.indexOf(':');
            if (colon >= 0 && value.indexOf(':', colon + 1) < 0) {
                address = value.substring(0, colon);
                port = value.substring(colon + 1);
            }
        }
        int portNumber = -1;
        if (port != null) {
            if (port.isEmpty()) {
                throw new CommandLineException("No port specified after `:'");
            }
            if (!port.chars().allMatch(ch -> ch >= '0' && ch <= '9') || port.length() > 5
                    || Integer.parseInt(port) > 0xFFFF) {
                throw new CommandLineException("Invalid port `" + port + "'");
            }
            portNumber = Integer.parseInt(port);
        }
        return new NatFilter(address(option, address, null), portNumber);
    }

    /** @return warnings conntrack prints on stderr while parsing (SRC_NAT/DST_NAT words) */
    List<String> warnings() {
        return warnings;
    }

    /** @return {@code -m} mark (unsigned 32-bit), or -1 */
    long mark() {
        return mark;
    }

    /** @return the mask of {@code -m MARK/MASK}, all ones without one */
    long markMask() {
        return markMask;
    }

    /** @return {@code -w} zone, or -1 */
    int zone() {
        return zone;
    }

    /** @return the {@code -e} event types (all without {@code -e}) */
    Set<EventType> events() {
        return events;
    }

    /** @return the {@code -b} receive buffer size in bytes, or -1 */
    long bufferSize() {
        return bufferSize;
    }

    /** @return {@code -o save}: conntrack command lines that recreate the entries */
    boolean save() {
        return save;
    }

    /** @return {@code -z}: zero the counters of the entries listed */
    boolean zero() {
        return zero;
    }

    /** @return {@code -o xml} */
    boolean xml() {
        return xml;
    }

    /** @return {@code -o timestamp}: events start with the time they were printed */
    boolean timestamps() {
        return timestamps;
    }

    /**
     * The label names, loaded from connlabel.conf as soon as an option needs them ({@code -o labels},
     * {@code -l}, {@code --label-add}); conntrack then prints the labels of every entry.
     *
     * @return the names, or null when no option needed them or the file could not be read
     */
    LabelMap labelMap() {
        return labelMap;
    }

    /** @return the label bits {@code -l} asks for, {low, high} (all of them must be set), or null */
    long[] labelFilter() {
        return labelFilter;
    }

    /**
     * {@code --label-del}: the label bits to clear, {low, high}; null with {@link #labelDelGiven()}
     * when no name was given, which clears every label.
     *
     * @return the bits, or null
     */
    long[] labelDel() {
        return labelDel;
    }

    /** @return the mark value {@code -U} applies (after {@link #useTemplateOf}), or -1 */
    long updateMark() {
        return updateMark >= 0 || mark < 0 ? updateMark : mark;
    }

    /** @return the mark mask {@code -U} applies (after {@link #useTemplateOf}) */
    long updateMarkMask() {
        return updateMark >= 0 ? updateMarkMask : markMask;
    }

    /**
     * {@code -R}: conntrack 1.4.7 parses every line of the file first, and its -U and label
     * filters then read the mark and labels of the template of the last line parsed, not of their
     * own line (a line's own -m still decides whether -U changes marks, and its own
     * --label-add/--label-del whether it changes labels).
     *
     * @param last the options of the file's last command line
     */
    void useTemplateOf(ConntrackOptions last) {
        if (mark >= 0) {
            updateMark = last.mark >= 0 ? last.mark : 0;
            updateMarkMask = last.mark >= 0 ? last.markMask : 0;
        }
        labelFilter = last.labelFilter;
        long[] modify = last.labelAdd != null ? last.labelAdd : last.labelDel;
        if (labelAdd != null) {
            labelAdd = modify == null ? new long[2] : modify;
        }
        if (labelDelGiven) {
            labelDel = modify;
        }
    }

    /** @return whether the line had no command (and so means conntrack's usage) */
    boolean commandless() {
        return commandless;
    }

    /** @return the {@code -i} id the entries must have, or -1 */
    long idFilter() {
        return idFilter;
    }

    /** @return {@code -c}, or -1 (accepted, and filters nothing) */
    long secmark() {
        return secmark;
    }

    /**
     * Whether conntrack 1.4.7 dies of SIGSEGV on this command line ({@code --id} without
     * {@code =VALUE}): ct4j then prints nothing more and exits 139, as a shell reports it.
     *
     * @return whether to fail as conntrack does
     */
    boolean crashed() {
        return crashed;
    }

    /** @return whether {@code -p} named one of conntrack's protocol extensions (by name or number) */
    boolean protocolExtension() {
        return protocolExtension;
    }

    /** @return whether {@code --label-del} was given, with or without names */
    boolean labelDelGiven() {
        return labelDelGiven;
    }

    /** @return the label bits of {@code --label-add}, {low, high}, or null */
    long[] labelAdd() {
        return labelAdd;
    }

    /**
     * The kernel list {@code -L dying} or {@code -L unconfirmed} names: entries being destroyed, or
     * not yet confirmed by a packet leaving the stack (always empty since Linux 6.2).
     *
     * @return "dying", "unconfirmed", or null for the table itself
     */
    String specialList() {
        return specialList;
    }

    /** @return whether the command works on the expectation table ({@code -L expect}) */
    boolean expect() {
        return expect;
    }

    /** @return {@code --tuple-src}, the expected connection's source, or null */
    IpAddress tupleSource() {
        return tupleSource;
    }

    /** @return {@code --tuple-dst}, or null */
    IpAddress tupleDestination() {
        return tupleDestination;
    }

    /** @return {@code --mask-src}, or null */
    IpAddress maskSource() {
        return maskSource;
    }

    /** @return {@code --mask-dst}, or null */
    IpAddress maskDestination() {
        return maskDestination;
    }

    /** @return {@code --tuple-port-src}, or -1 */
    int tupleSourcePort() {
        return tupleSourcePort;
    }

    /** @return {@code --tuple-port-dst}, or -1 */
    int tupleDestinationPort() {
        return tupleDestinationPort;
    }

    /** @return {@code --mask-port-src}, or -1 */
    int maskSourcePort() {
        return maskSourcePort;
    }

    /** @return {@code --mask-port-dst}, or -1 */
    int maskDestinationPort() {
        return maskDestinationPort;
    }

    /**
     * The expected tuple's protocol as conntrack 1.4.7 sends it for {@code -I expect}: the
     * protocol of {@code -p}, except for TCP, whose extension stores the last {@code --tuple-port-*}
     * (in network byte order, cut to its first byte) as the protocol number, so that
     * {@code --tuple-port-dst 7002} makes a protocol-27 expectation.
     *
     * @return the protocol number
     */
    int expectedProtocol() {
        boolean quirk = protocol == L4Protocol.TCP_NUMBER || protocol == L4Protocol.SCTP_NUMBER
                || protocol == L4Protocol.DCCP_NUMBER;
        return quirk && tupleProtocol >= 0 ? tupleProtocol : protocol;
    }

    /**
     * Parses a command line such as {@code -L -f ipv4 -o extended,id}.
     *
     * @param args the arguments
     * @return the options
     * @throws CommandLineException with conntrack's message for what conntrack refuses, or for what
     *     ct4j does not implement yet
     */
    static ConntrackOptions parse(String[] args) throws CommandLineException {
        return parse(args, new ArrayList<>());
    }

    /**
     * Parses, collecting the warnings conntrack prints while it parses (they come out even when a
     * later option is refused).
     *
     * @param args the arguments
     * @param warnings where warnings are added, in order
     * @return the options
     * @throws CommandLineException as {@link #parse(String[])}
     */
    static ConntrackOptions parse(String[] args, List<String> warnings) throws CommandLineException {
        ConntrackOptions o = new ConntrackOptions();
        o.warnings = warnings;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String name;
            String value = null;
            if (arg.equals("--")) {
                // getopt's end of options: conntrack never looks at what follows
                break;
            }
            if (arg.startsWith("--")) {
                int equals = arg.indexOf('=');
                name = longName(equals < 0 ? arg : arg.substring(0, equals));
                if (equals >= 0) {
                    value = arg.substring(equals + 1);
                }
            } else if (arg.startsWith("-") && arg.length() >= 2) {
                name = arg.substring(0, 2);
                if (arg.length() > 2) {
                    value = arg.substring(2);
                }
            } else if (o.command != null && i > 0 && isTableCommand(args[i - 1]) && !arg.startsWith("-")
                    && !arg.startsWith("!")) {
                // conntrack reads a word after -L/-C/-D/... as the table to work on
                o.table(arg, o.command);
                continue;
            } else {
                // getopt moves other words aside and conntrack never looks at them
                continue;
            }
            Command next = switch (name) {
                case "-L", "--dump" -> Command.LIST;
                case "-C", "--count" -> Command.COUNT;
                case "-I", "--create" -> Command.CREATE;
                case "-U", "--update" -> Command.UPDATE;
                case "-D", "--delete" -> Command.DELETE;
                case "-G", "--get" -> Command.GET;
                case "-F", "--flush" -> Command.FLUSH;
                case "-E", "--event" -> Command.EVENT;
                case "-S", "--stats" -> Command.STATS;
                case "-V", "--version" -> Command.VERSION;
                case "-A", "--add" -> Command.ADD;
                case "-h", "--help" -> Command.HELP;
                default -> null;
            };
            if (next != null) {
                if (value != null && !name.startsWith("--")) {
                    // -Lconntrack: getopt's optional argument
                    o.table(value, next);
                } else if (value != null) {
                    throw new CommandLineException("option `" + name + "' doesn't allow an argument");
                }
                if (o.command != null) {
                    // conntrack reads the second command's table word before it sees the clash
                    if (value == null && i + 1 < args.length && !args[i + 1].startsWith("-")
                            && !args[i + 1].startsWith("!") && !isTableName(args[i + 1])) {
                        throw new CommandLineException("unknown type `" + args[i + 1] + "'");
                    }
                    throw new CommandLineException("Invalid commands combination");
                }
                o.command = next;
                continue;
            }
            if (name.equals("-z") || name.equals("--zero")) {
                if (value != null && name.equals("--zero")) {
                    throw new CommandLineException("unknown option `" + arg + "'");
                }
                o.zero = true;
                o.given[ZERO_COLUMN] = true;
                if (value != null) {
                    // getopt reads -zfoo as -z -foo: the rest is the next option
                    args = args.clone();
                    args[i--] = "-" + value;
                }
                continue;
            }
            String canonical = canonical(name, o.protocolExtension ? o.protocol : -1, arg);
            if (canonical.equals("--id") && name.startsWith("--") && value == null) {
                // conntrack 1.4.7 reads the missing optional argument of --id through a null pointer
                o.crashed = true;
                return o;
            }
            if (canonical.equals("--label-del")) {
                // like the NAT options, names come only from the next word; an attached list
                // (--label-del=NAME) is dropped by conntrack, which then clears every label
                o.labelDel(i + 1 < args.length && !args[i + 1].startsWith("-") && !args[i + 1].startsWith("!")
                        ? args[++i] : null);
                continue;
            }
            if (NAT_OPTIONS.contains(canonical)) {
                // conntrack reads the address only from the next word (unless it looks like an
                // option); an attached one (-nADDR, --src-nat=ADDR) is accepted and ignored
                value = null;
                if (i + 1 < args.length && !args[i + 1].startsWith("-") && !args[i + 1].startsWith("!")) {
                    value = args[++i];
                }
                o.nat(canonical, value);
                continue;
            }
            if (value == null) {
                if (i + 1 >= args.length) {
                    throw new CommandLineException("option `" + name + "' requires an argument");
                }
                value = args[++i];
            }
            o.apply(canonical, value);
            if (o.crashed) {
                return o;
            }
            if (isProtocolOption(canonical)) {
                o.protocolGiven.add(o.protocol == L4Protocol.ICMPV6_NUMBER ? canonical.replace("--icmp-", "--icmpv6-")
                        : canonical);
            }
        }
        if (o.anyNat && (o.given[indexOf("--src-nat")] || o.given[indexOf("--dst-nat")])) {
            throw new CommandLineException("cannot specify `--src-nat' or `--dst-nat' with `--any-nat'");
        }
        // without a command every option is illegal, and that is reported first
        String rules = o.command == null ? COUNT_RULES : o.expect ? o.command.expectRules : o.command.rules;
        for (int k = 0; k < CHECKED.length; k++) {
            char rule = rules.charAt(k);
            if (o.given[k] && rule == '0') {
                throw new CommandLineException("Illegal option `" + CHECKED[k] + "' with this command");
            }
            if (!o.given[k] && rule == '1') {
                throw new CommandLineException("You need to supply the `" + CHECKED[k] + "' option for this command");
            }
        }
        if (o.command == null) {
            // conntrack prints its usage when it was given no command (and nothing illegal)
            o.command = Command.HELP;
            o.commandless = true;
        }
        boolean tupleCommand = o.command == Command.CREATE || o.command == Command.ADD || o.command == Command.GET;
        if (!o.expect && !tupleCommand && o.hasCheckedExtension()) {
            o.checkExtension(o.command);
        }
        if (o.expect) {
            o.checkExpectationProtocolOptions();
        } else if (o.command == Command.CREATE || o.command == Command.ADD || o.command == Command.GET) {
            o.checkTuple();
        }
        if (o.expect && o.save) {
            // conntrack ignores save for expectations and prints plain lines
            o.save = false;
        }
        if (o.expect && o.command == Command.EVENT && o.xml && o.timestamps) {
            throw new CommandLineException("-E expect -o xml,timestamp is not implemented by ct4j yet");
        }
        if ((o.xml || o.save) && o.command != Command.LIST && !(o.xml && o.command == Command.EVENT)
                && !((o.command == Command.GET || o.command == Command.DELETE) && !o.expect)) {
            throw new CommandLineException("-o " + (o.xml ? "xml" : "save") + " is not implemented by ct4j yet for this command");
        }
        o.checkNetworkMasks();
        return o;
    }

    /**
     * What conntrack checks when it sets up its network filter, after the command line: a mask
     * needs its address. The expectation commands and the special lists set up none.
     */
    private void checkNetworkMasks() throws CommandLineException {
        boolean filters = !expect && specialList == null && (command == Command.LIST || command == Command.UPDATE
                || command == Command.DELETE || command == Command.EVENT);
        if (!filters) {
            return;
        }
        if (maskSource != null && source == null) {
            throw new CommandLineException("Can't use --mask-src without --src");
        }
        if (maskDestination != null && destination == null) {
            throw new CommandLineException("Can't use --mask-dst without --dst");
        }
    }

    private static boolean isProtocolOption(String canonical) {
        return switch (canonical) {
            case "--sport", "--dport", "--reply-port-src", "--reply-port-dst", "--mask-port-src", "--mask-port-dst",
                    "--state", "--tuple-port-src", "--tuple-port-dst", "--icmp-type", "--icmp-code", "--icmp-id",
                    "--orig-vtag", "--reply-vtag", "--role", "--srckey", "--dstkey", "--reply-key-src",
                    "--reply-key-dst", "--mask-key-src", "--mask-key-dst", "--tuple-key-src", "--tuple-key-dst" -> true;
            default -> false;
        };
    }

    /**
     * The protocol extension's check of an expectation command: every option it was given must be
     * legal, in the extension's order, then every mandatory one present. ICMP's options are all
     * illegal with expectations; protocols without options have nothing to check.
     */
    private void checkExpectationProtocolOptions() throws CommandLineException {
        if (protocol < 0) {
            return;
        }
        L4Protocol.KeyKind kind = L4Protocol.keyKind(protocol);
        if (protocolExtension && (protocol == L4Protocol.SCTP_NUMBER || protocol == L4Protocol.DCCP_NUMBER
                || protocol == L4Protocol.GRE_NUMBER)) {
            checkExtension(command);
        } else if (kind == L4Protocol.KeyKind.PORTS) {
            String rules = command == Command.CREATE ? PORT_EXPECT_CREATE_RULES
                    : command == Command.GET || command == Command.DELETE ? PORT_EXPECT_TUPLE_RULES : "000000000";
            for (int k = 0; k < PORT_OPTIONS.length; k++) {
                boolean present = protocolGiven.contains(PORT_OPTIONS[k]);
                if (present && rules.charAt(k) == '0') {
                    throw new CommandLineException("Illegal option `" + PORT_OPTIONS[k] + "' with this command");
                }
                if (!present && rules.charAt(k) == '1') {
                    throw new CommandLineException("You need to supply the `" + PORT_OPTIONS[k]
                            + "' option for this command");
                }
            }
        } else if (!protocolGiven.isEmpty()) {
            throw new CommandLineException("Illegal option `" + protocolGiven.get(0) + "' with this command");
        }
    }

    /**
     * The check of the SCTP, DCCP and GRE extensions (their tables in conntrack 1.4.7): each option
     * legal for the command, then each mandatory one present, in the extension's order; "decided
     * later" entries count as optional.
     */
    private void checkExtension(Command command) throws CommandLineException {
        String[] options;
        String rules;
        boolean onExpectations = expect;
        if (protocol == L4Protocol.GRE_NUMBER) {
            options = GRE_OPTIONS;
            rules = onExpectations ? switch (command) {
                case CREATE -> "11111111";
                case GET, DELETE -> "11110000";
                default -> "00000000";
            } : switch (command) {
                case LIST, CREATE, ADD, UPDATE, DELETE, GET, EVENT -> "22220000";
                default -> "00000000";
            };
        } else if (protocol == L4Protocol.SCTP_NUMBER) {
            options = SCTP_OPTIONS;
            rules = onExpectations ? switch (command) {
                case CREATE -> "11001101111";
                case GET, DELETE -> "11110000000";
                default -> "00000000000";
            } : switch (command) {
                case LIST, DELETE, EVENT -> "22220020000";
                case CREATE, ADD -> "22220010011";
                case UPDATE, GET -> "22220020022";
                default -> "00000000000";
            };
        } else {
            options = DCCP_OPTIONS;
            rules = onExpectations ? switch (command) {
                case CREATE -> "1100110111";
                case GET, DELETE -> "1111000000";
                default -> "0000000000";
            } : switch (command) {
                case LIST, UPDATE, DELETE, GET, EVENT -> "2222002000";
                case CREATE, ADD -> "2222001001";
                default -> "0000000000";
            };
        }
        for (int k = 0; k < options.length; k++) {
            boolean present = protocolGiven.contains(options[k]);
            if (present && rules.charAt(k) == '0') {
                throw new CommandLineException("Illegal option `" + options[k] + "' with this command");
            }
            if (!present && rules.charAt(k) == '1') {
                throw new CommandLineException("You need to supply the `" + options[k] + "' option for this command");
            }
        }
    }

    /** Whether -p loaded the SCTP, DCCP or GRE extension, whose checks {@link #checkExtension} does. */
    private boolean hasCheckedExtension() {
        return protocolExtension && (protocol == L4Protocol.SCTP_NUMBER || protocol == L4Protocol.DCCP_NUMBER
                || protocol == L4Protocol.GRE_NUMBER);
    }

    /** What conntrack checks, in its order, before it sends a create or get. */
    private void checkTuple() throws CommandLineException {
        if (source == null || destination == null) {
            throw new CommandLineException("you have to specify `--src' and `--dst'");
        }
        if (hasCheckedExtension()) {
            checkExtension(command);
            boolean keys = protocolGiven.contains(protocol == L4Protocol.GRE_NUMBER ? "--srckey" : "--sport")
                    && protocolGiven.contains(protocol == L4Protocol.GRE_NUMBER ? "--dstkey" : "--dport");
            if (!keys) {
                throw new CommandLineException(protocol == L4Protocol.GRE_NUMBER
                        ? "you have to specify `--srckey' and `--dstkey'" : "you have to specify `--sport' and `--dport'");
            }
        }
        if ((command == Command.CREATE || command == Command.ADD) && protocol == L4Protocol.TCP_NUMBER
                && state == null) {
            throw new CommandLineException("You need to supply the `--state' option for this command");
        }
        switch (L4Protocol.keyKind(protocol)) {
            case PORTS -> {
                if (sourcePort < 0 || destinationPort < 0) {
                    throw new CommandLineException("you have to specify `--sport' and `--dport'");
                }
            }
            case ICMP -> {
                String prefix = protocol == L4Protocol.ICMPV6_NUMBER ? "--icmpv6-" : "--icmp-";
                if (icmpType < 0) {
                    throw new CommandLineException("You need to supply the `" + prefix + "type' option for this command");
                }
                if (icmpCode < 0) {
                    throw new CommandLineException("You need to supply the `" + prefix + "code' option for this command");
                }
            }
            default -> {
                // GRE's keys were checked with its extension above; other protocols have none
            }
        }
    }

    private static String canonical(String name, int protocol, String arg) throws CommandLineException {
        String general = switch (name) {
            case "-f", "--family" -> "--family";
            case "-p", "--proto", "--protonum" -> "--protonum";
            case "-o", "--output" -> "--output";
            case "-s", "--src", "--orig-src" -> "--src";
            case "-d", "--dst", "--orig-dst" -> "--dst";
            case "-r", "--reply-src" -> "--reply-src";
            case "-q", "--reply-dst" -> "--reply-dst";
            case "-t", "--timeout" -> "--timeout";
            case "-u", "--status" -> "--status";
            case "-m", "--mark" -> "--mark";
            case "-w", "--zone" -> "--zone";
            case "-e", "--event-mask" -> "--event-mask";
            case "-n", "--src-nat" -> "--src-nat";
            case "-g", "--dst-nat" -> "--dst-nat";
            case "-j", "--any-nat" -> "--any-nat";
            case "-(", "--orig-zone" -> "--orig-zone";
            case "-)", "--reply-zone" -> "--reply-zone";
            case "-b", "--buffer-size" -> "--buffer-size";
            // conntrack's getopt string gives the long-only options these single-character names too
            case "-[", "--tuple-src" -> "--tuple-src";
            case "-]", "--tuple-dst" -> "--tuple-dst";
            case "-{", "--mask-src" -> "--mask-src";
            case "-}", "--mask-dst" -> "--mask-dst";
            case "-<", "--label-add" -> "--label-add";
            case "-l", "--label" -> "--label";
            case "-a", "--nat-range" -> "--nat-range";
            case "-c", "--secmark" -> "--secmark";
            case "-i", "--id" -> "--id";
            case "->", "--label-del" -> "--label-del";
            default -> null;
        };
        if (general != null) {
            return general;
        }
        // protocol options exist only once -p has loaded the protocol's extension
        L4Protocol.KeyKind kind = protocol < 0 ? null : L4Protocol.keyKind(protocol);
        boolean icmpv6 = protocol == L4Protocol.ICMPV6_NUMBER;
        String specific = switch (name) {
            case "--sport", "--orig-port-src" -> kind == L4Protocol.KeyKind.PORTS ? "--sport" : null;
            case "--dport", "--orig-port-dst" -> kind == L4Protocol.KeyKind.PORTS ? "--dport" : null;
            case "--reply-port-src" -> kind == L4Protocol.KeyKind.PORTS ? name : null;
            case "--reply-port-dst" -> kind == L4Protocol.KeyKind.PORTS ? name : null;
            case "--mask-port-src", "--mask-port-dst", "--tuple-port-src", "--tuple-port-dst" ->
                    kind == L4Protocol.KeyKind.PORTS ? name : null;
            case "--state" -> protocol == L4Protocol.TCP_NUMBER || protocol == L4Protocol.SCTP_NUMBER
                    || protocol == L4Protocol.DCCP_NUMBER ? name : null;
            case "--orig-vtag", "--reply-vtag" -> protocol == L4Protocol.SCTP_NUMBER ? name : null;
            case "--role" -> protocol == L4Protocol.DCCP_NUMBER ? name : null;
            case "--srckey", "--orig-key-src" -> kind == L4Protocol.KeyKind.GRE ? "--srckey" : null;
            case "--dstkey", "--orig-key-dst" -> kind == L4Protocol.KeyKind.GRE ? "--dstkey" : null;
            case "--reply-key-src", "--reply-key-dst", "--mask-key-src", "--mask-key-dst", "--tuple-key-src",
                    "--tuple-key-dst" -> kind == L4Protocol.KeyKind.GRE ? name : null;
            case "--icmp-type", "--icmp-code", "--icmp-id" ->
                    protocol == L4Protocol.ICMP_NUMBER ? name : null;
            case "--icmpv6-type", "--icmpv6-code", "--icmpv6-id" -> icmpv6 ? name.replace("v6", "") : null;
            default -> null;
        };
        if (specific == null) {
            throw new CommandLineException("unknown option `" + arg + "'");
        }
        return specific;
    }

    private void apply(String canonical, String value) throws CommandLineException {
        for (int k = 0; k < CHECKED.length; k++) {
            // -a is only a warning: conntrack does not count it as given
            if (CHECKED[k].equals(canonical) && !canonical.equals("--nat-range")) {
                given[k] = true;
            }
        }
        switch (canonical) {
            case "--family" -> {
                // conntrack compares only the first four characters: -f ipv4foo is ipv4
                AddressFamily parsed = value.startsWith("ipv4") ? AddressFamily.IPV4
                        : value.startsWith("ipv6") ? AddressFamily.IPV6 : null;
                if (parsed == null) {
                    throw new CommandLineException("`" + value + "' unsupported protocol");
                }
                family(parsed);
            }
            case "--protonum" -> {
                protocol = protocol(value);
                protocolExtension = hasExtension(value, protocol);
            }
            case "--output" -> output(value);
            case "--src" -> source = address("--src", value, "--mask-src");
            case "--dst" -> destination = address("--dst", value, "--mask-dst");
            case "--reply-src" -> replySource = address("--reply-src", value, null);
            case "--reply-dst" -> replyDestination = address("--reply-dst", value, null);
            case "--timeout" -> timeout = strtoul(value, 10);
            case "--status" -> status(value);
            case "--mark" -> {
                int slash = value.indexOf('/');
                mark = strtoul(slash < 0 ? value : value.substring(0, slash), 0);
                markMask = slash < 0 ? 0xFFFFFFFFL : strtoul(value.substring(slash + 1), 0);
            }
            case "--zone" -> zone = (int) (strtoul(value, 0) & 0xFFFF);
            case "--sport" -> sourcePort = port(value);
            case "--dport" -> destinationPort = port(value);
            case "--reply-port-src" -> replySourcePort = port(value);
            case "--reply-port-dst" -> replyDestinationPort = port(value);
            case "--state" -> {
                if (protocol == L4Protocol.SCTP_NUMBER) {
                    if (!List.of(SCTP_STATES).contains(value)) {
                        // conntrack 1.4.7 compares the word with its table's empty slots too and dies
                        crashed = true;
                    }
                    sctpState = SctpState.ofConntrackName(value);
                } else if (protocol == L4Protocol.DCCP_NUMBER) {
                    if (!List.of(DCCP_STATES).contains(value)) {
                        throw new CommandLineException("Unknown DCCP state `" + value + "'");
                    }
                    dccpState = DccpState.ofConntrackName(value);
                } else {
                    // conntrack 1.4.7 compares the names case-sensitively ("established" is unknown)
                    // and still takes LISTEN, the old name of state 9
                    state = value.equals("LISTEN") ? TcpState.SYN_SENT2 : TcpState.ofConntrackName(value);
                    if (state == null) {
                        throw new CommandLineException("unknown TCP state `" + value + "'");
                    }
                }
            }
            case "--orig-vtag" -> originalVtag = vtag(value);
            case "--reply-vtag" -> replyVtag = vtag(value);
            case "--role" -> {
                if (!isPrefix(value, "client") && !isPrefix(value, "server")) {
                    throw new CommandLineException("Unknown DCCP role `" + value + "'");
                }
            }
            // GRE keys go where the ports of the other protocols go
            case "--srckey" -> sourcePort = (int) (strtoul(value, 0) & 0xFFFF);
            case "--dstkey" -> destinationPort = (int) (strtoul(value, 0) & 0xFFFF);
            case "--reply-key-src" -> replySourcePort = (int) (strtoul(value, 0) & 0xFFFF);
            case "--reply-key-dst" -> replyDestinationPort = (int) (strtoul(value, 0) & 0xFFFF);
            case "--mask-key-src" -> maskSourcePort = (int) (strtoul(value, 0) & 0xFFFF);
            case "--mask-key-dst" -> maskDestinationPort = (int) (strtoul(value, 0) & 0xFFFF);
            case "--tuple-key-src" -> tupleSourcePort = (int) (strtoul(value, 0) & 0xFFFF);
            case "--tuple-key-dst" -> tupleDestinationPort = (int) (strtoul(value, 0) & 0xFFFF);
            case "--icmp-type" -> icmpType = (int) (strtoul(value, 10) & 0xFF);
            case "--icmp-code" -> icmpCode = (int) (strtoul(value, 10) & 0xFF);
            case "--icmp-id" -> icmpId = port(value);
            case "--event-mask" -> events = eventMask(value);
            case "--orig-zone" -> originalZone = (int) (strtoul(value, 0) & 0xFFFF);
            case "--reply-zone" -> replyZone = (int) (strtoul(value, 0) & 0xFFFF);
            case "--buffer-size" -> bufferSize = strtoul(value, 0);
            case "--label" -> {
                loadLabelMap();
                labelFilter = merge(labelFilter, labelBits(value));
            }
            case "--label-add" -> {
                loadLabelMap();
                checkLabelChange();
                labelAdd = merge(labelAdd, labelBits(value));
            }
            case "--nat-range" -> warnings.add("WARNING: ignoring -a, deprecated option.");
            // the kernel never sends a secmark (only its security context), so -c filters nothing
            case "--secmark" -> secmark = strtoul(value, 0);
            case "--id" -> idFilter = strtoul(value, 0);
            case "--tuple-src" -> tupleSource = address("--tuple-src", value, "--mask-src");
            case "--tuple-dst" -> tupleDestination = address("--tuple-dst", value, "--mask-dst");
            case "--mask-src" -> maskSource = address("--mask-src", value, null);
            case "--mask-dst" -> maskDestination = address("--mask-dst", value, null);
            case "--mask-port-src" -> maskSourcePort = port(value);
            case "--mask-port-dst" -> maskDestinationPort = port(value);
            case "--tuple-port-src" -> {
                tupleSourcePort = port(value);
                tupleProtocol = tupleSourcePort >> 8;
            }
            case "--tuple-port-dst" -> {
                tupleDestinationPort = port(value);
                tupleProtocol = tupleDestinationPort >> 8;
            }
            default -> throw new CommandLineException("unknown option `" + canonical + "'");
        }
    }

    private void family(AddressFamily parsed) throws CommandLineException {
        if (family != null && family != parsed) {
            throw new CommandLineException("mismatched address family");
        }
        family = parsed;
    }

    /**
     * An address option as conntrack reads it: ADDRESS, or ADDRESS/PREFIX for the options that
     * have a mask option ({@code -s} and {@code --tuple-src} set {@code --mask-src}, {@code -d} and
     * {@code --tuple-dst} set {@code --mask-dst}); a full-length prefix is the plain address.
     *
     * @param option the option's long name, for conntrack's message
     * @param maskOption the mask option a prefix sets, or null when the option takes none
     */
    private IpAddress address(String option, String value, String maskOption) throws CommandLineException {
        // conntrack first copies the argument into an INET6_ADDRSTRLEN (46 byte) buffer
        String text = value.length() > 45 ? value.substring(0, 45) : value;
        int slash = text.indexOf('/');
        int prefix = slash < 0 ? NO_PREFIX : prefixLength(text.substring(slash + 1));
        String addressText = slash < 0 ? text : text.substring(0, slash);
        IpAddress parsed = InetAton.parse(addressText);
        if (parsed == null) {
            try {
                parsed = IpAddress.parse(addressText);
            } catch (ParseException e) {
                parsed = null;
            }
            if (parsed == null || parsed.isIpv4()) {
                throw new CommandLineException("Invalid IP address `" + value + "'");
            }
        }
        if (prefix > parsed.family().addressBits()) {
            prefix = BAD_PREFIX;
        }
        family(parsed.family());
        if (prefix != NO_PREFIX && maskOption == null) {
            throw new CommandLineException("CIDR notation unavailable for `" + option + "'");
        }
        if (prefix == BAD_PREFIX) {
            throw new CommandLineException("Invalid netmask");
        }
        if (prefix != NO_PREFIX && prefix != parsed.family().addressBits()) {
            IpAddress mask = AddressMask.ofPrefix(parsed.family(), prefix);
            markGiven(maskOption);
            if (maskOption.equals("--mask-src")) {
                maskSource = mask;
            } else {
                maskDestination = mask;
            }
        }
        return parsed;
    }

    /** No {@code /PREFIX} after the address. */
    private static final int NO_PREFIX = -1;
    /** A prefix conntrack calls an invalid netmask. */
    private static final int BAD_PREFIX = -2;

    /**
     * The prefix after the slash as conntrack reads it: strtol in base 10 must consume the whole
     * rest (an empty rest is 0); the long result is cut to an int, and a negative one is invalid.
     */
    static int prefixLength(String text) {
        int i = 0;
        int n = text.length();
        while (i < n && isCSpace(text.charAt(i))) {
            i++;
        }
        boolean negative = false;
        if (i < n && (text.charAt(i) == '+' || text.charAt(i) == '-')) {
            negative = text.charAt(i) == '-';
            i++;
        }
        int digits = i;
        long value = 0;
        boolean overflow = false;
        while (i < n && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
            int digit = text.charAt(i) - '0';
            if (value > (Long.MAX_VALUE - digit) / 10) {
                overflow = true;
            } else {
                value = value * 10 + digit;
            }
            i++;
        }
        if (i == digits) {
            // strtol converted nothing: the end pointer stays at the start of the text
            return n == 0 ? 0 : BAD_PREFIX;
        }
        if (i != n) {
            return BAD_PREFIX;
        }
        long result = overflow ? (negative ? Long.MIN_VALUE : Long.MAX_VALUE) : negative ? -value : value;
        int cut = (int) result;
        return cut < 0 ? BAD_PREFIX : cut;
    }

    private static boolean isCSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
    }

    /** conntrack's -o words, in its table order (a prefix picks the first that starts with it). */
    private static final String[] OUTPUT_WORDS = {"xml", "extended", "timestamp", "id", "ktimestamp", "labels",
        "userspace", "save"};
    /** conntrack's -e words. */
    private static final String[] EVENT_WORDS = {"ALL", "NEW", "UPDATES", "DESTROY"};
    /** conntrack's -u words. */
    private static final String[] STATUS_WORDS = {"ASSURED", "SEEN_REPLY", "UNSET", "FIXED_TIMEOUT", "EXPECTED",
        "OFFLOAD", "HW_OFFLOAD"};
    private static final int[] STATUS_BITS = {StatusBit.ASSURED.mask(), StatusBit.SEEN_REPLY.mask(), 0,
        StatusBit.FIXED_TIMEOUT.mask(), StatusBit.EXPECTED.mask(), StatusBit.OFFLOAD.mask(),
        StatusBit.HW_OFFLOAD.mask()};

    private void output(String value) throws CommandLineException {
        parseOutput(value);
        if (save && (extended || id || kernelTimestamps || timestamps || xml || labels)) {
            throw new CommandLineException(
                    "cannot combine save output with any other output type, use -o save only", true);
        }
    }

    private void parseOutput(String value) throws CommandLineException {
        for (String word : words(value, false)) {
            int k = lookup(word, OUTPUT_WORDS);
            switch (k < 0 ? "" : OUTPUT_WORDS[k]) {
                case "extended" -> extended = true;
                case "id" -> id = true;
                case "ktimestamp" -> kernelTimestamps = true;
                case "timestamp" -> timestamps = true;
                case "xml" -> xml = true;
                case "save" -> save = true;
                // conntrack 1.4.7 marks user-space events whether asked or not
                case "userspace", "" -> { }
                case "labels" -> {
                    labels = true;
                    loadLabelMap();
                }
                default -> throw new CommandLineException("-o " + OUTPUT_WORDS[k] + " is not implemented by ct4j yet");
            }
        }
    }

    /**
     * Reads connlabel.conf unless read already, as conntrack does on each option that needs it; when it
     * cannot, conntrack's perror line is a warning and no label has a name.
     */
    private void loadLabelMap() {
        // conntrack tries again (and warns again) on every option that needs names while it has none
        if (labelMap != null) {
            return;
        }
        try {
            labelMap = LabelMap.parse(Files.readString(CONNLABEL_CONF, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            warnings.add("nfct_labelmap_new: No such file or directory");
        } catch (IOException | ParseException e) {
            warnings.add("nfct_labelmap_new: " + e.getMessage());
        }
    }

    /** A comma list of label names as bits {low, high}; every name must be in connlabel.conf. */
    private long[] labelBits(String value) throws CommandLineException {
        long[] bits = new long[2];
        int start = 0;
        while (true) {
            int comma = value.indexOf(',', start);
            String name = value.substring(start, comma < 0 ? value.length() : comma);
            int bit = labelMap == null || name.isEmpty() ? -1 : labelMap.bit(name);
            if (bit < 0) {
                throw new CommandLineException("unknown label '" + name + "'");
            }
            bits[bit >> 6] |= 1L << (bit & 63);
            if (comma < 0) {
                return bits;
            }
            start = comma + 1;
        }
    }

    /** {@code --label-del [NAME[,...]]}: without names, every label goes. */
    private void labelDel(String names) throws CommandLineException {
        markGiven("--label-del");
        loadLabelMap();
        checkLabelChange();
        labelDelGiven = true;
        if (names != null) {
            labelDel = merge(labelDel, labelBits(names));
        }
    }

    /** conntrack refuses the second of --label-add and --label-del as soon as it reads it. */
    private void checkLabelChange() throws CommandLineException {
        if (given[indexOf("--label-add")] && given[indexOf("--label-del")]) {
            throw new CommandLineException("cannot use --label-add and --label-del at the same time", true);
        }
    }

    private void markGiven(String option) {
        given[indexOf(option)] = true;
    }

    private static int indexOf(String option) {
        for (int k = 0; k < CHECKED.length; k++) {
            if (CHECKED[k].equals(option)) {
                return k;
            }
        }
        throw new IllegalArgumentException(option);
    }

    /** conntrack joins repeated -l (or --label-add) into one set of bits. */
    private static long[] merge(long[] current, long[] more) {
        return current == null ? more : new long[] {current[0] | more[0], current[1] | more[1]};
    }

    /**
     * Splits a comma list as conntrack's parse_parameter walks it: an empty word is refused, quoting
     * the rest of the list from there; {@code negatable} lets words start with {@code !}.
     */
    private static List<String> words(String value, boolean negatable) throws CommandLineException {
        List<String> words = new ArrayList<>();
        int start = 0;
        while (true) {
            int comma = value.indexOf(',', start);
            int end = comma < 0 ? value.length() : comma;
            int wordStart = negatable && start < end && value.charAt(start) == '!' ? start + 1 : start;
            if (wordStart == end) {
                throw new CommandLineException("Bad parameter `" + value.substring(wordStart) + "'");
            }
            // each word keeps the rest of the list, for the error message
            words.add(value.substring(start));
            if (comma < 0) {
                return words;
            }
            start = comma + 1;
        }
    }

    /**
     * The index of the first name that starts with the word (up to its comma), ignoring case; -1
     * for a prefix of SRC_NAT or DST_NAT, which conntrack ignores with a warning.
     *
     * @param rest the word and the rest of the list
     */
    private int lookup(String rest, String[] names) throws CommandLineException {
        int comma = rest.indexOf(',');
        String word = comma < 0 ? rest : rest.substring(0, comma);
        for (String nat : new String[] {"SRC_NAT", "DST_NAT"}) {
            if (isPrefix(word, nat)) {
                warnings.add("WARNING: ignoring " + nat + ", use --" + nat.toLowerCase(Locale.ROOT).replace('_', '-')
                        + " instead");
                return -1;
            }
        }
        for (int k = 0; k < names.length; k++) {
            if (isPrefix(word, names[k])) {
                return k;
            }
        }
        throw new CommandLineException("Bad parameter `" + rest + "'");
    }

    /** strncasecmp(word, name, strlen(word)) == 0. */
    private static boolean isPrefix(String word, String name) {
        return word.length() <= name.length() && name.regionMatches(true, 0, word, 0, word.length());
    }

    /** conntrack -e: a comma list of (prefixes of) ALL, NEW, UPDATES, DESTROY, in any case. */
    private Set<EventType> eventMask(String value) throws CommandLineException {
        Set<EventType> types = EnumSet.noneOf(EventType.class);
        for (String word : words(value, false)) {
            int k = lookup(word, EVENT_WORDS);
            switch (k) {
                case 0 -> types.addAll(EnumSet.allOf(EventType.class));
                case 1 -> types.add(EventType.NEW);
                case 2 -> types.add(EventType.UPDATE);
                case 3 -> types.add(EventType.DESTROY);
                default -> { }
            }
        }
        return types;
    }

    /**
     * conntrack -u: a comma list of (prefixes of) the status words; {@code !WORD} adds the bit to the
     * mask only (it must be clear), a word starting with UNREPLIED asks for SEEN_REPLY clear.
     */
    private void status(String value) throws CommandLineException {
        int bits = 0;
        int mask = 0;
        for (String rest : words(value, true)) {
            boolean negated = rest.startsWith("!");
            String word = negated ? rest.substring(1) : rest;
            if (!negated && word.startsWith("UNREPLIED")) {
                mask |= StatusBit.SEEN_REPLY.mask();
                continue;
            }
            int k = lookup(word, STATUS_WORDS);
            if (k >= 0) {
                if (negated) {
                    mask |= STATUS_BITS[k];
                } else {
                    bits |= STATUS_BITS[k];
                }
            }
        }
        status = bits;
        statusMask = mask == 0 ? bits : mask;
    }

    /** conntrack keeps the low 16 bits of what strtoul read. */
    private static int port(String value) {
        return (int) (strtoul(value, 10) & 0xFFFF);
    }

    /**
     * C's strtoul as conntrack uses it: leading blanks, an optional sign, digits of the base (base
     * 0: 0x for hex, 0 for octal) up to the first other character, 0 when there are none; results
     * are cut to 32 bits.
     */
    static long strtoul(String text, int base) {
        int i = 0;
        int n = text.length();
        while (i < n && Character.isWhitespace(text.charAt(i))) {
            i++;
        }
        boolean negative = false;
        if (i < n && (text.charAt(i) == '+' || text.charAt(i) == '-')) {
            negative = text.charAt(i) == '-';
            i++;
        }
        int radix = base;
        if (base == 0) {
            if (i + 1 < n && text.charAt(i) == '0' && (text.charAt(i + 1) == 'x' || text.charAt(i + 1) == 'X')
                    && i + 2 < n && Character.digit(text.charAt(i + 2), 16) >= 0) {
                radix = 16;
                i += 2;
            } else if (i < n && text.charAt(i) == '0') {
                radix = 8;
            } else {
                radix = 10;
            }
        }
        long result = 0;
        boolean overflow = false;
        for (; i < n; i++) {
            int digit = Character.digit(text.charAt(i), radix);
            if (digit < 0 || text.charAt(i) > 0x7f) {
                break;
            }
            result = result * radix + digit;
            if (result > 0xFFFFFFFFL) {
                overflow = true;
                result = 0xFFFFFFFFL;
            }
        }
        if (overflow) {
            return 0xFFFFFFFFL;
        }
        return negative ? -result & 0xFFFFFFFFL : result;
    }

    /**
     * A vtag as conntrack's SCTP extension reads it: {@code (uint32_t) strtoul(text, NULL, 10)} on a
     * 64-bit host, decimal only, so {@code 0x10} is 0, {@code -1} is 4294967295, 4294967296 is 0,
     * and anything past ULONG_MAX is 4294967295.
     *
     * @param text the option's value
     * @return the unsigned 32-bit value
     */
    static long vtag(String text) {
        int i = 0;
        int n = text.length();
        while (i < n && Character.isWhitespace(text.charAt(i))) {
            i++;
        }
        boolean negative = false;
        if (i < n && (text.charAt(i) == '+' || text.charAt(i) == '-')) {
            negative = text.charAt(i) == '-';
            i++;
        }
        long result = 0;
        for (; i < n; i++) {
            char ch = text.charAt(i);
            if (ch < '0' || ch > '9') {
                break;
            }
            int digit = ch - '0';
            if (Long.compareUnsigned(result, Long.divideUnsigned(-1L - digit, 10)) > 0) {
                return 0xFFFF_FFFFL;
            }
            result = result * 10 + digit;
        }
        return (negative ? -result : result) & 0xFFFF_FFFFL;
    }

    /** getopt_long accepts any unambiguous prefix of a long option. */
    private static String longName(String given) {
        String match = null;
        for (String name : LONG_OPTIONS) {
            if (name.equals(given)) {
                return name;
            }
            if (given.length() > 2 && name.startsWith(given)) {
                if (match != null) {
                    return given;
                }
                match = name;
            }
        }
        return match == null ? given : match;
    }

    private static boolean isTableCommand(String arg) {
        return switch (arg) {
            case "-L", "--dump", "-C", "--count", "-D", "--delete", "-F", "--flush", "-G", "--get", "-I", "--create",
                    "-U", "--update", "-E", "--event", "-S", "--stats", "-V", "--version", "-h", "--help", "-A", "--add" -> true;
            default -> false;
        };
    }

    /** conntrack takes any prefix of a table name, the empty word included (which is "expect"). */
    private static boolean isTableName(String name) {
        return tableName(name) != null;
    }

    /** conntrack's tables in the order it tries them: a word names the first it is a prefix of. */
    private static final String[] TABLES = {"expect", "conntrack", "dying", "unconfirmed"};

    private static String tableName(String word) {
        for (String table : TABLES) {
            if (table.startsWith(word)) {
                return table;
            }
        }
        return null;
    }

    /** The table word of {@code of} (which is not yet this object's command when attached, -Lexpect). */
    private void table(String word, Command of) throws CommandLineException {
        String name = tableName(word);
        if (name == null) {
            throw new CommandLineException("unknown type `" + word + "'");
        }
        switch (name) {
            case "conntrack" -> { }
            case "expect" -> {
                if (of == Command.UPDATE || of == Command.ADD) {
                    throw new CommandLineException("Can't do --" + (of == Command.ADD ? "add" : "update")
                            + " on expectations");
                }
                expect = true;
            }
            default -> {
                // conntrack lists these two kernel lists like the table; nothing else takes them
                if (of != Command.LIST) {
                    throw new CommandLineException("Can't do that command with tables `dying' and `unconfirmed'");
                }
                specialList = name;
            }
        }
    }

    /** conntrack's protocol extensions, whose names it compares without regard to case. */
    private static final String[] EXTENSIONS = {"tcp", "udp", "udplite", "sctp", "dccp", "icmp", "icmpv6", "gre"};
    private static final int[] EXTENSION_NUMBERS = {L4Protocol.TCP_NUMBER, L4Protocol.UDP_NUMBER,
        L4Protocol.UDPLITE_NUMBER, L4Protocol.SCTP_NUMBER, L4Protocol.DCCP_NUMBER, L4Protocol.ICMP_NUMBER,
        L4Protocol.ICMPV6_NUMBER, L4Protocol.GRE_NUMBER};

    /**
     * conntrack's -p: an extension's name (any case), else a name or alias from /etc/protocols,
     * else a number as strtoul reads it (0x11 and 021 are 17) up to 255.
     */
    private static int protocol(String value) throws CommandLineException {
        for (int k = 0; k < EXTENSIONS.length; k++) {
            if (EXTENSIONS[k].equalsIgnoreCase(value)) {
                return EXTENSION_NUMBERS[k];
            }
        }
        int named = ProtocolNames.number(value);
        if (named >= 0) {
            return named;
        }
        long number = strictStrtoul(value);
        if (number >= 0 && number <= 255) {
            return (int) number;
        }
        throw new CommandLineException("`" + value + "' unsupported protocol");
    }

    /** Whether -p {@code value} (which gave {@code number}) loads an extension: a name from /etc/protocols does not. */
    private static boolean hasExtension(String value, int number) {
        for (int k = 0; k < EXTENSIONS.length; k++) {
            if (EXTENSIONS[k].equalsIgnoreCase(value)) {
                return true;
            }
        }
        if (ProtocolNames.number(value) >= 0) {
            return false;
        }
        for (int extensionNumber : EXTENSION_NUMBERS) {
            if (extensionNumber == number) {
                return true;
            }
        }
        return false;
    }

    /** strtoul(text, &end, 0) that must read the whole text; -1 when it does not (or wraps). */
    private static long strictStrtoul(String text) {
        int i = 0;
        while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
            i++;
        }
        boolean negative = false;
        if (i < text.length() && (text.charAt(i) == '+' || text.charAt(i) == '-')) {
            negative = text.charAt(i) == '-';
            i++;
        }
        int radix = 10;
        if (text.startsWith("0x", i) || text.startsWith("0X", i)) {
            if (i + 2 < text.length() && Character.digit(text.charAt(i + 2), 16) >= 0) {
                radix = 16;
                i += 2;
            }
        } else if (text.startsWith("0", i)) {
            radix = 8;
        }
        if (i >= text.length()) {
            return -1;
        }
        long value = 0;
        for (; i < text.length(); i++) {
            int digit = text.charAt(i) > 0x7f ? -1 : Character.digit(text.charAt(i), radix);
            if (digit < 0 || value > 0xFFFFFFFFL) {
                return -1;
            }
            value = value * radix + digit;
        }
        return negative && value != 0 ? -1 : value;
    }
}

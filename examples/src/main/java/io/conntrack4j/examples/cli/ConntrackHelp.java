package io.conntrack4j.examples.cli;

import io.conntrack4j.core.L4Protocol;

/**
 * conntrack 1.4.7's help, printed by {@code -h}, {@code --help} and a command line without a
 * command, and its per-protocol part ({@code -h -p tcp}), word for word: a drop-in prints what
 * the tool it replaces prints.
 */
final class ConntrackHelp {
    /** conntrack's usage text (it names itself "conntrack" when run by that name). */
    static final String USAGE = String.join("\n",
            "Command line interface for the connection tracking system. Version 1.4.7",
            "Usage: conntrack [commands] [options]",
            "",
            "Commands:",
            "  -L [table] [options]\t\tList conntrack or expectation table",
            "  -G [table] parameters\t\tGet conntrack or expectation",
            "  -D [table] parameters\t\tDelete conntrack or expectation",
            "  -I [table] parameters\t\tCreate a conntrack or expectation",
            "  -U [table] parameters\t\tUpdate a conntrack",
            "  -E [table] [options]\t\tShow events",
            "  -F [table]\t\t\tFlush table",
            "  -C [table]\t\t\tShow counter",
            "  -S\t\t\t\tShow statistics",
            "",
            "Tables: conntrack, expect, dying, unconfirmed",
            "",
            "Conntrack parameters and options:",
            "  -n, --src-nat ip\t\t\tsource NAT ip",
            "  -g, --dst-nat ip\t\t\tdestination NAT ip",
            "  -j, --any-nat ip\t\t\tsource or destination NAT ip",
            "  -m, --mark mark\t\t\tSet mark",
            "  -c, --secmark secmark\t\t\tSet selinux secmark",
            "  -e, --event-mask eventmask\t\tEvent mask, eg. NEW,DESTROY",
            "  -z, --zero \t\t\t\tZero counters while listing",
            "  -o, --output type[,...]\t\tOutput format, eg. xml",
            "  -l, --label label[,...]\t\tconntrack labels",
            "",
            "Expectation parameters and options:",
            "  --tuple-src ip\tSource address in expect tuple",
            "  --tuple-dst ip\tDestination address in expect tuple",
            "",
            "Updating parameters and options:",
            "  --label-add label\tAdd label",
            "  --label-del label\tDelete label",
            "",
            "Common parameters and options:",
            "  -s, --src, --orig-src ip\t\tSource address from original direction",
            "  -d, --dst, --orig-dst ip\t\tDestination address from original direction",
            "  -r, --reply-src ip\t\tSource addres from reply direction",
            "  -q, --reply-dst ip\t\tDestination address from reply direction",
            "  -p, --protonum proto\t\tLayer 4 Protocol, eg. 'tcp'",
            "  -f, --family proto\t\tLayer 3 Protocol, eg. 'ipv6'",
            "  -t, --timeout timeout\t\tSet timeout",
            "  -u, --status status\t\tSet status, eg. ASSURED",
            "  -w, --zone value\t\tSet conntrack zone",
            "  --orig-zone value\t\tSet zone for original direction",
            "  --reply-zone value\t\tSet zone for reply direction",
            "  -b, --buffer-size\t\tNetlink socket buffer size",
            "  --mask-src ip\t\t\tSource mask address",
            "  --mask-dst ip\t\t\tDestination mask address",
            "") + "\n";
    private static final String PORTS = String.join("\n",
            "  --orig-port-src\t\toriginal source port",
            "  --orig-port-dst\t\toriginal destination port",
            "  --reply-port-src\t\treply source port",
            "  --reply-port-dst\t\treply destination port",
            "  --mask-port-src\t\tmask source port",
            "  --mask-port-dst\t\tmask destination port",
            "  --tuple-port-src\t\texpectation tuple src port",
            // sic: conntrack names the source option twice
            "  --tuple-port-src\t\texpectation tuple dst port") + "\n";

    private ConntrackHelp() {
    }

    /**
     * What {@code -h -p PROTO} prints after the usage.
     *
     * @param protocol the protocol number
     * @param name the name conntrack shows: its extension's, else /etc/protocols', else "unknown"
     * @param extension whether -p loaded one of conntrack's extensions (a name from /etc/protocols does not)
     * @return the lines
     */
    static String protocol(int protocol, String name, boolean extension) {
        String options = switch (extension ? protocol : -1) {
            case L4Protocol.TCP_NUMBER -> PORTS + "  --state\t\t\tTCP state, fe. ESTABLISHED\n";
            case L4Protocol.UDP_NUMBER, L4Protocol.UDPLITE_NUMBER -> PORTS;
            case L4Protocol.SCTP_NUMBER -> PORTS + "  --state\t\t\tSCTP state, fe. ESTABLISHED\n"
                    + "  --orig-vtag\t\toriginal verification tag\n  --reply-vtag\t\treply verification tag\n";
            case L4Protocol.DCCP_NUMBER -> PORTS + "  --state\t\t\tDCCP state, fe. RESPOND\n";
            case L4Protocol.ICMP_NUMBER -> "  --icmp-type\t\t\ticmp type\n  --icmp-code\t\t\ticmp code\n"
                    + "  --icmp-id\t\t\ticmp id\n";
            case L4Protocol.ICMPV6_NUMBER -> "  --icmpv6-type\t\t\ticmpv6 type\n  --icmpv6-code\t\t\ticmpv6 code\n"
                    + "  --icmpv6-id\t\t\ticmpv6 id\n";
            case L4Protocol.GRE_NUMBER -> String.join("\n",
                    "  --orig-key-src\t\toriginal source key",
                    "  --orig-key-dst\t\toriginal destination key",
                    "  --reply-key-src\t\treply source key",
                    "  --reply-key-dst\t\treply destination key",
                    "  --mask-key-src\t\tmask source key",
                    "  --mask-key-dst\t\tmask destination key",
                    "  --tuple-key-src\t\texpectation tuple src key",
                    "  --tuple-key-src\t\texpectation tuple dst key") + "\n";
            default -> "  no options (unsupported)\n";
        };
        return "Proto `" + name + "' help:\n" + options;
    }
}

package io.conntrack4j.examples.cli;

import java.io.PrintStream;
import java.util.Arrays;

/**
 * {@code ct4j}: a command line built only on conntrack4j's public API, growing toward a drop-in for
 * conntrack(8); see {@code bin/ct4j}. Arguments that start with {@code -} are a conntrack command
 * line ({@code ct4j -L -o extended}); a word names a ct4j command ({@code ct4j timeouts}).
 */
public final class Ct4j {

    private static final String USAGE = String.join("\n",
            "usage: ct4j COMMAND [ARGS]",
            "       ct4j CONNTRACK-OPTIONS",
            "",
            "  help                    this text (ct4j -h prints conntrack's own help, as conntrack does)",
            "commands:",
            "  timeouts [--defaults]   print the conntrack timeouts of this network namespace",
            "                          as sysctl(8) prints them (--defaults: Linux's built-in values)",
            "  sync-decode FILE [--port N]   decode the conntrackd sync messages of a pcap/pcapng capture",
            "                          (ct4j sync-decode --help for the output format)",
            "  replay FILE [--events] [--zone N]   run a pcap/pcapng capture through the user-space",
            "                          tracker: the final table as conntrack -L prints it (--events:",
            "                          the events as conntrack -E prints them; ct4j replay --help)",
            "  show conntrack table ipv4|ipv6   the table as VyOS's operational mode shows it",
            "",
            "conntrack(8) options (same output, messages and exit codes as conntrack 1.4.7):",
            "  -L, --dump              list the connection tracking table",
            "  -C, --count             print the number of entries",
            "  -I, --create            create an entry (-p, -s, -d, ports or ICMP fields, -t; TCP --state)",
            "  -G, --get               print the entry of a tuple",
            "  -U, --update            set -m, -t, -u, --label-add or --label-del on the entries the filter matches",
            "  -A, --add               -I, but an existing entry is left as it is",
            "  -V, --version, -h, --help   conntrack's version line, conntrack's help",
            "  -R, --load-file FILE    (first, with at least one more argument) run the -I/-A/-U/-D/-F",
            "                          command lines of FILE (- for standard input)",
            "  -D, --delete            delete the entries the filter matches",
            "  -F, --flush             empty the table",
            "  -E, --event             print events until interrupted (-e NEW,UPDATE,DESTROY; -b BYTES)",
            "  -S, --stats             print the per-CPU counters",
            "  -f, --family ipv4|ipv6  only this family",
            "  -p, --proto PROTO       a layer-4 protocol: a name (tcp, udp, ...) or number",
            "  -s, -d, -r, -q ADDRESS  original source/destination, reply source/destination",
            "  --sport, --dport, --reply-port-src, --reply-port-dst PORT   (after -p)",
            "  --state, --icmp-type, --icmp-code, --icmp-id               (after -p)",
            "  -t, --timeout SECONDS   -u, --status LIST (also !WORD, UNREPLIED)   -m, --mark MARK[/MASK]",
            "  -w, --zone ZONE   --orig-zone ZONE   --reply-zone ZONE",
            "  -n, --src-nat [ADDR[:PORT]]   -g, --dst-nat [ADDR[:PORT]]   -j, --any-nat [ADDR[:PORT]]",
            "  -o, --output LIST       a comma list of: extended, id, ktimestamp, timestamp (-E), userspace,",
            "                          xml (-L, -E), save (-L, alone), labels",
            "  -l, --label NAME[,...]  only entries with all these labels (-L, -D, -E; repeatable)",
            "  -z, --zero              -L: zero the packet and byte counters of the entries listed",
            "                          (their values before zeroing are printed; no filters but -f, NAT)",
            "  --label-add NAME[,...]  -I: create the entry with these labels; -U: add them (repeatable)",
            "  --label-del [NAME[,...]]  -U: remove these labels, or all",
            "  -i, --id ID   -c, --secmark SECMARK   -a, --nat-range (ignored, as conntrack does)",
            "                          label names come from /etc/xtables/connlabel.conf",
            "",
            "the expectation table (a word after the command, as in conntrack):",
            "  -L expect [-f FAMILY] [-o xml,timestamp]   list expectations",
            "  -G expect, -D expect    print or delete the expectation of a tuple: -s, -d, -p and, for",
            "                          TCP/UDP/UDP-Lite, --sport, --dport, --reply-port-src, --reply-port-dst",
            "  -I expect               create one on a master that has a helper: -s, -d, -p, --sport, --dport",
            "                          (the master), --tuple-src, --tuple-dst, --tuple-port-src,",
            "                          --tuple-port-dst, --mask-src, --mask-dst, --mask-port-src,",
            "                          --mask-port-dst, -t",
            "  -F expect, -C expect, -S expect   flush, count, per-CPU counters",
            "  -E expect [-o timestamp]          print expectation events until interrupted",
            "");

    private Ct4j() {
    }

    /**
     * Entry point.
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /**
     * Runs one command and returns its exit code, so tests can call it in-process.
     *
     * <pre>{@code
     * int code = Ct4j.run(new String[] {"-L", "-o", "id"}, System.out, System.err);
     * }</pre>
     *
     * @param args the command line
     * @param out standard output
     * @param err standard error
     * @return the exit code
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            // conntrack prints its usage and succeeds
            out.print(ConntrackHelp.USAGE);
            return 0;
        }
        if (args.length > 1 && (args[0].equals("-R") || args[0].equals("--load-file"))) {
            // conntrack reads a file only when it is named right after -R (or --load-file)
            return LoadFileCommand.run(args[1], out, err);
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0]) {
            case "timeouts":
                return TimeoutsCommand.run(rest, out, err);
            case "sync-decode":
                return SyncDecodeCommand.run(rest, out, err);
            case "replay":
                return ReplayCommand.run(rest, out, err);
            case "show":
                return ShowCommand.run(rest, out, err);
            case "help":
                out.print(USAGE);
                return 0;
            default:
                // anything else is conntrack's command line, stray words included (conntrack ignores them)
                return ConntrackCommand.run(args, out, err);
        }
    }
}

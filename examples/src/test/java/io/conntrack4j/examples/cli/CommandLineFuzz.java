package io.conntrack4j.examples.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Random conntrack command lines for fuzz tests: valid lines of every command ct4j implements,
 * then mutated (words dropped, doubled, swapped, cut, joined with {@code =}, characters flipped,
 * noise inserted), so that most are near misses of real usage.
 */
final class CommandLineFuzz {
    private static final String[][] VALID = {
        {"-L"}, {"-L", "-o", "extended,id"}, {"-L", "-f", "ipv6", "-p", "tcp"}, {"-L", "-u", "!ASSURED,UNREPLIED"},
        {"-L", "-s", "10.0.0.1", "-d", "10.0.0.2", "-p", "udp", "--sport", "53"}, {"-L", "-m", "7/0xff", "-w", "3"},
        {"-L", "-n", "10.0.0.9:80"}, {"-L", "--dst-nat"}, {"-L", "--orig-zone", "4"}, {"-L", "-o", "xml"},
        {"-C"}, {"-S"}, {"-F"}, {"-F", "-f", "ipv4"},
        {"-E", "-e", "NEW,DESTROY", "-o", "timestamp"}, {"-E", "-b", "65536", "-p", "icmp"},
        {"-I", "-p", "tcp", "-s", "1.1.1.1", "-d", "2.2.2.2", "--sport", "1", "--dport", "2", "--state", "ESTABLISHED",
            "-t", "30"},
        {"-I", "-p", "icmp", "-s", "1.1.1.1", "-d", "2.2.2.2", "--icmp-type", "8", "--icmp-code", "0", "-t", "30"},
        {"-G", "-p", "udp", "-s", "1.1.1.1", "-d", "2.2.2.2", "--sport", "1", "--dport", "2"},
        {"-U", "-p", "tcp", "-m", "5"}, {"-D", "-s", "10.0.0.1"}, {"-D", "-p", "udp", "--reply-port-src", "53"},
        {"-G", "expect", "-s", "1.1.1.1", "-d", "2.2.2.2", "-p", "gre", "--srckey", "0", "--dstkey", "5",
            "--reply-key-src", "1", "--reply-key-dst", "2"},
        {"-I", "expect", "-s", "1.1.1.1", "-d", "2.2.2.2", "-p", "sctp", "--sport", "1", "--dport", "2", "--tuple-src",
            "2.2.2.2", "--tuple-dst", "1.1.1.1", "--mask-src", "255.0.0.0", "--mask-dst", "255.255.255.255",
            "--tuple-port-src", "0", "--tuple-port-dst", "9", "--mask-port-src", "0", "--mask-port-dst", "1",
            "--orig-vtag", "1", "--reply-vtag", "2", "-t", "30"},
        {"-D", "expect", "-s", "1.1.1.1", "-d", "2.2.2.2", "-p", "dccp", "--sport", "0", "--dport", "1",
            "--reply-port-src", "1", "--reply-port-dst", "2"},
        {"-L", "-p", "sctp", "--state", "ESTABLISHED", "-f", "ipv6"}, {"-E", "-p", "sctp", "--state", "CLOSED"},
        {"-I", "-p", "sctp", "-s", "1.1.1.1", "-d", "2.2.2.2", "--sport", "1", "--dport", "2", "--state", "COOKIE_WAIT",
            "--orig-vtag", "10", "--reply-vtag", "4294967295", "-t", "30"},
        {"-U", "-f", "ipv4", "-p", "sctp", "--sport", "1", "--state", "SHUTDOWN_SENT", "--orig-vtag", "1"},
        {"-G", "-p", "sctp", "-s", "::1", "-d", "::2", "--sport", "1", "--dport", "2", "--state", "NONE"},
        {"-I", "-p", "gre", "-s", "1.1.1.1", "-d", "2.2.2.2", "--srckey", "0x10", "--dstkey", "070", "-t", "30"},
        {"-G", "-p", "gre", "-s", "1.1.1.1", "-d", "2.2.2.2", "--orig-key-src", "1", "--orig-key-dst", "2"},
        {"-D", "-p", "gre", "--srckey", "5", "--reply-key-dst", "6"}, {"-D", "-p", "dccp", "--state", "OPEN"},
        {"-I", "-p", "dccp", "-s", "1.1.1.1", "-d", "2.2.2.2", "--sport", "1", "--dport", "2", "--state", "OPEN",
            "--role", "client", "-t", "30"},
        {"-V"}, {"-h", "-p", "sctp"}, {"-L", "exp", "-p", "0x11"}, {"-L", "-c", "5", "-a", "1.2.3.4"},
        {"-D", "-i", "5", "-f", "ipv4x"}, {"-D", "--id=7"},
        {"-A", "-p", "udp", "-s", "1.1.1.1", "-d", "2.2.2.2", "--sport", "1", "--dport", "2", "-t", "30"},
        {"-U", "-s", "1.1.1.1", "--label-del"}, {"-U", "-f", "ipv6", "-m", "1/3", "-t", "9", "-u", "ASSURED"},
        {"-L", "expect", "-o", "xml"}, {"-C", "expect"}, {"-F", "expect"}, {"-E", "expect", "-o", "timestamp"},
        {"-G", "expect", "-s", "1.1.1.1", "-d", "2.2.2.2", "-p", "tcp", "--sport", "0", "--dport", "1",
            "--reply-port-src", "1", "--reply-port-dst", "2"},
        {"-I", "expect", "-s", "1.1.1.1", "-d", "2.2.2.2", "-p", "udp", "--sport", "1", "--dport", "21", "--tuple-src",
            "2.2.2.2", "--tuple-dst", "1.1.1.1", "--mask-src", "255.255.255.255", "--mask-dst", "255.255.255.255",
            "--tuple-port-src", "0", "--tuple-port-dst", "7002", "--mask-port-src", "0", "--mask-port-dst", "65535",
            "-t", "30"},
        {"-L", "-s", "10.0.0.0/8", "-d", "2.0.0.0", "--mask-dst", "255.0.0.0"}, {"-L", "-f", "ipv6", "-s", "2001:db8::/64"},
        {"-D", "-s", "10.0.0.0/", "--orig-zone", "0", "-o", "save"}, {"-L", "dying", "-o", "xml"}, {"-L", "unconf"},
        {"-I", "-p", "udp", "-s", "1.1.1.1", "-d", "2.2.2.2", "--sport", "1", "--dport", "2", "-t", "30", "--src-nat",
            "3.3.3.3:80", "--dst-nat", "4.4.4.4", "--orig-zone", "1", "--reply-zone", "2"},
        {"-G", "-p", "udp", "-s", "1.1.1.1/32", "-d", "2.2.2.2", "--sport", "1", "--dport", "2", "-o", "xml"},
    };
    private static final String[] NOISE = {"-", "--", "=", ",", "!", "", "-x", "--bogus", "-L", "-E", "-p", "-o",
        "-u", "-e", "-n", "ipv4", "ipv6", "tcp", "300", "0x", "::1", "1.2.3.4", "[::1]", "extended,,id", "UNSET",
        "expect", "conntrack", "--family=", "--src-nat=1.1.1.1", "-fipv9", "\u00e9", "-t", "--orig-zone",
        "--label-del", "--label-add", "-V", "-h", "-A", "--id", "-i", "-c", "-a", "dying", "--", "esp", "0x", "/24",
        "/", "10.0.0.0/33", "--mask-src", "d", "-o", "save", "[::1]:80", "::/0"};

    private final Random random;

    CommandLineFuzz(long seed) {
        random = new Random(seed);
    }

    /** @return the next command line: a valid one, mutated one to three times */
    String[] next() {
        List<String> words = new ArrayList<>(List.of(VALID[random.nextInt(VALID.length)]));
        int mutations = random.nextInt(4);
        for (int m = 0; m < mutations; m++) {
            int at = words.isEmpty() ? 0 : random.nextInt(words.size());
            switch (random.nextInt(7)) {
                case 0 -> {
                    if (!words.isEmpty()) {
                        words.remove(at);
                    }
                }
                case 1 -> words.add(at, words.isEmpty() ? "-L" : words.get(at));
                case 2 -> {
                    if (words.size() > 1) {
                        int other = random.nextInt(words.size());
                        String w = words.get(at);
                        words.set(at, words.get(other));
                        words.set(other, w);
                    }
                }
                case 3 -> {
                    if (!words.isEmpty() && !words.get(at).isEmpty()) {
                        String w = words.get(at);
                        words.set(at, w.substring(0, random.nextInt(w.length())));
                    }
                }
                case 4 -> {
                    if (at + 1 < words.size() && words.get(at).startsWith("--")) {
                        words.set(at, words.get(at) + "=" + words.remove(at + 1));
                    }
                }
                case 5 -> {
                    if (!words.isEmpty() && !words.get(at).isEmpty()) {
                        char[] w = words.get(at).toCharArray();
                        w[random.nextInt(w.length)] = (char) (33 + random.nextInt(94));
                        words.set(at, new String(w));
                    }
                }
                default -> words.add(at, NOISE[random.nextInt(NOISE.length)]);
            }
        }
        return words.toArray(String[]::new);
    }
}

package io.conntrack4j.examples.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What conntrack reads from /proc when ctnetlink refuses {@code -C} or {@code -S} (as it does for
 * an unprivileged user): the entry count and the per-CPU statistics of the caller's network
 * namespace, printed as the netlink answers would be.
 */
final class ProcFallback {
    /** Where {@code -C} falls back to. */
    static final String COUNT = "/proc/sys/net/netfilter/nf_conntrack_count";
    private static final Path STATISTICS = Path.of("/proc/net/stat/nf_conntrack");

    private ProcFallback() {
    }

    /**
     * The count as conntrack's {@code fscanf("%d")} reads it.
     *
     * @return the count; null when the file cannot be read, "" when it holds no number
     */
    static String count() {
        String text;
        try {
            text = Files.readString(Path.of(COUNT), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            return null;
        }
        String trimmed = text.strip();
        int end = trimmed.startsWith("-") || trimmed.startsWith("+") ? 1 : 0;
        int digits = end;
        while (end < trimmed.length() && end - digits < 10 && Character.isDigit(trimmed.charAt(end))) {
            end++;
        }
        return end == digits ? "" : String.valueOf((int) Long.parseLong(trimmed.substring(0, end)));
    }

    /**
     * conntrack's display_proc_conntrack_stats: the header line names the columns, each further
     * line is one CPU's hexadecimal counters, printed as {@code cpu=N} padded to 4, a tab, then
     * {@code name=value } per column.
     *
     * @param out where the lines go
     * @return false when the file cannot be read or has no CPU line
     */
    static boolean statistics(StringBuilder out) {
        List<String> lines;
        try {
            lines = Files.readAllLines(STATISTICS, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            return false;
        }
        if (lines.size() < 2) {
            return false;
        }
        List<String> names = tokens(lines.get(0));
        for (int cpu = 0; cpu + 1 < lines.size(); cpu++) {
            List<String> values = tokens(lines.get(cpu + 1));
            StringBuilder head = new StringBuilder("cpu=").append(cpu);
            while (head.length() < 8) {
                head.append(' ');
            }
            out.append(head).append('\t');
            for (int i = 0; i < names.size(); i++) {
                long value = i < values.size() ? hex(values.get(i)) : 0;
                out.append(names.get(i)).append('=').append(value).append(' ');
            }
            out.append('\n');
        }
        return true;
    }

    private static List<String> tokens(String line) {
        List<String> tokens = new ArrayList<>();
        for (String token : line.split(" ")) {
            if (!token.isEmpty()) {
                tokens.add(token);
            }
        }
        return tokens;
    }

    /** strtol(token, NULL, 16) cut to an unsigned int. */
    private static long hex(String token) {
        long value = 0;
        for (int i = 0; i < token.length() && Character.digit(token.charAt(i), 16) >= 0 && i < 16; i++) {
            value = value << 4 | Character.digit(token.charAt(i), 16);
        }
        return value & 0xFFFFFFFFL;
    }
}

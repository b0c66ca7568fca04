package io.conntrack4j.examples.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * /etc/protocols as glibc's getprotobyname and getprotobynumber read it, which conntrack asks
 * for {@code -p NAME} when the name is none of its own protocols ({@code -p esp}).
 */
final class ProtocolNames {
    private static final Path FILE = Path.of("/etc/protocols");

    private ProtocolNames() {
    }

    /**
     * getprotobyname: the first line whose name or an alias is {@code name} (case matters).
     *
     * @param name the name
     * @return the protocol number, or -1
     */
    static int number(String name) {
        for (String[] words : lines()) {
            for (int k = 0; k < words.length; k++) {
                if (k != 1 && words[k].equals(name)) {
                    return number(words);
                }
            }
        }
        return -1;
    }

    /**
     * getprotobynumber: the official name of the first line with {@code number}.
     *
     * @param number the protocol number
     * @return the name, or null
     */
    static String name(int number) {
        for (String[] words : lines()) {
            if (number(words) == number) {
                return words[0];
            }
        }
        return null;
    }

    private static int number(String[] words) {
        String n = words[1];
        if (n.isEmpty() || n.length() > 9 || !n.chars().allMatch(Character::isDigit)) {
            return -1;
        }
        return Integer.parseInt(n);
    }

    /** Each line without its comment, split on blanks; lines with fewer than two words are left out. */
    private static List<String[]> lines() {
        List<String> text;
        try {
            text = Files.readAllLines(FILE, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return List.of();
        }
        return text.stream().map(line -> {
            int hash = line.indexOf('#');
            return (hash < 0 ? line : line.substring(0, hash)).trim().split("[ \t]+");
        }).filter(words -> words.length >= 2).toList();
    }
}

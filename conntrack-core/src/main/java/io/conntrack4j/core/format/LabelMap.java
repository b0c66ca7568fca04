package io.conntrack4j.core.format;

import io.conntrack4j.core.ParseException;
import java.util.Arrays;

/**
 * Names of connection-label bits, as in {@code /etc/xtables/connlabel.conf} (lines of
 * {@code BIT NAME}, {@code #} comments). conntrack(8) prints labels only when such a map exists and
 * {@code -o labels} is given, and only the bits that have a name.
 *
 * <pre>{@code
 * LabelMap map = LabelMap.parse("0 eth0-in\n1 eth0-out\n");
 * map.name(1);          // eth0-out
 * map.bit("eth0-in");   // 0
 * }</pre>
 */
public final class LabelMap {

    /** No names at all. */
    public static final LabelMap EMPTY = new LabelMap(new String[128]);

    private final String[] names;

    private LabelMap(String[] names) {
        this.names = names;
    }

    /**
     * A map from names indexed by bit (index 0 to 127; null for a bit without a name).
     *
     * @param namesByBit names; the array is copied
     * @return the map
     */
    public static LabelMap of(String... namesByBit) {
        if (namesByBit.length > 128) {
            throw new IllegalArgumentException("labels have 128 bits, not " + namesByBit.length);
        }
        String[] copy = Arrays.copyOf(namesByBit, 128);
        for (int i = 0; i < 128; i++) {
            if (copy[i] != null && !validName(copy[i])) {
                throw new IllegalArgumentException("label name " + copy[i] + " contains a space, ',' or nothing");
            }
        }
        return new LabelMap(copy);
    }

    /**
     * Parses connlabel.conf text. Like libnetfilter_conntrack, the first name of a bit wins.
     *
     * @param text the file's content
     * @return the map
     * @throws ParseException on a line that is not {@code BIT NAME}
     */
    public static LabelMap parse(String text) {
        String[] names = new String[128];
        int lineStart = 0;
        while (lineStart <= text.length()) {
            int lineEnd = text.indexOf('\n', lineStart);
            if (lineEnd < 0) {
                lineEnd = text.length();
            }
            int i = lineStart;
            while (i < lineEnd && Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            if (i < lineEnd && text.charAt(i) != '#') {
                int digits = i;
                int bit = 0;
                while (i < lineEnd && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
                    bit = bit * 10 + text.charAt(i) - '0';
                    if (bit > 127) {
                        throw new ParseException(text, digits, "label bit greater than 127");
                    }
                    i++;
                }
                if (i == digits) {
                    throw new ParseException(text, i, "expected a label bit number");
                }
                int nameStart = i;
                while (nameStart < lineEnd && Character.isWhitespace(text.charAt(nameStart))) {
                    nameStart++;
                }
                if (nameStart == i) {
                    throw new ParseException(text, i, "expected whitespace and a label name");
                }
                int nameEnd = nameStart;
                while (nameEnd < lineEnd && !Character.isWhitespace(text.charAt(nameEnd))) {
                    nameEnd++;
                }
                String name = text.substring(nameStart, nameEnd);
                if (!validName(name)) {
                    throw new ParseException(text, nameStart, "expected a label name");
                }
                if (names[bit] == null) {
                    names[bit] = name;
                }
            }
            lineStart = lineEnd + 1;
        }
        return new LabelMap(names);
    }

    private static boolean validName(String name) {
        return !name.isEmpty() && name.indexOf(' ') < 0 && name.indexOf(',') < 0 && name.indexOf('\n') < 0;
    }

    /**
     * The name of a bit.
     *
     * @param bit 0 to 127
     * @return the name, or null
     */
    public String name(int bit) {
        return bit >= 0 && bit < 128 ? names[bit] : null;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof LabelMap that && Arrays.equals(names, that.names);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(names);
    }

    /** The map in connlabel.conf form: one {@code BIT NAME} line per named bit. */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 128; i++) {
            if (names[i] != null) {
                out.append(i).append(' ').append(names[i]).append('\n');
            }
        }
        return out.toString();
    }

    /**
     * The bit with a name.
     *
     * @param name a label name
     * @return 0 to 127, or -1 when unknown
     */
    public int bit(String name) {
        for (int i = 0; i < 128; i++) {
            if (name.equals(names[i])) {
                return i;
            }
        }
        return -1;
    }
}

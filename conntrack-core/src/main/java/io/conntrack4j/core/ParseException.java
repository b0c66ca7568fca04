package io.conntrack4j.core;

/**
 * Thrown by every text parser of conntrack4j ({@link IpAddress#parse}, {@link Cidr#parse},
 * {@link Tuple#parse}, the conntrack(8) line format, ...) when the text is not valid. It is the
 * only exception those parsers throw for bad input; its message names the whole text, the
 * zero-based position of the problem and what was expected there.
 *
 * <pre>{@code
 * try {
 *     IpAddress.parse("10.0.0.256");
 * } catch (ParseException e) {
 *     e.getMessage(); // cannot parse "10.0.0.256" at position 7: octet greater than 255
 *     e.position();   // 7
 * }
 * }</pre>
 */
public final class ParseException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;
    private static final int MAX_QUOTED = 512;

    private final String input;
    private final int position;
    private final String reason;

    /**
     * Creates an exception for {@code input} failing at {@code position}.
     *
     * @param input the whole text being parsed (null is shown as {@code null})
     * @param position zero-based index of the offending character (may equal the length: end of text)
     * @param reason what was wrong or expected, without the text itself
     */
    public ParseException(CharSequence input, int position, String reason) {
        super(message(input, position, reason));
        this.input = input == null ? null : input.toString();
        this.position = position;
        this.reason = reason;
    }

    private static String message(CharSequence input, int position, String reason) {
        String text;
        if (input == null) {
            text = "null";
        } else {
            String s = input.toString();
            if (s.length() > MAX_QUOTED) {
                s = s.substring(0, MAX_QUOTED) + "...(" + input.length() + " chars)";
            }
            text = '"' + escape(s) + '"';
        }
        return "cannot parse " + text + " at position " + position + ": " + reason;
    }

    private static String escape(String s) {
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
                if (out == null) {
                    out = new StringBuilder(s.length() + 16).append(s, 0, i);
                }
                switch (c) {
                    case '\n' -> out.append("\\n");
                    case '\t' -> out.append("\\t");
                    case '\r' -> out.append("\\r");
                    case '"' -> out.append("\\\"");
                    case '\\' -> out.append("\\\\");
                    default -> out.append(String.format("\\u%04x", (int) c));
                }
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? s : out.toString();
    }

    /**
     * The text that failed to parse.
     *
     * @return the input, or null when the input was null
     */
    public String input() {
        return input;
    }

    /**
     * Zero-based index in {@link #input()} where parsing failed.
     *
     * @return the position
     */
    public int position() {
        return position;
    }

    /**
     * What was wrong, without the input.
     *
     * @return the reason
     */
    public String reason() {
        return reason;
    }
}

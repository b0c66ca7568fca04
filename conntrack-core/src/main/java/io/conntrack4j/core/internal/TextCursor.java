package io.conntrack4j.core.internal;

import io.conntrack4j.core.IpAddress;
import io.conntrack4j.core.ParseException;

/**
 * A position in a text being parsed, with the strict token readers the conntrack text formats
 * need. Every failure is a {@link ParseException} naming the whole text and the position.
 * Not part of the API.
 */
public final class TextCursor {

    private final CharSequence text;
    private final int end;
    private int pos;

    /**
     * A cursor at the start of {@code text}.
     *
     * @param text the text
     */
    public TextCursor(CharSequence text) {
        this(text, 0, text.length());
    }

    /**
     * A cursor over {@code text[from, to)}.
     *
     * @param text the text
     * @param from first index
     * @param to end index (exclusive)
     */
    public TextCursor(CharSequence text, int from, int to) {
        this.text = text;
        this.pos = from;
        this.end = to;
    }

    /** @return the text */
    public CharSequence text() {
        return text;
    }

    /** @return the current index */
    public int position() {
        return pos;
    }

    /** @param position the new index */
    public void position(int position) {
        this.pos = position;
    }

    /** @return the end index */
    public int end() {
        return end;
    }

    /** @return whether nothing is left */
    public boolean atEnd() {
        return pos >= end;
    }

    /** @return the next character, or -1 at the end */
    public int peek() {
        return pos < end ? text.charAt(pos) : -1;
    }

    /**
     * @param literal text to look for
     * @return whether the remaining text starts with it
     */
    public boolean startsWith(String literal) {
        return startsWithAt(pos, literal);
    }

    /**
     * @param at an index
     * @param literal text to look for
     * @return whether the text at {@code at} starts with it
     */
    public boolean startsWithAt(int at, String literal) {
        if (at + literal.length() > end) {
            return false;
        }
        for (int i = 0; i < literal.length(); i++) {
            if (text.charAt(at + i) != literal.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Consumes {@code literal} if it is next.
     *
     * @param literal the text
     * @return whether it was there
     */
    public boolean tryConsume(String literal) {
        if (startsWith(literal)) {
            pos += literal.length();
            return true;
        }
        return false;
    }

    /**
     * Consumes {@code literal} or fails.
     *
     * @param literal the text
     */
    public void expect(String literal) {
        if (!tryConsume(literal)) {
            throw error("expected '" + literal + "'");
        }
    }

    /** Consumes exactly one space; fails at the end or on anything else. */
    public void space() {
        if (pos >= end || text.charAt(pos) != ' ') {
            throw error(pos >= end ? "unexpected end of text" : "expected a single space");
        }
        pos++;
        if (pos < end && text.charAt(pos) == ' ') {
            throw error("unexpected extra space");
        }
    }

    /**
     * Consumes one space if another token follows.
     *
     * @return true when a space was consumed, false at the end
     */
    public boolean spaceOrEnd() {
        if (atEnd()) {
            return false;
        }
        space();
        if (atEnd()) {
            throw error("text ends with a space");
        }
        return true;
    }

    /** @return index of the next space at or after the position, or the end */
    public int tokenEnd() {
        int i = pos;
        while (i < end && text.charAt(i) != ' ') {
            i++;
        }
        return i;
    }

    /**
     * Reads the characters up to the next space or the end; at least one.
     *
     * @param what what the token is, for errors
     * @return the token
     */
    public String token(String what) {
        int stop = tokenEnd();
        if (stop == pos) {
            throw error("expected " + what);
        }
        String token = text.subSequence(pos, stop).toString();
        pos = stop;
        return token;
    }

    /**
     * Reads an unsigned decimal number in canonical form (digits only, no sign, no leading zero).
     *
     * @param max largest allowed value
     * @param what name of the value, for errors
     * @return the value
     */
    public long unsigned(long max, String what) {
        int start = pos;
        long value = 0;
        while (pos < end) {
            char c = text.charAt(pos);
            if (c < '0' || c > '9') {
                break;
            }
            if (pos > start && text.charAt(start) == '0') {
                throw error(start, what + " has a leading zero");
            }
            int digit = c - '0';
            if (value > (max - digit) / 10) {
                throw error(start, what + " greater than " + Long.toUnsignedString(max));
            }
            value = value * 10 + digit;
            pos++;
        }
        if (pos == start) {
            throw error("expected decimal " + what);
        }
        return value;
    }

    /**
     * Reads an unsigned 64-bit decimal number in canonical form (values above {@link Long#MAX_VALUE}
     * come back negative, as Java keeps {@code u64}).
     *
     * @param what name of the value, for errors
     * @return the value's 64 bits
     */
    public long unsigned64(String what) {
        int start = pos;
        long value = 0;
        while (pos < end) {
            char c = text.charAt(pos);
            if (c < '0' || c > '9') {
                break;
            }
            if (pos > start && text.charAt(start) == '0') {
                throw error(start, what + " has a leading zero");
            }
            int digit = c - '0';
            if (Long.compareUnsigned(value, Long.divideUnsigned(-1L - digit, 10)) > 0) {
                throw error(start, what + " greater than 18446744073709551615");
            }
            value = value * 10 + digit;
            pos++;
        }
        if (pos == start) {
            throw error("expected decimal " + what);
        }
        return value;
    }

    /**
     * Reads lowercase hexadecimal digits in canonical form (no leading zero).
     *
     * @param max largest allowed value
     * @param what name of the value, for errors
     * @return the value
     */
    public long hex(long max, String what) {
        int start = pos;
        long value = 0;
        while (pos < end) {
            char c = text.charAt(pos);
            int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
            if (digit < 0) {
                break;
            }
            if (pos > start && text.charAt(start) == '0') {
                throw error(start, what + " has a leading zero");
            }
            value = value << 4 | digit;
            if (value > max) {
                throw error(start, what + " greater than 0x" + Long.toHexString(max));
            }
            pos++;
        }
        if (pos == start) {
            throw error("expected lowercase hexadecimal " + what);
        }
        return value;
    }

    /**
     * Reads an address up to the next space and requires it to be written exactly as conntrack
     * prints it.
     *
     * @param what name of the value, for errors
     * @return the address
     */
    public IpAddress canonicalAddress(String what) {
        int start = pos;
        int stop = tokenEnd();
        if (stop == start) {
            throw error("expected " + what);
        }
        IpAddress address = IpAddress.parse(text, start, stop);
        StringBuilder canonical = address.appendTo(new StringBuilder(39));
        if (canonical.length() != stop - start || !startsWithAt(start, canonical.toString())) {
            throw error(start, what + " is not written as conntrack writes it (" + canonical + ")");
        }
        pos = stop;
        return address;
    }

    /**
     * An error at the current position.
     *
     * @param reason what is wrong
     * @return the exception, to throw
     */
    public ParseException error(String reason) {
        return new ParseException(text, pos, reason);
    }

    /**
     * An error at a given position.
     *
     * @param at index
     * @param reason what is wrong
     * @return the exception, to throw
     */
    public ParseException error(int at, String reason) {
        return new ParseException(text, at, reason);
    }
}

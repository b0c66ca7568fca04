package io.conntrack4j.examples.cli;

import io.conntrack4j.core.IpAddress;

/**
 * glibc's inet_aton, which conntrack tries before inet_pton: one to four parts separated by dots,
 * each in decimal, octal ({@code 0} prefix) or hexadecimal ({@code 0x}), the last part filling
 * the remaining bytes ({@code 1} is 0.0.0.1, {@code 10.257} is 10.0.1.1), and anything after a
 * blank ignored.
 */
final class InetAton {
    /** The largest last part for 1, 2, 3 and 4 parts. */
    private static final long[] MAX_LAST = {0xFFFF_FFFFL, 0xFF_FFFFL, 0xFFFFL, 0xFFL};

    private InetAton() {
    }

    /**
     * Parses like inet_aton.
     *
     * @param text the text
     * @return the IPv4 address, or null where inet_aton fails
     */
    static IpAddress parse(String text) {
        int[] parts = new int[3];
        int count = 0;
        int i = 0;
        int n = text.length();
        long value;
        while (true) {
            if (i >= n || !isDigit(text.charAt(i))) {
                return null;
            }
            // strtoul in base 0: 0x for hexadecimal, a leading 0 for octal
            int radix = 10;
            if (text.charAt(i) == '0') {
                radix = 8;
                if (i + 2 < n && (text.charAt(i + 1) == 'x' || text.charAt(i + 1) == 'X')
                        && Character.digit(text.charAt(i + 2), 16) >= 0 && text.charAt(i + 2) < 0x80) {
                    radix = 16;
                    i += 2;
                }
            }
            value = 0;
            while (i < n && text.charAt(i) < 0x80 && Character.digit(text.charAt(i), radix) >= 0) {
                value = value * radix + Character.digit(text.charAt(i), radix);
                if (value > 0xFFFF_FFFFL) {
                    return null;
                }
                i++;
            }
            if (i < n && text.charAt(i) == '.') {
                if (count > 2 || value > 0xFF) {
                    return null;
                }
                parts[count++] = (int) value;
                i++;
            } else {
                break;
            }
        }
        if (i < n && !isBlank(text.charAt(i)) || value > MAX_LAST[count]) {
            return null;
        }
        long address = value;
        for (int k = 0; k < count; k++) {
            address |= (long) parts[k] << (24 - 8 * k);
        }
        return IpAddress.ofIpv4((int) address);
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** C's isspace in the C locale. */
    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
    }
}

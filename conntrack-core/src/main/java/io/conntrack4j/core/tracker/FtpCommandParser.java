package io.conntrack4j.core.tracker;

/**
 * Finds the data connection an FTP control line announces, with {@code nf_conntrack_ftp}'s search
 * table: from the client {@code PORT h1,h2,h3,h4,p1,p2} and {@code EPRT |1|addr|port|}, from the
 * server {@code 227 ...h1,h2,h3,h4,p1,p2} (RFC 1123: scan to the first digit) and
 * {@code 229 ...(|||port|)}. Patterns match case-insensitively at the start of the segment only.
 * Reads at most {@code length} bytes and keeps no state between calls; allocation-free for IPv4.
 */
final class FtpCommandParser {

    /** No pattern: accept the packet. */
    static final int NO_MATCH = 0;
    /** A pattern matched and its numbers were read. */
    static final int MATCH = 1;
    /** The segment starts like a pattern but does not complete it: Linux drops the packet. */
    static final int PARTIAL = -1;

    static final int PORT = 0;
    static final int PASV = 1;
    static final int EPRT = 2;
    static final int EPSV = 3;

    private static final byte[] PORT_PATTERN = {'P', 'O', 'R', 'T'};
    private static final byte[] EPRT_PATTERN = {'E', 'P', 'R', 'T'};
    private static final byte[] PASV_PATTERN = {'2', '2', '7', ' '};
    private static final byte[] EPSV_PATTERN = {'2', '2', '9', ' '};

    /** Which command matched ({@link #PORT}, ...), valid after {@link #MATCH}. */
    int type;
    /** Whether {@link #address} holds an address from the line (EPSV carries none). */
    boolean hasAddress;
    /** IPv6 address from EPRT: true; IPv4: false. */
    boolean ipv6;
    /** IPv4 address, or the high half of an IPv6 one. */
    long address;
    /** Low half of an IPv6 address. */
    long addressLow;
    /** The announced port, 1 to 65535. */
    int port;

    private final int[] numbers = new int[6];

    /**
     * Parses one segment sent in one direction.
     *
     * @param data the bytes
     * @param from first byte of the TCP payload
     * @param length payload length
     * @param reply true for the server's direction
     * @param ipv6Connection the connection's family (EPRT must name it)
     * @return {@link #MATCH}, {@link #NO_MATCH} or {@link #PARTIAL}
     */
    int parse(byte[] data, int from, int length, boolean reply, boolean ipv6Connection) {
        hasAddress = false;
        ipv6 = ipv6Connection;
        port = 0;
        int found;
        if (reply) {
            found = find(data, from, length, PASV_PATTERN, (byte) 0, PASV, ipv6Connection);
            if (found == NO_MATCH) {
                found = find(data, from, length, EPSV_PATTERN, (byte) '(', EPSV, ipv6Connection);
            }
        } else {
            found = find(data, from, length, PORT_PATTERN, (byte) ' ', PORT, ipv6Connection);
            if (found == NO_MATCH) {
                found = find(data, from, length, EPRT_PATTERN, (byte) ' ', EPRT, ipv6Connection);
            }
        }
        return found;
    }

    /** Linux's find_pattern(). */
    private int find(byte[] d, int from, int length, byte[] pattern, byte skip, int kind, boolean v6) {
        int plen = pattern.length;
        if (length <= plen) {
            return startsWith(d, from, length, pattern, length) ? PARTIAL : NO_MATCH;
        }
        if (!startsWith(d, from, length, pattern, plen)) {
            return NO_MATCH;
        }
        int i = plen;
        if (skip != 0) {
            while (d[from + i] != skip) {
                if (i == length - 1) {
                    return PARTIAL;
                }
                i++;
            }
            i++;
        }
        type = kind;
        int at = from + i;
        int left = length - i;
        int used = switch (kind) {
            case PORT -> rfc959(d, at, left, (byte) '\r');
            case EPRT -> eprt(d, at, left, v6);
            case PASV -> rfc1123(d, at, left);
            default -> epsv(d, at, left);
        };
        return used == 0 ? PARTIAL : MATCH;
    }

    private static boolean startsWith(byte[] d, int from, int length, byte[] pattern, int n) {
        for (int i = 0; i < n && i < length; i++) {
            int c = d[from + i];
            if (c >= 'a' && c <= 'z') {
                c -= 32;
            }
            if (c != pattern[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * try_number(): {@code count} decimal numbers separated by {@code sep}; the last one ends at
     * {@code term} (any non-digit when term is 0). Numbers wrap as unsigned 32-bit, as in Linux.
     *
     * @return characters read, 0 on failure
     */
    private int numbers(byte[] d, int at, int length, int count, byte sep, byte term) {
        java.util.Arrays.fill(numbers, 0, count, 0);
        int i = 0;
        for (int len = 0; len < length && i < count; len++) {
            byte c = d[at + len];
            if (c >= '0' && c <= '9') {
                numbers[i] = numbers[i] * 10 + c - '0';
            } else if (c == sep) {
                i++;
            } else {
                return (c == term || term == 0) && i == count - 1 ? len : 0;
            }
        }
        return 0;
    }

    /** try_rfc959(): {@code h1,h2,h3,h4,p1,p2}. */
    private int rfc959(byte[] d, int at, int length, byte term) {
        int used = numbers(d, at, length, 6, (byte) ',', term);
        if (used == 0) {
            return 0;
        }
        hasAddress = true;
        ipv6 = false;
        address = (numbers[0] << 24 | numbers[1] << 16 | numbers[2] << 8 | numbers[3]) & 0xffff_ffffL;
        port = (numbers[4] << 8 | numbers[5]) & 0xffff;
        return used;
    }

    /** try_rfc1123(): the 227 reply's numbers start at its first digit, parentheses or not. */
    private int rfc1123(byte[] d, int at, int length) {
        int i = 0;
        while (i < length && (d[at + i] < '0' || d[at + i] > '9')) {
            i++;
        }
        if (i == length) {
            return 0;
        }
        return rfc959(d, at + i, length - i, (byte) 0);
    }

    /** get_port(): digits up to the delimiter, not 0 (16-bit wrap as in Linux). */
    private int port(byte[] d, int at, int start, int length, byte delim) {
        int value = 0;
        for (int i = start; i < length; i++) {
            byte c = d[at + i];
            if (c == delim) {
                if (value == 0) {
                    return 0;
                }
                port = value;
                return i + 1;
            } else if (c >= '0' && c <= '9') {
                value = (value * 10 + c - '0') & 0xffff;
            } else {
                return 0;
            }
        }
        return 0;
    }

    private static boolean badDelimiter(byte delim) {
        return delim >= '0' && delim <= '9' || delim < 33 || delim > 126;
    }

    /** try_eprt(): {@code |1|a.b.c.d|port|} or {@code |2|v6|port|}, the family must be the connection's. */
    private int eprt(byte[] d, int at, int length, boolean v6) {
        if (length <= 3) {
            return 0;
        }
        byte delim = d[at];
        if (badDelimiter(delim) || d[at + 2] != delim) {
            return 0;
        }
        if (!v6 && d[at + 1] != '1' || v6 && d[at + 1] != '2') {
            return 0;
        }
        int used;
        if (d[at + 1] == '1') {
            used = numbers(d, at + 3, length - 3, 4, (byte) '.', delim);
            if (used != 0) {
                address = (numbers[0] << 24 | numbers[1] << 16 | numbers[2] << 8 | numbers[3]) & 0xffff_ffffL;
            }
        } else {
            used = ipv6Address(d, at + 3, length - 3, delim);
        }
        if (used == 0) {
            return 0;
        }
        hasAddress = true;
        ipv6 = v6;
        return port(d, at, 3 + used + 1, length, delim);
    }

    /** An IPv6 address up to the delimiter (in6_pton's job in Linux). */
    private int ipv6Address(byte[] d, int at, int length, byte delim) {
        int end = 0;
        while (end < length && end < 64 && d[at + end] != delim) {
            end++;
        }
        if (end == length || end == 64 || end == 0) {
            return 0;
        }
        try {
            io.conntrack4j.core.IpAddress a = io.conntrack4j.core.IpAddress.parse(
                    new String(d, at, end, java.nio.charset.StandardCharsets.ISO_8859_1));
            if (a.isIpv4()) {
                return 0;
            }
            address = a.high();
            addressLow = a.low();
            return end;
        } catch (RuntimeException e) {
            return 0;
        }
    }

    /** try_epsv_response(): {@code |||port|}, the address is the server's. */
    private int epsv(byte[] d, int at, int length) {
        if (length <= 3) {
            return 0;
        }
        byte delim = d[at];
        if (badDelimiter(delim) || d[at + 1] != delim || d[at + 2] != delim) {
            return 0;
        }
        return port(d, at, 3, length, delim);
    }
}

package io.conntrack4j.core;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An immutable IPv4 or IPv6 address held as plain bits: an IPv4 address is one {@code int}, an IPv6
 * address two {@code long}s (most significant half first). No {@link InetAddress}, no lookups.
 *
 * <p>{@link #toString()} prints exactly what conntrack(8) prints: dotted quad for IPv4, and for IPv6
 * glibc's {@code inet_ntop} form: lowercase hex, the longest run of two or more zero groups (the
 * first one on a tie) compressed to {@code ::}, and the embedded dotted form for IPv4-compatible
 * ({@code ::1.2.3.4}) and IPv4-mapped ({@code ::ffff:1.2.3.4}) addresses.
 *
 * <p>The static helpers ({@link #parseIpv4(CharSequence, int, int)}, {@link #appendIpv4},
 * {@link #appendIpv6}, {@link #ipv4Mask(int)}) work on raw bits and allocate nothing, for hot paths.
 *
 * <pre>{@code
 * IpAddress a = IpAddress.parse("2001:DB8:0:0:0:0:0:1");
 * a.toString();                       // 2001:db8::1
 * IpAddress.parse("10.0.0.1").ipv4(); // 0x0a000001
 * }</pre>
 */
public final class IpAddress implements Comparable<IpAddress> {

    private final AddressFamily family;
    private final long high;
    private final long low;

    private IpAddress(AddressFamily family, long high, long low) {
        this.family = family;
        this.high = high;
        this.low = low;
    }

    /**
     * An IPv4 address from its 32 bits, most significant octet first ({@code 10.0.0.1} is
     * {@code 0x0a000001}).
     *
     * @param bits the address
     * @return the address
     */
    public static IpAddress ofIpv4(int bits) {
        return new IpAddress(AddressFamily.IPV4, 0L, bits & 0xffff_ffffL);
    }

    /**
     * An IPv6 address from its 128 bits.
     *
     * @param high the first 64 bits (groups 1 to 4)
     * @param low the last 64 bits (groups 5 to 8)
     * @return the address
     */
    public static IpAddress ofIpv6(long high, long low) {
        return new IpAddress(AddressFamily.IPV6, high, low);
    }

    /**
     * An address from network-order bytes.
     *
     * @param bytes 4 or 16 bytes
     * @return the address
     * @throws IllegalArgumentException for any other length
     */
    public static IpAddress ofBytes(byte[] bytes) {
        if (bytes.length == 4) {
            return ofIpv4(readInt(bytes, 0));
        }
        if (bytes.length == 16) {
            return ofIpv6(readLong(bytes, 0), readLong(bytes, 8));
        }
        throw new IllegalArgumentException("an address has 4 or 16 bytes, not " + bytes.length);
    }

    /**
     * Converts an {@link InetAddress} (for interoperability, not for hot paths).
     *
     * @param address an IPv4 or IPv6 address
     * @return the same address
     */
    public static IpAddress of(InetAddress address) {
        return ofBytes(address.getAddress());
    }

    /**
     * Parses an IPv4 address in dotted-quad form ({@code 192.0.2.1}: four decimal octets, no
     * leading zeros) or an IPv6 address in any RFC 4291 text form (hex case-insensitive, {@code ::},
     * an embedded dotted IPv4 tail; no zone index).
     *
     * @param text the address
     * @return the address
     * @throws ParseException when the text is not an address; the message names text and position
     */
    public static IpAddress parse(CharSequence text) {
        if (text == null) {
            throw new ParseException(null, 0, "address expected, got null");
        }
        return parse(text, 0, text.length());
    }

    /**
     * Parses the address in {@code text[from, to)}; positions in errors refer to the whole text.
     *
     * @param text text containing the address
     * @param from first index
     * @param to end index (exclusive)
     * @return the address
     * @throws ParseException when the range is not an address
     */
    public static IpAddress parse(CharSequence text, int from, int to) {
        for (int i = from; i < to; i++) {
            if (text.charAt(i) == ':') {
                return parseIpv6(text, from, to);
            }
        }
        return ofIpv4(parseIpv4(text, from, to));
    }

    /**
     * Parses a dotted-quad IPv4 address without allocating.
     *
     * @param text text containing the address
     * @param from first index
     * @param to end index (exclusive)
     * @return the 32 address bits
     * @throws ParseException when the range is not a dotted quad
     */
    public static int parseIpv4(CharSequence text, int from, int to) {
        int bits = 0;
        int i = from;
        for (int octet = 0; octet < 4; octet++) {
            if (octet > 0) {
                if (i >= to || text.charAt(i) != '.') {
                    throw new ParseException(text, i, i >= to
                            ? "IPv4 address has " + octet + " octets, expected 4"
                            : "expected '.' in IPv4 address");
                }
                i++;
            }
            int start = i;
            int value = 0;
            while (i < to && i - start < 4) {
                char c = text.charAt(i);
                if (c < '0' || c > '9') {
                    break;
                }
                value = value * 10 + (c - '0');
                i++;
            }
            if (i == start) {
                throw new ParseException(text, i, "expected a decimal octet in IPv4 address");
            }
            if (i - start > 3) {
                throw new ParseException(text, start, "octet has more than 3 digits");
            }
            if (i - start > 1 && text.charAt(start) == '0') {
                throw new ParseException(text, start, "octet has a leading zero");
            }
            if (value > 255) {
                throw new ParseException(text, start, "octet greater than 255");
            }
            bits = bits << 8 | value;
        }
        if (i != to) {
            throw new ParseException(text, i, text.charAt(i) == '.'
                    ? "IPv4 address has more than 4 octets" : "unexpected character after IPv4 address");
        }
        return bits;
    }

    private static IpAddress parseIpv6(CharSequence text, int from, int to) {
        int[] words = new int[8];
        int count = 0;
        int gap = -1;
        int i = from;
        if (i < to && text.charAt(i) == ':') {
            if (i + 1 >= to || text.charAt(i + 1) != ':') {
                throw new ParseException(text, i + 1, "expected ':' after a leading ':'");
            }
            i++;
        }
        int groupStart = i;
        boolean inGroup = false;
        int value = 0;
        while (i < to) {
            char c = text.charAt(i);
            int digit = Character.digit(c, 16);
            if (digit >= 0 && c < 0x80) {
                if (inGroup && i - groupStart >= 4) {
                    throw new ParseException(text, i, "IPv6 group has more than 4 hex digits");
                }
                if (!inGroup) {
                    groupStart = i;
                    inGroup = true;
                    value = 0;
                }
                value = value << 4 | digit;
                i++;
            } else if (c == ':') {
                if (!inGroup) {
                    if (gap >= 0) {
                        throw new ParseException(text, i, "IPv6 address has more than one '::'");
                    }
                    gap = count;
                    i++;
                    continue;
                }
                if (i + 1 >= to) {
                    throw new ParseException(text, i, "IPv6 address ends with a single ':'");
                }
                if (count == 8) {
                    throw new ParseException(text, groupStart, "IPv6 address has more than 8 groups");
                }
                words[count++] = value;
                inGroup = false;
                i++;
            } else if (c == '.') {
                int start = inGroup ? groupStart : i;
                if (count > 6) {
                    throw new ParseException(text, start, "no room for an embedded IPv4 address");
                }
                int v4 = parseIpv4(text, start, to);
                words[count++] = v4 >>> 16;
                words[count++] = v4 & 0xffff;
                inGroup = false;
                i = to;
            } else {
                throw new ParseException(text, i, "unexpected character in IPv6 address");
            }
        }
        if (inGroup) {
            if (count == 8) {
                throw new ParseException(text, groupStart, "IPv6 address has more than 8 groups");
            }
            words[count++] = value;
        }
        if (gap >= 0) {
            if (count == 8) {
                throw new ParseException(text, from, "'::' in an IPv6 address that already has 8 groups");
            }
            int moved = count - gap;
            for (int k = 0; k < moved; k++) {
                words[7 - k] = words[count - 1 - k];
                words[count - 1 - k] = 0;
            }
        } else if (count != 8) {
            throw new ParseException(text, to, "IPv6 address has " + count + " groups, expected 8");
        }
        long high = 0;
        long low = 0;
        for (int k = 0; k < 4; k++) {
            high = high << 16 | words[k];
            low = low << 16 | words[k + 4];
        }
        return ofIpv6(high, low);
    }

    /**
     * The family.
     *
     * @return IPv4 or IPv6
     */
    public AddressFamily family() {
        return family;
    }

    /**
     * True for an IPv4 address.
     *
     * @return whether this is IPv4
     */
    public boolean isIpv4() {
        return family == AddressFamily.IPV4;
    }

    /**
     * The 32 bits of an IPv4 address.
     *
     * @return the bits
     * @throws IllegalStateException for an IPv6 address
     */
    public int ipv4() {
        if (family != AddressFamily.IPV4) {
            throw new IllegalStateException(this + " is not an IPv4 address");
        }
        return (int) low;
    }

    /**
     * The first 64 bits of an IPv6 address; 0 for IPv4.
     *
     * @return the high half
     */
    public long high() {
        return high;
    }

    /**
     * The last 64 bits of an IPv6 address; for IPv4 the 32 address bits, zero-extended.
     *
     * @return the low half
     */
    public long low() {
        return low;
    }

    /**
     * The address in network byte order.
     *
     * @return 4 or 16 new bytes
     */
    public byte[] toBytes() {
        if (isIpv4()) {
            byte[] out = new byte[4];
            writeInt(out, 0, (int) low);
            return out;
        }
        byte[] out = new byte[16];
        writeLong(out, 0, high);
        writeLong(out, 8, low);
        return out;
    }

    /**
     * Converts to an {@link InetAddress} (no lookup is made).
     *
     * @return the address
     */
    public InetAddress toInetAddress() {
        try {
            return InetAddress.getByAddress(toBytes());
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Whether all bits are zero ({@code 0.0.0.0} or {@code ::}).
     *
     * @return true for the unspecified address
     */
    public boolean isZero() {
        return high == 0 && low == 0;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof IpAddress that
                && family == that.family && high == that.high && low == that.low;
    }

    @Override
    public int hashCode() {
        long h = high * 0x9E3779B97F4A7C15L ^ low;
        h = (h ^ h >>> 32) * 0xff51afd7ed558ccdL;
        return (int) (h ^ h >>> 29) + family.ordinal();
    }

    /** IPv4 before IPv6, then by unsigned numeric value. */
    @Override
    public int compareTo(IpAddress other) {
        int c = Integer.compare(family.ordinal(), other.family.ordinal());
        if (c != 0) {
            return c;
        }
        c = Long.compareUnsigned(high, other.high);
        return c != 0 ? c : Long.compareUnsigned(low, other.low);
    }

    /** The address as conntrack(8) prints it. */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder(isIpv4() ? 15 : 39);
        appendTo(out);
        return out.toString();
    }

    /**
     * Appends {@link #toString()} without creating a string.
     *
     * @param out where to append
     * @return {@code out}
     */
    public StringBuilder appendTo(StringBuilder out) {
        return isIpv4() ? appendIpv4(out, (int) low) : appendIpv6(out, high, low);
    }

    /**
     * Appends a dotted-quad IPv4 address.
     *
     * @param out where to append
     * @param bits the address
     * @return {@code out}
     */
    public static StringBuilder appendIpv4(StringBuilder out, int bits) {
        return out.append(bits >>> 24).append('.').append(bits >>> 16 & 0xff).append('.')
                .append(bits >>> 8 & 0xff).append('.').append(bits & 0xff);
    }

    /**
     * Appends an IPv6 address exactly as glibc's {@code inet_ntop(AF_INET6)} writes it.
     *
     * @param out where to append
     * @param high the first 64 bits
     * @param low the last 64 bits
     * @return {@code out}
     */
    public static StringBuilder appendIpv6(StringBuilder out, long high, long low) {
        // Longest run of zero groups, first on a tie, only if at least two long.
        int bestBase = -1;
        int bestLen = 0;
        int curBase = -1;
        int curLen = 0;
        for (int i = 0; i < 8; i++) {
            if (group(high, low, i) == 0) {
                if (curBase < 0) {
                    curBase = i;
                    curLen = 1;
                } else {
                    curLen++;
                }
            } else if (curBase >= 0) {
                if (bestBase < 0 || curLen > bestLen) {
                    bestBase = curBase;
                    bestLen = curLen;
                }
                curBase = -1;
            }
        }
        if (curBase >= 0 && (bestBase < 0 || curLen > bestLen)) {
            bestBase = curBase;
            bestLen = curLen;
        }
        if (bestBase >= 0 && bestLen < 2) {
            bestBase = -1;
        }
        for (int i = 0; i < 8; i++) {
            if (bestBase >= 0 && i >= bestBase && i < bestBase + bestLen) {
                if (i == bestBase) {
                    out.append(':');
                }
                continue;
            }
            if (i != 0) {
                out.append(':');
            }
            if (i == 6 && bestBase == 0
                    && (bestLen == 6 || (bestLen == 5 && group(high, low, 5) == 0xffff))) {
                appendIpv4(out, (int) low);
                return out;
            }
            out.append(Integer.toHexString(group(high, low, i)));
        }
        if (bestBase >= 0 && bestBase + bestLen == 8) {
            out.append(':');
        }
        return out;
    }

    private static int group(long high, long low, int i) {
        long half = i < 4 ? high : low;
        return (int) (half >>> (48 - 16 * (i & 3))) & 0xffff;
    }

    /**
     * The IPv4 netmask of a prefix length ({@code 24} gives {@code 0xffffff00}).
     *
     * @param prefix 0 to 32
     * @return the mask
     */
    public static int ipv4Mask(int prefix) {
        return prefix == 0 ? 0 : -1 << (32 - prefix);
    }

    /**
     * The mask of one 64-bit half of an IPv6 prefix.
     *
     * @param prefix 0 to 128
     * @param highHalf true for the first 64 bits
     * @return the mask for that half
     */
    public static long ipv6Mask(int prefix, boolean highHalf) {
        int bits = highHalf ? Math.min(prefix, 64) : Math.max(prefix - 64, 0);
        return bits == 0 ? 0L : -1L << (64 - bits);
    }

    private static int readInt(byte[] b, int at) {
        return (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | (b[at + 3] & 0xff);
    }

    private static long readLong(byte[] b, int at) {
        return (readInt(b, at) & 0xffff_ffffL) << 32 | (readInt(b, at + 4) & 0xffff_ffffL);
    }

    private static void writeInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    private static void writeLong(byte[] b, int at, long v) {
        writeInt(b, at, (int) (v >>> 32));
        writeInt(b, at + 4, (int) v);
    }
}

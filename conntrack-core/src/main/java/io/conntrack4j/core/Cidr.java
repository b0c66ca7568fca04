package io.conntrack4j.core;

/**
 * An address prefix such as {@code 10.0.0.0/8} or {@code 2001:db8::/32}. The network address is
 * always stored with its host bits cleared, so {@code 10.1.2.3/8} parses to {@code 10.0.0.0/8}.
 *
 * <pre>{@code
 * Cidr lan = Cidr.parse("192.168.0.0/16");
 * lan.contains(IpAddress.parse("192.168.7.1")); // true
 * Cidr.containsIpv4(0xc0a80000, 16, 0xc0a80701); // true, without objects
 * }</pre>
 *
 * @param network the first address of the prefix (host bits zero)
 * @param prefixLength number of leading bits that must match: 0 to 32 for IPv4, 0 to 128 for IPv6
 */
public record Cidr(IpAddress network, int prefixLength) {

    /**
     * Creates a prefix, clearing the host bits of {@code network}.
     *
     * @param network any address inside the prefix
     * @param prefixLength 0 to 32 (IPv4) or 0 to 128 (IPv6)
     * @throws IllegalArgumentException when the length is out of range
     */
    public Cidr {
        int max = network.family().addressBits();
        if (prefixLength < 0 || prefixLength > max) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " out of range 0.." + max);
        }
        if (network.isIpv4()) {
            int masked = network.ipv4() & IpAddress.ipv4Mask(prefixLength);
            if (masked != network.ipv4()) {
                network = IpAddress.ofIpv4(masked);
            }
        } else {
            long high = network.high() & IpAddress.ipv6Mask(prefixLength, true);
            long low = network.low() & IpAddress.ipv6Mask(prefixLength, false);
            if (high != network.high() || low != network.low()) {
                network = IpAddress.ofIpv6(high, low);
            }
        }
    }

    /**
     * The prefix holding exactly one address ({@code /32} or {@code /128}).
     *
     * @param address the address
     * @return the prefix
     */
    public static Cidr of(IpAddress address) {
        return new Cidr(address, address.family().addressBits());
    }

    /**
     * Parses {@code ADDRESS/LENGTH}, or a bare address meaning a single-address prefix. The length
     * is decimal without leading zeros.
     *
     * @param text the prefix
     * @return the prefix
     * @throws ParseException when the text is not a prefix; the message names text and position
     */
    public static Cidr parse(CharSequence text) {
        if (text == null) {
            throw new ParseException(null, 0, "prefix expected, got null");
        }
        int slash = -1;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '/') {
                slash = i;
                break;
            }
        }
        if (slash < 0) {
            return of(IpAddress.parse(text, 0, text.length()));
        }
        IpAddress address = IpAddress.parse(text, 0, slash);
        int max = address.family().addressBits();
        int start = slash + 1;
        if (start == text.length()) {
            throw new ParseException(text, start, "prefix length expected after '/'");
        }
        int length = 0;
        for (int i = start; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                throw new ParseException(text, i, "prefix length must be decimal digits");
            }
            if (i > start && text.charAt(start) == '0') {
                throw new ParseException(text, start, "prefix length has a leading zero");
            }
            length = length * 10 + (c - '0');
            if (length > max) {
                throw new ParseException(text, start, "prefix length greater than " + max);
            }
        }
        return new Cidr(address, length);
    }

    /**
     * The address family.
     *
     * @return IPv4 or IPv6
     */
    public AddressFamily family() {
        return network.family();
    }

    /**
     * Whether an address lies inside this prefix. An address of the other family never does.
     *
     * @param address the address
     * @return true when the first {@link #prefixLength()} bits match
     */
    public boolean contains(IpAddress address) {
        if (address.family() != network.family()) {
            return false;
        }
        if (address.isIpv4()) {
            return containsIpv4(network.ipv4(), prefixLength, address.ipv4());
        }
        return containsIpv6(network.high(), network.low(), prefixLength, address.high(), address.low());
    }

    /**
     * Whether another prefix lies entirely inside this one.
     *
     * @param other a prefix
     * @return true when every address of {@code other} is in this prefix
     */
    public boolean contains(Cidr other) {
        return other.prefixLength >= prefixLength && contains(other.network);
    }

    /**
     * Allocation-free IPv4 prefix test.
     *
     * @param network network bits
     * @param prefixLength 0 to 32
     * @param address address bits
     * @return whether the address is inside
     */
    public static boolean containsIpv4(int network, int prefixLength, int address) {
        int mask = IpAddress.ipv4Mask(prefixLength);
        return ((network ^ address) & mask) == 0;
    }

    /**
     * Allocation-free IPv6 prefix test.
     *
     * @param networkHigh first 64 network bits
     * @param networkLow last 64 network bits
     * @param prefixLength 0 to 128
     * @param high first 64 address bits
     * @param low last 64 address bits
     * @return whether the address is inside
     */
    public static boolean containsIpv6(long networkHigh, long networkLow, int prefixLength, long high, long low) {
        return ((networkHigh ^ high) & IpAddress.ipv6Mask(prefixLength, true)) == 0
                && ((networkLow ^ low) & IpAddress.ipv6Mask(prefixLength, false)) == 0;
    }

    /** {@code NETWORK/LENGTH}, the network printed as {@link IpAddress#toString()} does. */
    @Override
    public String toString() {
        return network.appendTo(new StringBuilder(44)).append('/').append(prefixLength).toString();
    }
}

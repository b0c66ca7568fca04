package io.conntrack4j.core;

/**
 * Layer-3 protocol family of a tuple, with the Linux {@code AF_*} number and the name conntrack(8)
 * prints with {@code -o extended}.
 */
public enum AddressFamily {
    /** IPv4, {@code AF_INET} = 2. */
    IPV4(2, "ipv4", 4),
    /** IPv6, {@code AF_INET6} = 10. */
    IPV6(10, "ipv6", 16);

    /** {@code AF_INET}. */
    public static final int AF_INET = 2;
    /** {@code AF_INET6}. */
    public static final int AF_INET6 = 10;

    private final int number;
    private final String conntrackName;
    private final int addressBytes;

    AddressFamily(int number, String conntrackName, int addressBytes) {
        this.number = number;
        this.conntrackName = conntrackName;
        this.addressBytes = addressBytes;
    }

    /**
     * The kernel's family number ({@code nfgen_family}).
     *
     * @return 2 or 10
     */
    public int number() {
        return number;
    }

    /**
     * The name conntrack(8) prints: {@code ipv4} or {@code ipv6}.
     *
     * @return the name
     */
    public String conntrackName() {
        return conntrackName;
    }

    /**
     * Length of an address of this family.
     *
     * @return 4 or 16
     */
    public int addressBytes() {
        return addressBytes;
    }

    /**
     * Length of an address of this family in bits (the longest prefix).
     *
     * @return 32 or 128
     */
    public int addressBits() {
        return addressBytes * 8;
    }

    /**
     * The family with a kernel number.
     *
     * @param number 2 or 10
     * @return the family, or null for any other number
     */
    public static AddressFamily ofNumber(int number) {
        return switch (number) {
            case AF_INET -> IPV4;
            case AF_INET6 -> IPV6;
            default -> null;
        };
    }

    /**
     * The family with a conntrack name.
     *
     * @param name {@code ipv4} or {@code ipv6}
     * @return the family, or null for any other name
     */
    public static AddressFamily ofConntrackName(String name) {
        return switch (name) {
            case "ipv4" -> IPV4;
            case "ipv6" -> IPV6;
            default -> null;
        };
    }
}

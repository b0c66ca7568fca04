package io.conntrack4j.core;

/**
 * A layer-4 protocol number (0 to 255) with the name conntrack(8) prints for it, and the kind of
 * layer-4 key a tuple of that protocol carries. Instances are shared: {@code L4Protocol.of(6) ==
 * L4Protocol.TCP}.
 *
 * <p>conntrack(8) knows tcp, udp, udplite, icmp, icmpv6, sctp, dccp and gre; every other number is
 * printed as {@code unknown} followed by the number ({@code unknown  50 ...} for ESP).
 */
public final class L4Protocol implements Comparable<L4Protocol> {

    /** How a protocol's tuple identifies a flow beyond the addresses. */
    public enum KeyKind {
        /** Source and destination port (TCP, UDP, UDP-Lite, SCTP, DCCP). */
        PORTS,
        /** ICMP or ICMPv6 echo id, type and code. */
        ICMP,
        /** GRE source and destination key (16-bit PPTP call ids). */
        GRE,
        /** Nothing: the generic tracker uses addresses only. */
        NONE
    }

    /** {@code IPPROTO_ICMP}. */
    public static final int ICMP_NUMBER = 1;
    /** {@code IPPROTO_TCP}. */
    public static final int TCP_NUMBER = 6;
    /** {@code IPPROTO_UDP}. */
    public static final int UDP_NUMBER = 17;
    /** {@code IPPROTO_DCCP}. */
    public static final int DCCP_NUMBER = 33;
    /** {@code IPPROTO_GRE}. */
    public static final int GRE_NUMBER = 47;
    /** {@code IPPROTO_ICMPV6}. */
    public static final int ICMPV6_NUMBER = 58;
    /** {@code IPPROTO_SCTP}. */
    public static final int SCTP_NUMBER = 132;
    /** {@code IPPROTO_UDPLITE}. */
    public static final int UDPLITE_NUMBER = 136;

    private static final L4Protocol[] ALL = new L4Protocol[256];

    static {
        for (int i = 0; i < 256; i++) {
            ALL[i] = new L4Protocol(i);
        }
    }

    /** ICMP, 1. */
    public static final L4Protocol ICMP = ALL[ICMP_NUMBER];
    /** TCP, 6. */
    public static final L4Protocol TCP = ALL[TCP_NUMBER];
    /** UDP, 17. */
    public static final L4Protocol UDP = ALL[UDP_NUMBER];
    /** DCCP, 33 (its tracker is gone from current kernels). */
    public static final L4Protocol DCCP = ALL[DCCP_NUMBER];
    /** GRE, 47. */
    public static final L4Protocol GRE = ALL[GRE_NUMBER];
    /** ICMPv6, 58. */
    public static final L4Protocol ICMPV6 = ALL[ICMPV6_NUMBER];
    /** SCTP, 132. */
    public static final L4Protocol SCTP = ALL[SCTP_NUMBER];
    /** UDP-Lite, 136. */
    public static final L4Protocol UDPLITE = ALL[UDPLITE_NUMBER];

    private final int number;
    private final String conntrackName;
    private final KeyKind keyKind;

    private L4Protocol(int number) {
        this.number = number;
        this.conntrackName = conntrackName(number);
        this.keyKind = keyKind(number);
    }

    /**
     * The protocol with a number.
     *
     * @param number 0 to 255
     * @return the shared instance
     * @throws IllegalArgumentException when out of range
     */
    public static L4Protocol of(int number) {
        if (number < 0 || number > 255) {
            throw new IllegalArgumentException("protocol number " + number + " out of range 0..255");
        }
        return ALL[number];
    }

    /**
     * The protocol conntrack(8) prints under a name.
     *
     * @param name {@code tcp}, {@code udp}, ... ({@code unknown} is not a protocol)
     * @return the protocol, or null when conntrack has no such name
     */
    public static L4Protocol ofConntrackName(String name) {
        return switch (name) {
            case "tcp" -> TCP;
            case "udp" -> UDP;
            case "udplite" -> UDPLITE;
            case "icmp" -> ICMP;
            case "icmpv6" -> ICMPV6;
            case "sctp" -> SCTP;
            case "dccp" -> DCCP;
            case "gre" -> GRE;
            default -> null;
        };
    }

    /**
     * The name conntrack(8) prints for a protocol number.
     *
     * @param number 0 to 255
     * @return {@code tcp}, ..., or {@code unknown}
     */
    public static String conntrackName(int number) {
        return switch (number) {
            case TCP_NUMBER -> "tcp";
            case UDP_NUMBER -> "udp";
            case UDPLITE_NUMBER -> "udplite";
            case ICMP_NUMBER -> "icmp";
            case ICMPV6_NUMBER -> "icmpv6";
            case SCTP_NUMBER -> "sctp";
            case DCCP_NUMBER -> "dccp";
            case GRE_NUMBER -> "gre";
            default -> "unknown";
        };
    }

    /**
     * The key kind of a protocol number, for hot paths.
     *
     * @param number 0 to 255
     * @return the kind of layer-4 key
     */
    public static KeyKind keyKind(int number) {
        return switch (number) {
            case TCP_NUMBER, UDP_NUMBER, UDPLITE_NUMBER, SCTP_NUMBER, DCCP_NUMBER -> KeyKind.PORTS;
            case ICMP_NUMBER, ICMPV6_NUMBER -> KeyKind.ICMP;
            case GRE_NUMBER -> KeyKind.GRE;
            default -> KeyKind.NONE;
        };
    }

    /**
     * The protocol number.
     *
     * @return 0 to 255
     */
    public int number() {
        return number;
    }

    /**
     * The name conntrack(8) prints.
     *
     * @return {@code tcp}, ..., or {@code unknown}
     */
    public String conntrackName() {
        return conntrackName;
    }

    /**
     * What the tuple carries for this protocol.
     *
     * @return the key kind
     */
    public KeyKind keyKind() {
        return keyKind;
    }

    /**
     * Whether conntrack(8) has a name for this protocol.
     *
     * @return false for protocols printed as {@code unknown}
     */
    public boolean isKnown() {
        return !"unknown".equals(conntrackName);
    }

    @Override
    public int compareTo(L4Protocol other) {
        return Integer.compare(number, other.number);
    }

    /** The conntrack name, or {@code unknown(N)} for protocols it has no name for. */
    @Override
    public String toString() {
        return isKnown() ? conntrackName : "unknown(" + number + ")";
    }
}

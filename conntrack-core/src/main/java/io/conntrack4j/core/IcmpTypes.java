package io.conntrack4j.core;

/**
 * The ICMP and ICMPv6 request/reply type pairs Linux uses to invert an ICMP tuple
 * ({@code invmap} in nf_conntrack_proto_icmp.c and nf_conntrack_proto_icmpv6.c). A type without
 * a pair (destination unreachable, for example) has no inverse: such a packet cannot start a
 * connection.
 *
 * <table>
 * <caption>Pairs (both ways)</caption>
 * <tr><th>family</th><th>request</th><th>reply</th></tr>
 * <tr><td>ICMP</td><td>8 echo</td><td>0 echo reply</td></tr>
 * <tr><td>ICMP</td><td>13 timestamp</td><td>14 timestamp reply</td></tr>
 * <tr><td>ICMP</td><td>15 information request</td><td>16 information reply</td></tr>
 * <tr><td>ICMP</td><td>17 address mask request</td><td>18 address mask reply</td></tr>
 * <tr><td>ICMPv6</td><td>128 echo request</td><td>129 echo reply</td></tr>
 * <tr><td>ICMPv6</td><td>139 node information query</td><td>140 node information reply</td></tr>
 * </table>
 */
public final class IcmpTypes {

    /** Returned by the inverse functions for a type without a pair. */
    public static final int NO_INVERSE = -1;

    private IcmpTypes() {
    }

    /**
     * The ICMP (IPv4) type that answers, or is answered by, {@code type}.
     *
     * @param type 0 to 255
     * @return the paired type, or {@link #NO_INVERSE}
     */
    public static int invertIcmp(int type) {
        return switch (type) {
            case 8 -> 0;
            case 0 -> 8;
            case 13 -> 14;
            case 14 -> 13;
            case 15 -> 16;
            case 16 -> 15;
            case 17 -> 18;
            case 18 -> 17;
            default -> NO_INVERSE;
        };
    }

    /**
     * The ICMPv6 type that answers, or is answered by, {@code type}.
     *
     * @param type 0 to 255
     * @return the paired type, or {@link #NO_INVERSE}
     */
    public static int invertIcmpv6(int type) {
        return switch (type) {
            case 128 -> 129;
            case 129 -> 128;
            case 139 -> 140;
            case 140 -> 139;
            default -> NO_INVERSE;
        };
    }

    /**
     * The paired type for a protocol number.
     *
     * @param protocol 1 (ICMP) or 58 (ICMPv6)
     * @param type the type
     * @return the paired type, or {@link #NO_INVERSE} (also for other protocols)
     */
    public static int invert(int protocol, int type) {
        return switch (protocol) {
            case L4Protocol.ICMP_NUMBER -> invertIcmp(type);
            case L4Protocol.ICMPV6_NUMBER -> invertIcmpv6(type);
            default -> NO_INVERSE;
        };
    }
}

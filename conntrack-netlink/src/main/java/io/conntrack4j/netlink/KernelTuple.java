package io.conntrack4j.netlink;

import io.conntrack4j.core.AddressFamily;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Objects;

/**
 * An original-direction tuple to address one kernel entry, for example to delete it. Ports apply
 * to port-based protocols, type/code/id to ICMP and ICMPv6; unused fields are -1.
 *
 * <pre>{@code
 * KernelTuple t = KernelTuple.ports(InetAddress.getByName("10.1.1.1"), InetAddress.getByName("10.2.2.2"),
 *         KernelTuple.TCP, 1111, 80);
 * table.delete(t, 0);
 * }</pre>
 *
 * @param source source address
 * @param destination destination address, same family as the source
 * @param protocol IP protocol number
 * @param sourcePort source port, or -1
 * @param destinationPort destination port, or -1
 * @param icmpType ICMP type, or -1
 * @param icmpCode ICMP code, or -1
 * @param icmpId ICMP echo id, or -1
 */
public record KernelTuple(InetAddress source, InetAddress destination, int protocol, int sourcePort,
        int destinationPort, int icmpType, int icmpCode, int icmpId) {

    /** IP protocol number of ICMP. */
    public static final int ICMP = 1;
    /** IP protocol number of TCP. */
    public static final int TCP = 6;
    /** IP protocol number of UDP. */
    public static final int UDP = 17;
    /** IP protocol number of ICMPv6. */
    public static final int ICMPV6 = 58;

    /**
     * Checks the tuple.
     *
     * @param source source address
     * @param destination destination address
     * @param protocol IP protocol number
     * @param sourcePort source port, or -1
     * @param destinationPort destination port, or -1
     * @param icmpType ICMP type, or -1
     * @param icmpCode ICMP code, or -1
     * @param icmpId ICMP echo id, or -1
     */
    public KernelTuple {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(destination, "destination");
        if ((source instanceof Inet4Address) != (destination instanceof Inet4Address)) {
            throw new IllegalArgumentException("source " + source + " and destination " + destination
                    + " are of different families");
        }
        check("protocol", protocol, 0, 255);
        check("sourcePort", sourcePort, -1, 65535);
        check("destinationPort", destinationPort, -1, 65535);
        check("icmpType", icmpType, -1, 255);
        check("icmpCode", icmpCode, -1, 255);
        check("icmpId", icmpId, -1, 65535);
    }

    /**
     * A tuple of a port-based protocol (TCP, UDP, SCTP, ...).
     *
     * @param source source address
     * @param destination destination address
     * @param protocol IP protocol number
     * @param sourcePort source port
     * @param destinationPort destination port
     * @return the tuple
     */
    public static KernelTuple ports(InetAddress source, InetAddress destination, int protocol, int sourcePort,
            int destinationPort) {
        return new KernelTuple(source, destination, protocol, sourcePort, destinationPort, -1, -1, -1);
    }

    /**
     * An ICMP (IPv4 addresses) or ICMPv6 (IPv6 addresses) tuple.
     *
     * @param source source address
     * @param destination destination address
     * @param type ICMP type
     * @param code ICMP code
     * @param id echo identifier
     * @return the tuple
     */
    public static KernelTuple icmp(InetAddress source, InetAddress destination, int type, int code, int id) {
        int protocol = source instanceof Inet4Address ? ICMP : ICMPV6;
        return new KernelTuple(source, destination, protocol, -1, -1, type, code, id);
    }

    /**
     * The family of the addresses.
     *
     * @return IPV4 or IPV6
     */
    public AddressFamily family() {
        return source instanceof Inet4Address ? AddressFamily.IPV4 : AddressFamily.IPV6;
    }

    private static void check(String name, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be in [" + min + ", " + max + "]: " + value);
        }
    }
}

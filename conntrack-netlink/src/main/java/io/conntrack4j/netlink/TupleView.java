package io.conntrack4j.netlink;

import io.conntrack4j.core.IpAddress;
import io.conntrack4j.core.L4Protocol;
import io.conntrack4j.core.Tuple;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/**
 * One direction's tuple of a dumped entry, read in place from the receive buffer. Like its
 * {@link ConntrackEntry}, it is valid only during the visitor call. Absent fields read as -1.
 *
 * <pre>{@code
 * TupleView orig = entry.original();
 * byte[] src = new byte[16];
 * int length = orig.source(src);          // 4 or 16 bytes copied, no allocation
 * int dport = orig.destinationPort();     // -1 for ICMP
 * }</pre>
 */
public final class TupleView {
    private ByteBuffer host;
    private ByteBuffer network;
    private boolean present;
    private int sourceOffset;
    private int sourceLength;
    private int destinationOffset;
    private int destinationLength;
    private int protocol;
    private int sourcePort;
    private int destinationPort;
    private int icmpType;
    private int icmpCode;
    private int icmpId;
    private int zone;

    TupleView() {
        clear(null, null);
    }

    void clear(ByteBuffer host, ByteBuffer network) {
        this.host = host;
        this.network = network;
        present = false;
        sourceLength = 0;
        destinationLength = 0;
        protocol = -1;
        sourcePort = -1;
        destinationPort = -1;
        icmpType = -1;
        icmpCode = -1;
        icmpId = -1;
        zone = -1;
    }

    void markPresent() {
        present = true;
    }

    void source(int offset, int length) {
        sourceOffset = offset;
        sourceLength = length;
    }

    void destination(int offset, int length) {
        destinationOffset = offset;
        destinationLength = length;
    }

    void protocol(int value) {
        protocol = value;
    }

    void sourcePort(int value) {
        sourcePort = value;
    }

    void destinationPort(int value) {
        destinationPort = value;
    }

    void icmpType(int value) {
        icmpType = value;
    }

    void icmpCode(int value) {
        icmpCode = value;
    }

    void icmpId(int value) {
        icmpId = value;
    }

    void zone(int value) {
        zone = value;
    }

    /**
     * Whether the entry carried this tuple.
     *
     * @return presence
     */
    public boolean present() {
        return present;
    }

    /**
     * Source address length: 4 (IPv4), 16 (IPv6), or 0 when absent.
     *
     * @return bytes
     */
    public int sourceLength() {
        return sourceLength;
    }

    /**
     * Destination address length: 4 (IPv4), 16 (IPv6), or 0 when absent.
     *
     * @return bytes
     */
    public int destinationLength() {
        return destinationLength;
    }

    /**
     * Copies the source address (network order) into {@code into}.
     *
     * @param into at least {@link #sourceLength()} bytes
     * @return bytes copied
     */
    public int source(byte[] into) {
        return copy(sourceOffset, sourceLength, into);
    }

    /**
     * Copies the destination address (network order) into {@code into}.
     *
     * @param into at least {@link #destinationLength()} bytes
     * @return bytes copied
     */
    public int destination(byte[] into) {
        return copy(destinationOffset, destinationLength, into);
    }

    /**
     * The IPv4 source address as a big-endian int ({@code 10.0.0.1} is {@code 0x0A000001}).
     *
     * @return the address, or 0 when not IPv4
     */
    public int sourceIPv4() {
        return sourceLength == 4 ? network.getInt(sourceOffset) : 0;
    }

    /**
     * The IPv4 destination address as a big-endian int.
     *
     * @return the address, or 0 when not IPv4
     */
    public int destinationIPv4() {
        return destinationLength == 4 ? network.getInt(destinationOffset) : 0;
    }

    /**
     * The source address as an object (allocates; for convenience, not for hot paths).
     *
     * @return the address, or null when absent
     */
    public InetAddress sourceAddress() {
        return inetAddress(sourceOffset, sourceLength);
    }

    /**
     * The destination address as an object (allocates; for convenience, not for hot paths).
     *
     * @return the address, or null when absent
     */
    public InetAddress destinationAddress() {
        return inetAddress(destinationOffset, destinationLength);
    }

    /**
     * The layer-4 protocol number (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6, ...).
     *
     * @return protocol, or -1
     */
    public int protocol() {
        return protocol;
    }

    /**
     * The source port (TCP, UDP, SCTP, UDP-Lite, DCCP; GRE key).
     *
     * @return 0..65535, or -1
     */
    public int sourcePort() {
        return sourcePort;
    }

    /**
     * The destination port.
     *
     * @return 0..65535, or -1
     */
    public int destinationPort() {
        return destinationPort;
    }

    /**
     * ICMP or ICMPv6 type.
     *
     * @return 0..255, or -1
     */
    public int icmpType() {
        return icmpType;
    }

    /**
     * ICMP or ICMPv6 code.
     *
     * @return 0..255, or -1
     */
    public int icmpCode() {
        return icmpCode;
    }

    /**
     * ICMP or ICMPv6 echo identifier.
     *
     * @return 0..65535, or -1
     */
    public int icmpId() {
        return icmpId;
    }

    /**
     * The zone of this direction only (CTA_TUPLE_ZONE); the entry's zone is
     * {@link ConntrackEntry#zone()}.
     *
     * @return zone, or -1
     */
    public int zone() {
        return zone;
    }

    /**
     * Copies the view into a core {@link Tuple} (allocates), with this direction's zone.
     *
     * <pre>{@code
     * Tuple orig = entry.original().toTuple(); // src=10.0.0.1 dst=10.0.0.2 sport=40000 dport=80
     * }</pre>
     *
     * @return the tuple, or null when the view lacks addresses of one family or a protocol
     */
    public Tuple toTuple() {
        if (!present || protocol < 0 || sourceLength == 0 || sourceLength != destinationLength) {
            return null;
        }
        L4Protocol l4 = L4Protocol.of(protocol);
        int sourceKey;
        int destinationKey;
        switch (l4.keyKind()) {
            case PORTS, GRE -> {
                sourceKey = Math.max(0, sourcePort);
                destinationKey = Math.max(0, destinationPort);
            }
            case ICMP -> {
                sourceKey = Math.max(0, icmpId);
                destinationKey = Math.max(0, icmpType) << 8 | Math.max(0, icmpCode);
            }
            default -> {
                sourceKey = 0;
                destinationKey = 0;
            }
        }
        try {
            return new Tuple(address(sourceOffset, sourceLength), address(destinationOffset, destinationLength),
                    l4, sourceKey, destinationKey, zone < 0 ? Tuple.NO_ZONE : zone);
        } catch (IllegalArgumentException e) {
            // cannot happen for what the reader stores (u8/u16 fields), kept so that no input can throw
            return null;
        }
    }

    /** Whether the source address is {@code a} (no allocation). */
    boolean sourceIs(IpAddress a) {
        return is(sourceOffset, sourceLength, a);
    }

    /** The IPv4 source address as an int (network order read big-endian); only when {@code sourceLength() == 4}. */
    int sourceIpv4() {
        return network.getInt(sourceOffset);
    }

    /** The high 64 bits of the IPv6 source; only when {@code sourceLength() == 16}. */
    long sourceIpv6High() {
        return network.getLong(sourceOffset);
    }

    /** The low 64 bits of the IPv6 source; only when {@code sourceLength() == 16}. */
    long sourceIpv6Low() {
        return network.getLong(sourceOffset + 8);
    }

    /** Whether the destination address is {@code a} (no allocation). */
    boolean destinationIs(IpAddress a) {
        return is(destinationOffset, destinationLength, a);
    }

    private boolean is(int offset, int length, IpAddress a) {
        if (a.isIpv4()) {
            return length == 4 && network.getInt(offset) == a.ipv4();
        }
        return length == 16 && network.getLong(offset) == a.high() && network.getLong(offset + 8) == a.low();
    }

    private IpAddress address(int offset, int length) {
        return length == 4 ? IpAddress.ofIpv4(network.getInt(offset))
                : IpAddress.ofIpv6(network.getLong(offset), network.getLong(offset + 8));
    }

    private int copy(int offset, int length, byte[] into) {
        for (int i = 0; i < length; i++) {
            into[i] = host.get(offset + i);
        }
        return length;
    }

    private InetAddress inetAddress(int offset, int length) {
        if (length == 0) {
            return null;
        }
        byte[] bytes = new byte[length];
        copy(offset, length, bytes);
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("address of length " + length, e);
        }
    }
}

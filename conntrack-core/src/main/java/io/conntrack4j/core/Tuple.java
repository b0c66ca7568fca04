package io.conntrack4j.core;

import io.conntrack4j.core.internal.TextCursor;
import io.conntrack4j.core.internal.TupleText;
import java.util.Objects;

/**
 * One direction of a connection, as Linux's {@code nf_conntrack_tuple} holds it: addresses, the
 * layer-4 protocol, a 16-bit protocol value on each side, and an optional directional zone.
 *
 * <p>The two 16-bit values follow the kernel's split:
 * <ul>
 * <li>TCP, UDP, UDP-Lite, SCTP, DCCP: {@code sourceKey} = source port, {@code destinationKey} =
 *     destination port;</li>
 * <li>ICMP, ICMPv6: {@code sourceKey} = echo id, {@code destinationKey} = {@code type << 8 | code};</li>
 * <li>GRE: the source and destination keys (16-bit PPTP call ids);</li>
 * <li>any other protocol: both zero.</li>
 * </ul>
 *
 * <p>{@link #toString()} is conntrack(8)'s notation ({@code src=1.2.3.4 dst=5.6.7.8 sport=1 dport=2},
 * ICMP {@code type=8 code=0 id=1234}, GRE {@code srckey=0x1 dstkey=0x2}), followed by
 * {@code zone=N} when a directional zone is set; {@link #parse(L4Protocol, CharSequence)} reads it
 * back. The notation does not name the protocol, so parsing needs it.
 *
 * <pre>{@code
 * Tuple t = Tuple.ofPorts(IpAddress.parse("10.0.0.1"), IpAddress.parse("10.0.0.2"), L4Protocol.TCP, 40000, 80);
 * t.inverse().toString(); // src=10.0.0.2 dst=10.0.0.1 sport=80 dport=40000
 * }</pre>
 *
 * @param source source address
 * @param destination destination address, same family as the source
 * @param protocol layer-4 protocol
 * @param sourceKey source port, ICMP id or GRE source key (0 to 65535; 0 for other protocols)
 * @param destinationKey destination port, ICMP {@code type << 8 | code} or GRE destination key
 * @param zone directional zone id 0 to 65535, or {@link #NO_ZONE}
 */
public record Tuple(IpAddress source, IpAddress destination, L4Protocol protocol,
                    int sourceKey, int destinationKey, int zone) implements Comparable<Tuple> {

    /** The zone value of a tuple without a directional zone. */
    public static final int NO_ZONE = -1;

    /**
     * Validates the parts.
     *
     * @throws IllegalArgumentException for mixed families, keys out of range, keys on a protocol
     *     without keys, or a zone out of range
     * @throws NullPointerException for a missing address or protocol
     */
    public Tuple {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(protocol, "protocol");
        if (source.family() != destination.family()) {
            throw new IllegalArgumentException("source " + source + " and destination " + destination
                    + " are of different families");
        }
        if ((sourceKey & ~0xffff) != 0 || (destinationKey & ~0xffff) != 0) {
            throw new IllegalArgumentException("layer-4 keys are 16-bit: " + sourceKey + ", " + destinationKey);
        }
        if (protocol.keyKind() == L4Protocol.KeyKind.NONE && (sourceKey | destinationKey) != 0) {
            throw new IllegalArgumentException("protocol " + protocol + " has no layer-4 keys");
        }
        if (zone < NO_ZONE || zone > 0xffff) {
            throw new IllegalArgumentException("zone " + zone + " out of range 0..65535");
        }
    }

    /**
     * A tuple of a port-based protocol (TCP, UDP, UDP-Lite, SCTP, DCCP).
     *
     * @param source source address
     * @param destination destination address
     * @param protocol the protocol
     * @param sourcePort 0 to 65535
     * @param destinationPort 0 to 65535
     * @return the tuple, without zone
     */
    public static Tuple ofPorts(IpAddress source, IpAddress destination, L4Protocol protocol,
                                int sourcePort, int destinationPort) {
        if (protocol.keyKind() != L4Protocol.KeyKind.PORTS) {
            throw new IllegalArgumentException(protocol + " has no ports");
        }
        return new Tuple(source, destination, protocol, sourcePort, destinationPort, NO_ZONE);
    }

    /**
     * An ICMP tuple for IPv4 addresses, an ICMPv6 one for IPv6 addresses.
     *
     * @param source source address
     * @param destination destination address
     * @param type ICMP type 0 to 255
     * @param code ICMP code 0 to 255
     * @param id echo id 0 to 65535
     * @return the tuple, without zone
     */
    public static Tuple ofIcmp(IpAddress source, IpAddress destination, int type, int code, int id) {
        if ((type & ~0xff) != 0 || (code & ~0xff) != 0) {
            throw new IllegalArgumentException("ICMP type and code are 8-bit: " + type + ", " + code);
        }
        L4Protocol protocol = source.isIpv4() ? L4Protocol.ICMP : L4Protocol.ICMPV6;
        return new Tuple(source, destination, protocol, id, type << 8 | code, NO_ZONE);
    }

    /**
     * A GRE tuple.
     *
     * @param source source address
     * @param destination destination address
     * @param sourceKey 0 to 65535
     * @param destinationKey 0 to 65535
     * @return the tuple, without zone
     */
    public static Tuple ofGre(IpAddress source, IpAddress destination, int sourceKey, int destinationKey) {
        return new Tuple(source, destination, L4Protocol.GRE, sourceKey, destinationKey, NO_ZONE);
    }

    /**
     * A tuple of a protocol tracked by addresses only.
     *
     * @param source source address
     * @param destination destination address
     * @param protocol a protocol whose {@link L4Protocol#keyKind()} is NONE
     * @return the tuple, without zone
     */
    public static Tuple ofAddresses(IpAddress source, IpAddress destination, L4Protocol protocol) {
        return new Tuple(source, destination, protocol, 0, 0, NO_ZONE);
    }

    /**
     * The same tuple with another directional zone.
     *
     * @param zone 0 to 65535, or {@link #NO_ZONE}
     * @return the tuple
     */
    public Tuple withZone(int zone) {
        return zone == this.zone ? this : new Tuple(source, destination, protocol, sourceKey, destinationKey, zone);
    }

    /**
     * The address family.
     *
     * @return IPv4 or IPv6
     */
    public AddressFamily family() {
        return source.family();
    }

    /**
     * Whether a directional zone is set.
     *
     * @return true when {@link #zone()} is not {@link #NO_ZONE}
     */
    public boolean hasZone() {
        return zone != NO_ZONE;
    }

    /**
     * The source port (meaningful for port-based protocols).
     *
     * @return {@link #sourceKey()}
     */
    public int sourcePort() {
        return sourceKey;
    }

    /**
     * The destination port (meaningful for port-based protocols).
     *
     * @return {@link #destinationKey()}
     */
    public int destinationPort() {
        return destinationKey;
    }

    /**
     * The ICMP type (meaningful for ICMP and ICMPv6).
     *
     * @return the high byte of {@link #destinationKey()}
     */
    public int icmpType() {
        return destinationKey >>> 8;
    }

    /**
     * The ICMP code (meaningful for ICMP and ICMPv6).
     *
     * @return the low byte of {@link #destinationKey()}
     */
    public int icmpCode() {
        return destinationKey & 0xff;
    }

    /**
     * The ICMP echo id (meaningful for ICMP and ICMPv6).
     *
     * @return {@link #sourceKey()}
     */
    public int icmpId() {
        return sourceKey;
    }

    /**
     * Whether {@link #inverse()} succeeds: always, except for ICMP and ICMPv6 types without a
     * request/reply pair (see {@link IcmpTypes}).
     *
     * @return true when the tuple has an inverse
     */
    public boolean isInvertible() {
        return protocol.keyKind() != L4Protocol.KeyKind.ICMP
                || IcmpTypes.invert(protocol.number(), icmpType()) != IcmpTypes.NO_INVERSE;
    }

    /**
     * The tuple of the answering direction, as Linux computes it without NAT: addresses and ports
     * (or GRE keys) swapped; for ICMP and ICMPv6 the addresses swapped, the type replaced by its
     * pair (echo 8 and echo reply 0, ...; see {@link IcmpTypes}), id and code kept. The directional
     * zone is kept.
     *
     * @return the inverse tuple
     * @throws IllegalStateException for an ICMP or ICMPv6 type without a pair (check with
     *     {@link #isInvertible()}); Linux refuses to track such a packet as a new connection
     */
    public Tuple inverse() {
        return switch (protocol.keyKind()) {
            case PORTS, GRE -> new Tuple(destination, source, protocol, destinationKey, sourceKey, zone);
            case NONE -> new Tuple(destination, source, protocol, 0, 0, zone);
            case ICMP -> {
                int type = IcmpTypes.invert(protocol.number(), icmpType());
                if (type == IcmpTypes.NO_INVERSE) {
                    throw new IllegalStateException(protocol + " type " + icmpType()
                            + " has no request/reply pair; the tuple " + this + " cannot be inverted");
                }
                yield new Tuple(destination, source, protocol, sourceKey, type << 8 | icmpCode(), zone);
            }
        };
    }

    /**
     * Whether another tuple names the same flow, ignoring the directional zone (the kernel's
     * {@code nf_ct_tuple_equal}).
     *
     * @param other a tuple
     * @return true when addresses, protocol and keys are equal
     */
    public boolean sameFlow(Tuple other) {
        return protocol == other.protocol && sourceKey == other.sourceKey
                && destinationKey == other.destinationKey
                && source.equals(other.source) && destination.equals(other.destination);
    }

    /** Orders by family, source, destination, protocol, source key, destination key, zone. */
    @Override
    public int compareTo(Tuple other) {
        int c = source.compareTo(other.source);
        if (c == 0) {
            c = destination.compareTo(other.destination);
        }
        if (c == 0) {
            c = Integer.compare(protocol.number(), other.protocol.number());
        }
        if (c == 0) {
            c = Integer.compare(sourceKey, other.sourceKey);
        }
        if (c == 0) {
            c = Integer.compare(destinationKey, other.destinationKey);
        }
        return c != 0 ? c : Integer.compare(zone, other.zone);
    }

    /**
     * Appends the tuple in conntrack's notation, without the zone and without a trailing space.
     *
     * @param out where to append
     * @return {@code out}
     */
    public StringBuilder appendTo(StringBuilder out) {
        return TupleText.append(out, this);
    }

    /** conntrack's notation, with {@code zone=N} appended when a directional zone is set. */
    @Override
    public String toString() {
        StringBuilder out = appendTo(new StringBuilder(96));
        if (hasZone()) {
            out.append(" zone=").append(zone);
        }
        return out.toString();
    }

    /**
     * Parses {@link #toString()}'s output back: {@code src=A dst=B}, the protocol's keys in
     * conntrack's notation, and an optional {@code zone=N}. Tokens are separated by single spaces
     * and numbers and addresses must be written as conntrack writes them.
     *
     * @param protocol the tuple's protocol (the notation does not name it)
     * @param text the tuple
     * @return the tuple
     * @throws ParseException when the text is not such a tuple; the message names text and position
     */
    public static Tuple parse(L4Protocol protocol, CharSequence text) {
        Objects.requireNonNull(protocol, "protocol");
        if (text == null) {
            throw new ParseException(null, 0, "tuple expected, got null");
        }
        TextCursor cursor = new TextCursor(text);
        Tuple tuple = TupleText.read(cursor, protocol);
        if (cursor.spaceOrEnd()) {
            cursor.expect("zone=");
            tuple = tuple.withZone((int) cursor.unsigned(0xffff, "zone"));
        }
        if (!cursor.atEnd()) {
            throw cursor.error("unexpected text after the tuple");
        }
        return tuple;
    }
}

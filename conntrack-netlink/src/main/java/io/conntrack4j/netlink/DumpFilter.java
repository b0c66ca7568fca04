package io.conntrack4j.netlink;

import io.conntrack4j.core.AddressFamily;
import io.conntrack4j.core.Connection;
import io.conntrack4j.core.Filter;
import io.conntrack4j.core.IpAddress;
import io.conntrack4j.core.L4Protocol;
import io.conntrack4j.core.Tuple;
import io.conntrack4j.netlink.internal.CtaFilter;
import java.util.Objects;
import java.util.Set;

/**
 * Which conntrack entries a filtered dump or flush ({@link ConntrackTable#dump(DumpFilter,
 * ConntrackVisitor)}, {@link ConntrackTable#flush(DumpFilter)}) takes, with the criteria
 * conntrack(8) offers for {@code -L} and {@code -D}: family ({@code -f}), mark under a mask
 * ({@code -m}), status bits under a mask ({@code -u}), zone ({@code -w}), protocol ({@code -p}),
 * and exact original and reply addresses, ports and ICMP fields ({@code -s -d -r -q --sport
 * --dport --reply-port-src --reply-port-dst --icmp-type --icmp-code --icmp-id}). Every criterion
 * that is set must hold.
 *
 * <p>The table hands as many criteria as the running kernel honours to the kernel (CTA_MARK,
 * CTA_STATUS, CTA_ZONE, CTA_FILTER), so that it sends only what matches, and checks every entry
 * again in user space with {@link #test(ConntrackEntry)}: results are the same whatever the
 * kernel supports.
 *
 * <pre>{@code
 * DumpFilter f = DumpFilter.builder()
 *         .protocol(L4Protocol.TCP)
 *         .originalDestinationPort(443)
 *         .mark(0x100, 0xff00)
 *         .build();
 * table.dump(f, entry -> { System.out.println(entry.original().sourceAddress()); return true; });
 * table.flush(f);
 * }</pre>
 */
public final class DumpFilter {
    private static final DumpFilter ALL = builder().build();

    final int family;
    final boolean hasMark;
    final int mark;
    final int markMask;
    final boolean hasStatus;
    final int status;
    final int statusMask;
    final int zone;
    final int protocol;
    final Side original;
    final Side reply;
    /** The core filter this was made from, checked on every entry; null when built directly. */
    final EntryFilter core;
    /** Whether the kernel-side criteria above say all the core filter says (flushes may then be done by the kernel). */
    final boolean coreCovered;

    /** The criteria on one direction's tuple; -1 and null mean "any". */
    static final class Side {
        IpAddress source;
        IpAddress destination;
        int sourcePort = -1;
        int destinationPort = -1;
        int icmpType = -1;
        int icmpCode = -1;
        int icmpId = -1;

        Side copy() {
            Side s = new Side();
            s.source = source;
            s.destination = destination;
            s.sourcePort = sourcePort;
            s.destinationPort = destinationPort;
            s.icmpType = icmpType;
            s.icmpCode = icmpCode;
            s.icmpId = icmpId;
            return s;
        }

        boolean hasAddress() {
            return source != null || destination != null;
        }

        boolean hasKeys() {
            return sourcePort >= 0 || destinationPort >= 0 || icmpType >= 0 || icmpCode >= 0 || icmpId >= 0;
        }

        /** The CTA_FILTER flag bits of this side's criteria, without PROTO_NUM. */
        int flags(int protocol, boolean withAddresses) {
            int flags = 0;
            if (withAddresses && source != null) {
                flags |= CtaFilter.IP_SRC;
            }
            if (withAddresses && destination != null) {
                flags |= CtaFilter.IP_DST;
            }
            boolean v6 = protocol == L4Protocol.ICMPV6_NUMBER;
            if (sourcePort >= 0) {
                flags |= CtaFilter.PROTO_SRC_PORT;
            }
            if (destinationPort >= 0) {
                flags |= CtaFilter.PROTO_DST_PORT;
            }
            if (icmpType >= 0) {
                flags |= v6 ? CtaFilter.PROTO_ICMPV6_TYPE : CtaFilter.PROTO_ICMP_TYPE;
            }
            if (icmpCode >= 0) {
                flags |= v6 ? CtaFilter.PROTO_ICMPV6_CODE : CtaFilter.PROTO_ICMP_CODE;
            }
            if (icmpId >= 0) {
                flags |= v6 ? CtaFilter.PROTO_ICMPV6_ID : CtaFilter.PROTO_ICMP_ID;
            }
            return flags;
        }

        boolean matches(TupleView t) {
            return (source == null || t.sourceIs(source))
                    && (destination == null || t.destinationIs(destination))
                    && (sourcePort < 0 || t.sourcePort() == sourcePort)
                    && (destinationPort < 0 || t.destinationPort() == destinationPort)
                    && (icmpType < 0 || t.icmpType() == icmpType)
                    && (icmpCode < 0 || t.icmpCode() == icmpCode)
                    && (icmpId < 0 || t.icmpId() == icmpId);
        }

        boolean matches(Tuple t) {
            return (source == null || t.source().equals(source))
                    && (destination == null || t.destination().equals(destination))
                    && (sourcePort < 0 || t.protocol().keyKind() == L4Protocol.KeyKind.PORTS && t.sourcePort() == sourcePort)
                    && (destinationPort < 0
                        || t.protocol().keyKind() == L4Protocol.KeyKind.PORTS && t.destinationPort() == destinationPort)
                    && (icmpType < 0 || t.protocol().keyKind() == L4Protocol.KeyKind.ICMP && t.icmpType() == icmpType)
                    && (icmpCode < 0 || t.protocol().keyKind() == L4Protocol.KeyKind.ICMP && t.icmpCode() == icmpCode)
                    && (icmpId < 0 || t.protocol().keyKind() == L4Protocol.KeyKind.ICMP && t.icmpId() == icmpId);
        }
    }

    private DumpFilter(Builder b) {
        family = b.family;
        hasMark = b.hasMark;
        mark = b.mark;
        markMask = b.markMask;
        hasStatus = b.hasStatus;
        status = b.status;
        statusMask = b.statusMask;
        zone = b.zone;
        protocol = b.protocol;
        original = b.original.copy();
        reply = b.reply.copy();
        core = b.core;
        coreCovered = b.coreCovered;
    }

    /**
     * The dump and flush filter for a core {@link Filter} (conntrackd's rules, the model that sync
     * and the CLI use too). The rules the kernel can apply are handed to it: one accepted family
     * (or an ignored one, leaving the other), one accepted protocol, mark/mask, status/mask and
     * zone. Everything else (protocol lists, ignored protocols, source prefixes on the original or
     * reply direction, TCP states) is checked in user space on the reused flyweight, without
     * allocation. Results equal {@code filter.test(entry.toConnection())} for every entry.
     * A flush with such a filter dumps, checks and deletes the matching entries unless the kernel
     * criteria say it all.
     *
     * <pre>{@code
     * Filter f = Filter.builder().acceptProtocols(L4Protocol.TCP).acceptTcpStates(TcpState.ESTABLISHED)
     *         .ignoreAddresses(Cidr.parse("127.0.0.0/8")).build();
     * table.dump(DumpFilter.from(f), entry -> { System.out.println(entry.original().sourceAddress()); return true; });
     * }</pre>
     *
     * @param filter the rules
     * @return the dump filter
     */
    public static DumpFilter from(Filter filter) {
        Objects.requireNonNull(filter, "filter");
        Builder b = builder();
        boolean covered = true;
        Set<AddressFamily> families = filter.families();
        if (filter.familyMode() == Filter.Mode.ACCEPT && families.size() == 1) {
            b.family(families.iterator().next());
        } else if (filter.familyMode() == Filter.Mode.IGNORE && families.size() == 1) {
            b.family(families.contains(AddressFamily.IPV4) ? AddressFamily.IPV6 : AddressFamily.IPV4);
        } else if (filter.familyMode() != Filter.Mode.ANY) {
            covered = false;
        }
        Set<L4Protocol> protocols = filter.protocols();
        if (filter.protocolMode() == Filter.Mode.ACCEPT && protocols.size() == 1) {
            b.protocol(protocols.iterator().next());
        } else if (filter.protocolMode() != Filter.Mode.ANY) {
            covered = false;
        }
        if (filter.addressMode() != Filter.Mode.ANY || filter.tcpStateMode() != Filter.Mode.ANY) {
            covered = false;
        }
        if (filter.markMask() != 0) {
            b.mark(filter.mark(), filter.markMask());
        }
        if (filter.statusMask() != 0) {
            b.status(filter.status(), filter.statusMask());
        }
        if (filter.zone() >= 0) {
            b.zone(filter.zone());
        }
        b.core = new EntryFilter(filter);
        b.coreCovered = covered;
        return b.build();
    }

    /**
     * A filter that takes everything.
     *
     * @return the filter
     */
    public static DumpFilter all() {
        return ALL;
    }

    /**
     * Starts an empty filter.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Whether a dumped entry meets every criterion (what the table checks in user space after the
     * kernel's own filtering). Allocates nothing.
     *
     * @param e an entry
     * @return true to take it
     */
    public boolean test(ConntrackEntry e) {
        if (family != 0 && e.family() != family) {
            return false;
        }
        if (hasMark && (Math.max(0, e.mark()) & markMask) != (mark & 0xFFFFFFFFL)) {
            return false;
        }
        if (hasStatus && (Math.max(0, e.status()) & statusMask) != (status & 0xFFFFFFFFL)) {
            return false;
        }
        if (zone >= 0 && Math.max(0, e.zone()) != zone) {
            return false;
        }
        if (protocol >= 0 && e.original().protocol() != protocol) {
            return false;
        }
        return original.matches(e.original()) && reply.matches(e.reply()) && (core == null || core.test(e));
    }

    /**
     * Whether a connection meets every criterion.
     *
     * @param c a connection
     * @return true to take it
     */
    public boolean test(Connection c) {
        if (family != 0 && c.family().number() != family) {
            return false;
        }
        if (hasMark && ((c.hasMark() ? c.mark() : 0) & markMask) != mark) {
            return false;
        }
        if (hasStatus && ((c.hasStatus() ? c.status() : 0) & statusMask) != status) {
            return false;
        }
        if (zone >= 0 && (c.hasZone() ? c.zone() : 0) != zone) {
            return false;
        }
        if (protocol >= 0 && c.protocol().number() != protocol) {
            return false;
        }
        return original.matches(c.original()) && reply.matches(c.reply()) && (core == null || core.filter().test(c));
    }

    /** Whether the entry's addresses meet the address criteria (the rest aside). */
    boolean addressesMatch(ConntrackEntry e) {
        return (original.source == null || e.original().sourceIs(original.source))
                && (original.destination == null || e.original().destinationIs(original.destination))
                && (reply.source == null || e.reply().sourceIs(reply.source))
                && (reply.destination == null || e.reply().destinationIs(reply.destination));
    }

    /** Whether some tuple criterion is set (what CTA_FILTER carries). */
    boolean hasTupleCriteria() {
        return protocol >= 0 || original.hasAddress() || original.hasKeys() || reply.hasAddress() || reply.hasKeys();
    }

    /** Whether an IPv6 address criterion is set (the kernel inverts those). */
    boolean hasIpv6Address() {
        return family == AddressFamily.IPV6.number() && (original.hasAddress() || reply.hasAddress());
    }

    /** Whether the kernel compares every key criterion (ports for TCP/UDP, ICMP fields for ICMP/ICMPv6). */
    boolean kernelComparesKeys() {
        boolean keys = original.hasKeys() || reply.hasKeys();
        if (!keys) {
            return true;
        }
        boolean ports = original.sourcePort >= 0 || original.destinationPort >= 0 || reply.sourcePort >= 0
                || reply.destinationPort >= 0;
        boolean icmp = original.icmpType >= 0 || original.icmpCode >= 0 || original.icmpId >= 0 || reply.icmpType >= 0
                || reply.icmpCode >= 0 || reply.icmpId >= 0;
        boolean portsOk = !ports || protocol == L4Protocol.TCP_NUMBER || protocol == L4Protocol.UDP_NUMBER;
        boolean icmpOk = !icmp || protocol == L4Protocol.ICMP_NUMBER || protocol == L4Protocol.ICMPV6_NUMBER;
        return portsOk && icmpOk;
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("DumpFilter[");
        if (family != 0) {
            out.append(" family=").append(family);
        }
        if (hasMark) {
            out.append(" mark=").append(Integer.toUnsignedString(mark)).append('/')
                    .append(Integer.toUnsignedString(markMask));
        }
        if (hasStatus) {
            out.append(" status=").append(Integer.toHexString(status)).append('/').append(Integer.toHexString(statusMask));
        }
        if (zone >= 0) {
            out.append(" zone=").append(zone);
        }
        if (protocol >= 0) {
            out.append(" proto=").append(protocol);
        }
        side(out, "orig", original);
        side(out, "reply", reply);
        if (core != null) {
            out.append(" core=").append(core.filter());
        }
        return out.append(" ]").toString();
    }

    private static void side(StringBuilder out, String name, Side s) {
        if (s.source != null) {
            out.append(' ').append(name).append("-src=").append(s.source);
        }
        if (s.destination != null) {
            out.append(' ').append(name).append("-dst=").append(s.destination);
        }
        if (s.sourcePort >= 0) {
            out.append(' ').append(name).append("-sport=").append(s.sourcePort);
        }
        if (s.destinationPort >= 0) {
            out.append(' ').append(name).append("-dport=").append(s.destinationPort);
        }
        if (s.icmpType >= 0) {
            out.append(" type=").append(s.icmpType);
        }
        if (s.icmpCode >= 0) {
            out.append(" code=").append(s.icmpCode);
        }
        if (s.icmpId >= 0) {
            out.append(" id=").append(s.icmpId);
        }
    }

    /** Builds a {@link DumpFilter}; checks that the criteria fit together. */
    public static final class Builder {
        private int family;
        private boolean hasMark;
        private int mark;
        private int markMask;
        private boolean hasStatus;
        private int status;
        private int statusMask;
        private int zone = -1;
        private int protocol = -1;
        private final Side original = new Side();
        private final Side reply = new Side();
        private EntryFilter core;
        private boolean coreCovered = true;

        private Builder() {
        }

        /**
         * Only entries of this family ({@code -f}).
         *
         * @param value IPV4 or IPV6
         * @return this builder
         */
        public Builder family(AddressFamily value) {
            int number = Objects.requireNonNull(value, "family").number();
            if (family != 0 && family != number) {
                throw new IllegalArgumentException("the addresses already chose the other family");
            }
            family = number;
            return this;
        }

        /**
         * Only entries whose {@code mark & mask == value} ({@code -m value/mask}).
         *
         * @param value wanted bits (within the mask)
         * @param mask bits to compare
         * @return this builder
         */
        public Builder mark(int value, int mask) {
            if ((value & ~mask) != 0) {
                throw new IllegalArgumentException("mark value has bits outside the mask");
            }
            hasMark = true;
            mark = value;
            markMask = mask;
            return this;
        }

        /**
         * Only entries whose {@code status & mask == value} ({@code -u}: value = mask = the bits).
         *
         * @param value wanted {@link io.conntrack4j.core.StatusBit} bits (within the mask)
         * @param mask bits to compare, not 0
         * @return this builder
         */
        public Builder status(int value, int mask) {
            if ((value & ~mask) != 0) {
                throw new IllegalArgumentException("status value has bits outside the mask");
            }
            if (mask == 0) {
                throw new IllegalArgumentException("a status mask of 0 matches everything");
            }
            hasStatus = true;
            status = value;
            statusMask = mask;
            return this;
        }

        /**
         * Only entries of this zone ({@code -w}; 0 is the default zone).
         *
         * @param value 0 to 65535
         * @return this builder
         */
        public Builder zone(int value) {
            if (value < 0 || value > 0xffff) {
                throw new IllegalArgumentException("zone " + value + " out of range 0..65535");
            }
            zone = value;
            return this;
        }

        /**
         * Only entries of this layer-4 protocol ({@code -p}); needed by the port and ICMP criteria.
         *
         * @param value protocol
         * @return this builder
         */
        public Builder protocol(L4Protocol value) {
            protocol = Objects.requireNonNull(value, "protocol").number();
            return this;
        }

        private IpAddress address(IpAddress a) {
            Objects.requireNonNull(a, "address");
            int number = a.family().number();
            if (family != 0 && family != number) {
                throw new IllegalArgumentException("address " + a + " is not of the filter's family");
            }
            family = number;
            return a;
        }

        /**
         * Original source address ({@code -s}); also sets the family.
         *
         * @param a address
         * @return this builder
         */
        public Builder originalSource(IpAddress a) {
            original.source = address(a);
            return this;
        }

        /**
         * Original destination address ({@code -d}); also sets the family.
         *
         * @param a address
         * @return this builder
         */
        public Builder originalDestination(IpAddress a) {
            original.destination = address(a);
            return this;
        }

        /**
         * Reply source address ({@code -r}); also sets the family.
         *
         * @param a address
         * @return this builder
         */
        public Builder replySource(IpAddress a) {
            reply.source = address(a);
            return this;
        }

        /**
         * Reply destination address ({@code -q}); also sets the family.
         *
         * @param a address
         * @return this builder
         */
        public Builder replyDestination(IpAddress a) {
            reply.destination = address(a);
            return this;
        }

        private static int port(int port) {
            if (port < 0 || port > 0xffff) {
                throw new IllegalArgumentException("port " + port + " out of range 0..65535");
            }
            return port;
        }

        /**
         * Original source port ({@code --sport}).
         *
         * @param port 0 to 65535
         * @return this builder
         */
        public Builder originalSourcePort(int port) {
            original.sourcePort = port(port);
            return this;
        }

        /**
         * Original destination port ({@code --dport}).
         *
         * @param port 0 to 65535
         * @return this builder
         */
        public Builder originalDestinationPort(int port) {
            original.destinationPort = port(port);
            return this;
        }

        /**
         * Reply source port ({@code --reply-port-src}).
         *
         * @param port 0 to 65535
         * @return this builder
         */
        public Builder replySourcePort(int port) {
            reply.sourcePort = port(port);
            return this;
        }

        /**
         * Reply destination port ({@code --reply-port-dst}).
         *
         * @param port 0 to 65535
         * @return this builder
         */
        public Builder replyDestinationPort(int port) {
            reply.destinationPort = port(port);
            return this;
        }

        /**
         * ICMP or ICMPv6 type, code and id of the original direction ({@code --icmp-type},
         * {@code --icmp-code}, {@code --icmp-id}); -1 leaves one out.
         *
         * @param type -1 or 0..255
         * @param code -1 or 0..255
         * @param id -1 or 0..65535
         * @return this builder
         */
        public Builder icmp(int type, int code, int id) {
            if (type < -1 || type > 255 || code < -1 || code > 255 || id < -1 || id > 0xffff) {
                throw new IllegalArgumentException("ICMP type/code/id out of range: " + type + "/" + code + "/" + id);
            }
            original.icmpType = type;
            original.icmpCode = code;
            original.icmpId = id;
            return this;
        }

        /**
         * The filter.
         *
         * @return the filter
         * @throws IllegalStateException when ports or ICMP fields are set without a protocol that has them
         */
        public DumpFilter build() {
            boolean ports = original.sourcePort >= 0 || original.destinationPort >= 0 || reply.sourcePort >= 0
                    || reply.destinationPort >= 0;
            boolean icmp = original.icmpType >= 0 || original.icmpCode >= 0 || original.icmpId >= 0;
            L4Protocol.KeyKind kind = protocol < 0 ? null : L4Protocol.of(protocol).keyKind();
            if (ports && kind != L4Protocol.KeyKind.PORTS) {
                throw new IllegalStateException("port criteria need a protocol with ports (-p tcp, udp, sctp...)");
            }
            if (icmp && kind != L4Protocol.KeyKind.ICMP) {
                throw new IllegalStateException("ICMP criteria need protocol ICMP or ICMPv6");
            }
            return new DumpFilter(this);
        }
    }
}

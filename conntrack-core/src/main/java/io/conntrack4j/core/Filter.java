package io.conntrack4j.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Which connections to keep, with the categories of conntrack(8)'s and conntrackd(8)'s filters:
 * layer-3 family, layer-4 protocol, addresses (exact or CIDR), TCP state, each as an accept list
 * (keep only what matches) or an ignore list (drop what matches), plus zone, mark under a mask and
 * status under a mask. All categories that are set must pass; an unset category passes everything.
 *
 * <ul>
 * <li>Addresses are matched, as conntrackd does, against the original source and the reply source:
 *     a connection matches when either lies in one of the prefixes.</li>
 * <li>The TCP-state category only applies to TCP connections that have a state; others pass it.</li>
 * <li>Mark and status match when {@code (value & mask) == wanted}, as the kernel's dump filters do.</li>
 * </ul>
 *
 * <pre>{@code
 * Filter f = Filter.builder()
 *         .acceptProtocols(L4Protocol.TCP, L4Protocol.UDP)
 *         .ignoreAddresses(Cidr.parse("127.0.0.0/8"), Cidr.parse("::1/128"))
 *         .acceptTcpStates(TcpState.ESTABLISHED)
 *         .mark(0x100, 0xff00)
 *         .build();
 * f.test(connection);
 * f.protocolMode();   // Mode.ACCEPT
 * f.protocols();      // [TCP, UDP]
 * }</pre>
 *
 * <p>The read accessors ({@link #protocolMode()}, {@link #protocols()}, {@link #addresses()} ...)
 * return immutable views, so that other layers (a kernel dump filter, a BPF event filter) can
 * translate the same rules without keeping a model of their own.
 */
public final class Filter implements Predicate<Connection> {

    private static final Filter ALL = new Builder().build();

    /** How a list category is used. */
    public enum Mode {
        /** The category is not set: everything passes it. */
        ANY,
        /** Only what matches one of the listed values passes. */
        ACCEPT,
        /** What matches one of the listed values is dropped. */
        IGNORE
    }

    private final int familyMode;   // 0 unset, 1 accept, 2 ignore
    private final int families;     // bit per AddressFamily ordinal
    private final int protocolMode;
    private final long[] protocols; // 256-bit set
    private final int addressMode;
    private final List<Cidr> cidrs;
    private final int[] v4Networks;
    private final int[] v4Prefixes;
    private final long[] v6Networks; // high, low pairs
    private final int[] v6Prefixes;
    private final int stateMode;
    private final int tcpStates;    // bit per TcpState number
    private final int zone;         // -1 = any
    private final int mark;
    private final int markMask;     // 0 = any
    private final int status;
    private final int statusMask;   // 0 = any

    private Filter(Builder b) {
        familyMode = b.familyMode;
        families = b.families;
        protocolMode = b.protocolMode;
        protocols = b.protocols.clone();
        addressMode = b.addressMode;
        cidrs = List.copyOf(b.cidrs);
        List<Cidr> v4 = b.cidrs.stream().filter(c -> c.family() == AddressFamily.IPV4).toList();
        List<Cidr> v6 = b.cidrs.stream().filter(c -> c.family() == AddressFamily.IPV6).toList();
        v4Networks = v4.stream().mapToInt(c -> c.network().ipv4()).toArray();
        v4Prefixes = v4.stream().mapToInt(Cidr::prefixLength).toArray();
        v6Networks = new long[v6.size() * 2];
        for (int i = 0; i < v6.size(); i++) {
            v6Networks[2 * i] = v6.get(i).network().high();
            v6Networks[2 * i + 1] = v6.get(i).network().low();
        }
        v6Prefixes = v6.stream().mapToInt(Cidr::prefixLength).toArray();
        stateMode = b.stateMode;
        tcpStates = b.tcpStates;
        zone = b.zone;
        mark = b.mark;
        markMask = b.markMask;
        status = b.status;
        statusMask = b.statusMask;
    }

    /**
     * A filter that keeps everything.
     *
     * @return the filter
     */
    public static Filter all() {
        return ALL;
    }

    /**
     * Starts an empty filter (everything passes until a category is set).
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * How the address-family category is used.
     *
     * @return ANY when unset
     */
    public Mode familyMode() {
        return Mode.values()[familyMode];
    }

    /**
     * The families of the family category.
     *
     * @return an immutable set, empty when unset
     */
    public Set<AddressFamily> families() {
        EnumSet<AddressFamily> set = EnumSet.noneOf(AddressFamily.class);
        for (AddressFamily f : AddressFamily.values()) {
            if ((families >>> f.ordinal() & 1) != 0) {
                set.add(f);
            }
        }
        return Collections.unmodifiableSet(set);
    }

    /**
     * How the layer-4 protocol category is used.
     *
     * <pre>{@code
     * if (f.protocolMode() == Filter.Mode.ACCEPT && f.protocols().size() == 1) { ... }
     * }</pre>
     *
     * @return ANY when unset
     */
    public Mode protocolMode() {
        return Mode.values()[protocolMode];
    }

    /**
     * The protocols of the protocol category, in protocol-number order.
     *
     * @return an immutable set, empty when unset
     */
    public Set<L4Protocol> protocols() {
        Set<L4Protocol> set = new LinkedHashSet<>();
        for (int p = 0; p < 256; p++) {
            if ((protocols[p >>> 6] >>> (p & 63) & 1) != 0) {
                set.add(L4Protocol.of(p));
            }
        }
        return Collections.unmodifiableSet(set);
    }

    /**
     * How the address category (original source or reply source) is used.
     *
     * @return ANY when unset
     */
    public Mode addressMode() {
        return Mode.values()[addressMode];
    }

    /**
     * The prefixes of the address category, in the order they were added.
     *
     * @return an immutable list, empty when unset
     */
    public List<Cidr> addresses() {
        return cidrs;
    }

    /**
     * How the TCP-state category is used.
     *
     * @return ANY when unset
     */
    public Mode tcpStateMode() {
        return Mode.values()[stateMode];
    }

    /**
     * The states of the TCP-state category.
     *
     * @return an immutable set, empty when unset
     */
    public Set<TcpState> tcpStates() {
        EnumSet<TcpState> set = EnumSet.noneOf(TcpState.class);
        for (TcpState s : TcpState.values()) {
            if (s.number() < 32 && (tcpStates >>> s.number() & 1) != 0) {
                set.add(s);
            }
        }
        return Collections.unmodifiableSet(set);
    }

    /**
     * The zone a connection must be in.
     *
     * @return 0 to 65535, or -1 for any zone
     */
    public int zone() {
        return zone;
    }

    /**
     * The wanted mark bits: a connection passes when {@code (mark & markMask()) == mark()}.
     *
     * @return the value, within {@link #markMask()}
     */
    public int mark() {
        return mark;
    }

    /**
     * The mark bits compared.
     *
     * @return the mask; 0 when the mark is not a criterion
     */
    public int markMask() {
        return markMask;
    }

    /**
     * The wanted {@link StatusBit} bits: a connection passes when
     * {@code (status & statusMask()) == status()}.
     *
     * @return the value, within {@link #statusMask()}
     */
    public int status() {
        return status;
    }

    /**
     * The status bits compared.
     *
     * @return the mask; 0 when the status is not a criterion
     */
    public int statusMask() {
        return statusMask;
    }

    /**
     * Whether a connection passes every category that is set.
     *
     * @param c a connection
     * @return true to keep it
     */
    @Override
    public boolean test(Connection c) {
        if (familyMode != 0 && ((families >>> c.family().ordinal() & 1) != 0) != (familyMode == 1)) {
            return false;
        }
        int p = c.protocol().number();
        if (protocolMode != 0 && ((protocols[p >>> 6] >>> (p & 63) & 1) != 0) != (protocolMode == 1)) {
            return false;
        }
        if (addressMode != 0 && (matches(c.original().source()) || matches(c.reply().source())) != (addressMode == 1)) {
            return false;
        }
        if (stateMode != 0 && c.protocol() == L4Protocol.TCP && c.hasProtocolState()) {
            int s = c.protocolState();
            boolean in = s < 32 && (tcpStates >>> s & 1) != 0;
            if (in != (stateMode == 1)) {
                return false;
            }
        }
        if (zone >= 0 && c.zone() != zone) {
            return false;
        }
        if ((c.mark() & markMask) != mark) {
            return false;
        }
        return (c.status() & statusMask) == status;
    }

    /**
     * The rules that are set, for logs and messages.
     *
     * @return e.g. {@code Filter[protocol ACCEPT [tcp, udp] mark=0x100/0xff00]}
     */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("Filter[");
        if (familyMode != 0) {
            out.append(" family ").append(familyMode()).append(' ').append(families());
        }
        if (protocolMode != 0) {
            out.append(" protocol ").append(protocolMode()).append(' ').append(protocols());
        }
        if (addressMode != 0) {
            out.append(" address ").append(addressMode()).append(' ').append(cidrs);
        }
        if (stateMode != 0) {
            out.append(" tcp-state ").append(tcpStateMode()).append(' ').append(tcpStates());
        }
        if (zone >= 0) {
            out.append(" zone=").append(zone);
        }
        if (markMask != 0) {
            out.append(" mark=0x").append(Integer.toHexString(mark)).append("/0x").append(Integer.toHexString(markMask));
        }
        if (statusMask != 0) {
            out.append(" status=0x").append(Integer.toHexString(status)).append("/0x")
                    .append(Integer.toHexString(statusMask));
        }
        return out.append(" ]").toString();
    }

    private boolean matches(IpAddress a) {
        if (a.isIpv4()) {
            int bits = a.ipv4();
            for (int i = 0; i < v4Networks.length; i++) {
                if (Cidr.containsIpv4(v4Networks[i], v4Prefixes[i], bits)) {
                    return true;
                }
            }
            return false;
        }
        for (int i = 0; i < v6Prefixes.length; i++) {
            if (Cidr.containsIpv6(v6Networks[2 * i], v6Networks[2 * i + 1], v6Prefixes[i], a.high(), a.low())) {
                return true;
            }
        }
        return false;
    }

    /** Builds a {@link Filter}. Each list category is either accept or ignore, not both. */
    public static final class Builder {
        private int familyMode;
        private int families;
        private int protocolMode;
        private final long[] protocols = new long[4];
        private int addressMode;
        private final List<Cidr> cidrs = new ArrayList<>();
        private int stateMode;
        private int tcpStates;
        private int zone = -1;
        private int mark;
        private int markMask;
        private int status;
        private int statusMask;

        private Builder() {
        }

        private static int mode(int current, int wanted, String category) {
            if (current != 0 && current != wanted) {
                throw new IllegalStateException(category + " already has an " + (current == 1 ? "accept" : "ignore")
                        + " list; a category is either accept or ignore");
            }
            return wanted;
        }

        private Builder families(int mode, AddressFamily... list) {
            familyMode = mode(familyMode, mode, "address family");
            for (AddressFamily f : list) {
                families |= 1 << f.ordinal();
            }
            return this;
        }

        /**
         * Keep only these families.
         *
         * @param list families
         * @return this builder
         */
        public Builder acceptFamilies(AddressFamily... list) {
            return families(1, list);
        }

        /**
         * Drop these families.
         *
         * @param list families
         * @return this builder
         */
        public Builder ignoreFamilies(AddressFamily... list) {
            return families(2, list);
        }

        private Builder protocols(int mode, L4Protocol... list) {
            protocolMode = mode(protocolMode, mode, "protocol");
            for (L4Protocol p : list) {
                protocols[p.number() >>> 6] |= 1L << (p.number() & 63);
            }
            return this;
        }

        /**
         * Keep only these layer-4 protocols.
         *
         * @param list protocols
         * @return this builder
         */
        public Builder acceptProtocols(L4Protocol... list) {
            return protocols(1, list);
        }

        /**
         * Drop these layer-4 protocols.
         *
         * @param list protocols
         * @return this builder
         */
        public Builder ignoreProtocols(L4Protocol... list) {
            return protocols(2, list);
        }

        private Builder addresses(int mode, Cidr... list) {
            addressMode = mode(addressMode, mode, "address");
            for (Cidr c : list) {
                cidrs.add(Objects.requireNonNull(c));
            }
            return this;
        }

        /**
         * Keep only connections whose original or reply source is in one of these prefixes (a
         * single address is {@link Cidr#of(IpAddress)}).
         *
         * @param list prefixes
         * @return this builder
         */
        public Builder acceptAddresses(Cidr... list) {
            return addresses(1, list);
        }

        /**
         * Drop connections whose original or reply source is in one of these prefixes.
         *
         * @param list prefixes
         * @return this builder
         */
        public Builder ignoreAddresses(Cidr... list) {
            return addresses(2, list);
        }

        private Builder states(int mode, TcpState... list) {
            stateMode = mode(stateMode, mode, "TCP state");
            for (TcpState s : list) {
                tcpStates |= 1 << s.number();
            }
            return this;
        }

        /**
         * Keep only TCP connections in these states (other protocols pass).
         *
         * @param list states
         * @return this builder
         */
        public Builder acceptTcpStates(TcpState... list) {
            return states(1, list);
        }

        /**
         * Drop TCP connections in these states (other protocols pass).
         *
         * @param list states
         * @return this builder
         */
        public Builder ignoreTcpStates(TcpState... list) {
            return states(2, list);
        }

        /**
         * Keep only one zone (0 is the default zone, which connections without a zone are in).
         *
         * @param zone 0 to 65535
         * @return this builder
         */
        public Builder zone(int zone) {
            if (zone < 0 || zone > 0xffff) {
                throw new IllegalArgumentException("zone " + zone + " out of range 0..65535");
            }
            this.zone = zone;
            return this;
        }

        /**
         * Keep connections whose {@code mark & mask == value}.
         *
         * @param value wanted bits (must lie within the mask)
         * @param mask bits to compare
         * @return this builder
         */
        public Builder mark(int value, int mask) {
            if ((value & ~mask) != 0) {
                throw new IllegalArgumentException("mark value has bits outside the mask");
            }
            mark = value;
            markMask = mask;
            return this;
        }

        /**
         * Keep connections whose {@code status & mask == value}.
         *
         * @param value wanted {@link StatusBit} bits (within the mask)
         * @param mask bits to compare
         * @return this builder
         */
        public Builder status(int value, int mask) {
            if ((value & ~mask) != 0) {
                throw new IllegalArgumentException("status value has bits outside the mask");
            }
            status = value;
            statusMask = mask;
            return this;
        }

        /** @return the filter */
        public Filter build() {
            return new Filter(this);
        }
    }
}

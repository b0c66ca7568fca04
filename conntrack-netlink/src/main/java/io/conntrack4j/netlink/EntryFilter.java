package io.conntrack4j.netlink;

import io.conntrack4j.core.AddressFamily;
import io.conntrack4j.core.Cidr;
import io.conntrack4j.core.Filter;
import io.conntrack4j.core.L4Protocol;
import io.conntrack4j.core.TcpState;

/**
 * A core {@link Filter}'s rules applied to the {@link ConntrackEntry} flyweight, allocation-free,
 * with the same outcome as {@code filter.test(entry.toConnection())}: an absent mark, status or
 * zone reads as 0, the TCP-state rule applies only to TCP entries that carry a state, addresses
 * are matched on the original source or the reply source.
 */
final class EntryFilter {
    private final Filter filter;
    private final int familyMode;
    private final int familyNumbers;  // bit per AF number (2, 10)
    private final int protocolMode;
    private final long[] protocols = new long[4];
    private final int addressMode;
    private final int[] v4Networks;
    private final int[] v4Prefixes;
    private final long[] v6Networks;
    private final int[] v6Prefixes;
    private final int stateMode;
    private final int states;

    EntryFilter(Filter filter) {
        this.filter = filter;
        familyMode = filter.familyMode().ordinal();
        int families = 0;
        for (AddressFamily f : filter.families()) {
            families |= 1 << f.number();
        }
        familyNumbers = families;
        protocolMode = filter.protocolMode().ordinal();
        for (L4Protocol p : filter.protocols()) {
            protocols[p.number() >>> 6] |= 1L << (p.number() & 63);
        }
        addressMode = filter.addressMode().ordinal();
        int v4 = 0;
        for (Cidr c : filter.addresses()) {
            v4 += c.family() == AddressFamily.IPV4 ? 1 : 0;
        }
        int v6 = filter.addresses().size() - v4;
        v4Networks = new int[v4];
        v4Prefixes = new int[v4];
        v6Networks = new long[2 * v6];
        v6Prefixes = new int[v6];
        int i4 = 0;
        int i6 = 0;
        for (Cidr c : filter.addresses()) {
            if (c.family() == AddressFamily.IPV4) {
                v4Networks[i4] = c.network().ipv4();
                v4Prefixes[i4++] = c.prefixLength();
            } else {
                v6Networks[2 * i6] = c.network().high();
                v6Networks[2 * i6 + 1] = c.network().low();
                v6Prefixes[i6++] = c.prefixLength();
            }
        }
        stateMode = filter.tcpStateMode().ordinal();
        int s = 0;
        for (TcpState state : filter.tcpStates()) {
            s |= 1 << state.number();
        }
        states = s;
    }

    Filter filter() {
        return filter;
    }

    boolean test(ConntrackEntry e) {
        if (familyMode != 0) {
            int af = e.family();
            boolean in = af >= 0 && af < 32 && (familyNumbers >>> af & 1) != 0;
            if (in != (familyMode == 1)) {
                return false;
            }
        }
        int p = e.original().protocol();
        if (protocolMode != 0) {
            boolean in = p >= 0 && p < 256 && (protocols[p >>> 6] >>> (p & 63) & 1) != 0;
            if (in != (protocolMode == 1)) {
                return false;
            }
        }
        if (addressMode != 0 && (sourceIn(e.original()) || sourceIn(e.reply())) != (addressMode == 1)) {
            return false;
        }
        if (stateMode != 0 && p == L4Protocol.TCP_NUMBER && e.tcpState() >= 0) {
            int s = e.tcpState();
            boolean in = s < 32 && (states >>> s & 1) != 0;
            if (in != (stateMode == 1)) {
                return false;
            }
        }
        if (filter.zone() >= 0 && Math.max(0, e.zone()) != filter.zone()) {
            return false;
        }
        if (((int) Math.max(0, e.mark()) & filter.markMask()) != filter.mark()) {
            return false;
        }
        return ((int) Math.max(0, e.status()) & filter.statusMask()) == filter.status();
    }

    private boolean sourceIn(TupleView t) {
        if (t.sourceLength() == 4) {
            int a = t.sourceIpv4();
            for (int i = 0; i < v4Prefixes.length; i++) {
                if (Cidr.containsIpv4(v4Networks[i], v4Prefixes[i], a)) {
                    return true;
                }
            }
        } else if (t.sourceLength() == 16) {
            long high = t.sourceIpv6High();
            long low = t.sourceIpv6Low();
            for (int i = 0; i < v6Prefixes.length; i++) {
                if (Cidr.containsIpv6(v6Networks[2 * i], v6Networks[2 * i + 1], v6Prefixes[i], high, low)) {
                    return true;
                }
            }
        }
        return false;
    }
}

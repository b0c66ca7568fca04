package io.conntrack4j.examples.cli;

import io.conntrack4j.core.AddressFamily;
import io.conntrack4j.core.IpAddress;

/**
 * conntrack's network filters ({@code -s 10.0.0.0/24}, {@code -d ADDR --mask-dst MASK}): an
 * address passes when it has the filter's family and equals the filter's address under the mask.
 * The mask need not be a prefix, as {@code --mask-src} takes any address.
 */
final class AddressMask {
    private AddressMask() {
    }

    /**
     * The mask of a prefix length, as conntrack builds it.
     *
     * @param family the family
     * @param prefix 0 to 32 or 0 to 128
     * @return the mask as an address
     */
    static IpAddress ofPrefix(AddressFamily family, int prefix) {
        if (family == AddressFamily.IPV4) {
            return IpAddress.ofIpv4(IpAddress.ipv4Mask(prefix));
        }
        return IpAddress.ofIpv6(IpAddress.ipv6Mask(prefix, true), IpAddress.ipv6Mask(prefix, false));
    }

    /**
     * Whether {@code address} passes the filter {@code wanted} under {@code mask}.
     *
     * @param address the entry's address
     * @param wanted the filter's address
     * @param mask the mask, or null for an exact match
     * @return whether it passes
     */
    static boolean matches(IpAddress address, IpAddress wanted, IpAddress mask) {
        if (mask == null) {
            return address.equals(wanted);
        }
        if (address.family() != wanted.family() || mask.family() != wanted.family()) {
            return false;
        }
        if (address.isIpv4()) {
            return (address.ipv4() & mask.ipv4()) == (wanted.ipv4() & mask.ipv4());
        }
        return (address.high() & mask.high()) == (wanted.high() & mask.high())
                && (address.low() & mask.low()) == (wanted.low() & mask.low());
    }
}

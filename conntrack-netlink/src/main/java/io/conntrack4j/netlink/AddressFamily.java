package io.conntrack4j.netlink;

/**
 * The layer-3 family of a request ({@code nfgen_family}): which entries a dump or flush covers.
 *
 * <pre>{@code
 * table.flush(AddressFamily.IPV6);
 * }</pre>
 */
public enum AddressFamily {
    /** AF_UNSPEC: IPv4 and IPv6. */
    ANY(0),
    /** AF_INET. */
    IPV4(2),
    /** AF_INET6. */
    IPV6(10);

    private final int code;

    AddressFamily(int code) {
        this.code = code;
    }

    /**
     * The AF_* number.
     *
     * @return 0, 2 or 10
     */
    public int code() {
        return code;
    }
}

package io.conntrack4j.sync;

/**
 * The conntrackd release a peer runs, which decides what an encoder may send it: conntrackd
 * rejects a whole message carrying an attribute it does not know, and releases before 1.4.7
 * reversed the SNAT/DNAT IPv4 address bytes on x86.
 *
 * <pre>{@code
 * PeerVersion peer = PeerVersion.parse("1.4.6");
 * peer.supports(ConntrackAttribute.ZONE);    // false: 1.4.6 rejects ZONE
 * peer.reversesNatIpv4();                    // true
 * }</pre>
 *
 * @param major e.g. 1
 * @param minor e.g. 4
 * @param patch e.g. 7
 */
public record PeerVersion(int major, int minor, int patch) implements Comparable<PeerVersion> {
    /** conntrack-tools 1.4.7, the reference release. */
    public static final PeerVersion V1_4_7 = new PeerVersion(1, 4, 7);
    /** conntrack-tools 1.4.6: no ZONE, reversed NAT IPv4 bytes. */
    public static final PeerVersion V1_4_6 = new PeerVersion(1, 4, 6);

    /**
     * Checks the parts.
     *
     * @param major e.g. 1
     * @param minor e.g. 4
     * @param patch e.g. 7
     */
    public PeerVersion {
        if (major < 0 || minor < 0 || patch < 0 || major > 255 || minor > 255 || patch > 255) {
            throw new IllegalArgumentException("bad version " + major + "." + minor + "." + patch);
        }
    }

    /**
     * Parses "1.4.7" (a missing patch counts as 0).
     *
     * @param text the version
     * @return the version
     * @throws IllegalArgumentException naming the text if it is not a version
     */
    public static PeerVersion parse(String text) {
        String[] parts = text.trim().split("\\.", -1);
        if (parts.length < 2 || parts.length > 3) {
            throw new IllegalArgumentException("not a conntrackd version: \"" + text + "\"");
        }
        try {
            return new PeerVersion(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]),
                    parts.length == 3 ? Integer.parseInt(parts[2]) : 0);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a conntrackd version: \"" + text + "\"", e);
        }
    }

    /**
     * Whether a receiver of this version accepts the conntrack attribute (LABELS from 1.4.2,
     * SNAT_IPV6 and DNAT_IPV6 from 1.4.4, SYNPROXY from 1.4.5, ZONE from 1.4.7).
     *
     * @param conntrackAttribute a {@link ConntrackAttribute} type
     * @return true if it will not reject the message for it
     */
    public boolean supports(int conntrackAttribute) {
        return switch (conntrackAttribute) {
            case ConntrackAttribute.LABELS -> atLeast(1, 4, 2);
            case ConntrackAttribute.SNAT_IPV6, ConntrackAttribute.DNAT_IPV6 -> atLeast(1, 4, 4);
            case ConntrackAttribute.SYNPROXY -> atLeast(1, 4, 5);
            case ConntrackAttribute.ZONE -> atLeast(1, 4, 7);
            default -> conntrackAttribute >= 0 && conntrackAttribute < ConntrackAttribute.COUNT;
        };
    }

    /**
     * Whether this release (on x86) sends and expects SNAT_IPV4 and DNAT_IPV4 with their four
     * bytes reversed: every release before 1.4.7.
     *
     * @return true before 1.4.7
     */
    public boolean reversesNatIpv4() {
        return !atLeast(1, 4, 7);
    }

    private boolean atLeast(int major, int minor, int patch) {
        return code() >= ((major << 16) | (minor << 8) | patch);
    }

    @Override
    public int compareTo(PeerVersion other) {
        return Integer.compare(code(), other.code());
    }

    private int code() {
        return (major << 16) | (minor << 8) | patch;
    }

    @Override
    public String toString() {
        return major + "." + minor + "." + patch;
    }
}

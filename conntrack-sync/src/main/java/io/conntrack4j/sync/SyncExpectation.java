package io.conntrack4j.sync;

import io.conntrack4j.core.Expectation;
import java.util.Arrays;
import java.util.Objects;

/**
 * An expectation as the sync protocol sees it: four tuples (master, expected, mask and an
 * optional NAT tuple), timeout, flags, class, NAT direction, helper and expectfn names. Mutable
 * and reusable. {@link #from(Expectation)} and {@link #toExpectation()} map it to and from the
 * core's {@link Expectation}.
 *
 * <p>Tuples are addressed by {@link #MASTER}, {@link #EXPECTED}, {@link #MASK} and {@link #NAT}.
 * As in conntrackd, whether any tuple carries ports depends on the <em>master's</em> protocol.
 *
 * <pre>{@code
 * SyncExpectation ftp = new SyncExpectation()
 *         .tuple(SyncExpectation.MASTER, client, server, SyncFlow.TCP, 43741, 21)
 *         .tuple(SyncExpectation.EXPECTED, client, server, SyncFlow.TCP, 0, 41739)
 *         .tuple(SyncExpectation.MASK, ones, ones, SyncFlow.TCP, 0, 0xffff)
 *         .timeout(300).flags(0).expectationClass(0).helper("ftp");
 * }</pre>
 */
public final class SyncExpectation {
    /** The master conntrack's original tuple. */
    public static final int MASTER = 0;
    /** The expected tuple. */
    public static final int EXPECTED = 1;
    /** The mask applied to the expected tuple. */
    public static final int MASK = 2;
    /** The NAT tuple (IPv4 only on the wire; its addresses are optional). */
    public static final int NAT = 3;

    private final boolean[] set = new boolean[4];
    private final boolean[] ipv6 = new boolean[4];
    private final boolean[] addressesSet = new boolean[4];
    private final byte[][] sources = new byte[4][16];
    private final byte[][] destinations = new byte[4][16];
    private final int[] protocols = new int[4];
    private final int[] sourcePorts = new int[4];
    private final int[] destinationPorts = new int[4];
    private long timeout = -1;
    private long flags;
    private long expectationClass = -1;
    private long natDirection;
    private String helper;
    private String function;

    /**
     * Forgets every field.
     *
     * @return this
     */
    public SyncExpectation clear() {
        Arrays.fill(set, false);
        Arrays.fill(ipv6, false);
        Arrays.fill(addressesSet, false);
        for (int i = 0; i < 4; i++) {
            Arrays.fill(sources[i], (byte) 0);
            Arrays.fill(destinations[i], (byte) 0);
        }
        Arrays.fill(protocols, 0);
        Arrays.fill(sourcePorts, 0);
        Arrays.fill(destinationPorts, 0);
        timeout = -1;
        flags = 0;
        expectationClass = -1;
        natDirection = 0;
        helper = null;
        function = null;
        return this;
    }

    /**
     * Sets a tuple.
     *
     * @param which {@link #MASTER}, {@link #EXPECTED}, {@link #MASK} or {@link #NAT}
     * @param source source address, 4 or 16 bytes (for {@link #NAT}: 4 bytes, or null for none)
     * @param destination destination address, same length as source (or null with it)
     * @param protocol IP protocol (for the mask: its protocol mask byte)
     * @param sourcePort source port (or port mask)
     * @param destinationPort destination port (or port mask)
     * @return this
     */
    public SyncExpectation tuple(int which, byte[] source, byte[] destination, int protocol, int sourcePort,
            int destinationPort) {
        Objects.checkIndex(which, 4);
        if ((source == null) != (destination == null)) {
            throw new IllegalArgumentException("give both addresses or neither");
        }
        if (source == null && which != NAT) {
            throw new IllegalArgumentException("only the NAT tuple may lack addresses");
        }
        if (source != null) {
            if (source.length != destination.length || (source.length != 4 && source.length != 16)
                    || (which == NAT && source.length != 4)) {
                throw new IllegalArgumentException("bad address lengths " + source.length + " and " + destination.length
                        + " for tuple " + which);
            }
            Arrays.fill(sources[which], (byte) 0);
            Arrays.fill(destinations[which], (byte) 0);
            System.arraycopy(source, 0, sources[which], 0, source.length);
            System.arraycopy(destination, 0, destinations[which], 0, destination.length);
            ipv6[which] = source.length == 16;
        }
        addressesSet[which] = source != null;
        protocols[which] = protocol & 0xff;
        sourcePorts[which] = sourcePort & 0xffff;
        destinationPorts[which] = destinationPort & 0xffff;
        set[which] = true;
        return this;
    }

    /**
     * Fills this with what the sync protocol carries of an expectation: master, expected and mask
     * tuples, timeout, flags, class, helper, expectfn name and the NAT part (its address only if
     * IPv4). Zone and id are not on the wire.
     *
     * <pre>{@code
     * int length = codec.encode(buffer, 0, MessageType.EXP_NEW, 0, sequence, new SyncExpectation().from(e));
     * }</pre>
     *
     * @param expectation the expectation
     * @return this
     * @throws IllegalArgumentException if a name is too long to be sent
     */
    public SyncExpectation from(Expectation expectation) {
        return ExpectationMapping.toSync(expectation, this);
    }

    /**
     * The expectation a conntrackd receiver would create. A NAT tuple without addresses gets
     * 0.0.0.0; zone and id are 0; a missing timeout or class is 0.
     *
     * <pre>{@code
     * Expectation e = codec.decode(message, new SyncExpectation()).toExpectation();
     * }</pre>
     *
     * @return a new expectation
     * @throws IllegalArgumentException if the NAT direction is neither 0 nor 1
     */
    public Expectation toExpectation() {
        return ExpectationMapping.toExpectation(this);
    }

    /**
     * Sets the seconds left.
     *
     * @param seconds the timeout, or -1 for unknown
     * @return this
     */
    public SyncExpectation timeout(long seconds) {
        this.timeout = seconds;
        return this;
    }

    /**
     * Sets the flags (1 PERMANENT, 2 INACTIVE, 4 USERSPACE). Always sent.
     *
     * @param flags the flags
     * @return this
     */
    public SyncExpectation flags(long flags) {
        this.flags = flags & 0xffffffffL;
        return this;
    }

    /**
     * Sets the expectation class.
     *
     * @param value the class, or -1 for none
     * @return this
     */
    public SyncExpectation expectationClass(long value) {
        this.expectationClass = value;
        return this;
    }

    /**
     * Sets the NAT direction, sent with the NAT tuple.
     *
     * @param direction the direction
     * @return this
     */
    public SyncExpectation natDirection(long direction) {
        this.natDirection = direction & 0xffffffffL;
        return this;
    }

    /**
     * Sets the helper name.
     *
     * @param name at most 11 printable characters, or null
     * @return this
     */
    public SyncExpectation helper(String name) {
        this.helper = checked(name, ConntrackAttribute.HELPER_NAME_MAX_CHARS, "helper");
        return this;
    }

    /**
     * Sets the expectfn name.
     *
     * @param name at most 27 printable characters, or null
     * @return this
     */
    public SyncExpectation function(String name) {
        this.function = checked(name, 27, "expectfn");
        return this;
    }

    private static String checked(String name, int max, String what) {
        if (name == null) {
            return null;
        }
        if (name.length() > max) {
            throw new IllegalArgumentException(what + " \"" + name + "\" is longer than " + max
                    + " characters; conntrackd would drop the message");
        }
        for (int i = 0; i < name.length(); i++) {
            if (name.charAt(i) < 0x21 || name.charAt(i) > 0x7e) {
                throw new IllegalArgumentException(what + " \"" + name + "\" has a non-printable character at " + i);
            }
        }
        return name;
    }

    /**
     * Whether a tuple is set.
     *
     * @param which tuple index
     * @return true if set
     */
    public boolean hasTuple(int which) {
        return set[which];
    }

    /**
     * Whether a tuple has addresses (always, except possibly {@link #NAT}).
     *
     * @param which tuple index
     * @return true if it has addresses
     */
    public boolean hasAddresses(int which) {
        return addressesSet[which];
    }

    /**
     * Whether a tuple is IPv6.
     *
     * @param which tuple index
     * @return true for IPv6
     */
    public boolean isIpv6(int which) {
        return ipv6[which];
    }

    /**
     * A tuple's source address.
     *
     * @param which tuple index
     * @return a copy, 4 or 16 bytes
     */
    public byte[] source(int which) {
        return Arrays.copyOf(sources[which], ipv6[which] ? 16 : 4);
    }

    /**
     * A tuple's destination address.
     *
     * @param which tuple index
     * @return a copy, 4 or 16 bytes
     */
    public byte[] destination(int which) {
        return Arrays.copyOf(destinations[which], ipv6[which] ? 16 : 4);
    }

    /**
     * A tuple's protocol.
     *
     * @param which tuple index
     * @return 0 to 255
     */
    public int protocol(int which) {
        return protocols[which];
    }

    /**
     * A tuple's source port.
     *
     * @param which tuple index
     * @return 0 to 65535
     */
    public int sourcePort(int which) {
        return sourcePorts[which];
    }

    /**
     * A tuple's destination port.
     *
     * @param which tuple index
     * @return 0 to 65535
     */
    public int destinationPort(int which) {
        return destinationPorts[which];
    }

    /**
     * The timeout.
     *
     * @return seconds, or -1 if unknown
     */
    public long timeout() {
        return timeout;
    }

    /**
     * The flags.
     *
     * @return the flags
     */
    public long flags() {
        return flags;
    }

    /**
     * The class.
     *
     * @return the class, or -1 if none
     */
    public long expectationClass() {
        return expectationClass;
    }

    /**
     * The NAT direction.
     *
     * @return the direction
     */
    public long natDirection() {
        return natDirection;
    }

    /**
     * The helper name.
     *
     * @return the name, or null
     */
    public String helper() {
        return helper;
    }

    /**
     * The expectfn name.
     *
     * @return the name, or null
     */
    public String function() {
        return function;
    }

    byte[] sourceRaw(int which) {
        return sources[which];
    }

    byte[] destinationRaw(int which) {
        return destinations[which];
    }

    @Override
    public boolean equals(Object other) {
        if (!(other instanceof SyncExpectation that)) {
            return false;
        }
        return Arrays.equals(set, that.set) && Arrays.equals(ipv6, that.ipv6)
                && Arrays.equals(addressesSet, that.addressesSet) && Arrays.deepEquals(sources, that.sources)
                && Arrays.deepEquals(destinations, that.destinations) && Arrays.equals(protocols, that.protocols)
                && Arrays.equals(sourcePorts, that.sourcePorts) && Arrays.equals(destinationPorts, that.destinationPorts)
                && timeout == that.timeout && flags == that.flags && expectationClass == that.expectationClass
                && natDirection == that.natDirection && Objects.equals(helper, that.helper)
                && Objects.equals(function, that.function);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(protocols), Arrays.hashCode(destinationPorts), timeout, helper);
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        String[] names = {"master", "expected", "mask", "nat"};
        for (int i = 0; i < 4; i++) {
            if (set[i]) {
                out.append(names[i]).append("=[").append(addressesSet[i] ? SyncFlow.addressOf(sources[i], ipv6[i]) : "-")
                        .append("->").append(addressesSet[i] ? SyncFlow.addressOf(destinations[i], ipv6[i]) : "-")
                        .append(" proto ").append(protocols[i]).append(' ').append(sourcePorts[i]).append("->")
                        .append(destinationPorts[i]).append("] ");
            }
        }
        return out.append("timeout=").append(timeout).append(" flags=").append(flags).append(" class=")
                .append(expectationClass).append(" natDir=").append(natDirection).append(" helper=").append(helper)
                .append(" fn=").append(function).toString();
    }
}

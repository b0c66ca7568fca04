package io.conntrack4j.netlink;

import io.conntrack4j.core.Expectation;
import io.conntrack4j.core.Tuple;
import io.conntrack4j.netlink.internal.AttributeIterator;
import io.conntrack4j.netlink.internal.CtaExpect;
import io.conntrack4j.netlink.internal.Netlink;
import java.nio.ByteBuffer;

/**
 * An expectation read in place from a received netlink message (a flyweight): one instance is
 * reused for every expectation of a dump or every expectation event, so nothing is allocated per
 * expectation, and it is valid only during the {@link ExpectationVisitor} (or handler) call.
 * Absent numbers read as -1, absent strings as null.
 *
 * <p>{@link #toExpectation()} copies it into an immutable core {@link Expectation}, which
 * {@link io.conntrack4j.core.format.ExpectationFormat} prints as {@code conntrack -L expect} does.
 *
 * <p>Reading never fails: attributes that are cut off or have the wrong size are skipped and
 * counted ({@link DumpSummary#malformedAttributes()}), unknown ones are ignored and counted.
 *
 * <pre>{@code
 * expectations.dump(e -> {
 *     System.out.println(e.tuple().destinationPort() + " expected by " + e.helper()
 *             + ", master " + e.master().sourcePort() + " -> " + e.master().destinationPort());
 *     return true;
 * });
 * }</pre>
 */
public final class ExpectationEntry {
    private final AttributeIterator top = new AttributeIterator();
    private final AttributeIterator nest = new AttributeIterator();
    private final TupleReader tuples = new TupleReader();
    private final TupleView master = new TupleView();
    private final TupleView tuple = new TupleView();
    private final TupleView mask = new TupleView();
    private final TupleView natTuple = new TupleView();
    private ByteBuffer host;
    private int family;
    private long timeout;
    private long id;
    private long flags;
    private long expectClass;
    private int zone;
    private long natDirection;
    private int helperOffset;
    private int helperLength;
    private int functionOffset;
    private int functionLength;
    private long unknown;

    ExpectationEntry() {
    }

    /**
     * Reads the message at {@code offset} (its nlmsghdr) of {@code length} bytes.
     *
     * @return false when the message is too short to hold an expectation (nothing is read)
     */
    boolean wrap(ByteBuffer host, ByteBuffer network, int offset, int length) {
        this.host = host;
        master.clear(host, network);
        tuple.clear(host, network);
        mask.clear(host, network);
        natTuple.clear(host, network);
        family = -1;
        timeout = -1;
        id = -1;
        flags = -1;
        expectClass = -1;
        zone = -1;
        natDirection = -1;
        helperLength = -1;
        functionLength = -1;
        int attributes = offset + Netlink.NLMSG_HDRLEN + Netlink.NFGENMSG_LEN;
        int end = offset + length;
        if (length < 0 || attributes > end) {
            return false;
        }
        family = host.get(offset + Netlink.NLMSG_HDRLEN) & 0xFF;
        top.wrap(host, network, attributes, end - attributes);
        while (top.next()) {
            switch (top.type()) {
                case CtaExpect.MASTER -> tuples.read(top, master);
                case CtaExpect.TUPLE -> tuples.read(top, tuple);
                case CtaExpect.MASK -> tuples.read(top, mask);
                case CtaExpect.TIMEOUT -> timeout = top.checkedU32();
                case CtaExpect.ID -> id = top.checkedU32();
                case CtaExpect.FLAGS -> flags = top.checkedU32();
                case CtaExpect.CLASS -> expectClass = top.checkedU32();
                case CtaExpect.ZONE -> zone = top.checkedU16();
                case CtaExpect.HELP_NAME -> {
                    helperOffset = top.payloadOffset();
                    helperLength = top.stringLength();
                }
                case CtaExpect.FN -> {
                    functionOffset = top.payloadOffset();
                    functionLength = top.stringLength();
                }
                case CtaExpect.NAT -> readNat();
                default -> unknown++;
            }
        }
        return true;
    }

    private void readNat() {
        nest.wrapNested(top);
        while (nest.next()) {
            switch (nest.type()) {
                case CtaExpect.NAT_DIR -> natDirection = nest.checkedU32();
                case CtaExpect.NAT_TUPLE -> tuples.read(nest, natTuple);
                default -> unknown++;
            }
        }
    }

    /** Malformed attributes skipped since this view was created. */
    long malformedAttributes() {
        return top.malformed() + nest.malformed() + tuples.malformed();
    }

    /** Unknown attributes ignored since this view was created. */
    long unknownAttributes() {
        return unknown + tuples.unknown();
    }

    /**
     * Copies the expectation into an immutable core {@link Expectation} (allocates). A missing
     * timeout, flags word, class or zone reads as 0, as conntrack(8) prints them. A NAT part whose
     * direction is neither 0 nor 1 is left out (and counted as malformed).
     *
     * <pre>{@code
     * List<Expectation> kept = new ArrayList<>();
     * expectations.dump(e -> {
     *     Expectation x = e.toExpectation();
     *     if (x != null) kept.add(x);
     *     return true;
     * });
     * }</pre>
     *
     * @return the expectation, or null when the master, expected tuple or mask is missing or
     *     unusable (no addresses of one family, or no protocol), or their families differ
     */
    public Expectation toExpectation() {
        Tuple m = master.toTuple();
        Tuple t = tuple.toTuple();
        Tuple k = mask.toTuple();
        if (m == null || t == null || k == null || m.family() != t.family() || k.family() != t.family()) {
            return null;
        }
        Expectation.Nat nat = null;
        if (natTuple.present()) {
            Tuple n = natTuple.toTuple();
            if (n != null && (natDirection == 0 || natDirection == 1)) {
                nat = new Expectation.Nat((int) natDirection, n);
            } else {
                top.countMalformed();
            }
        }
        return new Expectation(m, t, k, (int) Math.max(0, timeout), (int) Math.max(0, flags),
                (int) Math.max(0, expectClass), helper(), function(), nat, Math.max(0, zone), (int) Math.max(0, id));
    }

    /**
     * The layer-3 family from the message header (2 IPv4, 10 IPv6).
     *
     * @return family
     */
    public int family() {
        return family;
    }

    /**
     * The master connection's original tuple ({@code CTA_EXPECT_MASTER}).
     *
     * @return the reused view
     */
    public TupleView master() {
        return master;
    }

    /**
     * The expected connection's original tuple ({@code CTA_EXPECT_TUPLE}).
     *
     * @return the reused view
     */
    public TupleView tuple() {
        return tuple;
    }

    /**
     * Which bits of {@link #tuple()} must match ({@code CTA_EXPECT_MASK}): address masks, a source
     * port mask (0 for any port), the expected protocol.
     *
     * @return the reused view
     */
    public TupleView mask() {
        return mask;
    }

    /**
     * The NAT tuple ({@code CTA_EXPECT_NAT_TUPLE}): its source address and source key are where
     * the expected connection is NATed to.
     *
     * @return the reused view; {@link TupleView#present()} is false without NAT
     */
    public TupleView natTuple() {
        return natTuple;
    }

    /**
     * The NAT direction ({@code CTA_EXPECT_NAT_DIR}): 0 original, 1 reply.
     *
     * @return direction, or -1 without NAT
     */
    public long natDirection() {
        return natDirection;
    }

    /**
     * Seconds left ({@code CTA_EXPECT_TIMEOUT}).
     *
     * @return seconds, or -1 when absent
     */
    public long timeout() {
        return timeout;
    }

    /**
     * The kernel's opaque id ({@code CTA_EXPECT_ID}).
     *
     * @return id (unsigned 32-bit), or -1 when absent
     */
    public long id() {
        return id;
    }

    /**
     * The {@link io.conntrack4j.core.ExpectationFlag} bits ({@code CTA_EXPECT_FLAGS}).
     *
     * @return flags, or -1 when absent
     */
    public long flags() {
        return flags;
    }

    /**
     * The helper's expectation class ({@code CTA_EXPECT_CLASS}).
     *
     * @return class, or -1 when absent
     */
    public long expectClass() {
        return expectClass;
    }

    /**
     * The zone ({@code CTA_EXPECT_ZONE}), when the kernel sent one.
     *
     * @return zone, or -1 when absent
     */
    public int zone() {
        return zone;
    }

    /**
     * The master's helper ({@code CTA_EXPECT_HELP_NAME}; allocates).
     *
     * @return name, or null
     */
    public String helper() {
        return AttributeIterator.utf8(host, helperOffset, helperLength);
    }

    /**
     * The helper function to run on the expected connection ({@code CTA_EXPECT_FN}; allocates).
     *
     * @return name, or null
     */
    public String function() {
        return AttributeIterator.utf8(host, functionOffset, functionLength);
    }

}

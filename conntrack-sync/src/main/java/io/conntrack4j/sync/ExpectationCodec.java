package io.conntrack4j.sync;

import io.conntrack4j.core.Expectation;
import org.agrona.MutableDirectBuffer;

/**
 * Converts between core {@link Expectation}s or {@link SyncExpectation}s and expectation data messages (EXP_NEW, EXP_UPD,
 * EXP_DEL) the way conntrackd 1.4.7 does, byte for byte.
 *
 * <p>Emission order: MASTER_IPV4|6, MASTER_L4PROTO, [MASTER_PORT], EXPECT_IPV4|6, EXPECT_L4PROTO,
 * [EXPECT_PORT], MASK_IPV4|6, MASK_L4PROTO, [MASK_PORT], [TIMEOUT], FLAGS, [CLASS], then with a
 * NAT tuple [NAT_IPV4], NAT_L4PROTO, [NAT_PORT], NAT_DIR, then [HELPER_NAME], [FN]. Every PORT
 * attribute is present exactly when the master's protocol is TCP, UDP, SCTP or DCCP.
 *
 * <pre>{@code
 * int length = new ExpectationCodec().encode(buffer, 0, MessageType.EXP_NEW, 0, sequence, ftp);
 * Expectation received = new ExpectationCodec().decode(message);
 * }</pre>
 */
public final class ExpectationCodec {
    private boolean sendTimeout = true;

    /**
     * Whether TIMEOUT attributes are sent: true unless the sender has a CommitTimeout.
     *
     * @param send default true
     * @return this
     */
    public ExpectationCodec sendTimeout(boolean send) {
        this.sendTimeout = send;
        return this;
    }

    /**
     * Writes one expectation message for a core expectation (see
     * {@link SyncExpectation#from(Expectation)}).
     *
     * @param buffer where to write
     * @param offset where the message starts
     * @param type EXP_NEW, EXP_UPD or EXP_DEL
     * @param flags header flags
     * @param sequence the sequence number
     * @param expectation the expectation
     * @return the message length
     */
    public int encode(MutableDirectBuffer buffer, int offset, MessageType type, int flags, int sequence,
            Expectation expectation) {
        return encode(buffer, offset, type, flags, sequence, new SyncExpectation().from(expectation));
    }

    /**
     * Reads an accepted expectation message into a core expectation (see
     * {@link SyncExpectation#toExpectation()}).
     *
     * @param message an accepted EXP_NEW, EXP_UPD or EXP_DEL message
     * @return a new expectation
     * @throws IllegalArgumentException if the message is a conntrack, lacks a tuple, holds a name
     *     the model refuses or a NAT direction other than 0 and 1
     */
    public Expectation decode(DataMessage message) {
        return decode(message, new SyncExpectation()).toExpectation();
    }

    /**
     * Writes one expectation message.
     *
     * @param buffer where to write
     * @param offset where the message starts
     * @param type EXP_NEW, EXP_UPD or EXP_DEL
     * @param flags header flags
     * @param sequence the sequence number
     * @param expectation the expectation; master, expected and mask tuples must be set
     * @return the message length
     */
    public int encode(MutableDirectBuffer buffer, int offset, MessageType type, int flags, int sequence,
            SyncExpectation expectation) {
        if (type != MessageType.EXP_NEW && type != MessageType.EXP_UPD && type != MessageType.EXP_DEL) {
            throw new IllegalArgumentException("not an expectation message type: " + type);
        }
        for (int which = SyncExpectation.MASTER; which <= SyncExpectation.MASK; which++) {
            if (!expectation.hasTuple(which)) {
                throw new IllegalArgumentException("expectation lacks tuple " + which);
            }
        }
        boolean ports = SyncFlow.hasPorts(expectation.protocol(SyncExpectation.MASTER));
        int at = offset + MessageHeader.LENGTH;
        at = tuple(buffer, at, expectation, SyncExpectation.MASTER, ExpectationAttribute.MASTER_IPV4, ports);
        at = tuple(buffer, at, expectation, SyncExpectation.EXPECTED, ExpectationAttribute.EXPECT_IPV4, ports);
        at = tuple(buffer, at, expectation, SyncExpectation.MASK, ExpectationAttribute.MASK_IPV4, ports);
        if (sendTimeout && expectation.timeout() >= 0) {
            at = AttributeWriter.u32(buffer, at, ExpectationAttribute.TIMEOUT, expectation.timeout());
        }
        at = AttributeWriter.u32(buffer, at, ExpectationAttribute.FLAGS, expectation.flags());
        if (expectation.expectationClass() >= 0) {
            at = AttributeWriter.u32(buffer, at, ExpectationAttribute.CLASS, expectation.expectationClass());
        }
        if (expectation.hasTuple(SyncExpectation.NAT)) {
            int nat = SyncExpectation.NAT;
            if (expectation.hasAddresses(nat)) {
                at = AttributeWriter.pair(buffer, at, ExpectationAttribute.NAT_IPV4, expectation.sourceRaw(nat),
                        expectation.destinationRaw(nat), 4);
            }
            at = AttributeWriter.u8(buffer, at, ExpectationAttribute.NAT_L4PROTO, expectation.protocol(nat));
            if (ports) {
                at = AttributeWriter.ports(buffer, at, ExpectationAttribute.NAT_PORT, expectation.sourcePort(nat),
                        expectation.destinationPort(nat));
            }
            at = AttributeWriter.u32(buffer, at, ExpectationAttribute.NAT_DIR, expectation.natDirection());
        }
        if (expectation.helper() != null) {
            at = AttributeWriter.string(buffer, at, ExpectationAttribute.HELPER_NAME, expectation.helper());
        }
        if (expectation.function() != null) {
            at = AttributeWriter.string(buffer, at, ExpectationAttribute.FN, expectation.function());
        }
        int length = at - offset;
        MessageHeader.write(buffer, offset, type.wire(), flags, length, sequence);
        return length;
    }

    // The IPV4, IPV6, L4PROTO and PORT attributes of each tuple are consecutive numbers.
    private static int tuple(MutableDirectBuffer buffer, int at, SyncExpectation expectation, int which, int ipv4Type,
            boolean ports) {
        boolean v6 = expectation.isIpv6(which);
        int end = AttributeWriter.pair(buffer, at, v6 ? ipv4Type + 1 : ipv4Type, expectation.sourceRaw(which),
                expectation.destinationRaw(which), v6 ? 16 : 4);
        end = AttributeWriter.u8(buffer, end, ipv4Type + 2, expectation.protocol(which));
        if (ports) {
            end = AttributeWriter.ports(buffer, end, ipv4Type + 3, expectation.sourcePort(which),
                    expectation.destinationPort(which));
        }
        return end;
    }

    /**
     * Reads an accepted expectation message.
     *
     * @param message an accepted EXP_NEW, EXP_UPD or EXP_DEL message
     * @param expectation the expectation to overwrite
     * @return expectation
     * @throws IllegalArgumentException if the message is a conntrack, lacks a tuple, or holds a
     *     name the model refuses
     */
    public SyncExpectation decode(DataMessage message, SyncExpectation expectation) {
        if (!message.isExpectation()) {
            throw new IllegalArgumentException("conntrack message, not an expectation");
        }
        expectation.clear();
        readTuple(message, expectation, SyncExpectation.MASTER, ExpectationAttribute.MASTER_IPV4);
        readTuple(message, expectation, SyncExpectation.EXPECTED, ExpectationAttribute.EXPECT_IPV4);
        readTuple(message, expectation, SyncExpectation.MASK, ExpectationAttribute.MASK_IPV4);
        if (message.has(ExpectationAttribute.NAT_L4PROTO) || message.has(ExpectationAttribute.NAT_IPV4)) {
            byte[] src = null;
            byte[] dst = null;
            if (message.has(ExpectationAttribute.NAT_IPV4)) {
                src = new byte[4];
                dst = new byte[4];
                message.getBytes(ExpectationAttribute.NAT_IPV4, 0, src, 0, 4);
                message.getBytes(ExpectationAttribute.NAT_IPV4, 4, dst, 0, 4);
            }
            int sport = 0;
            int dport = 0;
            if (message.has(ExpectationAttribute.NAT_PORT)) {
                sport = message.u16At(ExpectationAttribute.NAT_PORT, 0);
                dport = message.u16At(ExpectationAttribute.NAT_PORT, 2);
            }
            int protocol = message.has(ExpectationAttribute.NAT_L4PROTO) ? message.u8(ExpectationAttribute.NAT_L4PROTO) : 0;
            expectation.tuple(SyncExpectation.NAT, src, dst, protocol, sport, dport);
            if (message.has(ExpectationAttribute.NAT_DIR)) {
                expectation.natDirection(message.u32(ExpectationAttribute.NAT_DIR));
            }
        }
        if (message.has(ExpectationAttribute.TIMEOUT)) {
            expectation.timeout(message.u32(ExpectationAttribute.TIMEOUT));
        }
        if (message.has(ExpectationAttribute.FLAGS)) {
            expectation.flags(message.u32(ExpectationAttribute.FLAGS));
        }
        if (message.has(ExpectationAttribute.CLASS)) {
            expectation.expectationClass(message.u32(ExpectationAttribute.CLASS));
        }
        if (message.has(ExpectationAttribute.HELPER_NAME)) {
            expectation.helper(message.string(ExpectationAttribute.HELPER_NAME));
        }
        if (message.has(ExpectationAttribute.FN)) {
            expectation.function(message.string(ExpectationAttribute.FN));
        }
        return expectation;
    }

    private static void readTuple(DataMessage message, SyncExpectation expectation, int which, int ipv4Type) {
        int type = message.has(ipv4Type) ? ipv4Type : message.has(ipv4Type + 1) ? ipv4Type + 1 : -1;
        if (type < 0) {
            throw new IllegalArgumentException("expectation message without " + ExpectationAttribute.name(ipv4Type)
                    + " or " + ExpectationAttribute.name(ipv4Type + 1));
        }
        int length = type == ipv4Type ? 4 : 16;
        byte[] src = new byte[length];
        byte[] dst = new byte[length];
        message.getBytes(type, 0, src, 0, length);
        message.getBytes(type, length, dst, 0, length);
        int sport = 0;
        int dport = 0;
        if (message.has(ipv4Type + 3)) {
            sport = message.u16At(ipv4Type + 3, 0);
            dport = message.u16At(ipv4Type + 3, 2);
        }
        int protocol = message.has(ipv4Type + 2) ? message.u8(ipv4Type + 2) : 0;
        expectation.tuple(which, src, dst, protocol, sport, dport);
    }
}

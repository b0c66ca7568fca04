package io.conntrack4j.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.core.Connection;
import io.conntrack4j.core.IpAddress;
import io.conntrack4j.core.L4Protocol;
import io.conntrack4j.core.SequenceAdjustment;
import io.conntrack4j.core.StatusBit;
import io.conntrack4j.core.Tuple;
import java.util.Random;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/**
 * Random valid connections survive encode and decode on every field the wire carries; random
 * and mutated messages either decode or are refused with the documented exception.
 */
class ConnectionMappingFuzzTest {
    private static final int[] PROTOCOLS = {6, 17, 132, 33, 1, 47, 136, 2};
    private static final String[] HELPERS = {"ftp", "sip", "tftp", "netbios-ns", "abcdefghijk"};

    private final Random random = new Random(0x5eed6L);
    private final UnsafeBuffer out = new UnsafeBuffer(new byte[ConntrackCodec.MAX_MESSAGE_LENGTH]);
    private final DataMessage message = new DataMessage();

    private IpAddress address(boolean v6) {
        return v6 ? IpAddress.ofIpv6(random.nextBoolean() ? 0x20010db8_00000000L : random.nextLong(), random.nextLong())
                : IpAddress.ofIpv4(random.nextInt());
    }

    private Tuple tuple(boolean v6, L4Protocol protocol) {
        IpAddress source = address(v6);
        IpAddress destination = address(v6);
        return switch (protocol.keyKind()) {
            // conntrackd carries no UDP-Lite ports (spec 2.7): only port-less ones come back whole.
            case PORTS -> protocol == L4Protocol.UDPLITE ? Tuple.ofPorts(source, destination, protocol, 0, 0)
                    : Tuple.ofPorts(source, destination, protocol, random.nextInt(0x10000), random.nextInt(0x10000));
            // Echo, timestamp, info, mask requests (and ICMPv6 echo): types with a reply type.
            case ICMP -> Tuple.ofIcmp(source, destination, v6 ? 128 : new int[] {8, 13, 15, 17}[random.nextInt(4)],
                    random.nextInt(3), random.nextInt(0x10000));
            case GRE -> Tuple.ofGre(source, destination, 0, 0);
            case NONE -> Tuple.ofAddresses(source, destination, protocol);
        };
    }

    /** A connection whose NAT agrees with its status, as the kernel reports it. */
    Connection randomConnection(boolean windowTracking) {
        boolean v6 = random.nextInt(3) == 0;
        L4Protocol protocol = L4Protocol.of(PROTOCOLS[random.nextInt(PROTOCOLS.length)]);
        if (protocol == L4Protocol.ICMP && v6) {
            protocol = L4Protocol.ICMPV6;
        }
        Tuple original = tuple(v6, protocol);
        Tuple reply = original.inverse();
        boolean ports = SyncFlow.hasPorts(protocol.number());
        int status = random.nextInt() & ~(StatusBit.SRC_NAT_DONE.mask() | StatusBit.DST_NAT_DONE.mask());
        if (random.nextInt(3) == 0) {
            status |= StatusBit.SRC_NAT_DONE.mask();
            reply = new Tuple(reply.source(), random.nextBoolean() ? address(v6) : reply.destination(), protocol,
                    reply.sourceKey(), ports && random.nextBoolean() ? random.nextInt(0x10000) : reply.destinationKey(),
                    Tuple.NO_ZONE);
        }
        if (random.nextInt(3) == 0) {
            status |= StatusBit.DST_NAT_DONE.mask();
            reply = new Tuple(random.nextBoolean() ? address(v6) : reply.source(), reply.destination(), protocol,
                    ports && random.nextBoolean() ? random.nextInt(0x10000) : reply.sourceKey(), reply.destinationKey(),
                    Tuple.NO_ZONE);
        }
        Connection.Builder b = Connection.builder(original, reply).status(status).timeout(random.nextInt())
                .mark(random.nextInt());
        if (protocol == L4Protocol.TCP && random.nextBoolean()) {
            b.protocolState(random.nextInt(10));
            if (windowTracking) {
                b.tcpWindow(0, 0, random.nextInt(15), random.nextInt(15));
            }
        }
        if (protocol == L4Protocol.SCTP && random.nextBoolean()) {
            b.protocolState(random.nextInt(10)).sctpVtags(random.nextInt(), random.nextInt());
        }
        if (protocol == L4Protocol.DCCP && random.nextBoolean()) {
            b.protocolState(random.nextInt(10));
        }
        if (random.nextBoolean()) {
            b.zone(random.nextInt(0x10000));
        }
        if (random.nextInt(4) == 0) {
            long high = random.nextBoolean() ? random.nextLong() : 0;
            b.labels(high, high == 0 ? random.nextLong() | 1 : random.nextLong());
        }
        if (random.nextInt(4) == 0) {
            b.helper(HELPERS[random.nextInt(HELPERS.length)]);
        }
        if (random.nextInt(4) == 0) {
            // Helpers' masters are TCP or UDP (PPTP's GRE keys are not carried).
            b.master(tuple(random.nextBoolean(), L4Protocol.of(new int[] {6, 17, 47}[random.nextInt(3)])));
        }
        if (random.nextInt(4) == 0) {
            b.seqAdjust(new SequenceAdjustment(random.nextInt(), random.nextInt(), random.nextInt()),
                    new SequenceAdjustment(random.nextInt(), random.nextInt(), random.nextInt()));
        }
        return b.build();
    }

    @Test
    void randomConnectionsSurviveEncodeAndDecode() {
        for (int i = 0; i < 50_000; i++) {
            boolean windowTracking = random.nextBoolean();
            ConntrackCodec codec = new ConntrackCodec().tcpWindowTracking(windowTracking);
            Connection connection = randomConnection(windowTracking);
            int length = codec.encode(out, 0, MessageType.CT_UPD, 0, i, connection);
            assertTrue(message.wrap(out, 0), () -> message.error() + " for " + connection);
            Connection decoded = codec.decode(message);
            assertEquals(CarriedFields.of(connection), CarriedFields.of(decoded), "case " + i + ", " + length + " bytes");
        }
    }

    @Test
    void randomAndMutatedMessagesDecodeOrAreRefusedAsDocumented() {
        ConntrackCodec codec = new ConntrackCodec();
        byte[] bytes = new byte[ConntrackCodec.MAX_MESSAGE_LENGTH];
        UnsafeBuffer in = new UnsafeBuffer(bytes);
        int decoded = 0;
        int refused = 0;
        for (int i = 0; i < 100_000; i++) {
            int length;
            if (random.nextInt(4) == 0) {
                length = MessageHeader.LENGTH + random.nextInt(200);
                random.nextBytes(bytes);
                // Plausible attributes: small lengths and known types, so that some pass the checks.
                for (int at = MessageHeader.LENGTH; at + 4 <= length; at += 4 * (1 + random.nextInt(4))) {
                    in.putShort(at, (short) (4 + random.nextInt(36)), java.nio.ByteOrder.BIG_ENDIAN);
                    in.putShort(at + 2, (short) random.nextInt(ConntrackAttribute.COUNT), java.nio.ByteOrder.BIG_ENDIAN);
                }
            } else {
                length = codec.encode(in, 0, MessageType.CT_NEW, 0, i, randomConnection(false));
                for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                    int at = MessageHeader.LENGTH + random.nextInt(length - MessageHeader.LENGTH);
                    bytes[at] = (byte) (random.nextInt(3) == 0 ? random.nextInt(256) : bytes[at] ^ (1 << random.nextInt(8)));
                }
            }
            MessageHeader.write(in, 0, MessageType.CT_NEW.wire(), 0, length, i);
            if (!message.wrap(in, 0)) {
                continue;
            }
            Connection connection;
            try {
                connection = codec.decode(message);
            } catch (IllegalArgumentException expected) {
                // Documented: no IPV4/IPV6 attribute, or a helper name that is not printable.
                refused++;
                continue;
            }
            decoded++;
            // Whatever was accepted is a connection that can be sent on again.
            codec.encode(out, 0, MessageType.CT_UPD, 0, i, connection);
            assertTrue(message.wrap(out, 0), message.error());
        }
        assertTrue(decoded > 10_000, "decoded " + decoded + ", refused " + refused);
    }
}

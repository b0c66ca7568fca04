package io.conntrack4j.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.core.Expectation;
import io.conntrack4j.core.IpAddress;
import io.conntrack4j.core.L4Protocol;
import io.conntrack4j.core.Tuple;
import java.util.Random;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/** Core expectations to and from EXP_* messages, against the captured FTP expectation. */
class ExpectationMappingTest {
    private static final IpAddress CLIENT = IpAddress.parse("10.50.0.1");
    private static final IpAddress SERVER = IpAddress.parse("10.50.0.2");
    private static final IpAddress ONES = IpAddress.parse("255.255.255.255");

    private final UnsafeBuffer out = new UnsafeBuffer(new byte[ConntrackCodec.MAX_MESSAGE_LENGTH]);
    private final DataMessage message = new DataMessage();

    /** The FTP PASV expectation of spec 2.8 (an FTP client 10.50.0.1, server 10.50.0.2). */
    static Expectation ftp() {
        return new Expectation(Tuple.ofPorts(CLIENT, SERVER, L4Protocol.TCP, 43741, 21),
                Tuple.ofPorts(CLIENT, SERVER, L4Protocol.TCP, 0, 41739),
                Tuple.ofPorts(ONES, ONES, L4Protocol.TCP, 0, 0xffff), 300, 0, 0, "ftp", null, null, 0, 0);
    }

    @Test
    void theCapturedExpectationFromTheCoreModelIsByteExact() {
        int length = new ExpectationCodec().encode(out, 0, MessageType.EXP_NEW, 0, 0x6b0663ad, ftp());
        assertEquals(Hex.normalized(GoldenBytesTest.FTP_EXPECTATION), Hex.of(out, 0, length));
        assertTrue(message.wrap(new UnsafeBuffer(Hex.bytes(GoldenBytesTest.FTP_EXPECTATION)), 0), message.error());
        Expectation decoded = new ExpectationCodec().decode(message);
        assertEquals(ftp(), decoded);
        assertTrue(decoded.matches(Tuple.ofPorts(CLIENT, SERVER, L4Protocol.TCP, 50123, 41739)));
        assertFalse(decoded.matches(Tuple.ofPorts(CLIENT, SERVER, L4Protocol.TCP, 50123, 41740)));
    }

    @Test
    void natPartsRoundTripAndBadDirectionsAreRefused() {
        Expectation nat = new Expectation(ftp().master(), ftp().tuple(), ftp().mask(), 100, 0x1, 0, "ftp",
                "nat-follow-master", new Expectation.Nat(1,
                        Tuple.ofPorts(IpAddress.parse("192.168.77.1"), SERVER, L4Protocol.TCP, 0, 50000)), 0, 0);
        int length = new ExpectationCodec().encode(out, 0, MessageType.EXP_UPD, 0, 1, nat);
        assertTrue(Hex.of(out, 0, length).contains("000c000fc0a84d010a320002"), Hex.of(out, 0, length));
        assertTrue(message.wrap(out, 0), message.error());
        assertEquals(nat, new ExpectationCodec().decode(message));
        // NAT_DIR is a u32 on the wire; the model holds 0 or 1 and says which value it refused.
        out.putInt(Hex.of(out, 0, length).indexOf("00080012") / 2 + 4, 7, java.nio.ByteOrder.BIG_ENDIAN);
        String hex = Hex.of(out, 0, length);
        assertTrue(hex.contains("0008001200000007"), hex);
        assertTrue(message.wrap(out, 0), message.error());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ExpectationCodec().decode(message));
        assertTrue(e.getMessage().contains("direction 7"), e.getMessage());
    }

    @Test
    void randomExpectationsRoundTrip() {
        Random random = new Random(42);
        ExpectationCodec codec = new ExpectationCodec();
        for (int i = 0; i < 20_000; i++) {
            boolean v6 = random.nextBoolean();
            L4Protocol protocol = random.nextBoolean() ? L4Protocol.TCP : L4Protocol.UDP;
            Tuple master = Tuple.ofPorts(address(random, v6), address(random, v6), protocol, random.nextInt(0x10000),
                    random.nextInt(0x10000));
            Tuple expected = Tuple.ofPorts(address(random, v6), address(random, v6), protocol, random.nextInt(0x10000),
                    random.nextInt(0x10000));
            Tuple mask = Tuple.ofPorts(address(random, v6), address(random, v6), protocol, random.nextInt(0x10000),
                    random.nextInt(0x10000));
            Expectation.Nat nat = random.nextBoolean() ? null : new Expectation.Nat(random.nextInt(2),
                    Tuple.ofPorts(address(random, false), address(random, false), protocol, random.nextInt(0x10000),
                            random.nextInt(0x10000)));
            Expectation expectation = new Expectation(master, expected, mask, random.nextInt(), random.nextInt(),
                    random.nextInt(), random.nextBoolean() ? "sip" : null, random.nextBoolean() ? "nat-follow-master" : null,
                    nat, 0, 0);
            codec.encode(out, 0, MessageType.EXP_NEW, 0, i, expectation);
            assertTrue(message.wrap(out, 0), message.error());
            assertEquals(expectation, codec.decode(message), "case " + i);
        }
    }

    private static IpAddress address(Random random, boolean v6) {
        return v6 ? IpAddress.ofIpv6(random.nextLong(), random.nextLong()) : IpAddress.ofIpv4(random.nextInt());
    }
}

package io.conntrack4j.core.packet;

import static io.conntrack4j.core.packet.Packets.bytes;
import static io.conntrack4j.core.packet.Packets.concat;
import static io.conntrack4j.core.packet.Packets.ethernet;
import static io.conntrack4j.core.packet.Packets.extension;
import static io.conntrack4j.core.packet.Packets.fragmentHeader;
import static io.conntrack4j.core.packet.Packets.icmp;
import static io.conntrack4j.core.packet.Packets.ipv4;
import static io.conntrack4j.core.packet.Packets.ipv6;
import static io.conntrack4j.core.packet.Packets.tcp;
import static io.conntrack4j.core.packet.Packets.udp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Random and mutated packets: parsing never throws, never reads outside the given range (exact-size
 * arrays and buffer slices turn any stray read into an exception) and always gives a result.
 */
class PacketViewFuzzTest {

    private static final int[] LINK_TYPES = {LinkType.ETHERNET, LinkType.RAW, LinkType.IPV4, LinkType.IPV6,
        LinkType.LINUX_SLL, LinkType.LINUX_SLL2};

    private static List<byte[]> seeds() {
        byte[] sctp = concat(bytes(0x0b, 0xb8, 0x0b, 0xb9, 1, 2, 3, 4, 0, 0, 0, 0), bytes(1, 0, 0, 8, 0, 0, 0, 0));
        byte[] quoted = ipv4(6, "10.0.0.1", "10.0.0.2", tcp(5, 6, 7, 8, 2, 9, new byte[0], new byte[0]));
        return List.of(
                ipv4(6, "10.0.0.1", "10.0.0.2", tcp(1, 2, 3, 4, 2, 5, bytes(2, 4, 5, 0xb4, 3, 3, 7, 4, 2, 0, 0, 0),
                        new byte[10])),
                ipv4(17, "10.0.0.1", "10.0.0.2", udp(1, 2, new byte[10])),
                ipv4(6, "10.0.0.1", "10.0.0.2", tcp(1, 2, 3, 4, 0x10, 5, bytes(1, 1, 5, 18, 0, 0, 0, 9, 0, 0, 0, 20,
                        0, 0, 0, 30, 0, 0, 0, 40), new byte[4])),
                ipv4(132, "10.0.0.1", "10.0.0.2", sctp),
                ipv4(33, "10.0.0.1", "10.0.0.2", bytes(0, 1, 0, 2, 4, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1)),
                ipv4(47, "10.0.0.1", "10.0.0.2", bytes(0x30, 0x81, 0x88, 0x0b, 0, 4, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2,
                        1, 2, 3, 4)),
                ipv4(1, "10.0.0.1", "10.0.0.2", icmp(3, 3, 0, 0, quoted)),
                ipv4(1, "10.0.0.1", "10.0.0.2", 9, 0x2000, 64, icmp(8, 0, 1, 2, new byte[16]), 6),
                ipv6(0, "2001:db8::1", "2001:db8::2", 64, concat(extension(43, 0), extension(44, 0),
                        fragmentHeader(6, 0, true, 5), tcp(1, 2, 3, 4, 0x12, 5, new byte[0], new byte[3]))),
                ipv6(58, "2001:db8::1", "2001:db8::2", 64, icmp(1, 0, 0, 0,
                        ipv6(17, "2001:db8::2", "2001:db8::1", 64, udp(3, 4, new byte[2])))),
                ipv6(51, "::1", "::2", 64, concat(bytes(136, 1, 0, 0), new byte[8], udp(7, 9, new byte[0]))));
    }

    @Test
    void mutatedAndRandomPacketsNeverBreakTheParser() {
        SplittableRandom random = new SplittableRandom(20261125L);
        List<byte[]> seeds = seeds();
        PacketView view = new PacketView().checkChecksums(true, true);
        PacketView inner = new PacketView();
        long[] key = new long[PacketView.MAX_KEY_LONGS];
        Map<ParseResult, Integer> seen = new EnumMap<>(ParseResult.class);
        for (int i = 0; i < 200_000; i++) {
            byte[] packet;
            int linkType = LINK_TYPES[random.nextInt(LINK_TYPES.length)];
            if (i % 10 == 0) {
                packet = new byte[random.nextInt(120)];
                random.nextBytes(packet);
            } else {
                byte[] seed = seeds.get(random.nextInt(seeds.size()));
                byte[] framed = switch (linkType) {
                    case LinkType.ETHERNET -> random.nextBoolean() ? ethernet(etherType(seed), seed)
                            : ethernet(etherType(seed), seed, 0x8100_0001, 0x88a8_0002);
                    case LinkType.LINUX_SLL -> concat(new byte[14], bytes(etherType(seed) >>> 8, etherType(seed)), seed);
                    case LinkType.LINUX_SLL2 -> concat(bytes(etherType(seed) >>> 8, etherType(seed)), new byte[18], seed);
                    default -> seed.clone();
                };
                packet = mutate(random, framed);
            }
            ParseResult r;
            view.acceptTruncatedCaptures(i % 3 == 0);
            try {
                if (random.nextBoolean()) {
                    r = view.parse(linkType, packet, 0, packet.length);
                } else {
                    ByteBuffer slice = (random.nextBoolean() ? ByteBuffer.allocateDirect(packet.length)
                            : ByteBuffer.allocate(packet.length)).put(packet).flip().slice();
                    r = view.parse(linkType, slice);
                }
                assertNotNull(r);
                assertEquals(r, view.result());
                check(view);
                int ack = random.nextInt();
                // Linux's running maximum in sequence order is not transitive across 2^31: only check it ends
                view.tcpSackEdge(ack);
                int n = view.writeKey(key, 1);
                assertTrue(n == 0 || n == 2 || n == 5);
                if (view.hasKey()) {
                    assertNotNull(view.toTuple());
                }
                for (int c = view.firstSctpChunk(), guard = 0; c >= 0; c = view.nextSctpChunk(c), guard++) {
                    view.sctpChunkType(c);
                    assertTrue(guard < packet.length, "SCTP walk does not end");
                }
                ParseResult innerResult = inner.parseEmbedded(view);
                assertNotNull(innerResult);
                check(inner);
                inner.tcpSackEdge(ack);
                inner.writeKey(key, 0);
                if (inner.hasKey()) {
                    assertNotNull(inner.toTuple());
                }
            } catch (RuntimeException | AssertionError e) {
                fail("iteration " + i + " link " + linkType + " packet " + java.util.HexFormat.of().formatHex(packet), e);
                return;
            }
            seen.merge(r, 1, Integer::sum);
        }
        assertTrue(seen.getOrDefault(ParseResult.OK, 0) > 1000, seen.toString());
        assertTrue(seen.size() >= 12, "mutations reach most reasons: " + seen);
    }

    private static int etherType(byte[] ip) {
        return (ip[0] & 0xf0) == 0x60 ? 0x86dd : 0x0800;
    }

    private static void check(PacketView v) {
        int len = v.capturedLength();
        if (v.result() == ParseResult.OK) {
            assertTrue(v.networkOffset() >= 0 && v.networkOffset() <= v.transportOffset());
            assertTrue(v.transportOffset() <= v.networkEnd() && v.networkEnd() <= len);
            assertTrue(v.payloadOffset() >= v.transportOffset() && v.payloadOffset() <= v.networkEnd(),
                    v.payloadOffset() + " " + v.networkEnd());
            assertTrue(v.payloadLength() >= 0 && v.payloadOffset() + v.payloadLength() <= v.networkEnd());
        }
    }

    private static byte[] mutate(SplittableRandom random, byte[] input) {
        byte[] p = input;
        int rounds = 1 + random.nextInt(4);
        for (int k = 0; k < rounds; k++) {
            switch (random.nextInt(5)) {
                case 0 -> {
                    if (p.length > 0) {
                        p[random.nextInt(p.length)] ^= (byte) (1 << random.nextInt(8));
                    }
                }
                case 1 -> {
                    if (p.length > 0) {
                        p[random.nextInt(p.length)] = (byte) random.nextInt(256);
                    }
                }
                case 2 -> p = java.util.Arrays.copyOf(p, random.nextInt(p.length + 1));
                case 3 -> p = java.util.Arrays.copyOf(p, p.length + random.nextInt(16));
                default -> {
                    if (p.length > 1) {
                        int at = random.nextInt(p.length - 1);
                        p[at] = (byte) (random.nextBoolean() ? 0xff : 0);
                        p[at + 1] = (byte) (random.nextBoolean() ? 0xff : 0);
                    }
                }
            }
        }
        return p;
    }
}

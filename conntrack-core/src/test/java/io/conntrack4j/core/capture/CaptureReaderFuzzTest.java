package io.conntrack4j.core.capture;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.conntrack4j.core.capture.CaptureFiles.Interface;
import io.conntrack4j.core.capture.CaptureFiles.Packet;
import io.conntrack4j.core.packet.LinkType;
import io.conntrack4j.core.packet.PacketView;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Mutated capture files: the reader ends cleanly or throws CaptureFormatException, nothing else. */
class CaptureReaderFuzzTest {

    @Test
    void mutatedFilesEndOrFailCleanly() {
        List<Packet> packets = List.of(new Packet(1_000_000_123L, 0, new byte[] {0x45, 0, 0, 20, 1, 2, 3, 4}),
                new Packet(2_000_000_000L, 1, new byte[70]), new Packet(3_000_000_000L, 0, new byte[3]));
        List<byte[]> seeds = List.of(
                CaptureFiles.pcap(true, false, LinkType.ETHERNET, packets),
                CaptureFiles.pcap(false, true, LinkType.RAW, packets),
                CaptureFiles.pcapng(true, List.of(new Interface(LinkType.ETHERNET, 9), new Interface(LinkType.RAW, -1)),
                        packets),
                CaptureFiles.pcapng(false, List.of(new Interface(LinkType.LINUX_SLL, 0x80 | 20),
                        new Interface(LinkType.LINUX_SLL2, 3)), packets));
        SplittableRandom random = new SplittableRandom(42);
        PacketView view = new PacketView();
        int failures = 0;
        for (int i = 0; i < 30_000; i++) {
            byte[] file = seeds.get(random.nextInt(seeds.size())).clone();
            int rounds = 1 + random.nextInt(3);
            for (int k = 0; k < rounds; k++) {
                switch (random.nextInt(4)) {
                    case 0 -> file[random.nextInt(file.length)] ^= (byte) (1 << random.nextInt(8));
                    case 1 -> file[random.nextInt(file.length)] = (byte) random.nextInt(256);
                    case 2 -> file = Arrays.copyOf(file, random.nextInt(file.length) + 1);
                    default -> file[random.nextInt(file.length)] = (byte) (random.nextBoolean() ? 0xff : 0x7f);
                }
            }
            try (CaptureReader reader = new CaptureReader(new ByteArrayInputStream(file), "fuzz")) {
                long n = reader.readAll((t, linkType, bytes, offset, length, original, iface) ->
                        view.parse(linkType, bytes, offset, length));
                assertTrue(n <= file.length / 12 + 1, "more packets than the file can hold");
            } catch (CaptureFormatException e) {
                failures++;
                assertTrue(e.offset() >= 0 && e.offset() <= file.length, e.getMessage());
            } catch (IOException | RuntimeException e) {
                fail("iteration " + i + ": " + java.util.HexFormat.of().formatHex(file), e);
            }
        }
        assertTrue(failures > 1000, "mutations are detected: " + failures);
    }
}

package io.conntrack4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Mutated and random capture files: the command never throws; it exits 0 with a summary or 1 with an error. */
class SyncDecodeFuzzTest {
    @TempDir
    Path dir;

    @Test
    void mutatedCapturesEndInASummaryOrAnError() throws Exception {
        Random random = new Random(0x5eed_9L);
        byte[] original = SyncDecodeCommandTest.fixture();
        Path file = dir.resolve("fuzz.pcap");
        int read = 0;
        for (int i = 0; i < 3000; i++) {
            byte[] bytes = mutate(random, original);
            Files.write(file, bytes);
            StringBuilder out = new StringBuilder();
            StringBuilder err = new StringBuilder();
            int code = SyncDecodeCommandTest.run(file, out, err);
            String context = "iteration " + i + ": " + err;
            if (code == 0) {
                read++;
                assertTrue(out.toString().lines().reduce((a, b) -> b).orElse("").startsWith("SUMMARY "), context);
                assertEquals("", err.toString(), context);
            } else {
                assertEquals(1, code, context);
                assertTrue(err.toString().startsWith("ct4j sync-decode: " + file + ": "), context);
                assertFalse(err.toString().contains("Exception"), context);
            }
        }
        // The mutations must leave most files readable, or the decoder itself is never exercised.
        assertTrue(read > 1000, "readable captures: " + read);
    }

    private static byte[] mutate(Random random, byte[] original) {
        switch (random.nextInt(4)) {
            case 0 -> {
                byte[] bytes = new byte[random.nextInt(200)];
                random.nextBytes(bytes);
                return bytes;
            }
            case 1 -> {
                return Arrays.copyOf(original, random.nextInt(original.length + 1));
            }
            default -> {
                byte[] bytes = original.clone();
                int flips = 1 + random.nextInt(4);
                for (int f = 0; f < flips; f++) {
                    // Past the 24-byte file header, so most mutations hit packets and messages.
                    int at = 24 + random.nextInt(bytes.length - 24);
                    bytes[at] = (byte) (random.nextBoolean() ? random.nextInt(256) : bytes[at] ^ 1 << random.nextInt(8));
                }
                return bytes;
            }
        }
    }
}

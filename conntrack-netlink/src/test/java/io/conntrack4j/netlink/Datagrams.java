package io.conntrack4j.netlink;

import io.conntrack4j.netlink.internal.MessageWriter;
import java.nio.ByteBuffer;
import java.util.Random;

/**
 * Netlink datagrams for reader tests: the bytes a {@link MessageWriter} wrote, copied into the
 * receive buffer a reader walks, and the fuzz inputs made from a corpus of good datagrams.
 */
final class Datagrams {
    private Datagrams() {
    }

    /** The messages {@code writer} wrote into {@code buffer} so far. */
    static byte[] written(MessageWriter writer, ByteBuffer buffer) {
        byte[] bytes = new byte[writer.length()];
        buffer.get(0, bytes);
        return bytes;
    }

    /** Copies the first {@code length} bytes to the start of {@code host}; returns {@code length}. */
    static int load(ByteBuffer host, byte[] bytes, int length) {
        for (int i = 0; i < length; i++) {
            host.put(i, bytes[i]);
        }
        return length;
    }

    /**
     * Fills {@code input} with fuzz input number {@code iteration}, in turn: random bytes, the
     * corpus with up to 8 bytes overwritten, the corpus cut short, the corpus with one 16-bit field
     * (where lengths are, and where readers break) overwritten.
     *
     * @return the input's length
     */
    static int fuzzInput(Random random, int iteration, byte[] corpus, byte[] input) {
        int length;
        switch (iteration % 4) {
            case 0 -> {
                length = random.nextInt(600);
                random.nextBytes(input);
            }
            case 1 -> {
                System.arraycopy(corpus, 0, input, 0, corpus.length);
                length = corpus.length;
                for (int flips = 1 + random.nextInt(8); flips > 0; flips--) {
                    input[random.nextInt(length)] = (byte) random.nextInt(256);
                }
            }
            case 2 -> {
                System.arraycopy(corpus, 0, input, 0, corpus.length);
                length = random.nextInt(corpus.length + 1);
            }
            default -> {
                System.arraycopy(corpus, 0, input, 0, corpus.length);
                length = corpus.length;
                int at = random.nextInt(length - 1) & ~1;
                input[at] = (byte) random.nextInt(256);
                input[at + 1] = (byte) random.nextInt(256);
            }
        }
        return length;
    }
}

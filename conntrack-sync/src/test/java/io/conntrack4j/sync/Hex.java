package io.conntrack4j.sync;

import java.util.HexFormat;
import org.agrona.DirectBuffer;

/** Hex helpers for golden bytes copied from captures (spaces and line breaks ignored). */
final class Hex {
    private Hex() {
    }

    static byte[] bytes(String hex) {
        return HexFormat.of().parseHex(hex.replaceAll("\\s+", ""));
    }

    static String of(DirectBuffer buffer, int offset, int length) {
        byte[] copy = new byte[length];
        buffer.getBytes(offset, copy, 0, length);
        return HexFormat.of().formatHex(copy);
    }

    static String normalized(String hex) {
        return hex.replaceAll("\\s+", "").toLowerCase(java.util.Locale.ROOT);
    }
}

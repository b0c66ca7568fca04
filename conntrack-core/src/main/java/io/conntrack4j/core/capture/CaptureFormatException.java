package io.conntrack4j.core.capture;

import java.io.IOException;

/**
 * A capture file is truncated or corrupt. The message names the file and the byte offset.
 *
 * <pre>{@code
 * try (CaptureReader r = CaptureReader.open(path)) {
 *     r.readAll(handler);
 * } catch (CaptureFormatException e) {
 *     System.err.println(e.getMessage() + " at " + e.offset());
 * }
 * }</pre>
 */
public final class CaptureFormatException extends IOException {

    private static final long serialVersionUID = 1L;

    private final long offset;

    /**
     * @param source file name or description
     * @param offset byte offset in the file where the problem is
     * @param problem what is wrong
     */
    public CaptureFormatException(String source, long offset, String problem) {
        super(source + ": " + problem + " at offset " + offset);
        this.offset = offset;
    }

    /** @return byte offset in the file where the problem is */
    public long offset() {
        return offset;
    }
}

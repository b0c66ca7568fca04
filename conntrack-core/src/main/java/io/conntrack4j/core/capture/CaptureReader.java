package io.conntrack4j.core.capture;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads pcap (both byte orders, microsecond and nanosecond timestamps) and pcapng (Section Header,
 * Interface Description, Enhanced and Simple Packet blocks; other blocks skipped) capture files,
 * as tcpdump and Wireshark write them, handing each packet to a {@link PacketHandler}.
 *
 * <p>Packets are read into one reusable buffer: no allocation per packet. Records and blocks larger
 * than {@link #MAX_RECORD_BYTES} are refused, so a corrupt length can neither exhaust memory nor
 * make the reader skip forever. A truncated or corrupt file raises a {@link CaptureFormatException}
 * that names the file offset; a file that ends cleanly between packets ends the read.
 *
 * <pre>{@code
 * PacketView view = new PacketView();
 * try (CaptureReader reader = CaptureReader.open(Path.of("trace.pcap"))) {
 *     long packets = reader.readAll((nanos, linkType, bytes, offset, length, wireLength, iface) -> {
 *         if (view.parse(linkType, bytes, offset, length) == ParseResult.OK) {
 *             // track
 *         }
 *     });
 * }
 * }</pre>
 */
public final class CaptureReader implements Closeable {

    /** Largest pcap record or pcapng block accepted (16 MiB; tcpdump's snaplen is 256 KiB). */
    public static final int MAX_RECORD_BYTES = 16 << 20;
    /** Most interfaces one pcapng section may describe. */
    public static final int MAX_INTERFACES = 4096;

    private static final int PCAP_MICROS = 0xa1b2c3d4;
    private static final int PCAP_NANOS = 0xa1b23c4d;
    private static final int PCAPNG_SHB = 0x0a0d0d0a;
    private static final int PCAPNG_BYTE_ORDER = 0x1a2b3c4d;
    private static final int BLOCK_IDB = 1;
    private static final int BLOCK_SPB = 3;
    private static final int BLOCK_EPB = 6;

    private final InputStream in;
    private final String source;
    private long position;
    private byte[] buffer = new byte[64 * 1024];
    private final byte[] small = new byte[28];

    private boolean started;
    private boolean pcapng;
    private boolean bigEndian;
    private boolean nanos;
    private int pcapLinkType;

    private int interfaceCount;
    private int[] interfaceLinkType = new int[8];
    private long[] interfaceTicksPerSecondOrShift = new long[8];
    private boolean[] interfacePowerOfTwo = new boolean[8];
    private long[] interfaceOffsetSeconds = new long[8];

    private long packets;

    /**
     * A reader over a stream (not closed by the reader until {@link #close()}).
     *
     * @param in the capture bytes
     * @param source name used in error messages
     */
    public CaptureReader(InputStream in, String source) {
        this.in = in;
        this.source = source;
    }

    /**
     * Opens a capture file.
     *
     * @param file a pcap or pcapng file
     * @return the reader; close it
     * @throws IOException if the file cannot be opened
     */
    public static CaptureReader open(Path file) throws IOException {
        return new CaptureReader(new BufferedInputStream(Files.newInputStream(file), 1 << 16), file.toString());
    }

    /**
     * Reads all remaining packets.
     *
     * @param handler receives each packet
     * @return the number of packets delivered by this call
     * @throws CaptureFormatException if the file is truncated or corrupt
     * @throws IOException if reading fails
     */
    public long readAll(PacketHandler handler) throws IOException {
        long before = packets;
        while (next(handler)) {
            // each call delivers one packet
        }
        return packets - before;
    }

    /**
     * Reads up to and including the next packet.
     *
     * @param handler receives the packet
     * @return false at the clean end of the file
     * @throws CaptureFormatException if the file is truncated or corrupt
     * @throws IOException if reading fails
     */
    public boolean next(PacketHandler handler) throws IOException {
        if (!started) {
            started = true;
            if (!readFileHeader()) {
                return false;
            }
        }
        return pcapng ? nextBlock(handler) : nextRecord(handler);
    }

    /** @return packets delivered so far */
    public long packetCount() {
        return packets;
    }

    /** @return whether the file is pcapng (valid once the first packet or the end was read) */
    public boolean isPcapng() {
        return pcapng;
    }

    /** @return the byte offset the reader has reached */
    public long position() {
        return position;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    // -------------------------------------------------------------------------------------- input

    /** Reads exactly {@code n} bytes, or returns false if the stream ends before the first one. */
    private boolean fill(byte[] into, int n, boolean endAllowed, String what) throws IOException {
        int done = 0;
        while (done < n) {
            int r = in.read(into, done, n - done);
            if (r < 0) {
                if (done == 0 && endAllowed) {
                    return false;
                }
                throw new CaptureFormatException(source, position + done,
                        "file ends inside " + what + " (" + done + " of " + n + " bytes)");
            }
            done += r;
        }
        position += n;
        return true;
    }

    /**
     * Reads {@code n} bytes into the packet buffer, growing it only as bytes actually arrive, so
     * that a corrupt length in a short file costs no more memory than the file itself.
     */
    private void fillBuffer(int n, String what) throws IOException {
        int done = 0;
        while (done < n) {
            if (done == buffer.length) {
                buffer = java.util.Arrays.copyOf(buffer, (int) Math.min(n, 2L * buffer.length));
            }
            int r = in.read(buffer, done, Math.min(n, buffer.length) - done);
            if (r < 0) {
                throw new CaptureFormatException(source, position + done,
                        "file ends inside " + what + " (" + done + " of " + n + " bytes)");
            }
            done += r;
        }
        position += n;
    }

    private void skip(long n, String what) throws IOException {
        long left = n;
        while (left > 0) {
            int chunk = (int) Math.min(left, buffer.length);
            fill(buffer, chunk, false, what);
            left -= chunk;
        }
    }

    private int int32(byte[] b, int at) {
        int v = (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | b[at + 3] & 0xff;
        return bigEndian ? v : Integer.reverseBytes(v);
    }

    private int int16(byte[] b, int at) {
        int v = (b[at] & 0xff) << 8 | b[at + 1] & 0xff;
        return bigEndian ? v : Integer.reverseBytes(v) >>> 16;
    }

    // ------------------------------------------------------------------------------------- header

    private boolean readFileHeader() throws IOException {
        if (!fill(small, 4, true, "the file header")) {
            throw new CaptureFormatException(source, 0, "empty file, not a pcap or pcapng capture");
        }
        bigEndian = true;
        int magic = int32(small, 0);
        if (magic == PCAPNG_SHB) {
            pcapng = true;
            readSectionHeaderAfterType(0);
            return true;
        }
        if (magic == PCAP_MICROS || magic == PCAP_NANOS) {
            bigEndian = true;
        } else if (Integer.reverseBytes(magic) == PCAP_MICROS || Integer.reverseBytes(magic) == PCAP_NANOS) {
            bigEndian = false;
        } else {
            throw new CaptureFormatException(source, 0, String.format(
                    "unknown magic number 0x%08x, not a pcap or pcapng capture", magic));
        }
        nanos = (bigEndian ? magic : Integer.reverseBytes(magic)) == PCAP_NANOS;
        fill(small, 20, false, "the pcap file header");
        int major = int16(small, 0);
        if (major != 2) {
            throw new CaptureFormatException(source, 4, "unsupported pcap version " + major);
        }
        // The upper bits of the link-type field carry FCS information, not the type.
        pcapLinkType = int32(small, 16) & 0xffff;
        return true;
    }

    private boolean nextRecord(PacketHandler handler) throws IOException {
        long at = position;
        if (!fill(small, 16, true, "a pcap record header")) {
            return false;
        }
        long seconds = int32(small, 0) & 0xffff_ffffL;
        long fraction = int32(small, 4) & 0xffff_ffffL;
        int captured = int32(small, 8);
        int original = int32(small, 12);
        if (captured < 0 || captured > MAX_RECORD_BYTES) {
            throw new CaptureFormatException(source, at + 8, "pcap record length " + (captured & 0xffff_ffffL)
                    + " exceeds the limit of " + MAX_RECORD_BYTES);
        }
        fillBuffer(captured, "a pcap packet");
        long time = seconds * 1_000_000_000L + (nanos ? fraction : fraction * 1000);
        packets++;
        handler.onPacket(time, pcapLinkType, buffer, 0, captured, original, 0);
        return true;
    }

    // ------------------------------------------------------------------------------------ pcapng

    /** Reads a Section Header Block whose 4-byte type, at {@code at}, was already consumed. */
    private void readSectionHeaderAfterType(long at) throws IOException {
        fill(small, 8, false, "a pcapng section header");
        bigEndian = true;
        int order = int32(small, 4);
        if (order == PCAPNG_BYTE_ORDER) {
            bigEndian = true;
        } else if (Integer.reverseBytes(order) == PCAPNG_BYTE_ORDER) {
            bigEndian = false;
        } else {
            throw new CaptureFormatException(source, at + 8, String.format("bad pcapng byte-order magic 0x%08x", order));
        }
        int total = int32(small, 0);
        checkBlockLength(at, total, 28);
        int rest = total - 12;
        fillBuffer(rest, "a pcapng section header");
        int major = int16(buffer, 0);
        if (major != 1) {
            throw new CaptureFormatException(source, at + 12, "unsupported pcapng version " + major);
        }
        checkTrailer(at, total, rest - 4);
        interfaceCount = 0;
    }

    private void checkBlockLength(long at, int total, int minimum) throws CaptureFormatException {
        if (total < minimum || total > MAX_RECORD_BYTES || (total & 3) != 0) {
            throw new CaptureFormatException(source, at + 4, "bad pcapng block length " + (total & 0xffff_ffffL));
        }
    }

    private void checkTrailer(long at, int total, int trailerInBuffer) throws CaptureFormatException {
        if (int32(buffer, trailerInBuffer) != total) {
            throw new CaptureFormatException(source, at + total - 4,
                    "pcapng block's trailing length differs from its leading length " + total);
        }
    }

    private boolean nextBlock(PacketHandler handler) throws IOException {
        while (true) {
            long at = position;
            if (!fill(small, 4, true, "a pcapng block")) {
                return false;
            }
            int raw = (small[0] & 0xff) << 24 | (small[1] & 0xff) << 16 | (small[2] & 0xff) << 8 | small[3] & 0xff;
            if (raw == PCAPNG_SHB) {
                readSectionHeaderAfterType(at);
                continue;
            }
            int type = int32(small, 0);
            fill(small, 4, false, "a pcapng block");
            int total = int32(small, 0);
            checkBlockLength(at, total, 12);
            int body = total - 8; // body plus trailing length
            if (type != BLOCK_EPB && type != BLOCK_SPB && type != BLOCK_IDB) {
                skip(body, "a pcapng block");
                continue;
            }
            fillBuffer(body, "a pcapng block");
            checkTrailer(at, total, body - 4);
            int content = body - 4;
            switch (type) {
                case BLOCK_IDB -> readInterface(at, content);
                case BLOCK_EPB -> {
                    deliverEnhanced(at, content, handler);
                    return true;
                }
                default -> {
                    deliverSimple(at, content, handler);
                    return true;
                }
            }
        }
    }

    private void readInterface(long at, int content) throws CaptureFormatException {
        if (content < 8) {
            throw new CaptureFormatException(source, at, "pcapng interface description block too short");
        }
        if (interfaceCount == MAX_INTERFACES) {
            throw new CaptureFormatException(source, at, "more than " + MAX_INTERFACES + " pcapng interfaces");
        }
        if (interfaceCount == interfaceLinkType.length) {
            int grown = interfaceCount * 2;
            interfaceLinkType = java.util.Arrays.copyOf(interfaceLinkType, grown);
            interfaceTicksPerSecondOrShift = java.util.Arrays.copyOf(interfaceTicksPerSecondOrShift, grown);
            interfacePowerOfTwo = java.util.Arrays.copyOf(interfacePowerOfTwo, grown);
            interfaceOffsetSeconds = java.util.Arrays.copyOf(interfaceOffsetSeconds, grown);
        }
        int index = interfaceCount++;
        interfaceLinkType[index] = int16(buffer, 0);
        interfaceTicksPerSecondOrShift[index] = 1_000_000L;
        interfacePowerOfTwo[index] = false;
        interfaceOffsetSeconds[index] = 0;
        int p = 8;
        while (p + 4 <= content) {
            int code = int16(buffer, p);
            int size = int16(buffer, p + 2);
            if (code == 0) {
                break;
            }
            if (p + 4 + size > content) {
                throw new CaptureFormatException(source, at + 8 + p, "pcapng option runs past its block");
            }
            if (code == 9 && size >= 1) {
                int resolution = buffer[p + 4] & 0xff;
                if ((resolution & 0x80) != 0) {
                    int shift = resolution & 0x7f;
                    if (shift > 62) {
                        throw new CaptureFormatException(source, at + 8 + p + 4, "if_tsresol 2^-" + shift + " too fine");
                    }
                    interfacePowerOfTwo[index] = true;
                    interfaceTicksPerSecondOrShift[index] = shift;
                } else {
                    if (resolution > 18) {
                        throw new CaptureFormatException(source, at + 8 + p + 4, "if_tsresol 10^-" + resolution + " too fine");
                    }
                    long ticks = 1;
                    for (int i = 0; i < resolution; i++) {
                        ticks *= 10;
                    }
                    interfaceTicksPerSecondOrShift[index] = ticks;
                }
            } else if (code == 14 && size == 8) {
                interfaceOffsetSeconds[index] = bigEndian
                        ? (long) int32(buffer, p + 4) << 32 | int32(buffer, p + 8) & 0xffff_ffffL
                        : (long) int32(buffer, p + 8) << 32 | int32(buffer, p + 4) & 0xffff_ffffL;
            }
            p += 4 + (size + 3 & ~3);
        }
    }

    private void deliverEnhanced(long at, int content, PacketHandler handler) throws CaptureFormatException {
        if (content < 20) {
            throw new CaptureFormatException(source, at, "pcapng enhanced packet block too short");
        }
        int iface = int32(buffer, 0);
        if (iface < 0 || iface >= interfaceCount) {
            throw new CaptureFormatException(source, at + 8, "pcapng packet names undescribed interface "
                    + (iface & 0xffff_ffffL));
        }
        long ticks = (long) int32(buffer, 4) << 32 | int32(buffer, 8) & 0xffff_ffffL;
        int captured = int32(buffer, 12);
        int original = int32(buffer, 16);
        if (captured < 0 || 20 + (long) captured > content) {
            throw new CaptureFormatException(source, at + 20, "pcapng captured length "
                    + (captured & 0xffff_ffffL) + " exceeds its block");
        }
        packets++;
        handler.onPacket(toNanos(iface, ticks), interfaceLinkType[iface], buffer, 20, captured, original, iface);
    }

    private void deliverSimple(long at, int content, PacketHandler handler) throws CaptureFormatException {
        if (content < 4) {
            throw new CaptureFormatException(source, at, "pcapng simple packet block too short");
        }
        if (interfaceCount == 0) {
            throw new CaptureFormatException(source, at, "pcapng simple packet before any interface description");
        }
        int original = int32(buffer, 0);
        int captured = original < 0 ? content - 4 : Math.min(original, content - 4);
        packets++;
        handler.onPacket(0, interfaceLinkType[0], buffer, 4, captured, original, 0);
    }

    private long toNanos(int iface, long ticks) {
        long offset = interfaceOffsetSeconds[iface] * 1_000_000_000L;
        if (interfacePowerOfTwo[iface]) {
            int shift = (int) interfaceTicksPerSecondOrShift[iface];
            long seconds = ticks >>> shift;
            long fraction = ticks & ((1L << shift) - 1);
            // fraction < 2^shift; scale in two steps so that the product stays within 64 bits
            long nanosPart = shift <= 32 ? (fraction * 1_000_000_000L) >>> shift
                    : (long) (fraction / (double) (1L << shift) * 1e9);
            return offset + seconds * 1_000_000_000L + nanosPart;
        }
        long perSecond = interfaceTicksPerSecondOrShift[iface];
        long seconds = Long.divideUnsigned(ticks, perSecond);
        long fraction = Long.remainderUnsigned(ticks, perSecond);
        long nanosPart = perSecond <= 1_000_000_000L
                ? fraction * (1_000_000_000L / perSecond)
                : fraction / (perSecond / 1_000_000_000L);
        return offset + seconds * 1_000_000_000L + nanosPart;
    }
}

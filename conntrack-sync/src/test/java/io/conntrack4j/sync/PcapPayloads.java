package io.conntrack4j.sync;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the UDP payloads (or TCP segment payloads) of IPv4 packets from a classic pcap file of
 * an Ethernet capture.
 */
final class PcapPayloads {
    private PcapPayloads() {
    }

    static List<byte[]> read(Path file, int destinationPort) throws IOException {
        return read(file, destinationPort, 17);
    }

    /** Payloads of TCP segments to the port, in capture order (a veth neither drops nor reorders). */
    static List<byte[]> readTcp(Path file, int destinationPort) throws IOException {
        return read(file, destinationPort, 6);
    }

    private static List<byte[]> read(Path file, int destinationPort, int protocol) throws IOException {
        ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(file));
        if (in.remaining() < 24) {
            return List.of();
        }
        int magic = in.order(ByteOrder.LITTLE_ENDIAN).getInt(0);
        if (magic != 0xa1b2c3d4 && magic != 0xa1b23c4d) {
            in.order(ByteOrder.BIG_ENDIAN);
        }
        if (in.getInt(20) != 1) {
            throw new IOException("not an Ethernet capture: link type " + in.getInt(20));
        }
        List<byte[]> payloads = new ArrayList<>();
        int at = 24;
        while (at + 16 <= in.limit()) {
            int captured = in.getInt(at + 8);
            int frame = at + 16;
            at = frame + captured;
            if (at > in.limit()) {
                break; // the last record was cut when tcpdump stopped
            }
            if (captured < 14 + 20 + 8 || (in.get(frame + 12) & 0xff) != 0x08 || in.get(frame + 13) != 0) {
                continue;
            }
            int ip = frame + 14;
            int headerLength = (in.get(ip) & 0x0f) * 4;
            if ((in.get(ip + 9) & 0xff) != protocol) {
                continue;
            }
            int transport = ip + headerLength;
            // Packet fields are big-endian whatever the file's byte order.
            int port = ((in.get(transport + 2) & 0xff) << 8) | (in.get(transport + 3) & 0xff);
            int start;
            int length;
            if (protocol == 17) {
                start = transport + 8;
                length = (((in.get(transport + 4) & 0xff) << 8) | (in.get(transport + 5) & 0xff)) - 8;
            } else {
                // The IP total length, not the frame, bounds the segment: short frames are padded.
                int total = ((in.get(ip + 2) & 0xff) << 8) | (in.get(ip + 3) & 0xff);
                int tcpHeader = ((in.get(transport + 12) & 0xff) >> 4) * 4;
                start = transport + tcpHeader;
                length = total - headerLength - tcpHeader;
            }
            if (port != destinationPort || length <= 0 || start + length > at) {
                continue;
            }
            byte[] payload = new byte[length];
            in.get(start, payload);
            payloads.add(payload);
        }
        return payloads;
    }
}

package io.conntrack4j.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class DatagramPackerTest {

    private final List<byte[]> sent = new ArrayList<>();
    private final DatagramPacker.Sender sender = (buffer, offset, length) -> {
        byte[] copy = new byte[length];
        buffer.getBytes(offset, copy, 0, length);
        sent.add(copy);
    };

    @Test
    void bufferSizesFollowTheTransport() {
        assertEquals(1472, ChannelKind.UDP.bufferSize(1500));
        assertEquals(1472, ChannelKind.MULTICAST.bufferSize(1500));
        assertEquals(1460, ChannelKind.TCP.bufferSize(1500));
    }

    @Test
    void seventeenCapturedMessagesFillAnMtu1500Datagram() {
        // Observed: with MTU 1500 and 84-byte messages the largest datagram was 1428 bytes.
        UnsafeBuffer message = new UnsafeBuffer(Hex.bytes(GoldenBytesTest.TCP_ESTABLISHED));
        DatagramPacker packer = new DatagramPacker(ChannelKind.UDP.bufferSize(1500), sender);
        for (int i = 0; i < 40; i++) {
            packer.append(message, 0, 84);
        }
        packer.flush();
        assertEquals(List.of(1428, 1428, 504), sent.stream().map(bytes -> bytes.length).toList());
        ReceiveCounters counters = new ReceiveCounters();
        RecordingHandler handler = new RecordingHandler();
        MessageDecoder decoder = new MessageDecoder(handler, counters, false);
        for (byte[] datagram : sent) {
            decoder.onDatagram(new UnsafeBuffer(datagram), 0, datagram.length);
        }
        assertEquals(40, handler.flows.size());
        assertEquals(0, counters.malformed());
    }

    @Test
    void aMessageIsAppendedOnlyWhileTheSumStaysBelowTheBufferSize() {
        DatagramPacker packer = new DatagramPacker(32, sender);
        UnsafeBuffer ack = new UnsafeBuffer(new byte[16]);
        MessageHeader.writeControl(ack, 0, MessageFlags.ACK, 1, 1, 1);
        packer.append(ack, 0, 16);
        assertEquals(16, packer.buffered());
        packer.append(ack, 0, 16); // 16 + 16 = 32 is not below 32
        assertEquals(1, sent.size());
        assertEquals(16, sent.get(0).length);
        UnsafeBuffer alive = new UnsafeBuffer(new byte[8]);
        MessageHeader.writeAlive(alive, 0, 0, 2);
        packer.append(alive, 0, 8);
        assertEquals(24, packer.buffered());
        assertEquals(true, packer.flush());
        assertEquals(false, packer.flush());
        assertThrows(IllegalArgumentException.class, () -> packer.append(new UnsafeBuffer(new byte[32]), 0, 32));
    }
}

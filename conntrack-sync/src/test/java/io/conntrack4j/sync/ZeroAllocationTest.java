package io.conntrack4j.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/** The hot path (encode, pack, decode, read attributes) allocates nothing per message. */
class ZeroAllocationTest {

    private long sink;

    @Test
    void encodePackDecodeAllocateNothingPerMessage() throws Exception {
        // Reflection, because this test runs inside the named module, which does not read
        // java.management; reflective access does not need that.
        Object threads = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean")
                .invoke(null);
        Method allocated = Class.forName("com.sun.management.ThreadMXBean")
                .getMethod("getCurrentThreadAllocatedBytes");

        SyncFlow flow = GoldenBytesTest.udpNatZone().labels(1, 0, 0, 0).helper("ftp");
        ConntrackCodec codec = new ConntrackCodec();
        UnsafeBuffer message = new UnsafeBuffer(new byte[ConntrackCodec.MAX_MESSAGE_LENGTH]);
        ReceiveCounters counters = new ReceiveCounters();
        MessageHandler reader = new MessageHandler() {
            @Override
            public void onControl(MessageHeader header, MessageKind kind) {
                sink += header.sequence();
            }

            @Override
            public void onData(DataMessage data) {
                sink += data.u32(ConntrackAttribute.STATUS) + data.u16(ConntrackAttribute.ZONE)
                        + data.u16At(ConntrackAttribute.PORT, 2) + data.u32At(ConntrackAttribute.LABELS, 0);
            }
        };
        MessageDecoder decoder = new MessageDecoder(reader, counters, false);
        DatagramPacker packer = new DatagramPacker(ChannelKind.UDP.bufferSize(1500),
                (DirectBuffer buffer, int offset, int length) -> decoder.onDatagram(buffer, offset, length));

        run(codec, flow, message, packer, 50_000); // warm up: JIT, escape analysis
        long before = (long) allocated.invoke(threads);
        run(codec, flow, message, packer, 100_000);
        long after = (long) allocated.invoke(threads);

        assertEquals(0, counters.malformed());
        assertTrue(sink != 0);
        // A few hundred bytes of slack for the measurement itself; per message it must be zero.
        assertTrue(after - before < 1024, (after - before) + " bytes allocated for 100000 messages");
    }

    private static void run(ConntrackCodec codec, SyncFlow flow, UnsafeBuffer message, DatagramPacker packer,
            int count) {
        for (int i = 0; i < count; i++) {
            int length = codec.encode(message, 0, MessageType.CT_UPD, 0, i, flow);
            packer.append(message, 0, length);
            if ((i & 63) == 0) {
                length = MessageHeader.writeControl(message, 0, MessageFlags.ACK, i, i - 10, i - 1);
                packer.append(message, 0, length);
            }
        }
        packer.flush();
    }
}

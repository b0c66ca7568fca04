package io.conntrack4j.bench.sync;

import io.conntrack4j.sync.ConntrackAttribute;
import io.conntrack4j.sync.ConntrackCodec;
import io.conntrack4j.sync.DataMessage;
import io.conntrack4j.sync.MessageDecoder;
import io.conntrack4j.sync.MessageHandler;
import io.conntrack4j.sync.MessageHeader;
import io.conntrack4j.sync.MessageKind;
import io.conntrack4j.sync.MessageType;
import io.conntrack4j.sync.ReceiveCounters;
import io.conntrack4j.sync.SyncFlow;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Encode plus decode of a typical established TCP flow message (the 84-byte CT_UPD conntrackd
 * sends for a `conntrack -I` entry). Target: 5M messages per second per core (200 ns/op), 0 B/op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SyncCodecBenchmark {

    private final ConntrackCodec codec = new ConntrackCodec();
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[ConntrackCodec.MAX_MESSAGE_LENGTH]);
    private final ReceiveCounters counters = new ReceiveCounters();
    private final SyncFlow flow = new SyncFlow();
    private long sink;
    private int sequence;
    private MessageDecoder decoder;

    /** An ESTABLISHED TCP flow with a mark, as in the spec's captured example. */
    @Setup
    public void setUp() {
        flow.origin(new byte[] {10, 1, 1, 1}, new byte[] {10, 2, 2, 2}, 1111, 80)
                .reply(new byte[] {10, 2, 2, 2}, new byte[] {10, 1, 1, 1}, 80, 1111)
                .protocol(6).status(0xe).tcpState(3).timeout(300).mark(0x42);
        decoder = new MessageDecoder(new MessageHandler() {
            @Override
            public void onControl(MessageHeader header, MessageKind kind) {
                sink += header.sequence();
            }

            @Override
            public void onData(DataMessage message) {
                sink += message.u32(ConntrackAttribute.STATUS) + message.u16At(ConntrackAttribute.PORT, 2);
            }
        }, counters, false);
    }

    /** A benchmark of rejected messages would measure nothing useful: fail loudly instead. */
    @TearDown
    public void checkEverythingWasAccepted() {
        if (counters.malformed() != 0 || sink == 0) {
            throw new IllegalStateException("decoder rejected benchmark messages: " + decoder.lastRejection());
        }
    }

    /**
     * Encodes one message and decodes it, reading two attributes.
     *
     * @return a value derived from the decoded fields
     */
    @Benchmark
    public long encodeAndDecode() {
        int length = codec.encode(buffer, 0, MessageType.CT_UPD, 0, sequence++, flow);
        decoder.onDatagram(buffer, 0, length);
        return sink;
    }
}

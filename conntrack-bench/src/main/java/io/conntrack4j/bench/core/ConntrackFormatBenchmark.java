package io.conntrack4j.bench.core;

import io.conntrack4j.core.Connection;
import io.conntrack4j.core.IpAddress;
import io.conntrack4j.core.L4Protocol;
import io.conntrack4j.core.StatusBit;
import io.conntrack4j.core.TcpState;
import io.conntrack4j.core.Tuple;
import io.conntrack4j.core.format.ConntrackFormat;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Formatting to conntrack(8) lines. The target is 1M entries in under one second, i.e.
 * under 1000 ns per entry; the score is per entry.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ConntrackFormatBenchmark {

    private static final int COUNT = 1 << 14;

    private final Connection[] connections = new Connection[COUNT];
    private final ConntrackFormat format = ConntrackFormat.builder().build();
    private final StringBuilder line = new StringBuilder(256);

    /** Typical established IPv4 TCP entries, as a 1M dump is made of. */
    @Setup
    public void setUp() {
        SplittableRandom random = new SplittableRandom(42);
        int status = StatusBit.mask(StatusBit.SEEN_REPLY, StatusBit.ASSURED, StatusBit.CONFIRMED);
        for (int i = 0; i < COUNT; i++) {
            Tuple original = Tuple.ofPorts(IpAddress.ofIpv4(0x0a000000 | random.nextInt(1 << 24)),
                    IpAddress.ofIpv4(0xac100000 | random.nextInt(1 << 16)), L4Protocol.TCP,
                    1024 + random.nextInt(60000), 443);
            connections[i] = Connection.builder(original, original.inverse())
                    .status(status).tcpState(TcpState.ESTABLISHED).timeout(random.nextInt(432_000))
                    .mark(0).use(1).build();
        }
    }

    /**
     * Formats every prepared entry into one reused builder.
     *
     * @return total characters, so nothing is optimised away
     */
    @Benchmark
    @OperationsPerInvocation(COUNT)
    public long formatLines() {
        long chars = 0;
        for (Connection connection : connections) {
            line.setLength(0);
            format.formatTo(line, connection);
            chars += line.length();
        }
        return chars;
    }
}

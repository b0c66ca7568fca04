package io.conntrack4j.bench;

import io.conntrack4j.core.Timeout;
import io.conntrack4j.core.TimeoutPolicy;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** The packet path reads a timeout per packet: it must stay a plain array load. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TimeoutPolicyBenchmark {

    private final TimeoutPolicy policy = TimeoutPolicy.linuxDefaults();
    private final Timeout[] keys = Timeout.values();
    private int next;

    /**
     * One timeout read, cycling through the keys so the JIT cannot fold it.
     *
     * @return the seconds read
     */
    @Benchmark
    public int readTimeout() {
        int index = next++;
        if (next == keys.length) {
            next = 0;
        }
        return policy.seconds(keys[index]);
    }
}

package io.conntrack4j.bench.core;

import io.conntrack4j.core.IpAddress;
import io.conntrack4j.core.L4Protocol;
import io.conntrack4j.core.Tuple;
import io.conntrack4j.core.internal.TupleKeys;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Tuple hash, equality and key encoding: the tracker does these per packet, so each must be a few
 * nanoseconds and allocate nothing (run with {@code -prof gc}: gc.alloc.rate.norm must be 0 B/op).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TupleBenchmark {

    private static final int COUNT = 1 << 12;

    private final Tuple[] tuples = new Tuple[COUNT];
    private final Tuple[] copies = new Tuple[COUNT];
    private final long seed = new SplittableRandom(7).nextLong();
    private int next;

    /** Builds distinct IPv4 TCP tuples and equal-but-not-identical copies of them. */
    @Setup
    public void setUp() {
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < COUNT; i++) {
            int source = random.nextInt();
            int destination = random.nextInt();
            int sourcePort = random.nextInt(65536);
            int destinationPort = random.nextInt(65536);
            tuples[i] = Tuple.ofPorts(IpAddress.ofIpv4(source), IpAddress.ofIpv4(destination), L4Protocol.TCP,
                    sourcePort, destinationPort);
            copies[i] = Tuple.ofPorts(IpAddress.ofIpv4(source), IpAddress.ofIpv4(destination), L4Protocol.TCP,
                    sourcePort, destinationPort);
        }
    }

    private int nextIndex() {
        int index = next;
        next = (index + 1) & (COUNT - 1);
        return index;
    }

    /**
     * Encodes a tuple into the tracker's two-long key and hashes it with a secret seed.
     *
     * @return the hash
     */
    @Benchmark
    public long encodeAndHashKey() {
        Tuple t = tuples[nextIndex()];
        return TupleKeys.hash(seed, TupleKeys.ipv4Key0(t), TupleKeys.key1(t, 0));
    }

    /**
     * The value type's own hashCode.
     *
     * @return the hash code
     */
    @Benchmark
    public int tupleHashCode() {
        return tuples[nextIndex()].hashCode();
    }

    /**
     * Equality of two equal tuples that are different objects (the common hit case).
     *
     * @return whether they are equal
     */
    @Benchmark
    public boolean tupleEquals() {
        int index = nextIndex();
        return tuples[index].equals(copies[index]);
    }

    /**
     * The reply key of an IPv4 key pair, as the tracker computes it without a Tuple object.
     *
     * @return the inverted k1
     */
    @Benchmark
    public long invertKey() {
        Tuple t = tuples[nextIndex()];
        return TupleKeys.invertIpv4Key0(TupleKeys.ipv4Key0(t)) ^ TupleKeys.invertKey1(TupleKeys.key1(t, 0));
    }
}

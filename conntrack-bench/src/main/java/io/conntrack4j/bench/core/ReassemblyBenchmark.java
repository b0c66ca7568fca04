package io.conntrack4j.bench.core;

import io.conntrack4j.core.reassembly.Reassembler;
import io.conntrack4j.core.reassembly.ReassemblyVerdict;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Reassembly of whole datagrams cut for a 1500-byte MTU (IPv4: 1480 data bytes per fragment, IPv6:
 * 1448), in order, one operation per datagram. {@code copyOnly} is the floor any reassembler pays:
 * copying the same fragment bytes once into a buffer. Run with {@code -prof gc}: 0 B/op expected.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ReassemblyBenchmark {

    private static final int COUNT = 256;

    /** Fragments per datagram. */
    @Param({"2", "3"})
    public int fragments;

    /** IP version. */
    @Param({"4", "6"})
    public int version;

    private byte[][][] datagrams;
    private final Reassembler reassembler = new Reassembler();
    private final byte[] copy = new byte[65536];
    private int next;
    private long now;

    /** Cuts {@value #COUNT} datagrams with distinct identifications into fragments. */
    @Setup
    public void setUp() {
        SplittableRandom random = new SplittableRandom(1);
        int perFragment = version == 4 ? 1480 : 1448;
        int payload = perFragment * (fragments - 1) + 500;
        datagrams = new byte[COUNT][][];
        for (int i = 0; i < COUNT; i++) {
            byte[] data = new byte[payload];
            random.nextBytes(data);
            datagrams[i] = new byte[fragments][];
            for (int f = 0; f < fragments; f++) {
                int offset = f * perFragment;
                int length = Math.min(perFragment, payload - offset);
                datagrams[i][f] = version == 4 ? ipv4(i, data, offset, length, f < fragments - 1)
                        : ipv6(i, data, offset, length, f < fragments - 1);
            }
        }
    }

    private static byte[] ipv4(int id, byte[] data, int offset, int length, boolean more) {
        byte[] p = new byte[20 + length];
        p[0] = 0x45;
        p[2] = (byte) (p.length >>> 8);
        p[3] = (byte) p.length;
        p[4] = (byte) (id >>> 8);
        p[5] = (byte) id;
        int frag = (more ? 0x2000 : 0) | offset >>> 3;
        p[6] = (byte) (frag >>> 8);
        p[7] = (byte) frag;
        p[8] = 64;
        p[9] = 17;
        p[12] = 10;
        p[15] = 1;
        p[16] = 10;
        p[19] = 2;
        System.arraycopy(data, offset, p, 20, length);
        return p;
    }

    private static byte[] ipv6(int id, byte[] data, int offset, int length, boolean more) {
        byte[] p = new byte[48 + length];
        p[0] = 0x60;
        p[4] = (byte) ((8 + length) >>> 8);
        p[5] = (byte) (8 + length);
        p[6] = 44;
        p[7] = 64;
        p[8] = 0x20;
        p[9] = 0x01;
        p[23] = 1;
        p[24] = 0x20;
        p[25] = 0x01;
        p[39] = 2;
        p[40] = 17;
        int frag = offset | (more ? 1 : 0);
        p[42] = (byte) (frag >>> 8);
        p[43] = (byte) frag;
        p[46] = (byte) (id >>> 8);
        p[47] = (byte) id;
        System.arraycopy(data, offset, p, 48, length);
        return p;
    }

    /**
     * Offers every fragment of the next datagram.
     *
     * @return the reassembled length
     */
    @Benchmark
    public int reassemble() {
        byte[][] d = datagrams[next];
        next = (next + 1) & (COUNT - 1);
        now += 1000;
        Reassembler r = reassembler;
        int length = 0;
        for (byte[] f : d) {
            if (r.offer(f, 0, f.length, now) == ReassemblyVerdict.REASSEMBLED) {
                length = r.datagramLength();
            }
        }
        return length;
    }

    /**
     * Copies the next datagram's fragment bytes once, the floor of any reassembly.
     *
     * @return bytes copied
     */
    @Benchmark
    public int copyOnly() {
        byte[][] d = datagrams[next];
        next = (next + 1) & (COUNT - 1);
        int at = 0;
        for (byte[] f : d) {
            System.arraycopy(f, 0, copy, at, f.length);
            at += f.length;
        }
        return at;
    }
}

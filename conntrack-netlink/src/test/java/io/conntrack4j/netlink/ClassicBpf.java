package io.conntrack4j.netlink;

import java.nio.ByteBuffer;

/**
 * A classic-BPF interpreter for tests, after the kernel's rules for socket filters: ABS and IND
 * loads are big-endian and a load outside the packet ends the program with 0 (reject); the
 * netlink ancillary loads find attributes as {@code nla_find} does.
 */
final class ClassicBpf {
    private ClassicBpf() {
    }

    static int run(ByteBuffer program, byte[] packet) {
        int a = 0;
        int x = 0;
        int pc = 0;
        int count = program.capacity() / 8;
        for (int steps = 0; steps < 4096; steps++) {
            if (pc < 0 || pc >= count) {
                throw new AssertionError("jumped out of the program: " + pc);
            }
            int code = program.getShort(8 * pc) & 0xFFFF;
            int jt = program.get(8 * pc + 2) & 0xFF;
            int jf = program.get(8 * pc + 3) & 0xFF;
            int k = program.getInt(8 * pc + 4);
            pc++;
            int cls = code & 0x07;
            int size = code & 0x18;
            int mode = code & 0xE0;
            switch (cls) {
                case EventFilterProgram.BPF_LD -> {
                    if (mode == EventFilterProgram.BPF_IMM) {
                        a = k;
                    } else if (mode == EventFilterProgram.BPF_ABS && k < 0) {
                        if (k == EventFilterProgram.SKF_AD_OFF + EventFilterProgram.SKF_AD_NLATTR) {
                            a = nlattr(packet, a, x);
                        } else if (k == EventFilterProgram.SKF_AD_OFF + EventFilterProgram.SKF_AD_NLATTR_NEST) {
                            a = nlattrNest(packet, a, x);
                        } else {
                            throw new AssertionError("unknown ancillary load " + k);
                        }
                    } else {
                        int offset = mode == EventFilterProgram.BPF_ABS ? k : x + k;
                        int bytes = size == EventFilterProgram.BPF_B ? 1 : size == EventFilterProgram.BPF_H ? 2 : 4;
                        if (offset < 0 || offset + bytes > packet.length) {
                            return 0;
                        }
                        a = 0;
                        for (int i = 0; i < bytes; i++) {
                            a = a << 8 | packet[offset + i] & 0xFF;
                        }
                    }
                }
                case EventFilterProgram.BPF_LDX -> x = k;
                case EventFilterProgram.BPF_ALU -> {
                    if ((code & 0xF0) != EventFilterProgram.BPF_AND) {
                        throw new AssertionError("unexpected ALU op " + code);
                    }
                    a &= k;
                }
                case EventFilterProgram.BPF_JMP -> {
                    if ((code & 0xF0) == EventFilterProgram.BPF_JA) {
                        pc += k;
                        continue;
                    }
                    if ((code & 0xF0) != EventFilterProgram.BPF_JEQ) {
                        throw new AssertionError("unexpected jump " + code);
                    }
                    pc += a == k ? jt : jf;
                }
                case EventFilterProgram.BPF_RET -> {
                    return k;
                }
                case EventFilterProgram.BPF_MISC -> x = a;
                default -> throw new AssertionError("unexpected instruction " + code);
            }
        }
        throw new AssertionError("the program did not end");
    }

    private static int u16(byte[] p, int at) {
        // nla_len and nla_type are host order; the tests run on little-endian machines or big-endian alike
        return java.nio.ByteBuffer.wrap(p, at, 2).order(java.nio.ByteOrder.nativeOrder()).getShort() & 0xFFFF;
    }

    /** {@code nla_find} over {@code [from, end)}. */
    private static int find(byte[] p, int from, int end, int type) {
        int at = from;
        while (end - at >= 4) {
            int length = u16(p, at);
            if (length < 4 || length > end - at) {
                return 0;
            }
            if ((u16(p, at + 2) & 0x3FFF) == type) {
                return at;
            }
            at += (length + 3) & ~3;
        }
        return 0;
    }

    private static int nlattr(byte[] p, int a, int x) {
        if (p.length < 4 || a < 0 || a > p.length - 4) {
            return 0;
        }
        return find(p, a, p.length, x);
    }

    private static int nlattrNest(byte[] p, int a, int x) {
        if (p.length < 4 || a < 0 || a > p.length - 4) {
            return 0;
        }
        int length = u16(p, a);
        if (length > p.length - a) {
            return 0;
        }
        return find(p, a + 4, a + Math.max(4, length), x);
    }
}

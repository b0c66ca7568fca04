package io.conntrack4j.netlink;

import io.conntrack4j.core.AddressFamily;
import io.conntrack4j.core.Cidr;
import io.conntrack4j.core.Filter;
import io.conntrack4j.core.IpAddress;
import io.conntrack4j.core.L4Protocol;
import io.conntrack4j.core.TcpState;
import io.conntrack4j.netlink.internal.Cta;
import io.conntrack4j.netlink.internal.CtaIp;
import io.conntrack4j.netlink.internal.CtaProto;
import io.conntrack4j.netlink.internal.CtaProtoInfo;
import io.conntrack4j.netlink.internal.CtaTuple;
import io.conntrack4j.netlink.internal.Netlink;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Compiles a {@link DumpFilter} into a classic BPF socket filter over ctnetlink event messages, as
 * conntrackd's kernel-space filtering and libnetfilter_conntrack's {@code nfct_filter} do: the
 * kernel runs it on every event before queueing it, so a rejected event never costs receive
 * buffer, a wake-up or a system call. Attributes are found with the netlink ancillary loads
 * ({@code SKF_AD_NLATTR} finds a top-level attribute, {@code SKF_AD_NLATTR_NEST} one inside a
 * nest); ABS and IND loads read big-endian, as ctnetlink payloads are.
 *
 * <p>Every criterion of the filter is a check that jumps to "reject" when it fails; messages of
 * other subsystems (expectation events) pass untouched. An absent mark, zone or status reads as
 * 0 (the kernel leaves out a zero mark and the default zone), an absent tuple field rejects, as
 * {@link DumpFilter#test(ConntrackEntry)} does: the program and the user-space check agree.
 *
 * <p>A core {@link Filter} compiles the same way, with conntrackd's list logic: an accept list
 * jumps past its check on the first listed value that matches and rejects after the last, an
 * ignore list rejects on the first match ("negative logic"). Prefixes compare the masked words of
 * the original and the reply source address. Each list ends in its own "return 0", so that no
 * jump has to cross another list. Classic BPF's conditional jumps reach at most 255 instructions
 * ahead, so a list whose own checks are longer than that (roughly 40 IPv4 or 15 IPv6 prefixes,
 * both directions being checked, or some 240 protocols) is left out of the program; the listener
 * then checks that category, as every other, in user space with {@link EntryFilter}.
 */
final class EventFilterProgram {
    static final int BPF_LD = 0x00;
    static final int BPF_LDX = 0x01;
    static final int BPF_ALU = 0x04;
    static final int BPF_JMP = 0x05;
    static final int BPF_RET = 0x06;
    static final int BPF_MISC = 0x07;
    static final int BPF_W = 0x00;
    static final int BPF_H = 0x08;
    static final int BPF_B = 0x10;
    static final int BPF_IMM = 0x00;
    static final int BPF_ABS = 0x20;
    static final int BPF_IND = 0x40;
    static final int BPF_JA = 0x00;
    static final int BPF_JEQ = 0x10;
    static final int BPF_AND = 0x50;
    static final int BPF_K = 0x00;
    static final int BPF_TAX = 0x00;
    /** Offset of the ancillary data area for BPF_ABS loads. */
    static final int SKF_AD_OFF = -0x1000;
    /** A = offset of the attribute of type X in the attributes starting at A, or 0. */
    static final int SKF_AD_NLATTR = 12;
    /** A = offset of the attribute of type X inside the nest at A, or 0. */
    static final int SKF_AD_NLATTR_NEST = 16;
    /** Where the attributes of a ctnetlink message start: nlmsghdr and nfgenmsg. */
    private static final int ATTRIBUTES = Netlink.NLMSG_HDRLEN + Netlink.NFGENMSG_LEN;

    private static final int BPF_MAXINSNS = 4096;
    private static final int NEXT = -2;
    private static final int REJECT = -3;
    private static final int ACCEPT = -4;
    private static final int FALL_THROUGH = -1;

    /** {code, jt target, jf target, k}; targets are instruction indexes or the markers above. */
    private final List<int[]> code = new ArrayList<>();
    private int checkStart;
    /** Label positions, indexed by {@code LABEL_BASE - label}; -1 until bound. */
    private final List<Integer> labels = new ArrayList<>();
    private static final int LABEL_BASE = -100;

    private EventFilterProgram() {
    }

    /**
     * The program for {@code filter}, as an array of {@code struct sock_filter} (8 bytes each, host
     * order) in a direct buffer.
     *
     * @param filter the criteria
     * @return the program; its capacity is 8 times the instruction count
     */
    static ByteBuffer compile(DumpFilter filter) {
        EventFilterProgram p = new EventFilterProgram();
        p.build(filter);
        return p.assemble();
    }

    /**
     * The program for a core filter; categories whose checks do not fit classic BPF's jumps are
     * left out (the caller re-checks everything in user space anyway).
     *
     * @param filter the rules
     * @return the program
     */
    static ByteBuffer compile(Filter filter) {
        for (int leaveOut = 0; ; leaveOut++) {
            EventFilterProgram p = new EventFilterProgram();
            p.build(filter, leaveOut >= 1, leaveOut >= 2);
            try {
                return p.assemble();
            } catch (IllegalArgumentException tooFar) {
                if (leaveOut == 2) {
                    throw tooFar;
                }
            }
        }
    }

    private void build(Filter f, boolean withoutAddresses, boolean withoutProtocols) {
        // every list check ends in its own "return 0", so that no conditional jump has to reach
        // past the next check: classic BPF's jt/jf reach 255 instructions
        int subsystemByte = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? 5 : 4;
        int conntrack = newLabel();
        emit(BPF_LD | BPF_B | BPF_ABS, subsystemByte);
        jump(1, conntrack, FALL_THROUGH);
        emit(BPF_RET | BPF_K, -1);
        bind(conntrack);
        if (f.familyMode() != Filter.Mode.ANY) {
            int done = newLabel();
            int reject = newLabel();
            int hit = f.familyMode() == Filter.Mode.ACCEPT ? done : reject;
            emit(BPF_LD | BPF_B | BPF_ABS, Netlink.NLMSG_HDRLEN);
            for (AddressFamily family : f.families()) {
                jump(family.number(), hit, FALL_THROUGH);
            }
            endList(f.familyMode(), done, reject);
        }
        if (f.protocolMode() != Filter.Mode.ANY && !withoutProtocols) {
            int done = newLabel();
            int reject = newLabel();
            int hit = f.protocolMode() == Filter.Mode.ACCEPT ? done : reject;
            int missed = f.protocolMode() == Filter.Mode.ACCEPT ? reject : done;
            find(Cta.TUPLE_ORIG, missed);
            findNested(CtaTuple.PROTO, missed);
            findNested(CtaProto.NUM, missed);
            value(BPF_B);
            for (L4Protocol p : f.protocols()) {
                jump(p.number(), hit, FALL_THROUGH);
            }
            endList(f.protocolMode(), done, reject);
        }
        if (f.addressMode() != Filter.Mode.ANY && !withoutAddresses) {
            int done = newLabel();
            int reject = newLabel();
            int hit = f.addressMode() == Filter.Mode.ACCEPT ? done : reject;
            for (int tuple : new int[] {Cta.TUPLE_ORIG, Cta.TUPLE_REPLY}) {
                sources(f, tuple, AddressFamily.IPV4, hit);
                sources(f, tuple, AddressFamily.IPV6, hit);
            }
            endList(f.addressMode(), done, reject);
        }
        if (f.tcpStateMode() != Filter.Mode.ANY) {
            // only entries with a TCP state take part: CTA_PROTOINFO_TCP is there for TCP only
            int done = newLabel();
            int reject = newLabel();
            int hit = f.tcpStateMode() == Filter.Mode.ACCEPT ? done : reject;
            find(Cta.TUPLE_ORIG, done);
            findNested(CtaTuple.PROTO, done);
            findNested(CtaProto.NUM, done);
            value(BPF_B);
            jump(L4Protocol.TCP_NUMBER, FALL_THROUGH, done);
            find(Cta.PROTOINFO, done);
            findNested(CtaProtoInfo.TCP, done);
            findNested(CtaProtoInfo.TCP_STATE, done);
            value(BPF_B);
            for (TcpState s : f.tcpStates()) {
                jump(s.number(), hit, FALL_THROUGH);
            }
            endList(f.tcpStateMode(), done, reject);
        }
        if (f.zone() >= 0) {
            int done = newLabel();
            find(Cta.ZONE, f.zone() == 0 ? done : REJECT);
            value(BPF_H);
            jump(f.zone(), FALL_THROUGH, REJECT);
            bind(done);
        }
        if (f.markMask() != 0) {
            maskedU32(Cta.MARK, f.mark(), f.markMask());
        }
        if (f.statusMask() != 0) {
            maskedU32(Cta.STATUS, f.status(), f.statusMask());
        }
    }

    /**
     * After a list's values: an accept list falls into its own "return 0", an ignore list jumps
     * over it; binds {@code reject} and {@code done}.
     */
    private void endList(Filter.Mode mode, int done, int reject) {
        if (mode == Filter.Mode.IGNORE) {
            always(done);
        }
        bind(reject);
        emit(BPF_RET | BPF_K, 0);
        bind(done);
    }

    /** Jumps to {@code hit} when the tuple's source of {@code family} lies in one of the filter's prefixes. */
    private void sources(Filter f, int tuple, AddressFamily family, int hit) {
        List<Cidr> prefixes = f.addresses().stream().filter(c -> c.family() == family).toList();
        if (prefixes.isEmpty()) {
            return;
        }
        int absent = newLabel();
        find(tuple, absent);
        findNested(CtaTuple.IP, absent);
        findNested(family == AddressFamily.IPV4 ? CtaIp.V4_SRC : CtaIp.V6_SRC, absent);
        emit(BPF_MISC | BPF_TAX, 0);
        for (Cidr c : prefixes) {
            int words = (c.prefixLength() + 31) / 32;
            if (words == 0) {
                always(hit);
                continue;
            }
            int next = newLabel();
            long[] halves = family == AddressFamily.IPV4
                    ? new long[] {(long) c.network().ipv4() << 32, 0} : new long[] {c.network().high(), c.network().low()};
            for (int word = 0; word < words; word++) {
                long half = halves[word / 2];
                int bits = (int) (word % 2 == 0 ? half >>> 32 : half);
                int maskBits = Math.min(32, c.prefixLength() - 32 * word);
                int mask = maskBits == 32 ? -1 : -1 << (32 - maskBits);
                emit(BPF_LD | BPF_W | BPF_IND, Netlink.NLA_HDRLEN + 4 * word);
                if (mask != -1) {
                    emit(BPF_ALU | BPF_AND | BPF_K, mask);
                }
                jump(bits & mask, word == words - 1 ? hit : FALL_THROUGH, next);
            }
            bind(next);
        }
        bind(absent);
    }

    private void build(DumpFilter f) {
        // the subsystem is the high byte of the host-order nlmsg_type
        int subsystemByte = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? 5 : 4;
        begin();
        emit(BPF_LD | BPF_B | BPF_ABS, subsystemByte);
        jump(1, FALL_THROUGH, ACCEPT);
        end();
        if (f.family != 0) {
            begin();
            emit(BPF_LD | BPF_B | BPF_ABS, Netlink.NLMSG_HDRLEN);
            jump(f.family, FALL_THROUGH, REJECT);
            end();
        }
        if (f.hasMark) {
            maskedU32(Cta.MARK, f.mark, f.markMask);
        }
        if (f.hasStatus) {
            maskedU32(Cta.STATUS, f.status, f.statusMask);
        }
        if (f.zone >= 0) {
            begin();
            find(Cta.ZONE, f.zone == 0 ? NEXT : REJECT);
            value(BPF_H);
            jump(f.zone, FALL_THROUGH, REJECT);
            end();
        }
        if (f.protocol >= 0) {
            field(Cta.TUPLE_ORIG, CtaTuple.PROTO, CtaProto.NUM, BPF_B, f.protocol);
        }
        side(Cta.TUPLE_ORIG, f.original, f.protocol);
        side(Cta.TUPLE_REPLY, f.reply, f.protocol);
    }

    private void side(int tuple, DumpFilter.Side s, int protocol) {
        if (s.source != null) {
            address(tuple, s.source.isIpv4() ? CtaIp.V4_SRC : CtaIp.V6_SRC, s.source);
        }
        if (s.destination != null) {
            address(tuple, s.destination.isIpv4() ? CtaIp.V4_DST : CtaIp.V6_DST, s.destination);
        }
        if (s.sourcePort >= 0) {
            field(tuple, CtaTuple.PROTO, CtaProto.SRC_PORT, BPF_H, s.sourcePort);
        }
        if (s.destinationPort >= 0) {
            field(tuple, CtaTuple.PROTO, CtaProto.DST_PORT, BPF_H, s.destinationPort);
        }
        boolean v6 = protocol == L4Protocol.ICMPV6_NUMBER;
        if (s.icmpType >= 0) {
            field(tuple, CtaTuple.PROTO, v6 ? CtaProto.ICMPV6_TYPE : CtaProto.ICMP_TYPE, BPF_B, s.icmpType);
        }
        if (s.icmpCode >= 0) {
            field(tuple, CtaTuple.PROTO, v6 ? CtaProto.ICMPV6_CODE : CtaProto.ICMP_CODE, BPF_B, s.icmpCode);
        }
        if (s.icmpId >= 0) {
            field(tuple, CtaTuple.PROTO, v6 ? CtaProto.ICMPV6_ID : CtaProto.ICMP_ID, BPF_H, s.icmpId);
        }
    }

    /** {@code (attribute & mask) == value}, an absent attribute reading as 0. */
    private void maskedU32(int attribute, int value, int mask) {
        begin();
        find(attribute, value == 0 ? NEXT : REJECT);
        value(BPF_W);
        emit(BPF_ALU | BPF_AND | BPF_K, mask);
        jump(value, FALL_THROUGH, REJECT);
        end();
    }

    /** tuple / nest / attribute == value; absent rejects. */
    private void field(int tuple, int nest, int attribute, int size, int value) {
        begin();
        find(tuple, REJECT);
        findNested(nest, REJECT);
        findNested(attribute, REJECT);
        value(size);
        jump(value, FALL_THROUGH, REJECT);
        end();
    }

    private void address(int tuple, int attribute, IpAddress a) {
        begin();
        find(tuple, REJECT);
        findNested(CtaTuple.IP, REJECT);
        findNested(attribute, REJECT);
        emit(BPF_MISC | BPF_TAX, 0);
        if (a.isIpv4()) {
            emit(BPF_LD | BPF_W | BPF_IND, Netlink.NLA_HDRLEN);
            jump(a.ipv4(), FALL_THROUGH, REJECT);
        } else {
            long[] halves = {a.high(), a.low()};
            for (int word = 0; word < 4; word++) {
                long half = halves[word / 2];
                int bits = (int) (word % 2 == 0 ? half >>> 32 : half);
                emit(BPF_LD | BPF_W | BPF_IND, Netlink.NLA_HDRLEN + 4 * word);
                jump(bits, FALL_THROUGH, REJECT);
            }
        }
        end();
    }

    /** A = offset of the top-level attribute, or jump to {@code absent}. */
    private void find(int attribute, int absent) {
        emit(BPF_LD | BPF_IMM, ATTRIBUTES);
        emit(BPF_LDX | BPF_IMM, attribute);
        emit(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_NLATTR);
        jump(0, absent, FALL_THROUGH);
    }

    /** A = offset of the attribute inside the nest at A, or jump to {@code absent}. */
    private void findNested(int attribute, int absent) {
        emit(BPF_LDX | BPF_IMM, attribute);
        emit(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_NLATTR_NEST);
        jump(0, absent, FALL_THROUGH);
    }

    /** A = the payload of the attribute at A. */
    private void value(int size) {
        emit(BPF_MISC | BPF_TAX, 0);
        emit(BPF_LD | size | BPF_IND, Netlink.NLA_HDRLEN);
    }

    private int newLabel() {
        labels.add(-1);
        return LABEL_BASE - (labels.size() - 1);
    }

    private void bind(int label) {
        labels.set(LABEL_BASE - label, code.size());
    }

    /** An unconditional jump (32-bit offset). */
    private void always(int target) {
        code.add(new int[] {BPF_JMP | BPF_JA, target, FALL_THROUGH, 0});
    }

    private void emit(int op, int k) {
        code.add(new int[] {op, FALL_THROUGH, FALL_THROUGH, k});
    }

    private void jump(int k, int ifEqual, int otherwise) {
        code.add(new int[] {BPF_JMP | BPF_JEQ | BPF_K, ifEqual, otherwise, k});
    }

    private void begin() {
        checkStart = code.size();
    }

    /** "Next" in the check just emitted is the instruction after it. */
    private void end() {
        for (int i = checkStart; i < code.size(); i++) {
            int[] insn = code.get(i);
            for (int j = 1; j <= 2; j++) {
                if (insn[j] == NEXT) {
                    insn[j] = code.size();
                }
            }
        }
    }

    private ByteBuffer assemble() {
        int accept = code.size();
        emit(BPF_RET | BPF_K, -1);
        int reject = code.size();
        emit(BPF_RET | BPF_K, 0);
        ByteBuffer program = ByteBuffer.allocateDirect(8 * code.size()).order(ByteOrder.nativeOrder());
        if (code.size() > BPF_MAXINSNS) {
            throw new IllegalArgumentException("event filter too large for classic BPF (" + code.size() + " instructions)");
        }
        for (int i = 0; i < code.size(); i++) {
            int[] insn = code.get(i);
            program.putShort(8 * i, (short) insn[0]);
            if (insn[0] == (BPF_JMP | BPF_JA)) {
                program.putInt(8 * i + 4, offset(i, insn[1], accept, reject, Integer.MAX_VALUE));
                continue;
            }
            program.put(8 * i + 2, (byte) offset(i, insn[1], accept, reject, 255));
            program.put(8 * i + 3, (byte) offset(i, insn[2], accept, reject, 255));
            program.putInt(8 * i + 4, insn[3]);
        }
        return program;
    }

    private int offset(int at, int target, int accept, int reject, int farthest) {
        int absolute = switch (target) {
            case FALL_THROUGH -> at + 1;
            case ACCEPT -> accept;
            case REJECT -> reject;
            default -> target <= LABEL_BASE ? labels.get(LABEL_BASE - target) : target;
        };
        if (absolute < 0) {
            throw new IllegalStateException("unbound label " + target);
        }
        int relative = absolute - (at + 1);
        if (relative < 0 || relative > farthest) {
            throw new IllegalArgumentException("event filter too large for classic BPF jumps (" + relative + ")");
        }
        return relative;
    }
}

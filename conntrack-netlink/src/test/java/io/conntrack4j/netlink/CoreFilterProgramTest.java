package io.conntrack4j.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.core.AddressFamily;
import io.conntrack4j.core.Cidr;
import io.conntrack4j.core.Connection;
import io.conntrack4j.core.Filter;
import io.conntrack4j.core.IpAddress;
import io.conntrack4j.core.L4Protocol;
import io.conntrack4j.core.TcpState;
import io.conntrack4j.core.Tuple;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Core {@link Filter}s compiled to classic BPF and run by the test interpreter {@link ClassicBpf}
 * accept exactly what {@link Filter#test} accepts on the connection an event carries, and so do
 * the user-space flyweight check {@link EntryFilter} and {@link DumpFilter#from(Filter)}: random
 * events against random filters (values drawn from the event half of the time, so that both
 * outcomes are common), long lists that do not fit classic BPF's jumps, and mutated events that
 * must never make the program read out of bounds.
 */
class CoreFilterProgramTest {
    private static final List<IpAddress> V4 = List.of(ip("10.1.1.1"), ip("10.1.1.2"), ip("10.1.2.200"),
            ip("192.168.7.5"), ip("128.0.0.1"));
    private static final List<IpAddress> V6 = List.of(ip("2001:db8::1"), ip("2001:db8::2"), ip("2001:db8:0:1::2"),
            ip("fe80::1"), ip("8000::1"));
    private static final int[] PORTS = {53, 80, 443, 1111};
    private static final int[] MARKS = {0, 1, 7, 0x107, -1, 0x80000000};
    private static final L4Protocol[] PROTOCOLS = {L4Protocol.TCP, L4Protocol.UDP, L4Protocol.SCTP, L4Protocol.ICMP,
        L4Protocol.ICMPV6, L4Protocol.GRE, L4Protocol.of(47), L4Protocol.UDPLITE};

    private final EventMessage event = new EventMessage();
    private final ConntrackEntry entry = new ConntrackEntry();

    private static IpAddress ip(String s) {
        return IpAddress.parse(s);
    }

    private static <T> T pick(Random r, List<T> list) {
        return list.get(r.nextInt(list.size()));
    }

    private static Connection randomConnection(Random r) {
        boolean v6 = r.nextBoolean();
        List<IpAddress> pool = v6 ? V6 : V4;
        IpAddress src = pick(r, pool);
        IpAddress dst = pick(r, pool);
        Tuple orig = switch (r.nextInt(5)) {
            case 0, 1 -> Tuple.ofPorts(src, dst, L4Protocol.TCP, PORTS[r.nextInt(4)], PORTS[r.nextInt(4)]);
            case 2 -> Tuple.ofPorts(src, dst, r.nextBoolean() ? L4Protocol.UDP : L4Protocol.SCTP,
                    PORTS[r.nextInt(4)], PORTS[r.nextInt(4)]);
            default -> Tuple.ofIcmp(src, dst, v6 ? 128 : 8, 0, r.nextInt(3));
        };
        // a NATed reply source half of the time, so that the reply-source rule matters
        Tuple reply = r.nextBoolean() && orig.protocol().keyKind() == L4Protocol.KeyKind.PORTS
                ? Tuple.ofPorts(pick(r, pool), src, orig.protocol(), PORTS[r.nextInt(4)], orig.sourcePort())
                : orig.inverse();
        Connection.Builder b = Connection.builder(orig, reply).timeout(100).status(r.nextInt(0x80));
        if (orig.protocol() == L4Protocol.TCP && r.nextInt(4) > 0) {
            b.tcpState(TcpState.ofNumber(1 + r.nextInt(9)));
        }
        int mark = MARKS[r.nextInt(MARKS.length)];
        if (mark != 0 || r.nextBoolean()) {
            b.mark(mark);
        }
        if (r.nextInt(3) == 0) {
            b.zone(r.nextInt(3));
        }
        return b.build();
    }

    private static Cidr randomCidr(Random r, Connection c) {
        boolean v6 = r.nextInt(3) == 0 ? c.family() == AddressFamily.IPV4 : c.family() == AddressFamily.IPV6;
        IpAddress a = r.nextBoolean() ? (r.nextBoolean() ? c.original().source() : c.reply().source())
                : pick(r, v6 == (c.family() == AddressFamily.IPV6) ? (v6 ? V6 : V4) : (v6 ? V6 : V4));
        if (a.isIpv4() == v6) {
            a = pick(r, v6 ? V6 : V4);
        }
        int bits = a.isIpv4() ? 32 : 128;
        int prefix = switch (r.nextInt(4)) {
            case 0 -> bits;
            case 1 -> r.nextInt(bits + 1);
            case 2 -> 24 + r.nextInt(9);
            default -> r.nextInt(9);
        };
        return new Cidr(a, Math.min(prefix, bits));
    }

    /** A random core filter, taking values from {@code c} half of the time. */
    static Filter randomFilter(Random r, Connection c) {
        Filter.Builder b = Filter.builder();
        boolean accept = r.nextBoolean();
        if (r.nextInt(5) == 0) {
            AddressFamily f = r.nextBoolean() ? c.family() : AddressFamily.values()[r.nextInt(2)];
            if (accept) {
                b.acceptFamilies(f);
            } else {
                b.ignoreFamilies(f);
            }
        }
        if (r.nextInt(3) == 0) {
            L4Protocol[] list = new L4Protocol[1 + r.nextInt(3)];
            for (int i = 0; i < list.length; i++) {
                list[i] = r.nextBoolean() ? c.protocol() : PROTOCOLS[r.nextInt(PROTOCOLS.length)];
            }
            if (r.nextBoolean()) {
                b.acceptProtocols(list);
            } else {
                b.ignoreProtocols(list);
            }
        }
        if (r.nextInt(2) == 0) {
            Cidr[] list = new Cidr[1 + r.nextInt(4)];
            for (int i = 0; i < list.length; i++) {
                list[i] = randomCidr(r, c);
            }
            if (r.nextBoolean()) {
                b.acceptAddresses(list);
            } else {
                b.ignoreAddresses(list);
            }
        }
        if (r.nextInt(3) == 0) {
            TcpState[] list = new TcpState[1 + r.nextInt(3)];
            for (int i = 0; i < list.length; i++) {
                list[i] = r.nextBoolean() && c.tcpState() != null ? c.tcpState() : TcpState.ofNumber(r.nextInt(10));
            }
            if (r.nextBoolean()) {
                b.acceptTcpStates(list);
            } else {
                b.ignoreTcpStates(list);
            }
        }
        if (r.nextInt(4) == 0) {
            b.zone(r.nextBoolean() ? c.zone() : r.nextInt(3));
        }
        if (r.nextInt(4) == 0) {
            int mask = r.nextBoolean() ? -1 : 0xff;
            b.mark((r.nextBoolean() ? c.mark() : MARKS[r.nextInt(MARKS.length)]) & mask, mask);
        }
        if (r.nextInt(4) == 0) {
            int mask = 1 << r.nextInt(7);
            b.status(r.nextBoolean() ? mask : 0, mask);
        }
        return b.build();
    }

    private byte[] packetOf(Connection c) {
        event.write(c);
        return event.packet();
    }

    @Test
    void programFlyweightCheckAndDumpFilterAgreeWithFilterTest() {
        Random r = new Random(0x5EED);
        int accepted = 0;
        int rejected = 0;
        for (int i = 0; i < 20_000; i++) {
            Connection c = randomConnection(r);
            Filter filter = randomFilter(r, r.nextInt(4) == 0 ? randomConnection(r) : c);
            event.write(c);
            assertTrue(event.readInto(entry));
            Connection carried = entry.toConnection();
            boolean expected = filter.test(carried);
            assertEquals(expected, new EntryFilter(filter).test(entry), filter + " on " + carried);
            DumpFilter dump = DumpFilter.from(filter);
            assertEquals(expected, dump.test(entry), dump + " on " + carried);
            assertEquals(expected, dump.test(carried), dump + " on " + carried);
            boolean actual = ClassicBpf.run(EventFilterProgram.compile(filter), event.packet()) != 0;
            assertEquals(expected, actual, filter + " on " + carried);
            if (actual) {
                accepted++;
            } else {
                rejected++;
            }
        }
        assertTrue(accepted > 3_000 && rejected > 3_000, accepted + " accepted, " + rejected + " rejected");
    }

    @Test
    void listsTooLongForClassicJumpsAreLeftToUserSpaceAndTheRestStillRuns() {
        List<Cidr> many = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            many.add(Cidr.parse("2001:db8:" + Integer.toHexString(i + 1) + "::/48"));
        }
        Filter filter = Filter.builder().acceptAddresses(many.toArray(Cidr[]::new))
                .acceptProtocols(L4Protocol.UDP).build();
        ByteBuffer program = EventFilterProgram.compile(filter);
        Connection tcp = Connection.builder(Tuple.ofPorts(ip("2001:db8:1::5"), ip("2001:db8::2"), L4Protocol.TCP, 1, 2))
                .timeout(30).build();
        Connection udpOutside = Connection.builder(Tuple.ofPorts(ip("2001:db9::5"), ip("2001:db9::2"), L4Protocol.UDP,
                1, 2)).timeout(30).build();
        // the protocol rule is still in the kernel; the prefixes are not (user space drops udpOutside)
        assertEquals(0, ClassicBpf.run(program, packetOf(tcp)));
        assertTrue(ClassicBpf.run(program, packetOf(udpOutside)) != 0);
        event.write(udpOutside);
        assertTrue(event.readInto(entry));
        assertEquals(false, new EntryFilter(filter).test(entry));
    }

    @Test
    void eachListEndsInItsOwnReturnSoThatLongListsStayInTheKernel() {
        // 35 IPv4 prefixes: about 220 instructions of address checks between the family check
        // and the end of the program, beyond the 255 a jump to a shared "return 0" could reach
        List<Cidr> prefixes = new ArrayList<>();
        for (int i = 0; i < 35; i++) {
            prefixes.add(Cidr.parse("10.9." + i + ".0/24"));
        }
        Filter filter = Filter.builder().acceptFamilies(AddressFamily.IPV4).acceptProtocols(L4Protocol.UDP)
                .acceptAddresses(prefixes.toArray(Cidr[]::new)).ignoreTcpStates(TcpState.CLOSE).mark(0, 1)
                .status(8, 8).build();
        ByteBuffer program = EventFilterProgram.compile(filter);
        assertTrue(program.capacity() / 8 > 255, "program of " + program.capacity() / 8);
        Connection inside = Connection.builder(Tuple.ofPorts(ip("10.9.34.5"), ip("10.8.0.1"), L4Protocol.UDP, 1, 2))
                .timeout(30).build();
        Connection outside = Connection.builder(Tuple.ofPorts(ip("10.9.35.5"), ip("10.8.0.1"), L4Protocol.UDP, 1, 2))
                .timeout(30).build();
        Connection v6 = Connection.builder(Tuple.ofPorts(ip("2001:db8::1"), ip("2001:db8::2"), L4Protocol.UDP, 1, 2))
                .timeout(30).build();
        assertTrue(ClassicBpf.run(program, packetOf(inside)) != 0);
        assertEquals(0, ClassicBpf.run(program, packetOf(outside)), "the prefixes are checked in the kernel");
        assertEquals(0, ClassicBpf.run(program, packetOf(v6)));
    }

    @Test
    void expectationEventsPassAndMutatedEventsNeverReadOutOfBounds() {
        Random r = new Random(0xC0FFEE);
        Filter filter = Filter.builder().acceptProtocols(L4Protocol.TCP, L4Protocol.UDP)
                .ignoreAddresses(Cidr.parse("10.1.1.0/24"), Cidr.parse("2001:db8::/64"))
                .ignoreTcpStates(TcpState.TIME_WAIT).zone(0).mark(0, 0x1).status(8, 8).build();
        ByteBuffer program = EventFilterProgram.compile(filter);
        assertTrue(ClassicBpf.run(program, EventMessage.expectationEvent()) != 0, "expectation events are not filtered");
        int acceptedMutants = 0;
        for (int i = 0; i < 20_000; i++) {
            event.write(randomConnection(r));
            byte[] packet = EventMessage.mutated(r, event.packet());
            acceptedMutants += ClassicBpf.run(program, packet) != 0 ? 1 : 0;
        }
        assertTrue(acceptedMutants > 0, "some mutants still pass");
    }
}

package io.conntrack4j.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.core.AddressFamily;
import io.conntrack4j.core.Connection;
import io.conntrack4j.core.IpAddress;
import io.conntrack4j.core.L4Protocol;
import io.conntrack4j.core.Tuple;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The compiled event filter run by a classic-BPF interpreter written from the kernel's rules
 * (big-endian ABS/IND loads, {@code SKF_AD_NLATTR} and {@code SKF_AD_NLATTR_NEST} as
 * {@code nla_find} walks): on random events and random filters it accepts exactly what
 * {@link DumpFilter#test(ConntrackEntry)} accepts, and on mutated events it never reads out of
 * bounds.
 */
class EventFilterProgramTest {
    private static final List<IpAddress> V4 = List.of(ip("10.1.1.1"), ip("10.1.1.2"), ip("10.2.2.2"), ip("192.168.7.5"));
    private static final List<IpAddress> V6 = List.of(ip("2001:db8::1"), ip("2001:db8::2"), ip("2001:db8::1:0:0:2"));
    private static final int[] PORTS = {53, 80, 443, 1111};
    private static final int[] MARKS = {0, 1, 7, 0x107, -1};

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
        Tuple orig = switch (r.nextInt(4)) {
            case 0 -> Tuple.ofPorts(src, dst, L4Protocol.TCP, PORTS[r.nextInt(4)], PORTS[r.nextInt(4)]);
            case 1 -> Tuple.ofPorts(src, dst, L4Protocol.UDP, PORTS[r.nextInt(4)], PORTS[r.nextInt(4)]);
            case 2 -> Tuple.ofPorts(src, dst, L4Protocol.SCTP, PORTS[r.nextInt(4)], PORTS[r.nextInt(4)]);
            default -> Tuple.ofIcmp(src, dst, v6 ? 128 : 8, 0, r.nextInt(3));
        };
        Tuple reply = r.nextInt(4) == 0 && orig.protocol().keyKind() == L4Protocol.KeyKind.PORTS
                ? Tuple.ofPorts(pick(r, pool), src, orig.protocol(), PORTS[r.nextInt(4)], orig.sourcePort())
                : orig.inverse();
        Connection.Builder b = Connection.builder(orig, reply).timeout(100).status(r.nextInt(0x80));
        int mark = MARKS[r.nextInt(MARKS.length)];
        if (mark != 0 || r.nextBoolean()) {
            b.mark(mark);
        }
        if (r.nextInt(3) == 0) {
            b.zone(r.nextInt(3));
        }
        return b.build();
    }

    /** A filter whose criteria take their values from {@code c} or at random, so both outcomes happen. */
    private static DumpFilter randomFilter(Random r, Connection c) {
        DumpFilter.Builder b = DumpFilter.builder();
        boolean v6 = c.family() == AddressFamily.IPV6;
        List<IpAddress> pool = v6 ? V6 : V4;
        boolean fromC = r.nextBoolean();
        if (r.nextInt(4) == 0) {
            b.family(fromC ? c.family() : (r.nextBoolean() ? AddressFamily.IPV4 : AddressFamily.IPV6));
        }
        try {
            if (r.nextInt(3) == 0) {
                b.originalSource(r.nextBoolean() ? c.original().source() : pick(r, pool));
            }
            if (r.nextInt(3) == 0) {
                b.originalDestination(r.nextBoolean() ? c.original().destination() : pick(r, pool));
            }
            if (r.nextInt(4) == 0) {
                b.replySource(r.nextBoolean() ? c.reply().source() : pick(r, pool));
            }
            if (r.nextInt(4) == 0) {
                b.replyDestination(r.nextBoolean() ? c.reply().destination() : pick(r, pool));
            }
        } catch (IllegalArgumentException familyClash) {
            // the family criterion chose the other family: keep the filter without that address
        }
        if (r.nextInt(2) == 0) {
            b.protocol(r.nextInt(3) > 0 ? c.protocol() : L4Protocol.UDP);
            L4Protocol.KeyKind kind = r.nextInt(3) > 0 ? c.protocol().keyKind() : L4Protocol.UDP.keyKind();
            if (kind == L4Protocol.KeyKind.PORTS && c.protocol().keyKind() == L4Protocol.KeyKind.PORTS) {
                if (r.nextBoolean()) {
                    b.originalSourcePort(r.nextBoolean() ? c.original().sourcePort() : PORTS[r.nextInt(4)]);
                }
                if (r.nextBoolean()) {
                    b.originalDestinationPort(r.nextBoolean() ? c.original().destinationPort() : PORTS[r.nextInt(4)]);
                }
                if (r.nextInt(3) == 0) {
                    b.replySourcePort(r.nextBoolean() ? c.reply().sourcePort() : PORTS[r.nextInt(4)]);
                }
            } else if (kind == L4Protocol.KeyKind.ICMP && c.protocol().keyKind() == L4Protocol.KeyKind.ICMP) {
                b.icmp(r.nextBoolean() ? c.original().icmpType() : -1, r.nextBoolean() ? 0 : -1,
                        r.nextBoolean() ? c.original().icmpId() : r.nextInt(3));
            }
        }
        if (r.nextInt(3) == 0) {
            int mask = r.nextBoolean() ? -1 : 0xff;
            int value = (r.nextBoolean() && c.hasMark() ? c.mark() : MARKS[r.nextInt(MARKS.length)]) & mask;
            b.mark(value, mask);
        }
        if (r.nextInt(4) == 0) {
            int mask = 1 << r.nextInt(7);
            b.status(r.nextBoolean() ? mask : 0, mask);
        }
        if (r.nextInt(4) == 0) {
            b.zone(r.nextBoolean() && c.hasZone() ? c.zone() : r.nextInt(3));
        }
        try {
            return b.build();
        } catch (IllegalStateException keysWithoutProtocol) {
            return DumpFilter.all();
        }
    }

    @Test
    void theProgramAcceptsExactlyWhatTheUserSpaceCheckAccepts() {
        Random r = new Random(0xBEEF);
        int accepted = 0;
        int rejected = 0;
        for (int i = 0; i < 20_000; i++) {
            Connection c = randomConnection(r);
            DumpFilter filter = randomFilter(r, r.nextInt(4) == 0 ? randomConnection(r) : c);
            event.write(c);
            assertTrue(event.readInto(entry));
            boolean expected = filter.test(entry);
            // the connection as the event carries it (a create adds CONFIRMED to the status)
            assertEquals(filter.test(entry.toConnection()), expected, filter + " on " + c);
            boolean actual = ClassicBpf.run(EventFilterProgram.compile(filter), event.packet()) != 0;
            assertEquals(expected, actual, filter + " on " + c);
            if (actual) {
                accepted++;
            } else {
                rejected++;
            }
        }
        assertTrue(accepted > 2_000 && rejected > 2_000, accepted + " accepted, " + rejected + " rejected");
    }

    @Test
    void expectationEventsPassAndMutatedEventsNeverReadOutOfBounds() {
        Random r = new Random(0xF00D);
        DumpFilter filter = DumpFilter.builder().originalSource(ip("2001:db8::1")).protocol(L4Protocol.TCP)
                .originalDestinationPort(443).mark(7, 0xff).zone(0).build();
        ByteBuffer program = EventFilterProgram.compile(filter);
        assertTrue(ClassicBpf.run(program, EventMessage.expectationEvent()) != 0, "expectation events are not filtered");
        int acceptedMutants = 0;
        for (int i = 0; i < 20_000; i++) {
            Connection c = randomConnection(r);
            event.write(c);
            byte[] packet = EventMessage.mutated(r, event.packet());
            // the interpreter throws on any access the kernel would not allow
            acceptedMutants += ClassicBpf.run(program, packet) != 0 ? 1 : 0;
        }
        assertTrue(acceptedMutants > 0, "some mutants still pass (other subsystems at least)");
    }
}

package io.conntrack4j.core.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conntrack4j.core.Connection;
import io.conntrack4j.core.EventType;
import io.conntrack4j.core.IpAddress;
import io.conntrack4j.core.L4Protocol;
import io.conntrack4j.core.ParseException;
import io.conntrack4j.core.SctpState;
import io.conntrack4j.core.StatusBit;
import io.conntrack4j.core.TcpState;
import io.conntrack4j.core.Tuple;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

/** Golden lines recorded from conntrack-tools 1.4.7 / libnetfilter_conntrack 1.0.9 on Linux 6.18. */
public class ConntrackFormatTest {

    static final Clock NOW = Clock.fixed(Instant.ofEpochSecond(1_764_050_181L), ZoneId.of("UTC"));
    static final ConntrackFormat PLAIN = ConntrackFormat.builder().clock(NOW).build();
    static final ConntrackFormat EXTENDED_ID = ConntrackFormat.builder().extended(true).id(true).clock(NOW).build();
    static final ConntrackFormat KTIMESTAMP = ConntrackFormat.builder().extended(true).id(true)
            .kernelTimestamps(true).timeZone(ZoneId.of("UTC")).clock(NOW).build();

    static final String[] PLAIN_LINES = {
        "unknown  50 29 src=10.0.0.1 dst=10.0.0.2 [UNREPLIED] src=10.0.0.2 dst=10.0.0.1 mark=0 use=1",
        "tcp      6 99 ESTABLISHED src=10.0.0.1 dst=10.0.0.2 sport=1000 dport=80 src=10.0.0.2 dst=10.0.0.1 sport=80 dport=1000 [ASSURED] mark=0 use=1",
        "sctp     132 29 ESTABLISHED src=10.0.0.1 dst=10.0.0.2 sport=5 dport=6 [UNREPLIED] src=10.0.0.2 dst=10.0.0.1 sport=6 dport=5 mark=0 use=1",
        "gre      47 29 src=10.0.0.1 dst=10.0.0.2 srckey=0x1 dstkey=0x2 [UNREPLIED] src=10.0.0.2 dst=10.0.0.1 srckey=0x2 dstkey=0x1 mark=0 use=1",
        "icmp     1 29 src=10.0.0.1 dst=10.0.0.2 type=8 code=0 id=1234 [UNREPLIED] src=10.0.0.2 dst=10.0.0.1 type=0 code=0 id=1234 mark=0 use=1",
        "unknown  4 29 src=10.0.0.1 dst=10.0.0.2 [UNREPLIED] src=10.0.0.2 dst=10.0.0.1 mark=0 use=1",
        "icmpv6   58 29 src=2001:db8::1 dst=2001:db8::2 type=128 code=0 id=5 [UNREPLIED] src=2001:db8::2 dst=2001:db8::1 type=129 code=0 id=5 mark=0 use=1",
        "tcp      6 29 SYN_SENT src=2001:db8::1 dst=2001:db8::2 sport=1 dport=2 [UNREPLIED] src=2001:db8::2 dst=2001:db8::1 sport=2 dport=1 mark=7 zone=3 use=1",
        "udp      17 29 src=10.0.0.1 dst=10.0.0.2 sport=1000 dport=53 [UNREPLIED] src=10.0.0.2 dst=10.0.0.1 sport=53 dport=1000 mark=0 use=1",
        "tcp      6 81 ESTABLISHED src=10.0.0.11 dst=10.0.0.12 sport=1000 dport=80 packets=0 bytes=0 src=10.0.0.12 dst=1.2.3.4 sport=80 dport=2000 packets=0 bytes=0 [ASSURED] mark=0 delta-time=19 use=1",
        "tcp      6 81 ESTABLISHED src=10.0.0.9 dst=10.0.0.10 sport=1000 dport=80 packets=0 bytes=0 src=192.168.1.1 dst=10.0.0.9 sport=8080 dport=1000 packets=0 bytes=0 [ASSURED] mark=0 delta-time=19 use=1",
        "udp      17 99 src=10.0.0.7 dst=10.0.0.8 sport=1000 dport=80 packets=0 bytes=0 [UNREPLIED] src=10.0.0.8 dst=10.0.0.7 sport=80 dport=1000 packets=0 bytes=0 mark=4294967295 zone=9 delta-time=0 use=1",
        "icmpv6   58 499 src=::ffff:1.2.3.4 dst=fe80::1 type=139 code=0 id=7 [UNREPLIED] src=fe80::1 dst=::ffff:1.2.3.4 type=140 code=0 id=7 mark=0 use=1",
        "tcp      6 499 SYN_SENT2 src=10.0.1.1 dst=10.0.1.2 sport=100 dport=17527 src=10.0.1.2 dst=10.0.1.1 sport=17527 dport=100 mark=0 use=1",
        "udplite  136 499 src=10.0.3.1 dst=10.0.3.2 sport=5 dport=6 [UNREPLIED] src=10.0.3.2 dst=10.0.3.1 sport=6 dport=5 mark=0 use=1",
        "udp      17 499 src=10.0.3.1 dst=10.0.3.2 sport=5 dport=6 src=10.0.3.2 dst=10.0.3.1 sport=6 dport=5 [ASSURED] mark=0 use=1",
    };

    static final String[] EXTENDED_ID_LINES = {
        "ipv4     2 unknown  50 29 src=10.0.0.1 dst=10.0.0.2 [UNREPLIED] src=10.0.0.2 dst=10.0.0.1 mark=0 use=1 id=3515528908",
        "ipv4     2 gre      47 29 src=10.0.0.1 dst=10.0.0.2 srckey=0x1 dstkey=0x2 [UNREPLIED] src=10.0.0.2 dst=10.0.0.1 srckey=0x2 dstkey=0x1 mark=0 use=1 id=450054738",
        "ipv6     10 icmpv6   58 29 src=2001:db8::1 dst=2001:db8::2 type=128 code=0 id=5 [UNREPLIED] src=2001:db8::2 dst=2001:db8::1 type=129 code=0 id=5 mark=0 use=1 id=3407100550",
        "ipv6     10 tcp      6 29 SYN_SENT src=2001:db8::1 dst=2001:db8::2 sport=1 dport=2 [UNREPLIED] src=2001:db8::2 dst=2001:db8::1 sport=2 dport=1 mark=7 zone=3 use=1 id=816045639",
        "ipv4     2 tcp      6 54 ESTABLISHED src=10.0.0.1 dst=10.0.0.2 sport=1000 dport=80 src=10.0.0.2 dst=10.0.0.1 sport=80 dport=1000 [ASSURED] mark=0 use=1 id=186481255",
    };

    static final String[] KTIMESTAMP_LINES = {
        "ipv4     2 tcp      6 99 ESTABLISHED src=10.0.0.11 dst=10.0.0.12 sport=1000 dport=80 packets=0 bytes=0 src=10.0.0.12 dst=1.2.3.4 sport=80 dport=2000 packets=0 bytes=0 [ASSURED] mark=0 delta-time=0 [start=Wed Nov 25 05:56:21 2026] use=1 id=1115947087",
    };

    static final String[] EVENT_LINES = {
        "[1795586198.954387]\t    [NEW] ipv4     2 tcp      6 50 SYN_SENT src=10.1.0.1 dst=10.1.0.2 sport=1 dport=2 [UNREPLIED] src=10.1.0.2 dst=10.1.0.1 sport=2 dport=1 mark=0 id=1031612371 [USERSPACE] portid=7621 progname=conntrack",
        "[1795586198.976332]\t [UPDATE] ipv4     2 tcp      6 49 SYN_SENT src=10.1.0.1 dst=10.1.0.2 sport=1 dport=2 [UNREPLIED] src=10.1.0.2 dst=10.1.0.1 sport=2 dport=1 mark=5 id=1031612371 [USERSPACE] portid=2516679749 progname=conntrack",
        "[1795586198.994353]\t[DESTROY] ipv4     2 tcp      6 49 SYN_SENT src=10.1.0.1 dst=10.1.0.2 sport=1 dport=2 packets=0 bytes=0 [UNREPLIED] src=10.1.0.2 dst=10.1.0.1 sport=2 dport=1 packets=0 bytes=0 mark=5 delta-time=0 id=1031612371 [USERSPACE] portid=4143765558",
    };

    static final String[] PLAIN_EVENT_LINES = {
        "    [NEW] tcp      6 50 SYN_SENT src=10.1.0.1 dst=10.1.0.2 sport=1 dport=2 [UNREPLIED] src=10.1.0.2 dst=10.1.0.1 sport=2 dport=1 mark=0 [USERSPACE] portid=7621 progname=conntrack",
        " [UPDATE] tcp      6 49 SYN_SENT src=10.1.0.1 dst=10.1.0.2 sport=1 dport=2 [UNREPLIED] src=10.1.0.2 dst=10.1.0.1 sport=2 dport=1 mark=5 [USERSPACE] portid=2516679749 progname=conntrack",
        "[DESTROY] tcp      6 49 SYN_SENT src=10.1.0.1 dst=10.1.0.2 sport=1 dport=2 packets=0 bytes=0 [UNREPLIED] src=10.1.0.2 dst=10.1.0.1 sport=2 dport=1 packets=0 bytes=0 mark=5 delta-time=0 [USERSPACE] portid=4143765558",
    };

    /** @return the recorded plain lines, for other tests */
    public static String[] plainLines() {
        return PLAIN_LINES.clone();
    }

    /** @return the recorded {@code -o timestamp,extended,id} event lines */
    public static String[] eventLines() {
        return EVENT_LINES.clone();
    }

    /** @return the recorded plain event lines */
    public static String[] plainEventLines() {
        return PLAIN_EVENT_LINES.clone();
    }

    @Test
    void recordedLinesRoundTrip() {
        for (String line : PLAIN_LINES) {
            assertEquals(line, PLAIN.format(PLAIN.parse(line)));
        }
        for (String line : EXTENDED_ID_LINES) {
            assertEquals(line, EXTENDED_ID.format(EXTENDED_ID.parse(line)));
        }
        for (String line : KTIMESTAMP_LINES) {
            ConntrackFormat atPrintTime = ConntrackFormat.builder().extended(true).id(true).kernelTimestamps(true)
                    .timeZone(ZoneId.of("UTC")).clock(Clock.fixed(Instant.parse("2026-11-25T05:56:21Z"),
                            ZoneId.of("UTC"))).build();
            assertEquals(line, atPrintTime.format(atPrintTime.parse(line)));
        }
        for (String line : EVENT_LINES) {
            assertEquals(line, EXTENDED_ID.formatEvent(EXTENDED_ID.parseEvent(line)));
        }
        for (String line : PLAIN_EVENT_LINES) {
            assertEquals(line, PLAIN.formatEvent(PLAIN.parseEvent(line)));
        }
    }

    @Test
    void parsedFieldsOfARecordedLine() {
        Connection c = PLAIN.parse(PLAIN_LINES[1]);
        assertEquals(L4Protocol.TCP, c.protocol());
        assertEquals(99, c.timeout());
        assertEquals(TcpState.ESTABLISHED, c.tcpState());
        assertEquals(Tuple.ofPorts(IpAddress.parse("10.0.0.1"), IpAddress.parse("10.0.0.2"), L4Protocol.TCP, 1000, 80),
                c.original());
        assertEquals(c.original().inverse(), c.reply());
        assertEquals(StatusBit.mask(StatusBit.SEEN_REPLY, StatusBit.ASSURED), c.status());
        assertTrue(c.hasMark());
        assertEquals(1, c.use());
        assertFalse(c.isNat());
        assertFalse(c.hasId());

        Connection snat = PLAIN.parse(PLAIN_LINES[9]);
        assertTrue(snat.isSourceNat());
        assertFalse(snat.isDestinationNat());
        assertTrue(snat.hasCountersOriginal() && snat.hasCountersReply());
        assertEquals((NOW.millis() / 1000 - 19) * 1_000_000_000L, snat.startNanos());
        Connection dnat = PLAIN.parse(PLAIN_LINES[10]);
        assertTrue(dnat.isDestinationNat());
        assertFalse(dnat.isSourceNat());

        Connection udp = PLAIN.parse(PLAIN_LINES[11]);
        assertEquals(-1, udp.mark());
        assertEquals(9, udp.zone());
        assertEquals(0, udp.status());
        assertEquals(-1, udp.protocolState());

        Connection sctp = PLAIN.parse(PLAIN_LINES[2]);
        assertEquals(SctpState.ESTABLISHED, sctp.sctpState());
        assertNull(sctp.tcpState());

        Connection withId = EXTENDED_ID.parse(EXTENDED_ID_LINES[0]);
        assertEquals("3515528908", Integer.toUnsignedString(withId.id()));
        assertEquals(L4Protocol.of(50), withId.protocol());

        Connection started = KTIMESTAMP.parse(KTIMESTAMP_LINES[0]);
        assertEquals(Instant.parse("2026-11-25T05:56:21Z").getEpochSecond() * 1_000_000_000L, started.startNanos());

        ConntrackEvent destroy = EXTENDED_ID.parseEvent(EVENT_LINES[2]);
        assertEquals(EventType.DESTROY, destroy.type());
        assertEquals(1_795_586_198_994_353L, destroy.timestampMicros());
        assertEquals(4_143_765_558L, destroy.portId());
        assertNull(destroy.programName());
        ConntrackEvent created = PLAIN.parseEvent(PLAIN_EVENT_LINES[0]);
        assertEquals(EventType.NEW, created.type());
        assertFalse(created.hasTimestamp());
        assertEquals("conntrack", created.programName());
        assertFalse(created.connection().hasUse());
    }

    @Test
    void formatsWhatTheToolCannotShowUsFromTheKernelHere() {
        Tuple orig = Tuple.ofPorts(IpAddress.parse("10.0.0.1"), IpAddress.parse("10.0.0.2"), L4Protocol.TCP, 1, 2);
        Connection c = Connection.builder(orig.withZone(4), orig.inverse().withZone(5))
                .status(StatusBit.mask(StatusBit.SEEN_REPLY, StatusBit.ASSURED, StatusBit.OFFLOAD))
                .tcpState(TcpState.ESTABLISHED).mark(1).secmark(2).secctx("system_u:object_r:unlabeled_t:s0")
                .zone(6).helper("ftp").use(2).id(-1).labels(0, 0b101)
                .start(1_000_000_000L).stop(5_000_000_000L)
                .build();
        ConntrackFormat format = ConntrackFormat.builder().id(true).kernelTimestamps(true)
                .labels(LabelMap.parse("# names\n0 zero\n2 two\n")).timeZone(ZoneId.of("UTC")).clock(NOW).build();
        String line = format.format(c);
        assertEquals("tcp      6 ESTABLISHED src=10.0.0.1 dst=10.0.0.2 sport=1 dport=2 zone-orig=4 "
                + "src=10.0.0.2 dst=10.0.0.1 sport=2 dport=1 zone-reply=5 [OFFLOAD] mark=1 secmark=2 "
                + "secctx=system_u:object_r:unlabeled_t:s0 zone=6 delta-time=4 [start=Thu Jan  1 00:00:01 1970] "
                + "[stop=Thu Jan  1 00:00:05 1970] helper=ftp use=2 id=4294967295 labels=zero,two", line);
        Connection back = format.parse(line);
        assertEquals(line, format.format(back));
        assertEquals(c.original(), back.original());
        assertEquals(c.reply(), back.reply());
        assertTrue(back.hasLabel(0) && back.hasLabel(2) && !back.hasLabel(1));
        // Without names for the set bits libnetfilter_conntrack prints a bare "labels".
        String bare = ConntrackFormat.builder().labels(LabelMap.of("x")).build()
                .format(c.toBuilder().labels(0, 2).clearUse().build());
        assertTrue(bare.endsWith("helper=ftp labels"), bare);
        // An entry with HW_OFFLOAD shows that instead of ASSURED.
        assertTrue(PLAIN.format(c.toBuilder().status(0xffff).build()).contains(" [HW_OFFLOAD] "));
        // No timeout: offloaded entries.
        assertTrue(PLAIN.format(c.toBuilder().timeout(5).build()).startsWith("tcp      6 5 ESTABLISHED "));
        // Out-of-range states print as NONE, as libnetfilter_conntrack does.
        assertTrue(PLAIN.format(c.toBuilder().protocolState(12).build()).startsWith("tcp      6 NONE "));
    }

    @Test
    void optionsMustMatchTheLine() {
        ParseException e = assertThrows(ParseException.class, () -> PLAIN.parse(EXTENDED_ID_LINES[0]));
        assertEquals(0, e.position());
        e = assertThrows(ParseException.class, () -> EXTENDED_ID.parse(PLAIN_LINES[0]));
        assertEquals(0, e.position());
        e = assertThrows(ParseException.class, () -> PLAIN.parse(PLAIN_LINES[0] + " id=5"));
        assertEquals(PLAIN_LINES[0].length(), e.position());
    }

    @Test
    void errorsNameLineAndPosition() {
        String bad = "tcp      6 99 ESTABLISHED src=10.0.0.1 dst=10.0.0.2 sport=1000 dport=80 src=10.0.0.2 "
                + "dst=10.0.0.1 sport=80 dport=100000 [ASSURED] mark=0 use=1";
        ParseException e = assertThrows(ParseException.class, () -> PLAIN.parse(bad));
        assertEquals(bad.indexOf("100000"), e.position());
        assertTrue(e.getMessage().startsWith("cannot parse \"" + bad + "\" at position " + e.position()), e.getMessage());
        e = assertThrows(ParseException.class, () -> PLAIN.parse("udp      6 1 src=1.1.1.1 dst=1.1.1.1"));
        assertEquals(0, e.position());
        e = assertThrows(ParseException.class, () -> PLAIN.parse("tcp     6 1"));
        assertEquals(8, e.position());
        e = assertThrows(ParseException.class, () -> PLAIN.parse("udp      17 1 BOGUS src=1.1.1.1"));
        assertEquals(14, e.position());
        e = assertThrows(ParseException.class, () -> PLAIN.parse("tcp      6 1 BOGUS src=1.1.1.1"));
        assertTrue(e.getMessage().contains("unknown tcp state 'BOGUS'"), e.getMessage());
        assertThrows(ParseException.class, () -> PLAIN.parse(""));
        assertThrows(ParseException.class, () -> PLAIN.parse(null));
        assertThrows(ParseException.class, () -> PLAIN.parseEvent(PLAIN_LINES[0]));
    }
}

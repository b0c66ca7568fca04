package io.conntrack4j.core.format;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.conntrack4j.core.Connection;
import io.conntrack4j.core.EventType;
import io.conntrack4j.core.IpAddress;
import io.conntrack4j.core.L4Protocol;
import io.conntrack4j.core.SctpState;
import io.conntrack4j.core.StatusBit;
import io.conntrack4j.core.Tuple;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

/**
 * {@link ConntrackXmlFormat} against elements recorded from conntrack 1.4.7 / libnetfilter_conntrack
 * 1.0.9 on kernel 6.18 ({@code conntrack -L -o xml,labels}, {@code -o xml,ktimestamp},
 * {@code conntrack -E -o xml,timestamp}); the kernel test checks the same live.
 */
class ConntrackXmlFormatTest {

    private static final long START = 1795592143738607207L;
    private static final Clock AT_START = Clock.fixed(Instant.ofEpochSecond(START / 1_000_000_000L), ZoneId.of("UTC"));

    private static Tuple udp(String src, String dst, int sport, int dport) {
        return Tuple.ofPorts(IpAddress.parse(src), IpAddress.parse(dst), L4Protocol.UDP, sport, dport);
    }

    @Test
    void labelsSitBetweenMarkAndZone() {
        Tuple t = Tuple.ofPorts(IpAddress.parse("10.0.0.1"), IpAddress.parse("10.0.0.4"), L4Protocol.TCP, 5, 6);
        Connection c = Connection.builder(t, t.inverse()).tcpState(io.conntrack4j.core.TcpState.ESTABLISHED)
                .status(StatusBit.SEEN_REPLY.mask() | StatusBit.CONFIRMED.mask()).timeout(99).mark(9)
                .labels(0, 1L << 1 | 1L << 5 | 1L << 7).zone(7).use(1).id((int) 2428456478L)
                .countersOriginal(0, 0).countersReply(0, 0).start(START).build();
        String recorded = "<flow><meta direction=\"original\"><layer3 protonum=\"2\" protoname=\"ipv4\"><src>10.0.0.1</src>"
                + "<dst>10.0.0.4</dst></layer3><layer4 protonum=\"6\" protoname=\"tcp\"><sport>5</sport><dport>6</dport>"
                + "</layer4><counters><packets>0</packets><bytes>0</bytes></counters></meta><meta direction=\"reply\">"
                + "<layer3 protonum=\"2\" protoname=\"ipv4\"><src>10.0.0.4</src><dst>10.0.0.1</dst></layer3>"
                + "<layer4 protonum=\"6\" protoname=\"tcp\"><sport>6</sport><dport>5</dport></layer4><counters>"
                + "<packets>0</packets><bytes>0</bytes></counters></meta><meta direction=\"independent\">"
                + "<state>ESTABLISHED</state><timeout>99</timeout><mark>9</mark><labels><label>one</label>"
                + "<label>five</label></labels><zone>7</zone><use>1</use><id>2428456478</id><deltatime>0</deltatime>"
                + "</meta></flow>";
        // Bit 7 has no name in connlabel.conf: not printed.
        LabelMap names = LabelMap.parse("0 zero\n1 one\n5 five\n");
        assertEquals(recorded, ConntrackXmlFormat.builder().labels(names).clock(AT_START).build().format(c));
        // Without -o labels the element is absent.
        assertEquals(recorded.replace("<labels><label>one</label><label>five</label></labels>", ""),
                ConntrackXmlFormat.builder().clock(AT_START).build().format(c));
    }

    @Test
    void sctpStatesAreNamedThroughTcpsTableAndZonesMayBeDirectional() {
        Tuple t = Tuple.ofPorts(IpAddress.parse("10.0.0.1"), IpAddress.parse("10.0.0.2"), L4Protocol.SCTP, 5, 1);
        Connection c = Connection.builder(t, t.inverse()).sctpState(SctpState.CLOSED)
                .status(StatusBit.SEEN_REPLY.mask() | StatusBit.ASSURED.mask()).timeout(99).mark(0).use(1)
                .id(10903893).start(START).build();
        assertEquals("<flow><meta direction=\"original\"><layer3 protonum=\"2\" protoname=\"ipv4\"><src>10.0.0.1</src>"
                + "<dst>10.0.0.2</dst></layer3><layer4 protonum=\"132\" protoname=\"sctp\"><sport>5</sport><dport>1</dport>"
                + "</layer4></meta><meta direction=\"reply\"><layer3 protonum=\"2\" protoname=\"ipv4\"><src>10.0.0.2</src>"
                + "<dst>10.0.0.1</dst></layer3><layer4 protonum=\"132\" protoname=\"sctp\"><sport>1</sport><dport>5</dport>"
                + "</layer4></meta><meta direction=\"independent\"><state>SYN_SENT</state><timeout>99</timeout>"
                + "<mark>0</mark><use>1</use><id>10903893</id><assured/><timestamp><start>1795592143738607207</start>"
                + "</timestamp><deltatime>0</deltatime></meta></flow>",
                ConntrackXmlFormat.builder().kernelTimestamps(true).clock(AT_START).build().format(c));

        Connection zoned = Connection.builder(udp("10.0.0.1", "10.0.0.4", 5, 6).withZone(3),
                udp("10.0.0.4", "10.0.0.1", 6, 5)).status(0).timeout(99).mark(0).use(1).id(924410138)
                .build();
        assertEquals("<flow><meta direction=\"original\"><layer3 protonum=\"2\" protoname=\"ipv4\"><src>10.0.0.1</src>"
                + "<dst>10.0.0.4</dst></layer3><layer4 protonum=\"17\" protoname=\"udp\"><sport>5</sport><dport>6</dport>"
                + "</layer4><zone>3</zone></meta><meta direction=\"reply\"><layer3 protonum=\"2\" protoname=\"ipv4\">"
                + "<src>10.0.0.4</src><dst>10.0.0.1</dst></layer3><layer4 protonum=\"17\" protoname=\"udp\">"
                + "<sport>6</sport><dport>5</dport></layer4></meta><meta direction=\"independent\"><timeout>99</timeout>"
                + "<mark>0</mark><use>1</use><id>924410138</id><unreplied/></meta></flow>",
                ConntrackXmlFormat.builder().build().format(zoned));
    }

    @Test
    void eventsCarryTheirTypeLocalTimeAndCause() {
        Tuple t = udp("10.0.0.1", "10.0.0.4", 7, 6);
        Connection c = Connection.builder(t, t.inverse()).status(0).timeout(100).mark(0)
                .id((int) 2535033063L).build();
        // 2026-11-25 07:36:29 UTC, a Wednesday.
        long micros = Instant.parse("2026-11-25T07:36:29.5Z").toEpochMilli() * 1000;
        ConntrackEvent event = new ConntrackEvent(EventType.NEW, c, micros, 30004, null);
        assertEquals("<flow type=\"new\"><meta direction=\"original\"><layer3 protonum=\"2\" protoname=\"ipv4\">"
                + "<src>10.0.0.1</src><dst>10.0.0.4</dst></layer3><layer4 protonum=\"17\" protoname=\"udp\">"
                + "<sport>7</sport><dport>6</dport></layer4></meta><meta direction=\"reply\"><layer3 protonum=\"2\""
                + " protoname=\"ipv4\"><src>10.0.0.4</src><dst>10.0.0.1</dst></layer3><layer4 protonum=\"17\""
                + " protoname=\"udp\"><sport>6</sport><dport>7</dport></layer4></meta><meta direction=\"independent\">"
                + "<timeout>100</timeout><mark>0</mark><id>2535033063</id><unreplied/></meta><when><hour>7</hour>"
                + "<min>36</min><sec>29</sec><wday>4</wday><day>25</day><month>11</month><year>2026</year></when>"
                + "</flow> [USERSPACE] portid=30004",
                ConntrackXmlFormat.builder().eventTime(true).zone(ZoneId.of("UTC")).build().format(event));
        // A Sunday is day 1, single-digit minutes and seconds are padded, hours are not.
        long sunday = Instant.parse("2026-11-29T03:04:05Z").toEpochMilli() * 1000;
        String line = ConntrackXmlFormat.builder().eventTime(true).zone(ZoneId.of("UTC")).build()
                .format(new ConntrackEvent(EventType.DESTROY, c, sunday, ConntrackEvent.NO_PORT_ID, null));
        assertEquals("<flow type=\"destroy\">", line.substring(0, 21));
        assertEquals("<when><hour>3</hour><min>04</min><sec>05</sec><wday>1</wday><day>29</day><month>11</month>"
                + "<year>2026</year></when></flow>", line.substring(line.indexOf("<when>")));
    }
}

package io.conntrack4j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FilterTest {

    static Connection tcp(String src, String dst, TcpState state) {
        Tuple t = Tuple.ofPorts(IpAddress.parse(src), IpAddress.parse(dst), L4Protocol.TCP, 1000, 80);
        return Connection.builder(t).tcpState(state).status(0xe).mark(0x1234).build();
    }

    static final Connection LAN = tcp("192.168.1.5", "8.8.8.8", TcpState.ESTABLISHED);
    static final Connection LOOP = tcp("127.0.0.1", "127.0.0.1", TcpState.SYN_SENT);
    static final Connection V6 = tcp("2001:db8::1", "2001:db8::2", TcpState.TIME_WAIT);
    static final Connection UDP = Connection.builder(Tuple.ofPorts(IpAddress.parse("10.0.0.1"),
            IpAddress.parse("10.0.0.2"), L4Protocol.UDP, 1, 53)).status(0x8).zone(7).build();

    @Test
    void emptyFilterKeepsEverything() {
        for (Connection c : new Connection[] {LAN, LOOP, V6, UDP}) {
            assertTrue(Filter.all().test(c));
        }
    }

    @Test
    void familiesAndProtocols() {
        Filter v4 = Filter.builder().acceptFamilies(AddressFamily.IPV4).build();
        assertTrue(v4.test(LAN));
        assertFalse(v4.test(V6));
        Filter noUdp = Filter.builder().ignoreProtocols(L4Protocol.UDP).build();
        assertTrue(noUdp.test(LAN));
        assertFalse(noUdp.test(UDP));
        assertThrows(IllegalStateException.class,
                () -> Filter.builder().acceptProtocols(L4Protocol.TCP).ignoreProtocols(L4Protocol.UDP));
    }

    @Test
    void addressesMatchOriginalOrReplySource() {
        Filter lan = Filter.builder().acceptAddresses(Cidr.parse("192.168.0.0/16")).build();
        assertTrue(lan.test(LAN));
        assertFalse(lan.test(LOOP));
        Filter google = Filter.builder().acceptAddresses(Cidr.of(IpAddress.parse("8.8.8.8"))).build();
        assertTrue(google.test(LAN), "the reply source is 8.8.8.8");
        Filter noLoop = Filter.builder().ignoreAddresses(Cidr.parse("127.0.0.0/8"), Cidr.parse("::1/128")).build();
        assertFalse(noLoop.test(LOOP));
        assertTrue(noLoop.test(LAN));
        assertTrue(noLoop.test(V6));
        Filter doc6 = Filter.builder().acceptAddresses(Cidr.parse("2001:db8::/32")).build();
        assertTrue(doc6.test(V6));
        assertFalse(doc6.test(LAN));
    }

    @Test
    void tcpStatesZoneMarkStatus() {
        Filter established = Filter.builder().acceptTcpStates(TcpState.ESTABLISHED).build();
        assertTrue(established.test(LAN));
        assertFalse(established.test(LOOP));
        assertTrue(established.test(UDP), "the state category applies to TCP only");
        Filter notClosing = Filter.builder().ignoreTcpStates(TcpState.TIME_WAIT, TcpState.CLOSE).build();
        assertFalse(notClosing.test(V6));
        assertTrue(notClosing.test(LAN));
        assertTrue(Filter.builder().zone(7).build().test(UDP));
        assertFalse(Filter.builder().zone(7).build().test(LAN));
        assertTrue(Filter.builder().zone(0).build().test(LAN));
        assertTrue(Filter.builder().mark(0x1200, 0xff00).build().test(LAN));
        assertFalse(Filter.builder().mark(0x1300, 0xff00).build().test(LAN));
        assertThrows(IllegalArgumentException.class, () -> Filter.builder().mark(0x1, 0x2));
        int assured = StatusBit.ASSURED.mask();
        assertFalse(Filter.builder().status(assured, assured).build().test(UDP));
        assertTrue(Filter.builder().status(assured, assured).build().test(LAN));
        assertTrue(Filter.builder().status(0, StatusBit.SEEN_REPLY.mask()).build().test(UDP));
    }

    @Test
    void accessorsReadBackTheRulesAsImmutableViews() {
        Filter f = Filter.builder()
                .ignoreFamilies(AddressFamily.IPV6)
                .acceptProtocols(L4Protocol.UDP, L4Protocol.TCP)
                .ignoreAddresses(Cidr.parse("127.0.0.0/8"), Cidr.parse("::1/128"))
                .acceptTcpStates(TcpState.ESTABLISHED, TcpState.SYN_SENT2)
                .zone(3).mark(0x100, 0xff00).status(4, 6).build();
        assertEquals(Filter.Mode.IGNORE, f.familyMode());
        assertEquals(Set.of(AddressFamily.IPV6), f.families());
        assertEquals(Filter.Mode.ACCEPT, f.protocolMode());
        assertEquals(List.of(L4Protocol.TCP, L4Protocol.UDP), List.copyOf(f.protocols()));
        assertEquals(Filter.Mode.IGNORE, f.addressMode());
        assertEquals(List.of(Cidr.parse("127.0.0.0/8"), Cidr.parse("::1/128")), f.addresses());
        assertEquals(Filter.Mode.ACCEPT, f.tcpStateMode());
        assertEquals(Set.of(TcpState.ESTABLISHED, TcpState.SYN_SENT2), f.tcpStates());
        assertEquals(3, f.zone());
        assertEquals(0x100, f.mark());
        assertEquals(0xff00, f.markMask());
        assertEquals(4, f.status());
        assertEquals(6, f.statusMask());
        assertThrows(UnsupportedOperationException.class, () -> f.addresses().clear());
        assertThrows(UnsupportedOperationException.class, () -> f.protocols().clear());
        assertThrows(UnsupportedOperationException.class, () -> f.tcpStates().clear());
        assertThrows(UnsupportedOperationException.class, () -> f.families().clear());
        Filter all = Filter.all();
        assertEquals(Filter.Mode.ANY, all.protocolMode());
        assertTrue(all.protocols().isEmpty() && all.addresses().isEmpty() && all.tcpStates().isEmpty());
        assertEquals(-1, all.zone());
        assertEquals(0, all.markMask());
        assertEquals(0, all.statusMask());
    }
}

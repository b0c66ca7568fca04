package io.conntrack4j.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class NetlinkExceptionTest {

    @Test
    void messageNamesTheErrnoAndCarriesTheKernelText() {
        NetlinkException e = new NetlinkException("create conntrack", 34, "Attribute failed policy validation");
        assertEquals("ERANGE", e.errnoName());
        assertEquals(34, e.errno());
        assertEquals("create conntrack: ERANGE (Numerical result out of range): Attribute failed policy validation",
                e.getMessage());
    }

    @Test
    void unknownErrnoIsStillReadable() {
        NetlinkException e = new NetlinkException("dump", 200, null);
        assertEquals("errno 200", e.errnoName());
        assertEquals("dump: errno 200 (unknown error)", e.getMessage());
    }

    @Test
    void anOverrunIsANetlinkExceptionWithItsOwnType() {
        NetlinkException e = new NetlinkOverrunException("dump conntrack table");
        assertEquals("ENOBUFS", e.errnoName());
        assertEquals(105, e.errno());
        assertEquals("dump conntrack table: ENOBUFS (No buffer space available): receive buffer overrun, messages were lost",
                e.getMessage());
    }
}

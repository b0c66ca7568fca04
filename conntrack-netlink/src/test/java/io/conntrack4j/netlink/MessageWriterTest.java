package io.conntrack4j.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.conntrack4j.netlink.internal.Cta;
import io.conntrack4j.netlink.internal.CtMessageType;
import io.conntrack4j.netlink.internal.MessageWriter;
import io.conntrack4j.netlink.internal.Netlink;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The request bytes, spelled out by hand from struct nlmsghdr, nfgenmsg and nlattr. */
class MessageWriterTest {

    @Test
    void deleteRequestHasTheKernelLayout() throws Exception {
        ByteBuffer buffer = ByteBuffer.allocateDirect(256);
        MessageWriter writer = new MessageWriter(buffer);
        writer.begin(CtMessageType.DELETE, Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK, 0x01020304, 2, 0);
        ConntrackTable.writeTuple(writer, Cta.TUPLE_ORIG, KernelTuple.ports(InetAddress.getByName("10.1.1.1"),
                InetAddress.getByName("10.2.2.2"), KernelTuple.TCP, 1111, 80));
        writer.putU16(Cta.ZONE, 5);
        int length = writer.end();
        byte[] bytes = new byte[length];
        buffer.get(0, bytes);
        // Little-endian host (x86-64, arm64): header fields are host order, payloads big-endian,
        // every nest has NLA_F_NESTED (0x80 in the type's high byte).
        String expected = "50000000" + "0201" + "0500" + "04030201" + "00000000" + "02000000"
                + "3400" + "0180"
                + "1400" + "0180" + "0800" + "0100" + "0a010101" + "0800" + "0200" + "0a020202"
                + "1c00" + "0280" + "0500" + "0100" + "06000000" + "0600" + "0200" + "04570000"
                + "0600" + "0300" + "00500000"
                + "0600" + "1200" + "00050000";
        assertEquals(expected, HexFormat.of().formatHex(bytes));
    }

    @Test
    void overflowingTheBufferIsAClearError() {
        MessageWriter writer = new MessageWriter(ByteBuffer.allocateDirect(24));
        writer.begin(CtMessageType.GET, 0, 1, 0, 0);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> writer.putU32(Cta.MARK, 1));
        assertEquals("request exceeds the 24-byte send buffer", e.getMessage());
    }
}

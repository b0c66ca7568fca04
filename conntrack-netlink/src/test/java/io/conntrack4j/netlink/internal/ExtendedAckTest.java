package io.conntrack4j.netlink.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The extended-ACK reader on the three layouts the kernel uses, and on random and mutated input. */
class ExtendedAckTest {
    private static final String TEXT = "Attribute failed policy validation";
    private final ByteBuffer host = ByteBuffer.allocateDirect(4096).order(ByteOrder.nativeOrder());
    private final ByteBuffer network = host.duplicate().order(ByteOrder.BIG_ENDIAN);

    /** Writes an NLMSG_ERROR (or DONE) with error -34, an echoed request of {@code echoed} bytes, and TLVs. */
    private int message(int type, int flags, int echoed) {
        int at = Netlink.NLMSG_HDRLEN;
        host.putInt(at, -34);
        at += 4;
        if (type == Netlink.NLMSG_ERROR) {
            host.putInt(at, echoed);
            for (int i = 4; i < echoed; i++) {
                host.put(at + i, (byte) 0x55);
            }
            at += Netlink.align(echoed);
        }
        host.putShort(at, (short) 8);
        host.putShort(at + 2, (short) Netlink.NLMSGERR_ATTR_OFFS);
        host.putInt(at + 4, 36);
        at += 8;
        byte[] text = TEXT.getBytes(StandardCharsets.US_ASCII);
        host.putShort(at, (short) (4 + text.length + 1));
        host.putShort(at + 2, (short) Netlink.NLMSGERR_ATTR_MSG);
        for (int i = 0; i < text.length; i++) {
            host.put(at + 4 + i, text[i]);
        }
        host.put(at + 4 + text.length, (byte) 0);
        at += Netlink.align(4 + text.length + 1);
        host.putInt(0, at);
        host.putShort(4, (short) type);
        host.putShort(6, (short) flags);
        return at;
    }

    @Test
    void cappedAckCarriesOnlyTheRequestHeader() {
        int length = message(Netlink.NLMSG_ERROR, Netlink.NLM_F_CAPPED | Netlink.NLM_F_ACK_TLVS, Netlink.NLMSG_HDRLEN);
        assertEquals(TEXT, ExtendedAck.message(host, network, 0, length));
    }

    @Test
    void uncappedAckEchoesTheWholeRequest() {
        int length = message(Netlink.NLMSG_ERROR, Netlink.NLM_F_ACK_TLVS, 62);
        assertEquals(TEXT, ExtendedAck.message(host, network, 0, length));
    }

    @Test
    void doneOfAFailedDumpCarriesTlvsRightAfterTheError() {
        int length = message(Netlink.NLMSG_DONE, Netlink.NLM_F_MULTI | Netlink.NLM_F_ACK_TLVS, 0);
        assertEquals(TEXT, ExtendedAck.message(host, network, 0, length));
    }

    @Test
    void withoutTheTlvFlagThereIsNoText() {
        int length = message(Netlink.NLMSG_ERROR, Netlink.NLM_F_CAPPED, Netlink.NLMSG_HDRLEN);
        assertNull(ExtendedAck.message(host, network, 0, length));
    }

    @Test
    void randomAndMutatedMessagesNeverThrow() {
        Random random = new Random(42);
        int texts = 0;
        for (int iteration = 0; iteration < 100_000; iteration++) {
            int length;
            if (iteration % 2 == 0) {
                length = message(Netlink.NLMSG_ERROR, Netlink.NLM_F_ACK_TLVS
                        | (random.nextBoolean() ? Netlink.NLM_F_CAPPED : 0), 16 + random.nextInt(64));
                for (int flips = 1 + random.nextInt(6); flips > 0; flips--) {
                    host.put(random.nextInt(length), (byte) random.nextInt(256));
                }
                length = random.nextInt(4) == 0 ? random.nextInt(length + 1) : length;
            } else {
                length = random.nextInt(300);
                for (int i = 0; i < length; i++) {
                    host.put(i, (byte) random.nextInt(256));
                }
            }
            String text = ExtendedAck.message(host, network, 0, length);
            if (text != null) {
                texts++;
                assertTrue(text.length() <= length, text);
            }
        }
        assertTrue(texts > 10_000, "most mutated messages still carry their text: " + texts);
    }
}

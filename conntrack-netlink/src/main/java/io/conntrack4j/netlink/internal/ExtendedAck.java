package io.conntrack4j.netlink.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Reads the kernel's explanation (NLMSGERR_ATTR_MSG) from the extended-ACK TLVs of an NLMSG_ERROR
 * or NLMSG_DONE message. The TLVs follow the error code and the echoed request: only its header with
 * NLM_F_CAPPED, the whole request otherwise. Never reads outside the message; malformed input gives
 * null.
 */
public final class ExtendedAck {
    private static final int MAX_TEXT = 1024;

    private ExtendedAck() {
    }

    /**
     * The message text, if the kernel sent one.
     *
     * @param host the receive buffer in native order
     * @param network the same memory in big-endian order
     * @param offset where the NLMSG_ERROR or NLMSG_DONE message starts
     * @param length its nlmsg_len (already checked to lie within the buffer)
     * @return the text without its NUL, or null
     */
    public static String message(ByteBuffer host, ByteBuffer network, int offset, int length) {
        int end = offset + length;
        if (length < Netlink.NLMSG_HDRLEN + 4) {
            return null;
        }
        int type = host.getShort(offset + 4) & 0xFFFF;
        int flags = host.getShort(offset + 6) & 0xFFFF;
        if ((flags & Netlink.NLM_F_ACK_TLVS) == 0) {
            return null;
        }
        int afterError = offset + Netlink.NLMSG_HDRLEN + 4;
        int tlvs;
        if (type == Netlink.NLMSG_DONE) {
            tlvs = afterError;
        } else if ((flags & Netlink.NLM_F_CAPPED) != 0) {
            tlvs = afterError + Netlink.NLMSG_HDRLEN;
        } else {
            if (afterError + 4 > end) {
                return null;
            }
            long echoed = host.getInt(afterError) & 0xFFFF_FFFFL;
            tlvs = (int) Math.min(end, afterError + ((echoed + 3) & ~3L));
        }
        if (tlvs >= end) {
            return null;
        }
        AttributeIterator attributes = new AttributeIterator().wrap(host, network, tlvs, end - tlvs);
        while (attributes.next()) {
            if (attributes.type() == Netlink.NLMSGERR_ATTR_MSG) {
                int start = attributes.payloadOffset();
                int limit = Math.min(attributes.payloadLength(), MAX_TEXT);
                int textLength = 0;
                while (textLength < limit && host.get(start + textLength) != 0) {
                    textLength++;
                }
                byte[] text = new byte[textLength];
                for (int i = 0; i < textLength; i++) {
                    text[i] = host.get(start + i);
                }
                return new String(text, StandardCharsets.UTF_8);
            }
        }
        return null;
    }
}

package io.conntrack4j.netlink;

import io.conntrack4j.core.Connection;
import io.conntrack4j.netlink.internal.CtMessageType;
import io.conntrack4j.netlink.internal.MessageWriter;
import io.conntrack4j.netlink.internal.Netlink;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;

/**
 * A conntrack event message as a listener's socket receives it, for running compiled event
 * filters on: a connection written as a NEW message (the attributes of a create) into a
 * native-order buffer, readable by a {@link ConntrackEntry} and copyable as the packet a socket
 * filter sees.
 */
final class EventMessage {
    private final ByteBuffer host = ByteBuffer.allocateDirect(4096).order(ByteOrder.nativeOrder());
    private final ByteBuffer network = host.duplicate().order(ByteOrder.BIG_ENDIAN);
    private final MessageWriter writer = new MessageWriter(host);
    private int length;

    /** Writes {@code c} as a NEW event; returns its length. */
    int write(Connection c) {
        writer.reset();
        writer.begin(CtMessageType.NEW, Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL, 0, c.family().number(), 0);
        ConnectionEncoder.writeCreate(writer, c);
        length = writer.end();
        return length;
    }

    /** Reads the last written event into {@code entry}. */
    boolean readInto(ConntrackEntry entry) {
        return entry.wrap(host, network, 0, length);
    }

    /** A copy of the last written event. */
    byte[] packet() {
        byte[] packet = new byte[length];
        host.get(0, packet);
        return packet;
    }

    /** An expectation event with no attributes: its subsystem is not conntrack's. */
    static byte[] expectationEvent() {
        byte[] expectation = new byte[Netlink.NLMSG_HDRLEN + Netlink.NFGENMSG_LEN];
        ByteBuffer.wrap(expectation).order(ByteOrder.nativeOrder()).putInt(0, expectation.length)
                .putShort(4, (short) (2 << 8));
        return expectation;
    }

    /** {@code packet} with 1 to 6 random bytes overwritten and, one time in four, cut short. */
    static byte[] mutated(Random r, byte[] packet) {
        int length = packet.length;
        for (int flips = 1 + r.nextInt(6); flips > 0; flips--) {
            packet[r.nextInt(length)] = (byte) r.nextInt(256);
        }
        if (r.nextInt(4) == 0) {
            packet = Arrays.copyOf(packet, r.nextInt(length + 1));
        }
        return packet;
    }
}

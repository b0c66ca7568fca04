package io.conntrack4j.netlink.internal;

import io.conntrack4j.netlink.NetlinkException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jnr.ffi.byref.IntByReference;

/**
 * The set-up steps every netfilter netlink socket of this module shares (request sockets and
 * event listeners alike): binding, reading back the port id, socket options. Not API.
 */
public final class SocketSetup {

    private SocketSetup() {
    }

    /**
     * Binds to the given multicast groups (0 for none) and returns the port id the kernel chose.
     *
     * @param fd the socket
     * @param groups legacy group bit mask
     * @param what the socket's purpose, for error messages
     * @return the port id
     * @throws NetlinkException when the kernel refuses
     */
    public static int bind(int fd, int groups, String what) {
        ByteBuffer address = ByteBuffer.allocateDirect(12).order(ByteOrder.nativeOrder());
        address.putShort(0, (short) Netlink.AF_NETLINK);
        address.putInt(8, groups);
        if (NativeLibC.LIBC.bind(fd, address, 12) != 0) {
            throw new NetlinkException("bind " + what, NativeLibC.errno(), null);
        }
        IntByReference length = new IntByReference(12);
        if (NativeLibC.LIBC.getsockname(fd, address, length) != 0) {
            throw new NetlinkException("getsockname " + what, NativeLibC.errno(), null);
        }
        return address.getInt(4);
    }

    /**
     * Sets an int socket option.
     *
     * @param fd the socket
     * @param level option level
     * @param option option name
     * @param value the value
     * @return 0, or -1 with errno set
     */
    public static int setIntOption(int fd, int level, int option, int value) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder());
        buffer.putInt(0, value);
        return NativeLibC.LIBC.setsockopt(fd, level, option, buffer, 4);
    }

    /**
     * Sets the receive buffer, beyond {@code rmem_max} when allowed (SO_RCVBUFFORCE needs
     * CAP_NET_ADMIN, which every ctnetlink user has anyway), else within it.
     *
     * @param fd the socket
     * @param bytes the size asked for (the kernel doubles it)
     * @throws NetlinkException when both options are refused
     */
    public static void receiveBuffer(int fd, int bytes) {
        if (setIntOption(fd, Netlink.SOL_SOCKET, Netlink.SO_RCVBUFFORCE, bytes) != 0
                && setIntOption(fd, Netlink.SOL_SOCKET, Netlink.SO_RCVBUF, bytes) != 0) {
            throw new NetlinkException("set receive buffer to " + bytes, NativeLibC.errno(), null);
        }
    }

    /**
     * The receive buffer as the kernel reports it (twice what was asked for).
     *
     * @param fd the socket
     * @return bytes
     * @throws NetlinkException when the kernel refuses
     */
    public static int receiveBufferBytes(int fd) {
        ByteBuffer value = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder());
        IntByReference length = new IntByReference(4);
        if (NativeLibC.LIBC.getsockopt(fd, Netlink.SOL_SOCKET, Netlink.SO_RCVBUF, value, length) != 0) {
            throw new NetlinkException("read receive buffer size", NativeLibC.errno(), null);
        }
        return value.getInt(0);
    }
}

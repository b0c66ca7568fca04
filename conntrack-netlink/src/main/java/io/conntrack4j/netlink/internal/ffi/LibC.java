package io.conntrack4j.netlink.internal.ffi;

import java.nio.ByteBuffer;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.byref.IntByReference;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * The libc calls the netlink socket needs, bound through jnr-ffi.
 *
 * <p>No method carries {@code @IgnoreError}: every one of them can fail in a way the caller must see,
 * and jnr-ffi saves errno right after the call so that {@code NativeLibC.errno()} reads the value of
 * this call, not of whatever native code the JVM ran afterwards. Buffers are direct: jnr-ffi passes
 * their address plus position without copying, and never moves the position.
 *
 * <p>The interface is public, in an exported package, only because jnr-ffi generates its
 * implementation in the unnamed module of its own class loader: see the package documentation.
 */
public interface LibC {

    /**
     * socket(2).
     *
     * @param domain address family
     * @param type socket type, with SOCK_CLOEXEC / SOCK_NONBLOCK
     * @param protocol protocol number
     * @return the descriptor, or -1
     */
    int socket(int domain, int type, int protocol);

    /**
     * bind(2).
     *
     * @param fd socket
     * @param address the encoded socket address
     * @param length its length
     * @return 0, or -1
     */
    int bind(int fd, @In ByteBuffer address, int length);

    /**
     * getsockname(2).
     *
     * @param fd socket
     * @param address receives the address
     * @param length in: capacity, out: length
     * @return 0, or -1
     */
    int getsockname(int fd, @Out ByteBuffer address, IntByReference length);

    /**
     * send(2).
     *
     * @param fd socket
     * @param buffer the bytes, from its position
     * @param length how many
     * @param flags MSG_* flags
     * @return bytes sent, or -1
     */
    @ssize_t long send(int fd, @In ByteBuffer buffer, @size_t long length, int flags);

    /**
     * recv(2).
     *
     * @param fd socket
     * @param buffer receives the datagram at its position
     * @param length capacity
     * @param flags MSG_* flags (MSG_TRUNC makes it return the real datagram length)
     * @return bytes received (or the real length with MSG_TRUNC), or -1
     */
    @ssize_t long recv(int fd, @Out ByteBuffer buffer, @size_t long length, int flags);

    /**
     * setsockopt(2).
     *
     * @param fd socket
     * @param level option level
     * @param option option name
     * @param value the value bytes
     * @param length their length
     * @return 0, or -1
     */
    int setsockopt(int fd, int level, int option, @In ByteBuffer value, int length);

    /**
     * getsockopt(2).
     *
     * @param fd socket
     * @param level option level
     * @param option option name
     * @param value receives the value
     * @param length in: capacity, out: length
     * @return 0, or -1
     */
    int getsockopt(int fd, int level, int option, @Out ByteBuffer value, IntByReference length);

    /**
     * poll(2).
     *
     * @param fds an array of struct pollfd (8 bytes each)
     * @param count how many
     * @param timeoutMillis how long to wait, -1 for ever
     * @return ready descriptors, 0 on timeout, or -1
     */
    int poll(ByteBuffer fds, long count, int timeoutMillis);

    /**
     * close(2).
     *
     * @param fd descriptor
     * @return 0, or -1
     */
    int close(int fd);

    /**
     * open(2) without a mode (never called with O_CREAT).
     *
     * @param path file
     * @param flags O_* flags
     * @return the descriptor, or -1
     */
    int open(String path, int flags);

    /**
     * setns(2): moves the calling thread into the namespace the descriptor refers to.
     *
     * @param fd a namespace descriptor
     * @param nstype CLONE_NEW* type, or 0
     * @return 0, or -1
     */
    int setns(int fd, int nstype);
}

package io.conntrack4j.netlink.internal;

import io.conntrack4j.netlink.internal.ffi.LibC;
import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;

/** Loads libc once, on first use, and reads the errno jnr-ffi saved for the calling thread. */
public final class NativeLibC {

    /** The bound library, shared by all threads. */
    public static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");

    private static final Runtime RUNTIME = Runtime.getRuntime(LIBC);

    /** errno: interrupted system call. */
    public static final int EINTR = 4;
    /** errno: try again (non-blocking socket has nothing to read or no room to write). */
    public static final int EAGAIN = 11;
    /** errno: the kernel dropped messages because the receive buffer was full. */
    public static final int ENOBUFS = 105;
    /** errno: message too long. */
    public static final int EMSGSIZE = 90;
    /** errno: unknown option. */
    public static final int ENOPROTOOPT = 92;
    /** errno: operation not permitted. */
    public static final int EPERM = 1;

    private NativeLibC() {
    }

    /**
     * The native address of a direct buffer (for structures that point to memory, such as the
     * BPF program of SO_ATTACH_FILTER). The buffer must stay reachable while the address is used.
     *
     * @param direct a direct buffer
     * @return its address
     */
    public static long address(java.nio.ByteBuffer direct) {
        if (!direct.isDirect()) {
            throw new IllegalArgumentException("not a direct buffer");
        }
        return RUNTIME.getMemoryManager().newPointer(direct).address();
    }

    /**
     * The errno of the last call this thread made through {@link #LIBC}.
     *
     * @return errno
     */
    public static int errno() {
        return LastError.getLastError(RUNTIME);
    }
}

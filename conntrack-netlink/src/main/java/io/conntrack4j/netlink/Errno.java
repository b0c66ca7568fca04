package io.conntrack4j.netlink;

/** Linux errno names and texts for the errors netlink conntrack operations return. */
final class Errno {

    private static final String[][] TABLE = new String[134][];

    static {
        define(1, "EPERM", "Operation not permitted");
        define(2, "ENOENT", "No such file or directory");
        define(3, "ESRCH", "No such process");
        define(4, "EINTR", "Interrupted system call");
        define(9, "EBADF", "Bad file descriptor");
        define(11, "EAGAIN", "Resource temporarily unavailable");
        define(12, "ENOMEM", "Cannot allocate memory");
        define(13, "EACCES", "Permission denied");
        define(14, "EFAULT", "Bad address");
        define(16, "EBUSY", "Device or resource busy");
        define(17, "EEXIST", "File exists");
        define(22, "EINVAL", "Invalid argument");
        define(28, "ENOSPC", "No space left on device");
        define(34, "ERANGE", "Numerical result out of range");
        define(71, "EPROTO", "Protocol error");
        define(90, "EMSGSIZE", "Message too long");
        define(92, "ENOPROTOOPT", "Protocol not available");
        define(93, "EPROTONOSUPPORT", "Protocol not supported");
        define(95, "EOPNOTSUPP", "Operation not supported");
        define(97, "EAFNOSUPPORT", "Address family not supported by protocol");
        define(105, "ENOBUFS", "No buffer space available");
        define(110, "ETIMEDOUT", "Connection timed out");
        define(111, "ECONNREFUSED", "Connection refused");
    }

    private Errno() {
    }

    private static void define(int errno, String name, String text) {
        TABLE[errno] = new String[] {name, text};
    }

    static String name(int errno) {
        String[] entry = errno > 0 && errno < TABLE.length ? TABLE[errno] : null;
        return entry == null ? "errno " + errno : entry[0];
    }

    static String description(int errno) {
        String[] entry = errno > 0 && errno < TABLE.length ? TABLE[errno] : null;
        return entry == null ? "unknown error" : entry[1];
    }
}

package io.conntrack4j.examples.cli;

/**
 * conntrack 1.4.7's words for the errors the kernel returns ({@code err2str}): a few errors of
 * some commands have their own text, every other one glibc's strerror text. They follow
 * "Operation failed: " on standard error, with exit code 1.
 */
final class ConntrackErrors {
    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int ENOMEM = 12;
    static final int EEXIST = 17;
    static final int EINVAL = 22;
    static final int ETIME = 62;
    static final int EAFNOSUPPORT = 97;
    /** The kernel's internal ENOTSUPP, which glibc does not know. */
    static final int ENOTSUPP = 524;

    private ConntrackErrors() {
    }

    /**
     * conntrack's text for an error.
     *
     * @param errno the kernel's error number
     * @param command the command that failed
     * @param expect whether it worked on the expectation table
     * @return the text
     */
    static String describe(int errno, ConntrackOptions.Command command, boolean expect) {
        // conntrack's table is keyed by command bits; 0xFFFF covers -L/-I/-U/-D/-G/-F/-E of both
        // tables and -C of the conntrack table, but not -C expect or -S
        boolean invalidHasWords = !(command == ConntrackOptions.Command.STATS
                || expect && command == ConntrackOptions.Command.COUNT);
        if (errno == EPERM) {
            return "sorry, you must be root or get CAP_NET_ADMIN capability to do this";
        }
        if (errno == EINVAL && invalidHasWords) {
            return "invalid parameters";
        }
        if (expect) {
            return command == ConntrackOptions.Command.CREATE && errno == ENOENT ? "master conntrack not found"
                    : strerror(errno);
        }
        return switch (command) {
            case LIST -> errno == ENOTSUPP ? "function not implemented" : strerror(errno);
            case CREATE -> switch (errno) {
                case EEXIST -> "Such conntrack exists, try -U to update";
                case ENOENT -> "such conntrack doesn't exist";
                case ENOMEM -> "not enough memory";
                case ETIME -> "conntrack has expired";
                default -> strerror(errno);
            };
            case GET -> switch (errno) {
                case ENOENT -> "such conntrack doesn't exist";
                case ENOMEM -> "not enough memory";
                case EAFNOSUPPORT -> "protocol not supported";
                default -> strerror(errno);
            };
            case DELETE -> errno == ENOENT ? "such conntrack doesn't exist" : strerror(errno);
            default -> strerror(errno);
        };
    }

    /**
     * glibc's strerror text for the errors netlink requests return.
     *
     * @param errno the error number
     * @return the text, "Unknown error N" for numbers glibc has no text for
     */
    static String strerror(int errno) {
        return switch (errno) {
            case EPERM -> "Operation not permitted";
            case ENOENT -> "No such file or directory";
            case 3 -> "No such process";
            case 4 -> "Interrupted system call";
            case 9 -> "Bad file descriptor";
            case 11 -> "Resource temporarily unavailable";
            case ENOMEM -> "Cannot allocate memory";
            case 13 -> "Permission denied";
            case 14 -> "Bad address";
            case 16 -> "Device or resource busy";
            case EEXIST -> "File exists";
            case 19 -> "No such device";
            case EINVAL -> "Invalid argument";
            case 24 -> "Too many open files";
            case 28 -> "No space left on device";
            case 34 -> "Numerical result out of range";
            case ETIME -> "Timer expired";
            case 71 -> "Protocol error";
            case 90 -> "Message too long";
            case 92 -> "Protocol not available";
            case 93 -> "Protocol not supported";
            case 95 -> "Operation not supported";
            case EAFNOSUPPORT -> "Address family not supported by protocol";
            case 105 -> "No buffer space available";
            case 110 -> "Connection timed out";
            case 111 -> "Connection refused";
            default -> "Unknown error " + errno;
        };
    }
}

package io.conntrack4j.examples.cli;

/**
 * The texts conntrack prints for kernel errors: its own words for a few (err2str), glibc's
 * strerror for the rest.
 */
final class Strerror {
    private static final int EPERM = 1;
    private static final int EINVAL = 22;

    private Strerror() {
    }

    /**
     * What conntrack's {@code -U} says for {@code errno}.
     *
     * @param errno the kernel's error number
     * @return the text after "Operation failed: "
     */
    static String forUpdate(int errno) {
        return switch (errno) {
            case EINVAL -> "invalid parameters";
            case EPERM -> "sorry, you must be root or get CAP_NET_ADMIN capability to do this";
            default -> of(errno);
        };
    }

    /**
     * glibc's strerror for the errors ctnetlink gives.
     *
     * @param errno the error number
     * @return its text
     */
    static String of(int errno) {
        return switch (errno) {
            case EPERM -> "Operation not permitted";
            case 2 -> "No such file or directory";
            case 12 -> "Cannot allocate memory";
            case 16 -> "Device or resource busy";
            case 17 -> "File exists";
            case EINVAL -> "Invalid argument";
            case 28 -> "No space left on device";
            case 62 -> "Timer expired";
            case 93 -> "Protocol not supported";
            case 95 -> "Operation not supported";
            case 97 -> "Address family not supported by protocol";
            default -> "Unknown error " + errno;
        };
    }
}

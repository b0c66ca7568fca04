package io.conntrack4j.core;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;

/**
 * An immutable set of conntrack timeouts, one per {@link Timeout}, in seconds.
 *
 * <p>Start from Linux's defaults or from what the running kernel uses, then override:
 *
 * <pre>{@code
 * TimeoutPolicy kernel = TimeoutPolicy.fromRunningKernel();
 * TimeoutPolicy shortUdp = kernel.with(Timeout.UDP_STREAM, 60);
 * }</pre>
 *
 * <p>Reading a timeout is an array load, so the packet path can hold a policy reference and read
 * it without locks; changing it means publishing a new policy.
 */
public final class TimeoutPolicy {

    /** Where the kernel exposes the timeouts of the caller's network namespace. */
    public static final Path KERNEL_SYSCTL_DIR = Path.of("/proc/sys/net/netfilter");

    private static final Timeout[] ALL = Timeout.values();
    private static final TimeoutPolicy LINUX_DEFAULTS;

    static {
        int[] seconds = new int[ALL.length];
        for (Timeout timeout : ALL) {
            seconds[timeout.ordinal()] = timeout.linuxDefault();
        }
        LINUX_DEFAULTS = new TimeoutPolicy(seconds, EnumSet.noneOf(Timeout.class));
    }

    private final int[] seconds;
    private final Set<Timeout> fromKernel;

    private TimeoutPolicy(int[] seconds, Set<Timeout> fromKernel) {
        this.seconds = seconds;
        this.fromKernel = fromKernel;
    }

    /**
     * The defaults compiled into Linux.
     *
     * @return the default policy
     */
    public static TimeoutPolicy linuxDefaults() {
        return LINUX_DEFAULTS;
    }

    /**
     * The timeouts of the caller's network namespace, read from {@link #KERNEL_SYSCTL_DIR}.
     *
     * @return the kernel's policy; timeouts it does not expose keep Linux's defaults
     * @throws IOException when a sysctl exists but cannot be read or parsed
     */
    public static TimeoutPolicy fromRunningKernel() throws IOException {
        return fromSysctlDirectory(KERNEL_SYSCTL_DIR);
    }

    /**
     * Reads timeouts from a directory laid out like {@code /proc/sys/net/netfilter}. Missing files
     * (a protocol the kernel was built without, such as DCCP) keep Linux's default.
     *
     * @param directory the directory holding {@code nf_conntrack_*timeout*} files
     * @return the policy found there
     * @throws IOException when a file exists but cannot be read, or does not hold a number of
     *     seconds; the message names the file and its content
     */
    public static TimeoutPolicy fromSysctlDirectory(Path directory) throws IOException {
        int[] seconds = LINUX_DEFAULTS.seconds.clone();
        Set<Timeout> found = EnumSet.noneOf(Timeout.class);
        for (Timeout timeout : ALL) {
            if (timeout.sysctl() == null) {
                continue;
            }
            Path file = directory.resolve(timeout.sysctl());
            String text;
            // Not Files.readString: procfs reports size 0 and the JDK then returns only the
            // first byte of a sysctl ("1" for "120"). A plain stream reads until EOF.
            try (InputStream in = Files.newInputStream(file)) {
                text = new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim();
            } catch (NoSuchFileException absent) {
                continue;
            }
            seconds[timeout.ordinal()] = parseSeconds(file, text);
            found.add(timeout);
        }
        return new TimeoutPolicy(seconds, found);
    }

    private static int parseSeconds(Path file, String text) throws IOException {
        try {
            int value = Integer.parseInt(text);
            if (value < 0) {
                throw new NumberFormatException("negative");
            }
            return value;
        } catch (NumberFormatException e) {
            throw new IOException(file + ": expected a number of seconds, found '" + text + "'", e);
        }
    }

    /**
     * The timeout in seconds.
     *
     * @param timeout which one
     * @return seconds
     */
    public int seconds(Timeout timeout) {
        return seconds[timeout.ordinal()];
    }

    /**
     * A copy of this policy with one timeout changed.
     *
     * @param timeout which one
     * @param newSeconds the new value, at least 0
     * @return the new policy
     */
    public TimeoutPolicy with(Timeout timeout, int newSeconds) {
        if (newSeconds < 0) {
            throw new IllegalArgumentException(timeout + ": timeout must not be negative: " + newSeconds);
        }
        int[] copy = seconds.clone();
        copy[timeout.ordinal()] = newSeconds;
        Set<Timeout> origin = EnumSet.noneOf(Timeout.class);
        origin.addAll(fromKernel);
        origin.remove(timeout);
        return new TimeoutPolicy(copy, origin);
    }

    /**
     * Whether the value of {@code timeout} was read from a kernel sysctl rather than defaulted.
     *
     * @param timeout which one
     * @return true when read from the kernel
     */
    public boolean readFromKernel(Timeout timeout) {
        return fromKernel.contains(timeout);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TimeoutPolicy that && Arrays.equals(seconds, that.seconds);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(seconds);
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("TimeoutPolicy{");
        for (Timeout timeout : ALL) {
            if (timeout.ordinal() > 0) {
                text.append(", ");
            }
            text.append(timeout).append('=').append(seconds[timeout.ordinal()]);
        }
        return text.append('}').toString();
    }
}

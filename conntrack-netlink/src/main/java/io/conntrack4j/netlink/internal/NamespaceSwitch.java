package io.conntrack4j.netlink.internal;

import io.conntrack4j.netlink.NetlinkException;
import java.util.function.IntSupplier;

/**
 * Runs a native action inside another network namespace on a dedicated platform thread, so that
 * the caller's thread never changes namespace (setns affects only the calling thread, and a
 * virtual or pooled thread left in the wrong namespace would be a silent disaster).
 */
public final class NamespaceSwitch {
    private static final String OWN_NAMESPACE = "/proc/thread-self/ns/net";

    private NamespaceSwitch() {
    }

    /**
     * Runs {@code action} in the namespace of the file {@code path} (for example
     * {@code /run/netns/NAME}).
     *
     * @param path a network namespace file
     * @param action what to run there; returns a descriptor or other int
     * @return what the action returned
     * @throws NetlinkException when the namespace cannot be entered, or what the action threw
     */
    public static int callIn(String path, IntSupplier action) {
        return onOwnThread(() -> {
            int target = NativeLibC.LIBC.open(path, Netlink.O_RDONLY | Netlink.O_CLOEXEC);
            if (target < 0) {
                throw new NetlinkException("open network namespace " + path, NativeLibC.errno(), null);
            }
            try {
                return switched(target, path, action);
            } finally {
                NativeLibC.LIBC.close(target);
            }
        });
    }

    /**
     * Runs {@code action} in the namespace {@code namespaceFd} refers to; the descriptor stays
     * open.
     *
     * @param namespaceFd an open network namespace descriptor
     * @param action what to run there
     * @return what the action returned
     * @throws NetlinkException when the namespace cannot be entered, or what the action threw
     */
    public static int callIn(int namespaceFd, IntSupplier action) {
        return onOwnThread(() -> switched(namespaceFd, "fd " + namespaceFd, action));
    }

    private static int switched(int target, String what, IntSupplier action) {
        int own = NativeLibC.LIBC.open(OWN_NAMESPACE, Netlink.O_RDONLY | Netlink.O_CLOEXEC);
        if (own < 0) {
            throw new NetlinkException("open " + OWN_NAMESPACE, NativeLibC.errno(), null);
        }
        try {
            if (NativeLibC.LIBC.setns(target, Netlink.CLONE_NEWNET) != 0) {
                throw new NetlinkException("setns into network namespace " + what, NativeLibC.errno(), null);
            }
            try {
                return action.getAsInt();
            } finally {
                // The thread ends right after this, so a failure to switch back cannot leak; still
                // switch back so the descriptor-closing below runs in the original namespace.
                NativeLibC.LIBC.setns(own, Netlink.CLONE_NEWNET);
            }
        } finally {
            NativeLibC.LIBC.close(own);
        }
    }

    private static int onOwnThread(IntSupplier task) {
        int[] result = new int[1];
        RuntimeException[] failure = new RuntimeException[1];
        Error[] error = new Error[1];
        Thread thread = new Thread(() -> {
            try {
                result[0] = task.getAsInt();
            } catch (RuntimeException e) {
                failure[0] = e;
            } catch (Error e) {
                error[0] = e;
            }
        }, "conntrack4j-setns");
        thread.setDaemon(true);
        thread.start();
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                // The thread owns native descriptors until it finishes: wait for it, then re-interrupt.
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (error[0] != null) {
            throw error[0];
        }
        if (failure[0] != null) {
            throw failure[0];
        }
        return result[0];
    }
}

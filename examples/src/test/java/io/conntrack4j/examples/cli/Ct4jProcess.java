package io.conntrack4j.examples.cli;

import io.conntrack4j.testkit.CommandResult;
import io.conntrack4j.testkit.NetNs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs ct4j as its own process inside a namespace, the way bin/ct4j launches it, so tests compare
 * its stdout, stderr and exit code with conntrack(8)'s.
 */
final class Ct4jProcess {

    private static final String JAVA = ProcessHandle.current().info().command().orElseThrow();
    private static final String CLASS_PATH = System.getProperty("java.class.path");

    private Ct4jProcess() {
    }

    /**
     * Runs {@code ct4j ARGS} inside {@code ns}.
     *
     * @param ns where to run
     * @param limit deadline
     * @param args ct4j's command line
     * @return what it printed and returned
     */
    static CommandResult run(NetNs ns, Duration limit, String... args) {
        return ns.exec(limit, null, command(args));
    }

    /**
     * The command line that runs {@code ct4j ARGS}, for starting it in the background.
     *
     * @param args ct4j's command line
     * @return java, its flags, the class path, the main class and {@code args}
     */
    static String[] command(String... args) {
        if (!CLASS_PATH.contains("conntrack-netlink") && !CLASS_PATH.contains("classes")) {
            throw new IllegalStateException(
                    "surefire must pass the real class path, not a manifest-only jar: " + CLASS_PATH);
        }
        List<String> argv = new ArrayList<>(List.of(JAVA));
        argv.addAll(launcherFlags());
        argv.addAll(List.of("-cp", CLASS_PATH, Ct4j.class.getName()));
        argv.addAll(List.of(args));
        return argv.toArray(String[]::new);
    }

    /**
     * The JVM flags bin/ct4j passes: jffi (under jnr-ffi) loads a native library and uses
     * sun.misc.Unsafe, which newer JDKs warn about on stderr -- output conntrack never prints.
     */
    private static List<String> launcherFlags() {
        List<String> flags = new ArrayList<>();
        flags.add("--enable-native-access=ALL-UNNAMED");
        // bin/ct4j binds libc through jnr-ffi's reflective loader (faster start-up)
        flags.add("-Djnr.ffi.asm.enabled=false");
        if (Runtime.version().feature() >= 23) {
            flags.add("--sun-misc-unsafe-memory-access=allow");
        }
        return flags;
    }
}

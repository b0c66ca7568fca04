package io.conntrack4j.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A throwaway network namespace, named so that a later run can recognise and remove it if this
 * JVM is killed before it cleans up. Obtain one from {@link NetworkLab#namespace(String)}, which
 * also deletes it after the test.
 *
 * <pre>{@code
 * NetNs server = lab.namespace("server");
 * String table = server.exec("conntrack", "-L").stdoutOrThrow();
 * }</pre>
 */
public final class NetNs {

    private final String name;
    private final String role;
    private int nextLinkIndex;

    NetNs(String name, String role) {
        this.name = name;
        this.role = role;
    }

    /**
     * The namespace's name as {@code ip netns list} shows it.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * The short role given at creation ({@code client}, {@code router}, ...).
     *
     * @return the role
     */
    public String role() {
        return role;
    }

    /**
     * Runs a command inside this namespace with the default deadline.
     *
     * @param argv program and arguments
     * @return what it printed and returned
     */
    public CommandResult exec(String... argv) {
        return Commands.run(Commands.DEFAULT_TIMEOUT, null, inside(argv));
    }

    /**
     * Runs a command inside this namespace.
     *
     * @param timeout deadline
     * @param stdin text for standard input, or null
     * @param argv program and arguments
     * @return what it printed and returned
     */
    public CommandResult exec(Duration timeout, String stdin, String... argv) {
        return Commands.run(timeout, stdin, inside(argv));
    }

    /**
     * Runs a command inside this namespace and returns its output, failing on a non-zero exit.
     *
     * @param argv program and arguments
     * @return standard output
     */
    public String execOk(String... argv) {
        return exec(argv).stdoutOrThrow();
    }

    /**
     * Runs a shell script inside this namespace with {@code sh -c}.
     *
     * @param script the script
     * @return what it printed and returned
     */
    public CommandResult sh(String script) {
        return exec("sh", "-c", script);
    }

    /**
     * Prefixes a command so that it runs inside this namespace.
     *
     * @param argv program and arguments
     * @return {@code ip netns exec NAME argv...}
     */
    public String[] inside(String... argv) {
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", name));
        command.addAll(List.of(argv));
        return command.toArray(String[]::new);
    }

    /** Installs an nftables rule set that makes the kernel track connections in this namespace. */
    public void enableConntrack() {
        // Conntrack hooks are registered per namespace only once a rule needs them.
        exec(Duration.ofSeconds(30),
                "table inet ct4j_test {\n"
                        + "  chain pre { type filter hook prerouting priority -150; ct state new,established,related,invalid counter accept; }\n"
                        + "  chain out { type filter hook output priority -150; ct state new,established,related,invalid counter accept; }\n"
                        + "}\n",
                "nft", "-f", "-").stdoutOrThrow();
    }

    String nextLinkName() {
        return "ct4j" + (nextLinkIndex++);
    }

    @Override
    public String toString() {
        return name;
    }
}

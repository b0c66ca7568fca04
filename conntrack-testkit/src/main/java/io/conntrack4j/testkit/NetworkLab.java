package io.conntrack4j.testkit;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Builds throwaway networks for one test and tears them down afterwards, even when the test
 * fails. Register it as a field; everything created through it is removed after each test, in
 * reverse order of creation.
 *
 * <p>Names are {@code ct4jt-<pid>-<n>-<role>}. When the first lab of a JVM is created, namespaces
 * left behind by a run whose process no longer exists (a killed Maven fork, say) are deleted.
 *
 * <pre>{@code
 * @KernelTest(requires = "conntrack")
 * class ExampleTest {
 *     @RegisterExtension final NetworkLab lab = new NetworkLab();
 *
 *     @Test void pingAcrossALink() {
 *         NetNs a = lab.namespace("a");
 *         NetNs b = lab.namespace("b");
 *         lab.link(a, "10.9.0.1/24", b, "10.9.0.2/24");
 *         a.execOk("ping", "-c1", "-W2", "10.9.0.2");
 *     }
 * }
 * }</pre>
 */
public final class NetworkLab implements AfterEachCallback, AutoCloseable {

    /** Prefix of every namespace the test kit creates. */
    public static final String PREFIX = "ct4jt-";

    private static final Pattern OWNED = Pattern.compile("^" + PREFIX + "(\\d+)-.*");
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static final long PID = ProcessHandle.current().pid();
    private static volatile boolean leftoversRemoved;

    private final Deque<Runnable> undo = new ArrayDeque<>();

    /** Creates a lab; the first one in this JVM also removes leftovers of killed earlier runs. */
    public NetworkLab() {
        removeLeftovers();
    }

    /**
     * Creates a network namespace with its loopback up.
     *
     * @param role a short word naming its part in the test ({@code client}, {@code router}, ...)
     * @return the namespace
     */
    public NetNs namespace(String role) {
        String name = PREFIX + PID + "-" + SEQUENCE.incrementAndGet() + "-" + role;
        Commands.run("ip", "netns", "add", name).stdoutOrThrow();
        NetNs ns = new NetNs(name, role);
        undo.push(() -> deleteNamespace(name));
        ns.execOk("ip", "link", "set", "lo", "up");
        return ns;
    }

    /**
     * Joins two namespaces with a veth pair, assigns the addresses (CIDR notation, IPv4 or IPv6,
     * null for none) and brings both ends up. IPv6 duplicate address detection is turned off so
     * the addresses are usable at once.
     *
     * @param a one namespace
     * @param addressA address for a's end, e.g. {@code 10.9.0.1/24}
     * @param b the other namespace
     * @param addressB address for b's end
     * @return the interface names, a's first
     */
    public String[] link(NetNs a, String addressA, NetNs b, String addressB) {
        String nameA = a.nextLinkName();
        String nameB = b.nextLinkName();
        // Created directly inside the namespaces: no name ever appears in the root namespace.
        Commands.run("ip", "-n", a.name(), "link", "add", nameA, "type", "veth",
                "peer", "name", nameB, "netns", b.name()).stdoutOrThrow();
        configure(a, nameA, addressA);
        configure(b, nameB, addressB);
        return new String[] {nameA, nameB};
    }

    /**
     * Adds an address to an interface of a namespace.
     *
     * @param ns namespace
     * @param device interface name
     * @param cidr address with prefix length
     */
    public void address(NetNs ns, String device, String cidr) {
        ns.execOk("ip", "addr", "add", cidr, "dev", device, "nodad");
    }

    /**
     * Starts a long-running command inside a namespace; it is stopped after the test.
     *
     * @param ns namespace
     * @param argv program and arguments
     * @return the running process
     */
    public BackgroundProcess start(NetNs ns, String... argv) {
        BackgroundProcess process = new BackgroundProcess(List.of(ns.inside(argv)));
        undo.push(process::close);
        return process;
    }

    /** Removes everything this lab created, newest first. Errors are collected, not hidden. */
    @Override
    public void close() {
        List<Throwable> errors = new ArrayList<>();
        while (!undo.isEmpty()) {
            try {
                undo.pop().run();
            } catch (RuntimeException e) {
                errors.add(e);
            }
        }
        if (!errors.isEmpty()) {
            IllegalStateException failure = new IllegalStateException("test network cleanup failed");
            errors.forEach(failure::addSuppressed);
            throw failure;
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        close();
    }

    /**
     * Names of the namespaces that the test kit created and that still exist.
     *
     * @return namespace names
     */
    public static List<String> existingTestNamespaces() {
        List<String> names = new ArrayList<>();
        CommandResult list = Commands.run("ip", "netns", "list");
        for (String line : list.stdout().split("\n")) {
            String name = line.split(" ")[0].trim();
            if (name.startsWith(PREFIX)) {
                names.add(name);
            }
        }
        return names;
    }

    private static void configure(NetNs ns, String device, String cidr) {
        if (cidr != null && cidr.contains(":")) {
            ns.execOk("sysctl", "-q", "-w", "net.ipv6.conf." + device + ".accept_dad=0");
        }
        if (cidr != null) {
            ns.execOk("ip", "addr", "add", cidr, "dev", device, "nodad");
        }
        ns.execOk("ip", "link", "set", device, "up");
    }

    private static void deleteNamespace(String name) {
        // A namespace with processes still inside cannot really go away; end them first.
        CommandResult pids = Commands.run("ip", "netns", "pids", name);
        for (String pid : pids.stdout().split("\\s+")) {
            if (!pid.isBlank()) {
                ProcessHandle.of(Long.parseLong(pid.trim())).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
        CommandResult result = Commands.run(Duration.ofSeconds(30), null, "ip", "netns", "delete", name);
        if (!result.ok() && existingTestNamespaces().contains(name)) {
            throw new CommandFailedException(result);
        }
    }

    private static synchronized void removeLeftovers() {
        if (leftoversRemoved || !KernelTestCondition.isRoot() || Commands.which("ip") == null) {
            return;
        }
        leftoversRemoved = true;
        removeDeadRunsNamespaces();
        Runtime.getRuntime().addShutdownHook(new Thread(NetworkLab::removeOwnNamespaces,
                "ct4j-testkit-cleanup"));
    }

    /** Deletes namespaces named for a process that no longer exists. */
    static void removeDeadRunsNamespaces() {
        for (String name : existingTestNamespaces()) {
            Matcher owner = OWNED.matcher(name);
            if (owner.matches()) {
                long pid = Long.parseLong(owner.group(1));
                if (pid != PID && ProcessHandle.of(pid).isEmpty()) {
                    deleteNamespace(name);
                }
            }
        }
    }

    private static void removeOwnNamespaces() {
        // Last resort when the JVM exits without the test's own cleanup (System.exit, SIGTERM).
        String own = PREFIX + PID + "-";
        for (String name : existingTestNamespaces()) {
            if (name.startsWith(own)) {
                try {
                    deleteNamespace(name);
                } catch (RuntimeException ignored) {
                    // The JVM is going down; a later run removes what is left.
                }
            }
        }
    }

}

package io.conntrack4j.examples.cli;

import io.conntrack4j.core.Timeout;
import io.conntrack4j.core.TimeoutPolicy;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Arrays;

/**
 * {@code ct4j}: a command line built only on conntrack4j's public API. It grows toward a drop-in
 * for conntrack(8); see {@code bin/ct4j}.
 */
public final class Ct4j {

    private static final String USAGE = String.join("\n",
            "usage: ct4j COMMAND [ARGS]",
            "",
            "commands:",
            "  timeouts [--defaults]   print the conntrack timeouts of this network namespace",
            "                          as sysctl(8) prints them (--defaults: Linux's built-in values)",
            "");

    private Ct4j() {
    }

    /**
     * Entry point.
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /**
     * Runs one command and returns its exit code, so tests can call it in-process.
     *
     * @param args the command line
     * @param out standard output
     * @param err standard error
     * @return the exit code
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            err.print(USAGE);
            return 2;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0]) {
            case "timeouts":
                return timeouts(rest, out, err);
            case "-h":
            case "--help":
                out.print(USAGE);
                return 0;
            default:
                err.println("ct4j: unknown command '" + args[0] + "'");
                err.print(USAGE);
                return 2;
        }
    }

    private static int timeouts(String[] args, PrintStream out, PrintStream err) {
        boolean defaults = args.length == 1 && args[0].equals("--defaults");
        if (args.length > 1 || (args.length == 1 && !defaults)) {
            err.println("ct4j timeouts: unexpected argument '" + args[args.length - 1] + "'");
            return 2;
        }
        TimeoutPolicy policy;
        try {
            policy = defaults ? TimeoutPolicy.linuxDefaults() : TimeoutPolicy.fromRunningKernel();
        } catch (IOException e) {
            err.println("ct4j timeouts: " + e.getMessage());
            return 1;
        }
        for (Timeout timeout : Timeout.values()) {
            if (timeout.sysctl() != null && (defaults || policy.readFromKernel(timeout))) {
                out.println("net.netfilter." + timeout.sysctl() + " = " + policy.seconds(timeout));
            }
        }
        return 0;
    }
}

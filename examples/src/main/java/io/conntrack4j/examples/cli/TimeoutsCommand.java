package io.conntrack4j.examples.cli;

import io.conntrack4j.core.Timeout;
import io.conntrack4j.core.TimeoutPolicy;
import java.io.IOException;
import java.io.PrintStream;

/** {@code ct4j timeouts [--defaults]}: the conntrack timeouts, printed as sysctl(8) prints them. */
final class TimeoutsCommand {

    private TimeoutsCommand() {
    }

    /**
     * Runs the command.
     *
     * @param args the arguments after {@code timeouts}
     * @param out standard output
     * @param err standard error
     * @return the exit code
     */
    static int run(String[] args, PrintStream out, PrintStream err) {
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

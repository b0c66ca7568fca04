package io.conntrack4j.testkit;

import java.util.List;

/**
 * What a finished command printed and returned.
 *
 * @param command the argument vector that was run
 * @param exitCode the process exit code
 * @param stdout everything written to standard output
 * @param stderr everything written to standard error
 */
public record CommandResult(List<String> command, int exitCode, String stdout, String stderr) {

    /** True when the command exited with 0. */
    public boolean ok() {
        return exitCode == 0;
    }

    /**
     * Returns standard output, or throws with the whole result when the command failed.
     *
     * @return standard output
     * @throws CommandFailedException when the exit code is not 0
     */
    public String stdoutOrThrow() {
        if (!ok()) {
            throw new CommandFailedException(this);
        }
        return stdout;
    }

    @Override
    public String toString() {
        return String.join(" ", command) + " -> exit " + exitCode
                + (stdout.isEmpty() ? "" : "\n--- stdout ---\n" + stdout)
                + (stderr.isEmpty() ? "" : "\n--- stderr ---\n" + stderr);
    }
}

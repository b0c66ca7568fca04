package io.conntrack4j.examples.cli;

/**
 * A command line that conntrack(8) would refuse; the message is conntrack's own wording (for
 * example {@code unknown option `--bogus'}), printed after conntrack's prefix, with exit code 2
 * and the "Try" line, or, for the few refusals conntrack files under OTHER_PROBLEM, exit code 1
 * without it.
 */
final class CommandLineException extends Exception {
    private static final long serialVersionUID = 1L;
    private final boolean otherProblem;

    CommandLineException(String message) {
        this(message, false);
    }

    CommandLineException(String message, boolean otherProblem) {
        super(message);
        this.otherProblem = otherProblem;
    }

    /** @return whether conntrack exits 1 without the "Try" line for this refusal */
    boolean otherProblem() {
        return otherProblem;
    }
}

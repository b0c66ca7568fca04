package io.conntrack4j.examples.cli;

/**
 * A command line that conntrack(8) would refuse; the message is conntrack's own wording (for
 * example {@code unknown option `--bogus'}), printed after conntrack's prefix, with exit code 2.
 */
final class CommandLineException extends Exception {
    private static final long serialVersionUID = 1L;

    CommandLineException(String message) {
        super(message);
    }
}

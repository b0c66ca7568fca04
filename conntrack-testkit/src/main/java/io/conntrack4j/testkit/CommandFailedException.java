package io.conntrack4j.testkit;

/** A command run by the test kit exited with a non-zero code or did not finish in time. */
public final class CommandFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient CommandResult result;

    CommandFailedException(CommandResult result) {
        super(result.toString());
        this.result = result;
    }

    CommandFailedException(String message) {
        super(message);
        this.result = null;
    }

    /**
     * The failed command's output, or null when it timed out.
     *
     * @return the result, or null
     */
    public CommandResult result() {
        return result;
    }
}

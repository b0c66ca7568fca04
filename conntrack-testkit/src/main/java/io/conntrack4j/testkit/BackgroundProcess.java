package io.conntrack4j.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A long-running command (a server, a client holding a connection open, {@code conntrack -E}) that
 * the test stops when done. {@link NetworkLab} stops any that are still running after the test.
 */
public final class BackgroundProcess implements AutoCloseable {

    private final List<String> command;
    private final Process process;
    private final OutputDrain stdout;
    private final OutputDrain stderr;

    BackgroundProcess(List<String> command) {
        this.command = command;
        try {
            this.process = new ProcessBuilder(command).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
        this.stdout = new OutputDrain(process.getInputStream());
        this.stderr = new OutputDrain(process.getErrorStream());
    }

    /**
     * The process's standard input, kept open so that, for example, a client stays connected.
     *
     * @return the stream
     */
    public OutputStream stdin() {
        return process.getOutputStream();
    }

    /**
     * Writes text to standard input and flushes it.
     *
     * @param text what to write
     */
    public void write(String text) {
        try {
            stdin().write(text.getBytes(StandardCharsets.UTF_8));
            stdin().flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to " + command, e);
        }
    }

    /**
     * What the process has written to standard output so far, for waiting on a readiness line.
     *
     * @return the output so far
     */
    public String stdoutSoFar() {
        return stdout.text();
    }

    /**
     * Whether the process still runs.
     *
     * @return true while alive
     */
    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Stops the process (SIGTERM, then SIGKILL after a grace period) and returns what it printed.
     *
     * @param grace how long to wait after SIGTERM
     * @return its output and exit code
     */
    public CommandResult stop(Duration grace) {
        try {
            if (process.isAlive()) {
                process.descendants().forEach(ProcessHandle::destroy);
                process.destroy();
                if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly();
                    process.waitFor(10, TimeUnit.SECONDS);
                }
            }
            // A detached grandchild can hold the pipes open for ever; do not wait for it.
            return new CommandResult(command, process.exitValue(), stdout.await(2_000), stderr.await(2_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new CommandFailedException(command + " interrupted while stopping");
        }
    }

    /** Stops the process with a two-second grace period. */
    @Override
    public void close() {
        stop(Duration.ofSeconds(2));
    }
}

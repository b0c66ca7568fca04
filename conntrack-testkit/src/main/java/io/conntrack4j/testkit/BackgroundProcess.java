package io.conntrack4j.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A long-running command (a server, a client holding a connection open, {@code conntrack -E}) that
 * the test stops when done. {@link NetworkLab} stops any that are still running after the test.
 */
public final class BackgroundProcess implements AutoCloseable {

    private final List<String> command;
    private final Process process;
    private final CompletableFuture<String> stdout;
    private final CompletableFuture<String> stderr;

    BackgroundProcess(List<String> command) {
        this.command = command;
        try {
            this.process = new ProcessBuilder(command).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
        this.stdout = Commands.drain(process.getInputStream());
        this.stderr = Commands.drain(process.getErrorStream());
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
            return new CommandResult(command, process.exitValue(),
                    stdout.get(10, TimeUnit.SECONDS), stderr.get(10, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new CommandFailedException(command + " interrupted while stopping");
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new CommandFailedException(command + " output could not be read: " + e);
        }
    }

    /** Stops the process with a two-second grace period. */
    @Override
    public void close() {
        stop(Duration.ofSeconds(2));
    }
}

package io.conntrack4j.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs programs to completion and captures what they print. Every call has a deadline: a test
 * never hangs on a stuck command.
 *
 * <pre>{@code
 * String rules = Commands.run("nft", "list", "ruleset").stdoutOrThrow();
 * }</pre>
 */
public final class Commands {

    /** The deadline used when a caller does not give one. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private Commands() {
    }

    /**
     * Runs a command with {@link #DEFAULT_TIMEOUT}.
     *
     * @param argv program and arguments
     * @return what it printed and returned
     */
    public static CommandResult run(String... argv) {
        return run(DEFAULT_TIMEOUT, null, argv);
    }

    /**
     * Runs a command, feeding {@code stdin} (may be null) and waiting at most {@code timeout}.
     *
     * @param timeout how long to wait before killing it
     * @param stdin text for standard input, or null for none
     * @param argv program and arguments
     * @return what it printed and returned
     * @throws CommandFailedException when it does not finish in time
     */
    public static CommandResult run(Duration timeout, String stdin, String... argv) {
        List<String> command = List.of(argv);
        ProcessBuilder builder = new ProcessBuilder(command);
        if (stdin == null) {
            builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        }
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
        OutputDrain out = new OutputDrain(process.getInputStream());
        OutputDrain err = new OutputDrain(process.getErrorStream());
        try {
            if (stdin != null) {
                try (var in = process.getOutputStream()) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new CommandFailedException(command + " did not finish within " + timeout);
            }
            // The process has exited; its output ends as soon as every child holding the pipe is
            // gone too. A daemonised grandchild may keep it open: then take what is there.
            long grace = Math.min(timeout.toMillis(), 2_000);
            return new CommandResult(command, process.exitValue(), out.await(grace), err.await(grace));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new CommandFailedException(command + " interrupted");
        } catch (IOException e) {
            process.destroyForcibly();
            throw new UncheckedIOException("cannot write to " + command, e);
        }
    }

    /**
     * Finds a program on the {@code PATH} (and in the sbin directories, which a non-login root
     * shell may lack).
     *
     * @param program a program name
     * @return its path, or null when absent
     */
    public static Path which(String program) {
        String path = System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin:/usr/bin:/bin";
        for (String dir : path.split(":")) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, program);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

}

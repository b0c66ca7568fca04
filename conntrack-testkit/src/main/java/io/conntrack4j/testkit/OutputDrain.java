package io.conntrack4j.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Reads one output stream of a process to its end on a daemon thread, keeping what arrived so
 * far readable at any time: a daemon's pipe may stay open after it is stopped (a grandchild that
 * detached still holds it), and a test must not wait for that.
 */
final class OutputDrain {

    // Own daemon threads, not the common pool: a background process's streams block their reader
    // for as long as it runs, and on a 2-core machine the common pool has a single thread.
    private static final Executor READERS = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "ct4j-testkit-output");
        thread.setDaemon(true);
        return thread;
    });

    private final ByteArrayOutputStream collected = new ByteArrayOutputStream();
    private final CountDownLatch ended = new CountDownLatch(1);

    OutputDrain(InputStream stream) {
        READERS.execute(() -> {
            byte[] chunk = new byte[8192];
            try (stream) {
                for (int n; (n = stream.read(chunk)) >= 0; ) {
                    synchronized (collected) {
                        collected.write(chunk, 0, n);
                    }
                }
            } catch (IOException closedUnderneath) {
                // Process.destroy closes the pipe under the reader; what came before still counts.
            } finally {
                ended.countDown();
            }
        });
    }

    /**
     * Waits up to {@code millis} for the stream to end, then returns what was read.
     *
     * @param millis how long to wait for the end of the stream
     * @return the output so far
     * @throws InterruptedException when interrupted while waiting
     */
    String await(long millis) throws InterruptedException {
        ended.await(millis, TimeUnit.MILLISECONDS);
        return text();
    }

    boolean ended() {
        return ended.getCount() == 0;
    }

    String text() {
        synchronized (collected) {
            return collected.toString(StandardCharsets.UTF_8);
        }
    }
}

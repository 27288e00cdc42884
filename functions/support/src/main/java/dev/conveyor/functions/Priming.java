package dev.conveyor.functions;

import dev.conveyor.log.Log;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Warm-ups a function runs in its init, before the first invocation: opening the database connection, a queue
 * call that changes nothing (the AWS SDK's request, signing, HTTP and response code), reading and answering a
 * request that changes nothing. Most of a cold start is
 * the JVM loading classes for the first time; run side by side, these overlap (the database connection's wait,
 * a second core, Lambda's boosted init) instead of following one another in the first invocation.
 *
 * <p>With SnapStart the init runs before the snapshot, so the snapshot holds what they loaded, and
 * {@link Snapshots} primes harder before it and renews connections and credentials after a restore.
 *
 * <p>A warm-up that fails is logged and otherwise ignored: the first invocation meets the same failure and
 * answers for it (a database down is its 503). None waits longer than {@link #LIMIT_MILLIS}.
 */
public final class Priming {
    static final long LIMIT_MILLIS = 3000;
    private static final Log LOG = Log.of(Priming.class);

    private Priming() {
    }

    /** Runs each warm-up on a thread of its own and waits for all of them, at most {@link #LIMIT_MILLIS}. */
    public static void run(Map<String, Runnable> warmUps) {
        CountDownLatch done = new CountDownLatch(warmUps.size());
        warmUps.forEach((name, warmUp) -> {
            Thread thread = new Thread(() -> {
                try {
                    warmUp.run();
                } catch (RuntimeException e) {
                    LOG.info("a warm-up failed; the first invocation will meet the same", "warm_up", name,
                            "error", String.valueOf(e.getMessage()));
                } finally {
                    done.countDown();
                }
            }, "conveyor-priming-" + name);
            thread.setDaemon(true);
            thread.start();
        });
        try {
            if (!done.await(LIMIT_MILLIS, TimeUnit.MILLISECONDS)) {
                LOG.info("warm-ups still running; the first invocation goes ahead", "limit_ms", LIMIT_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package dev.conveyor.job;

import java.time.Duration;
import java.util.Optional;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with full jitter: before attempt n+1 the delay is uniform in
 * {@code [0, min(retry_delay_seconds * 2^(n-1), cap)]}.
 */
public final class ExponentialBackoff implements RetryPolicy {
    /** SQS cannot hide a message for longer than twelve hours, and the backoff rides on its visibility timeout. */
    public static final Duration MAX_CAP = Duration.ofHours(12);
    public static final Duration DEFAULT_CAP = Duration.ofSeconds(900);

    private final double capSeconds;
    private final DoubleSupplier uniform;

    /**
     * @param cap the largest delay; at most {@link #MAX_CAP}
     * @param uniform a source of numbers uniform in [0, 1)
     */
    public ExponentialBackoff(Duration cap, DoubleSupplier uniform) {
        if (cap.isNegative() || cap.compareTo(MAX_CAP) > 0) {
            throw new IllegalArgumentException("backoff cap must be between 0 and " + MAX_CAP + ": " + cap);
        }
        this.capSeconds = cap.toNanos() / 1e9;
        this.uniform = uniform;
    }

    @Override
    public Optional<Duration> nextDelay(Job failed) {
        if (failed.attemptsSpent()) {
            return Optional.empty();
        }
        Duration ceiling = ceilingAfter(failed.attempt(), failed.retryDelaySeconds());
        return Optional.of(Duration.ofNanos((long) (uniform.getAsDouble() * ceiling.toNanos())));
    }

    /** The largest delay this policy chooses after attempt {@code n} (1-based) of a job whose base delay is {@code baseSeconds}. */
    public Duration ceilingAfter(int n, double baseSeconds) {
        double ceiling = Math.min(baseSeconds * Math.pow(2, Math.max(0, n - 1)), capSeconds);
        return Duration.ofNanos((long) (ceiling * 1e9));
    }
}

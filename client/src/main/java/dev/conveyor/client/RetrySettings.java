package dev.conveyor.client;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How a {@link ConveyorClient} retries a call the API turned away for now (429, 503) or that never reached it:
 * at most {@code maxRetries} times after the first, waiting an exponential backoff with jitter from
 * {@code baseDelay}, or the answer's {@code Retry-After} when longer, and never more than {@code maxDelay} at once.
 */
public record RetrySettings(int maxRetries, Duration baseDelay, Duration maxDelay) {
    /** 3 retries, from 200 ms, at most 20 s apart. */
    public static final RetrySettings DEFAULT = new RetrySettings(3, Duration.ofMillis(200), Duration.ofSeconds(20));
    /** Every call tried once. */
    public static final RetrySettings NONE = new RetrySettings(0, Duration.ZERO, Duration.ZERO);

    public RetrySettings {
        Objects.requireNonNull(baseDelay, "baseDelay");
        Objects.requireNonNull(maxDelay, "maxDelay");
        if (maxRetries < 0 || baseDelay.isNegative() || maxDelay.compareTo(baseDelay) < 0) {
            throw new IllegalArgumentException("maxRetries >= 0 and 0 <= baseDelay <= maxDelay: " + maxRetries
                    + ", " + baseDelay + ", " + maxDelay);
        }
    }

    /**
     * The wait before retry number {@code retry} (1 for the first): between half and all of
     * {@code baseDelay * 2^(retry - 1)}, at least {@code retryAfter} when the API named one, at most {@code maxDelay}.
     */
    Duration delay(int retry, Duration retryAfter) {
        long ceiling = baseDelay.toMillis() << Math.min(retry - 1, 20);
        long backoff = ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1);
        long wait = retryAfter == null ? backoff : Math.max(backoff, retryAfter.toMillis());
        return Duration.ofMillis(Math.min(wait, maxDelay.toMillis()));
    }
}

package dev.conveyor.handler;

import java.time.Duration;

/**
 * An attempt failed in a way another attempt may fix, but not before {@code delay}: a server that answered
 * {@code 429} or {@code 503} with {@code Retry-After}, say. The job runs again after the longer of its backoff and
 * this delay (at most {@link #MAX_DELAY}), within its attempt budget like any retryable failure.
 */
public class RetryLaterJobFailure extends Exception {
    /** The longest wait a handler can ask for: as long as the longest backoff a deployment may configure. */
    public static final Duration MAX_DELAY = Duration.ofHours(12);

    private final Duration delay;

    public RetryLaterJobFailure(String message, Duration delay) {
        super(message);
        this.delay = delay.isNegative() ? Duration.ZERO : delay.compareTo(MAX_DELAY) > 0 ? MAX_DELAY : delay;
    }

    /** How long the job must wait at least before its next attempt, between zero and {@link #MAX_DELAY}. */
    public Duration delay() {
        return delay;
    }
}

package dev.conveyor.job;

import java.time.Duration;
import java.util.Optional;

/** Decides when a job whose attempt failed runs again. */
@FunctionalInterface
public interface RetryPolicy {
    /**
     * The delay before the job's next attempt, given the job as it was when its current attempt failed, or empty
     * when its attempts are spent.
     */
    Optional<Duration> nextDelay(Job failed);
}

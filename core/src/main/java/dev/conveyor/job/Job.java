package dev.conveyor.job;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.trace.TraceContext;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A job as stored: what was asked for, where it is, and what came of it.
 *
 * @param attempt the attempts started: 0 until the first begins, {@code maxRetries + 1} at most
 * @param nextAttemptAt when the job is next due: a delayed first attempt, or the retry after a backoff
 * @param leaseExpiresAt while {@link JobState#RUNNING}: when the running attempt is presumed lost
 * @param trace the trace its submission belongs to; null when unknown
 */
public record Job(
        JobId id,
        String type,
        JobState state,
        JsonNode payload,
        JsonNode result,
        int attempt,
        int maxRetries,
        double retryDelaySeconds,
        double timeoutSeconds,
        String lastError,
        Instant createdAt,
        Instant startedAt,
        Instant finishedAt,
        Instant updatedAt,
        Instant nextAttemptAt,
        Instant leaseExpiresAt,
        TraceContext trace) {

    public Job {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
    }

    /** A job that belongs to no known trace. */
    public Job(JobId id, String type, JobState state, JsonNode payload, JsonNode result, int attempt, int maxRetries,
               double retryDelaySeconds, double timeoutSeconds, String lastError, Instant createdAt,
               Instant startedAt, Instant finishedAt, Instant updatedAt, Instant nextAttemptAt,
               Instant leaseExpiresAt) {
        this(id, type, state, payload, result, attempt, maxRetries, retryDelaySeconds, timeoutSeconds, lastError,
                createdAt, startedAt, finishedAt, updatedAt, nextAttemptAt, leaseExpiresAt, null);
    }

    /** The W3C trace id (32 hex digits) of the job's trace, or null. */
    public String traceId() {
        return trace == null ? null : trace.traceId();
    }

    /** The attempts this job may start in all: the first plus its retries. */
    public int attemptBudget() {
        return maxRetries + 1;
    }

    /** True when a failure of the current attempt leaves no attempt to retry with. */
    public boolean attemptsSpent() {
        return attempt >= attemptBudget();
    }

    /** The time the job's last attempt ran, once it finished. */
    public Optional<Duration> duration() {
        if (startedAt == null || finishedAt == null) {
            return Optional.empty();
        }
        return Optional.of(Duration.between(startedAt, finishedAt));
    }

    /** The attempt's time limit. */
    public Duration timeout() {
        return Duration.ofNanos(Math.round(timeoutSeconds * 1e9));
    }
}

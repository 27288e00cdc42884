package dev.conveyor.job;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.trace.TraceContext;
import java.util.Objects;

/**
 * A job as a client asked for it, validated.
 *
 * @param delaySeconds how long after submission the first attempt may start
 * @param idempotency the client's idempotency key, or null
 * @param trace the trace the submission belongs to, or null
 */
public record NewJob(
        String type,
        JsonNode payload,
        int maxRetries,
        double retryDelaySeconds,
        double timeoutSeconds,
        long delaySeconds,
        IdempotencyKey idempotency,
        TraceContext trace) {

    public static final int DEFAULT_MAX_RETRIES = 3;
    public static final int MAX_RETRIES_LIMIT = 10;
    public static final double DEFAULT_RETRY_DELAY_SECONDS = 1;
    public static final double DEFAULT_TIMEOUT_SECONDS = 30;
    /** SQS can delay a message by up to 15 minutes; longer delays wait in the database for the sweeper. */
    public static final long MAX_QUEUE_DELAY_SECONDS = 900;
    public static final long MAX_DELAY_SECONDS = 7 * 24 * 3600;

    public NewJob {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(payload, "payload");
        if (maxRetries < 0 || maxRetries > MAX_RETRIES_LIMIT) {
            throw new IllegalArgumentException("maxRetries out of range: " + maxRetries);
        }
        if (!(retryDelaySeconds >= 0) || !(timeoutSeconds > 0) || delaySeconds < 0 || delaySeconds > MAX_DELAY_SECONDS) {
            throw new IllegalArgumentException("negative delay or non-positive timeout");
        }
    }

    /** A job that belongs to no known trace. */
    public NewJob(String type, JsonNode payload, int maxRetries, double retryDelaySeconds, double timeoutSeconds,
                  long delaySeconds, IdempotencyKey idempotency) {
        this(type, payload, maxRetries, retryDelaySeconds, timeoutSeconds, delaySeconds, idempotency, null);
    }

    /** The same job with an idempotency key. */
    public NewJob withIdempotency(IdempotencyKey key) {
        return new NewJob(type, payload, maxRetries, retryDelaySeconds, timeoutSeconds, delaySeconds, key, trace);
    }

    /** The same job in a trace. */
    public NewJob withTrace(TraceContext context) {
        return new NewJob(type, payload, maxRetries, retryDelaySeconds, timeoutSeconds, delaySeconds, idempotency,
                context);
    }
}

package dev.conveyor.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.job.IdempotencyKey;
import dev.conveyor.job.NewJob;
import dev.conveyor.json.Json;

/** Test data builders for submissions: {@code anEchoJob("hi").withMaxRetries(0).build()}. */
public final class NewJobs {
    private String type;
    private JsonNode payload;
    private int maxRetries = NewJob.DEFAULT_MAX_RETRIES;
    private double retryDelaySeconds = NewJob.DEFAULT_RETRY_DELAY_SECONDS;
    private double timeoutSeconds = NewJob.DEFAULT_TIMEOUT_SECONDS;
    private long delaySeconds;
    private IdempotencyKey idempotency;

    private NewJobs(String type, JsonNode payload) {
        this.type = type;
        this.payload = payload;
    }

    public static NewJobs anEchoJob(String message) {
        return new NewJobs("echo", Json.object().put("message", message));
    }

    public static NewJobs aSleepJob(double seconds) {
        return new NewJobs("sleep", Json.object().put("seconds", seconds));
    }

    /** A {@code fail} job that fails its first {@code times} attempts ({@code -1}: all of them). */
    public static NewJobs aFailingJob(int times) {
        return new NewJobs("fail", Json.object().put("times", times).put("error", "boom"));
    }

    public static NewJobs aJob(String type, JsonNode payload) {
        return new NewJobs(type, payload);
    }

    public NewJobs withMaxRetries(int maxRetries) {
        this.maxRetries = maxRetries;
        return this;
    }

    public NewJobs withRetryDelay(double seconds) {
        this.retryDelaySeconds = seconds;
        return this;
    }

    public NewJobs withTimeout(double seconds) {
        this.timeoutSeconds = seconds;
        return this;
    }

    public NewJobs withDelay(long seconds) {
        this.delaySeconds = seconds;
        return this;
    }

    public NewJobs withIdempotencyKey(String scope, String key, String requestHash) {
        this.idempotency = new IdempotencyKey(scope, key, requestHash);
        return this;
    }

    public NewJob build() {
        return new NewJob(type, payload, maxRetries, retryDelaySeconds, timeoutSeconds, delaySeconds, idempotency);
    }
}

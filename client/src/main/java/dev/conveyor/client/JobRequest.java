package dev.conveyor.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * A job to submit: its type and payload, and the settings the API otherwise defaults (3 retries, a 1 s base retry
 * delay, a 30 s timeout, no delay). Immutable; build one with {@link #builder(String)}.
 *
 * <pre>{@code
 * JobRequest request = JobRequest.builder("echo").payload(Map.of("message", "hello")).maxRetries(5).build();
 * }</pre>
 */
public final class JobRequest {
    private final String type;
    private final ObjectNode payload;
    private final Integer maxRetries;
    private final Duration retryDelay;
    private final Duration timeout;
    private final Duration delay;

    private JobRequest(Builder builder) {
        this.type = Objects.requireNonNull(builder.type, "type");
        this.payload = Objects.requireNonNull(builder.payload, "payload").deepCopy();
        this.maxRetries = builder.maxRetries;
        this.retryDelay = builder.retryDelay;
        this.timeout = builder.timeout;
        this.delay = builder.delay;
    }

    /** A request for a job of {@code type}; its payload is {@code {}} unless set. */
    public static Builder builder(String type) {
        return new Builder(type);
    }

    /** A request for a job of {@code type} with {@code payload}, a JSON object, and the API's defaults. */
    public static JobRequest of(String type, Map<String, ?> payload) {
        return builder(type).payload(payload).build();
    }

    public String type() {
        return type;
    }

    /** A copy of the payload. */
    public ObjectNode payload() {
        return payload.deepCopy();
    }

    /** The submission as the API reads it: {@code {"type", "payload", "max_retries"?, ...}}. */
    ObjectNode toJson() {
        ObjectNode json = Json.MAPPER.createObjectNode();
        json.put("type", type);
        json.set("payload", payload.deepCopy());
        if (maxRetries != null) {
            json.put("max_retries", maxRetries);
        }
        if (retryDelay != null) {
            json.put("retry_delay_seconds", seconds(retryDelay));
        }
        if (timeout != null) {
            json.put("timeout_seconds", seconds(timeout));
        }
        if (delay != null) {
            json.put("delay_seconds", delay.toSeconds());
        }
        return json;
    }

    /** Seconds with the fraction the duration has and no more: 1.5, not 1.500000000. */
    private static BigDecimal seconds(Duration duration) {
        return BigDecimal.valueOf(duration.getSeconds()).add(BigDecimal.valueOf(duration.getNano(), 9))
                .stripTrailingZeros();
    }

    @Override
    public String toString() {
        return Json.write(toJson());
    }

    /** Builds a {@link JobRequest}; unset settings are left to the API's defaults. */
    public static final class Builder {
        private final String type;
        private ObjectNode payload = Json.MAPPER.createObjectNode();
        private Integer maxRetries;
        private Duration retryDelay;
        private Duration timeout;
        private Duration delay;

        private Builder(String type) {
            this.type = Objects.requireNonNull(type, "type");
        }

        /** The payload, a JSON object the job's type validates. */
        public Builder payload(JsonNode payload) {
            if (payload == null || !payload.isObject()) {
                throw new IllegalArgumentException("the payload must be a JSON object, not " + payload);
            }
            this.payload = ((ObjectNode) payload).deepCopy();
            return this;
        }

        /** The payload from a map, as Jackson converts it to a JSON object. */
        public Builder payload(Map<String, ?> payload) {
            return payload((JsonNode) Json.MAPPER.valueToTree(Objects.requireNonNull(payload, "payload")));
        }

        /** The payload from JSON text, a JSON object. */
        public Builder payloadJson(String json) {
            return payload(Json.object(json, "the payload"));
        }

        /** Retries after the first attempt: 0 to 10 (the API's default 3). */
        public Builder maxRetries(int maxRetries) {
            this.maxRetries = maxRetries;
            return this;
        }

        /** The base of the backoff between attempts (the API's default 1 s); fractions of a second are kept. */
        public Builder retryDelay(Duration retryDelay) {
            this.retryDelay = Objects.requireNonNull(retryDelay, "retryDelay");
            return this;
        }

        /** How long one attempt may run (the API's default 30 s). */
        public Builder timeout(Duration timeout) {
            this.timeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** How long to wait before the first attempt: whole seconds, up to 7 days (the API's default none). */
        public Builder delay(Duration delay) {
            if (delay.getNano() != 0) {
                throw new IllegalArgumentException("the delay is whole seconds, not " + delay);
            }
            this.delay = delay;
            return this;
        }

        public JobRequest build() {
            return new JobRequest(this);
        }
    }
}

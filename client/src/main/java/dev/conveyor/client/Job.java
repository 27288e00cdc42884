package dev.conveyor.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * A job as the API answers it. Nullable components are null where the API sends null: {@code result} until
 * SUCCESS, {@code startedAt} before the first attempt, and so on.
 *
 * @param state {@link JobState#UNKNOWN} for a state newer than this client; {@link #json} has its name
 * @param result what the handler returned, any JSON; null until SUCCESS
 * @param attempt attempts started, at most {@code maxRetries + 1}
 * @param nextAttemptAt when a waiting job (PENDING, RETRYING) may next run
 * @param durationSeconds how long the last attempt ran
 * @param traceId the W3C trace id of the submission's trace
 * @param json the job exactly as the API sent it, fields this client does not know included
 */
public record Job(String id, String type, JobState state, JsonNode payload, JsonNode result, int attempt,
                  int maxRetries, double retryDelaySeconds, double timeoutSeconds, String lastError,
                  Instant createdAt, Instant startedAt, Instant finishedAt, Instant updatedAt, Instant nextAttemptAt,
                  Double durationSeconds, String traceId, JsonNode json) {

    /** The state's name as the API sent it (for a state this client does not know, the new name). */
    public String stateName() {
        return json.path("state").asText(state.name());
    }

    static Job from(JsonNode json) {
        return new Job(Json.text(json, "id"), Json.text(json, "type"), JobState.of(Json.text(json, "state")),
                json.get("payload"), Json.orNull(json.get("result")), json.path("attempt").asInt(),
                json.path("max_retries").asInt(), json.path("retry_delay_seconds").asDouble(),
                json.path("timeout_seconds").asDouble(), Json.text(json, "last_error"), Json.instant(json, "created_at"),
                Json.instant(json, "started_at"), Json.instant(json, "finished_at"), Json.instant(json, "updated_at"),
                Json.instant(json, "next_attempt_at"), Json.number(json, "duration_seconds"), Json.text(json, "trace_id"),
                json);
    }
}

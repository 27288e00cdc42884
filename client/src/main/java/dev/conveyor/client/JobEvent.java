package dev.conveyor.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * One entry of a job's history.
 *
 * @param event {@code created}, {@code started}, {@code succeeded}, {@code failed}, {@code retry_scheduled},
 *              {@code dead_lettered}, {@code cancelled}, {@code requeued}, or one added since
 * @param error the attempt's error, for failures; else null
 * @param nextAttemptAt for {@code retry_scheduled}, when the next attempt may run; else null
 * @param detail what the event's cause adds, such as {@code {"bulk": true}}; else null
 */
public record JobEvent(String event, int attempt, Instant at, String error, Instant nextAttemptAt, JsonNode detail) {
    static JobEvent from(JsonNode json) {
        return new JobEvent(Json.text(json, "event"), json.path("attempt").asInt(), Json.instant(json, "at"),
                Json.text(json, "error"), Json.instant(json, "next_attempt_at"), Json.orNull(json.get("detail")));
    }
}

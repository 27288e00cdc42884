package dev.conveyor.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobEvent;
import dev.conveyor.json.Json;
import java.time.Instant;

/** How jobs and their events look in the API: snake_case, ISO-8601 UTC timestamps, every field present. */
public final class JobJson {
    private JobJson() {
    }

    public static ObjectNode job(Job job) {
        ObjectNode node = Json.object()
                .put("id", job.id().toString())
                .put("type", job.type())
                .put("state", job.state().name());
        node.set("payload", job.payload());
        node.set("result", job.result());
        node.put("attempt", job.attempt())
                .put("max_retries", job.maxRetries())
                .put("retry_delay_seconds", job.retryDelaySeconds())
                .put("timeout_seconds", job.timeoutSeconds())
                .put("last_error", job.lastError())
                .put("created_at", time(job.createdAt()))
                .put("started_at", time(job.startedAt()))
                .put("finished_at", time(job.finishedAt()))
                .put("updated_at", time(job.updatedAt()))
                .put("next_attempt_at", time(job.nextAttemptAt()))
                .put("trace_id", job.traceId());
        job.duration().ifPresentOrElse(
                d -> node.put("duration_seconds", d.toNanos() / 1e9),
                () -> node.putNull("duration_seconds"));
        return node;
    }

    public static ObjectNode event(JobEvent event) {
        ObjectNode node = Json.object()
                .put("event", event.event())
                .put("attempt", event.attempt())
                .put("at", time(event.at()))
                .put("error", event.error());
        if (event.nextAttemptAt() != null) {
            node.put("next_attempt_at", time(event.nextAttemptAt()));
        }
        if (event.detail() != null) {
            node.set("detail", event.detail());
        }
        return node;
    }

    static String time(Instant instant) {
        return instant == null ? null : instant.toString();
    }
}

package dev.conveyor.job;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * One line of a job's history, appended by the database on every transition.
 *
 * @param event created, started, succeeded, failed, retry_scheduled, dead_lettered, cancelled or requeued
 * @param error for failed and dead_lettered: what went wrong
 * @param nextAttemptAt for created, retry_scheduled and requeued: when the job is due
 * @param detail what the event's cause adds, such as {@code {"bulk": true}} for POST /jobs/bulk; null when nothing
 */
public record JobEvent(String event, int attempt, Instant at, String error, Instant nextAttemptAt, JsonNode detail) {
}

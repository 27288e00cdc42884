package dev.conveyor.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobEvent;
import dev.conveyor.job.JobState;
import java.util.List;

/**
 * A job that ran to a terminal state, with its history.
 *
 * @param job the job as stored at the end
 * @param events its history, oldest first, as {@code GET /jobs/{id}/events} lists it
 */
public record JobRun(Job job, List<JobEvent> events) {

    public JobState state() {
        return job.state();
    }

    /** How many attempts started. */
    public int attempts() {
        return job.attempt();
    }

    /** What the last attempt returned; null unless the job succeeded. */
    public JsonNode result() {
        return job.result();
    }

    /** The last failure's message (an exception's, or the processor's for a timeout); null when none. */
    public String lastError() {
        return job.lastError();
    }

    /** The events' names in order, such as {@code [created, started, failed, retry_scheduled, ...]}. */
    public List<String> eventNames() {
        return events.stream().map(JobEvent::event).toList();
    }
}

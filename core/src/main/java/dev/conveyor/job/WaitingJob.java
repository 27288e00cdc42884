package dev.conveyor.job;

import dev.conveyor.trace.TraceContext;
import java.time.Instant;

/** A waiting job, as much of it as sending its message takes. */
public record WaitingJob(JobId id, Instant due, TraceContext trace) {
    public static WaitingJob of(Job job) {
        return new WaitingJob(job.id(), job.nextAttemptAt(), job.trace());
    }
}

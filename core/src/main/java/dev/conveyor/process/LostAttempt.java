package dev.conveyor.process;

import dev.conveyor.job.Job;
import dev.conveyor.job.RetryPolicy;
import dev.conveyor.store.JobStore;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A running attempt that outlived its lease: it crashed or hung, and never reported back. Settling it records the
 * attempt as failed and the job as retrying after the policy's delay, or failed when its budget is spent. The
 * consumer settles one when a redelivery finds it, the sweeper when no message is left to.
 *
 * @param recorded false when someone else settled it first
 * @param retryIn when the job runs again; empty when it failed (or was not recorded here)
 */
public record LostAttempt(boolean recorded, Optional<Duration> retryIn) {

    /** The error recorded for an attempt that never reported back. */
    public static String error(int attempt) {
        return "attempt " + attempt + " did not finish: timed out or crashed";
    }

    public static LostAttempt settle(JobStore store, RetryPolicy retryPolicy, Job job, Instant now) {
        Optional<Duration> delay = retryPolicy.nextDelay(job);
        Instant retryAt = delay.map(now::plus).orElse(null);
        boolean recorded = store.expire(job.id(), job.attempt(), error(job.attempt()), retryAt, now);
        return new LostAttempt(recorded, recorded ? delay : Optional.empty());
    }
}

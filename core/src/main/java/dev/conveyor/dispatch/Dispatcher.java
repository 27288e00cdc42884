package dev.conveyor.dispatch;

import dev.conveyor.job.Job;
import dev.conveyor.job.JobId;
import dev.conveyor.job.NewJob;
import dev.conveyor.log.Log;
import dev.conveyor.queue.JobQueue;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Sends the queue message that makes a waiting job run. A job due later than the queue can delay a message
 * (15 minutes) gets none now: the sweeper sends it when it is due.
 */
public final class Dispatcher {
    private static final Log LOG = Log.of(Dispatcher.class);
    private static final Duration QUEUE_DELAY_LIMIT = Duration.ofSeconds(NewJob.MAX_QUEUE_DELAY_SECONDS);

    private final JobQueue queue;
    private final Clock clock;

    public Dispatcher(JobQueue queue, Clock clock) {
        this.queue = queue;
        this.clock = clock;
    }

    /**
     * Sends a message for each of the jobs due within the queue's delay horizon, delayed until the job is due.
     *
     * @return the jobs whose message could not be sent
     */
    public Set<JobId> send(List<Job> jobs) {
        Instant now = clock.instant();
        List<JobQueue.Dispatch> dispatches = new ArrayList<>(jobs.size());
        for (Job job : jobs) {
            Instant due = job.nextAttemptAt() == null ? now : job.nextAttemptAt();
            Duration delay = Duration.between(now, due);
            if (delay.compareTo(QUEUE_DELAY_LIMIT) <= 0) {
                dispatches.add(new JobQueue.Dispatch(job.id(), delay.isNegative() ? Duration.ZERO : delay));
            }
        }
        if (dispatches.isEmpty()) {
            return Set.of();
        }
        Set<JobId> failed = queue.send(dispatches);
        if (!failed.isEmpty()) {
            LOG.warn("could not send job messages; the sweeper will send them", "count", failed.size());
        }
        return failed;
    }
}

package dev.conveyor.dispatch;

import dev.conveyor.fault.FailPoints;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobId;
import dev.conveyor.job.NewJob;
import dev.conveyor.job.WaitingJob;
import dev.conveyor.log.Log;
import dev.conveyor.queue.JobQueue;
import dev.conveyor.queue.QueueException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

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
        return sendWaiting(jobs.stream().map(WaitingJob::of).toList());
    }

    /** {@link #send}, for jobs known by what their messages need. */
    public Set<JobId> sendWaiting(List<WaitingJob> jobs) {
        Instant now = clock.instant();
        List<JobQueue.Dispatch> dispatches = new ArrayList<>(jobs.size());
        for (WaitingJob job : jobs) {
            Instant due = job.due() == null ? now : job.due();
            Duration delay = Duration.between(now, due);
            if (delay.compareTo(QUEUE_DELAY_LIMIT) <= 0) {
                dispatches.add(new JobQueue.Dispatch(job.id(), delay.isNegative() ? Duration.ZERO : delay, job.trace()));
            }
        }
        if (dispatches.isEmpty()) {
            return Set.of();
        }
        Set<JobId> failed;
        try {
            FailPoints.hit("dispatch.send", dispatches);
            failed = queue.send(dispatches);
        } catch (QueueException e) {
            LOG.warn("the queue did not answer; the sweeper will send the messages", e, "count", dispatches.size());
            return dispatches.stream().map(JobQueue.Dispatch::id).collect(Collectors.toSet());
        }
        if (!failed.isEmpty()) {
            LOG.warn("could not send job messages; the sweeper will send them", "count", failed.size());
        }
        return failed;
    }
}

package dev.conveyor.sweep;

import dev.conveyor.dispatch.Dispatcher;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobId;
import dev.conveyor.job.NewJob;
import dev.conveyor.job.RetryPolicy;
import dev.conveyor.log.Log;
import dev.conveyor.process.LostAttempt;
import dev.conveyor.store.JobStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What makes "a 202 means the job will run" true when a message goes missing. On a schedule it sends the messages
 * of waiting jobs that never got one (the send failed, the function died after the insert, the job was due too far
 * ahead for the queue's delay) or whose message has not been taken long after it was due (lost with a queue
 * server); and it settles running jobs whose lease ran out with no delivery left to notice (the consumer died and
 * its message is gone): the lost attempt is recorded, and the job retried or failed within its budget.
 * Duplicated messages are harmless: the consumer settles a message whose job has moved on.
 */
public final class Sweeper {
    private static final Log LOG = Log.of(Sweeper.class);
    private static final Duration QUEUE_DELAY_LIMIT = Duration.ofSeconds(NewJob.MAX_QUEUE_DELAY_SECONDS);

    private final JobStore store;
    private final Dispatcher dispatcher;
    private final RetryPolicy retryPolicy;
    private final Clock clock;
    private final Duration stallAfter;
    private final int batchSize;

    /** What one sweep did. */
    public record Sweep(int sent, int unsent, int leasesSettled) {
    }

    /**
     * @param stallAfter how long after it was due (or sent) a waiting job may go untaken before its message is
     *                   presumed lost and sent again; longer than a healthy queue's backlog
     */
    public Sweeper(JobStore store, Dispatcher dispatcher, RetryPolicy retryPolicy, Clock clock, Duration stallAfter,
                   int batchSize) {
        this.store = store;
        this.dispatcher = dispatcher;
        this.retryPolicy = retryPolicy;
        this.clock = clock;
        this.stallAfter = stallAfter;
        this.batchSize = batchSize;
    }

    public Sweep sweep() {
        int settled = settleExpiredLeases();
        int sent = 0;
        int unsent = 0;
        Instant now = clock.instant();
        // In parts as large as the store answers at once: each part sent leaves what is owed, so the next differs.
        while (sent + unsent < batchSize) {
            int want = Math.min(batchSize - sent - unsent, store.maxJobsPerQuery());
            List<Job> owed = store.owedDispatch(now.plus(QUEUE_DELAY_LIMIT), now.minus(stallAfter), want);
            if (owed.isEmpty()) {
                break;
            }
            Set<JobId> failed = dispatcher.send(owed);
            List<JobId> done = new ArrayList<>();
            owed.forEach(job -> {
                if (!failed.contains(job.id())) {
                    done.add(job.id());
                }
            });
            store.markDispatched(done, now);
            sent += done.size();
            unsent += failed.size();
            if (owed.size() < want || !failed.isEmpty()) {
                break; // all of it, or the queue is failing: the next sweep takes the rest
            }
        }
        Sweep sweep = new Sweep(sent, unsent, settled);
        if (sent + unsent + settled > 0) {
            LOG.info("swept", "sent", sent, "unsent", unsent, "leases_settled", settled);
        }
        return sweep;
    }

    /** Running jobs whose lease ran out: record the lost attempt, then send the retry's message. */
    private int settleExpiredLeases() {
        Instant now = clock.instant();
        int settled = 0;
        int seen = 0;
        while (seen < batchSize) {
            int want = Math.min(batchSize - seen, store.maxJobsPerQuery());
            List<Job> expired = store.expiredLeases(now, want);
            seen += expired.size();
            Set<JobId> part = new HashSet<>();
            for (Job job : expired) {
                if (LostAttempt.settle(store, retryPolicy, job, now).recorded()) {
                    part.add(job.id());
                }
            }
            if (!part.isEmpty()) {
                List<Job> retrying = new ArrayList<>(store.findAll(part).values());
                // A retry beyond the queue's delay stays owed a message: a later sweep sends it when in reach.
                Instant horizon = now.plus(QUEUE_DELAY_LIMIT);
                retrying.removeIf(job -> job.state().isTerminal()
                        || (job.nextAttemptAt() != null && job.nextAttemptAt().isAfter(horizon)));
                Set<JobId> failed = dispatcher.send(retrying);
                store.markDispatched(retrying.stream().map(Job::id).filter(id -> !failed.contains(id)).toList(), now);
                settled += part.size();
            }
            if (expired.size() < want || part.isEmpty()) {
                break; // all of them, or others settled these first: the next sweep looks again
            }
        }
        return settled;
    }
}

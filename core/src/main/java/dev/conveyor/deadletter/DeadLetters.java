package dev.conveyor.deadletter;

import dev.conveyor.job.Job;
import dev.conveyor.job.JobId;
import dev.conveyor.log.Log;
import dev.conveyor.queue.JobMessage;
import dev.conveyor.queue.JobQueue;
import dev.conveyor.queue.QueueException;
import dev.conveyor.queue.ReceivedMessage;
import dev.conveyor.store.JobStore;
import dev.conveyor.store.StoreException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The dead-letter queue's consumer: a message the redrive policy moved there makes its job {@code DEAD_LETTERED},
 * with the reason and the job's last error. A message that names no job, or cannot be read at all, is kept in
 * the queue for a person to look at (hidden for a long while so that it is not read in a loop) and counted; so is
 * one whose job cannot be written now (the database is down), to be tried again.
 */
public final class DeadLetters {
    private static final Log LOG = Log.of(DeadLetters.class);
    /** How long a kept message stays hidden: SQS's longest visibility timeout. */
    public static final Duration KEEP_HIDDEN = Duration.ofHours(12);
    private static final Duration RETRY_AFTER = Duration.ofSeconds(30);

    private final JobStore store;
    private final JobQueue deadLetterQueue;
    private final Clock clock;
    private final int maxReceiveCount;
    private final AtomicLong kept = new AtomicLong();

    public DeadLetters(JobStore store, JobQueue deadLetterQueue, Clock clock, int maxReceiveCount) {
        this.store = store;
        this.deadLetterQueue = deadLetterQueue;
        this.clock = clock;
        this.maxReceiveCount = maxReceiveCount;
    }

    /** Messages kept since this consumer started: unreadable, or naming a job that does not exist. */
    public long kept() {
        return kept.get();
    }

    /** @return the ids of the messages to keep in the dead-letter queue */
    public Set<String> process(List<ReceivedMessage> messages) {
        Set<String> keep = new HashSet<>();
        List<JobQueue.Hide> hides = new ArrayList<>();
        for (ReceivedMessage message : messages) {
            Optional<JobId> id = JobMessage.decode(message.body());
            try {
                Optional<Job> job = id.isEmpty() ? Optional.empty() : store.find(id.get());
                if (job.isEmpty()) {
                    kept.incrementAndGet();
                    LOG.warn(id.isEmpty() ? "unreadable dead letter kept" : "dead letter for an unknown job kept",
                            "message_id", message.messageId(), "job_id", id.map(JobId::toString).orElse(null),
                            "kept", kept.get());
                    keep.add(message.messageId());
                    hides.add(new JobQueue.Hide(message.receiptHandle(), KEEP_HIDDEN));
                } else if (store.deadLetter(job.get().id(), "the queue gave up on its message after "
                        + maxReceiveCount + " receives", clock.instant())) {
                    LOG.info("job dead-lettered", "job_id", job.get().id(), "trace_id", job.get().traceId(),
                            "state_was", job.get().state());
                } else {
                    // Finished, cancelled, or running under a live lease: the job settles without this message.
                    LOG.debug("dead letter for a job that moved on", "job_id", job.get().id());
                }
            } catch (StoreException e) {
                LOG.warn("could not record a dead letter; keeping it to try again", e,
                        "message_id", message.messageId());
                keep.add(message.messageId());
                hides.add(new JobQueue.Hide(message.receiptHandle(), RETRY_AFTER));
            }
        }
        if (!hides.isEmpty()) {
            try {
                deadLetterQueue.hide(hides);
            } catch (QueueException e) {
                LOG.warn("could not hide kept dead letters", e, "count", hides.size());
            }
        }
        return keep;
    }
}

package dev.conveyor.queue;

import dev.conveyor.job.JobId;
import dev.conveyor.trace.TraceContext;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/** The queue that carries job ids to the process-job function. Every call is batched. */
public interface JobQueue extends AutoCloseable {

    /**
     * A message to send: the job, how long the queue should hide it first (at most 15 minutes), and the trace
     * its submission belongs to (null when unknown), which the message carries to the job's processing.
     */
    record Dispatch(JobId id, Duration delay, TraceContext trace) {
        public Dispatch(JobId id, Duration delay) {
            this(id, delay, null);
        }
    }

    /** A received message to hide for a while: a retry's backoff, or the rest of a live lease. */
    record Hide(String receiptHandle, Duration delay) {
    }

    /**
     * Sends one message per dispatch.
     *
     * @return the jobs whose message could not be sent
     */
    Set<JobId> send(List<Dispatch> dispatches);

    /**
     * Changes the visibility timeout of received messages; rounds up to whole seconds so that a message never
     * comes back before its time.
     *
     * @return the receipt handles whose change failed
     */
    Set<String> hide(List<Hide> hides);

    /** The queue's approximate depth, in flight and delayed counts, and the dead-letter queue's depth. */
    QueueDepth depth();

    /** Answers when the queue does; throws {@link QueueException} when it does not. */
    void ping();

    /** Loads what a first call needs without making one (a function's init: see {@code Priming}). */
    default void prime() {
    }

    @Override
    void close();

    /** Approximate counts, as SQS gives them. */
    record QueueDepth(long visible, long inFlight, long delayed, long deadLettered) {
    }
}

package dev.conveyor.store;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobEvent;
import dev.conveyor.job.JobFilter;
import dev.conveyor.job.JobId;
import dev.conveyor.job.JobQuery;
import dev.conveyor.job.JobState;
import dev.conveyor.job.NewJob;
import dev.conveyor.job.Submission;
import dev.conveyor.job.WaitingJob;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Where jobs live: the source of truth for every job. Each transition is one conditional update; one that lost a
 * race (the job was no longer where the caller believed) returns {@code false} or leaves the job out, it does not
 * throw. Infrastructure faults are {@link StoreException}s.
 */
public interface JobStore extends AutoCloseable {

    /**
     * Stores new {@code PENDING} jobs in one statement. A job whose idempotency key was used before in its scope is
     * not stored again: the earlier job is returned with {@code created == false}.
     *
     * A job due within the queue's delay horizon is stored as dispatched at {@code now}: the caller sends its
     * message next, and the sweeper sends it again if it did not.
     *
     * @throws IdempotencyConflictException when a key was used before with a different request
     */
    List<Submission> insert(List<NewJob> jobs, Instant now);

    Optional<Job> find(JobId id);

    /** The jobs among {@code ids} that exist. */
    Map<JobId, Job> findAll(Collection<JobId> ids);

    /**
     * Starts an attempt of every job among {@code ids} that is waiting and due: {@code RUNNING}, attempt counted up,
     * leased until the attempt's deadline plus {@code leaseGrace}.
     *
     * @return the jobs this call claimed; the others were not waiting, not due, or claimed by someone else
     */
    List<Job> claim(Collection<JobId> ids, Instant now, Duration leaseGrace);

    /**
     * Records the outcomes of running attempts in one statement: each job must still be {@code RUNNING} the
     * attempt named.
     *
     * A retry due within the queue's delay horizon is stored as dispatched at {@code now}: the caller's message
     * carries it (hidden until due). One due later is stored as owed a message, as {@link #insert} stores a long
     * delay: the caller lets its message go, and the sweeper sends a new one when the job comes within reach.
     *
     * @return the jobs whose outcome was recorded; the others had moved on (their lease was settled by another)
     */
    Set<JobId> finish(List<Finish> outcomes, Instant now);

    /**
     * Records a lost attempt, one whose lease ran out by {@code now}: {@code RETRYING} until {@code retryAt}, or
     * {@code FAILED} when {@code retryAt} is null. The retry is dispatched or owed a message as in {@link #finish}.
     */
    boolean expire(JobId id, int attempt, String error, Instant retryAt, Instant now);

    /**
     * Marks a job whose message the queue gave up on: from {@code PENDING}, {@code RETRYING}, or {@code RUNNING}
     * with an expired lease.
     */
    boolean deadLetter(JobId id, String reason, Instant now);

    /** {@code PENDING} or {@code RETRYING} to {@code CANCELLED}. */
    boolean cancel(JobId id, Instant now);

    /** {@code FAILED}, {@code DEAD_LETTERED} or {@code CANCELLED} back to {@code PENDING} with a fresh attempt budget. */
    boolean requeue(JobId id, Instant now);

    /** Jobs newest first. */
    List<Job> list(JobQuery query);

    /** How many jobs the filter takes now. */
    long count(JobFilter filter);

    /**
     * {@link #requeue}s up to {@code limit} of the jobs the filter takes, in one statement, each through the same
     * conditional transition (jobs that are not {@code FAILED}, {@code DEAD_LETTERED} or {@code CANCELLED} are
     * left alone whatever the filter says); their events carry {@code {"bulk": true}}.
     *
     * @return the requeued jobs, for their messages
     */
    List<WaitingJob> requeueMatching(JobFilter filter, int limit, Instant now);

    /**
     * {@link #cancel}s up to {@code limit} of the jobs the filter takes, in one statement; only {@code PENDING} and
     * {@code RETRYING} ones, whatever the filter says. Their events carry {@code {"bulk": true}}.
     *
     * @return how many jobs were cancelled
     */
    int cancelMatching(JobFilter filter, int limit, Instant now);

    /**
     * The largest payload, and the largest result, this store keeps for one job, as serialized JSON in bytes.
     * Unbounded but for the API's body limit, except where the store's protocol bounds a row (the RDS Data API).
     */
    default int maxJsonBytes() {
        return Integer.MAX_VALUE;
    }

    /**
     * The most jobs one query should return: callers that want more (the sweeper) ask again. Unbounded except
     * where the store's protocol bounds an answer (the RDS Data API's 1 MiB).
     */
    default int maxJobsPerQuery() {
        return Integer.MAX_VALUE;
    }

    /** The job's history, oldest first. */
    List<JobEvent> events(JobId id);

    /**
     * Waiting jobs that are owed a message: never dispatched and due before {@code horizon}, or due and dispatched
     * before {@code stalledBefore} yet still waiting (the message was lost).
     */
    List<Job> owedDispatch(Instant horizon, Instant stalledBefore, int limit);

    /** Notes that messages for these waiting jobs were sent (or, with {@code at == null}, that a send failed). */
    void markDispatched(Collection<JobId> ids, Instant at);

    /** Running jobs whose lease ran out before {@code before}: their attempts were lost. */
    List<Job> expiredLeases(Instant before, int limit);

    /** How many jobs are in each state. */
    Map<JobState, Long> countByState();

    /**
     * The jobs that ran to an outcome ({@code SUCCESS} or {@code FAILED}) since {@code since}: how many, and the
     * median and 95th percentile of their last attempt's run time. Cancelled and dead-lettered jobs did not run to
     * one and are not counted.
     */
    RunStats finishedSince(Instant since);

    /**
     * The jobs that finished ({@code finished_at}) in {@code [from, to)} and are now {@code SUCCESS},
     * {@code FAILED}, {@code DEAD_LETTERED} or {@code CANCELLED}, counted by UTC minute and state; minutes and
     * states without a job left out.
     */
    List<MinuteCount> finishedByMinute(Instant from, Instant to);

    /** Answers when the database does; throws {@link StoreException} when it does not. */
    void ping();

    /**
     * Drops what a SnapStart snapshot may hold stale (idle connections, a login read before a rotation): called
     * after a restore. Nothing to do for a store that holds no connection.
     */
    default void reconnect() {
    }

    @Override
    void close();

    /**
     * The outcome of one attempt: a result, or an error with the time of the next attempt (null when there is
     * none).
     */
    record Finish(JobId id, int attempt, JsonNode result, String error, Instant retryAt) {
        public static Finish succeeded(JobId id, int attempt, JsonNode result) {
            return new Finish(id, attempt, result, null, null);
        }

        public static Finish failed(JobId id, int attempt, String error, Instant retryAt) {
            return new Finish(id, attempt, null, error, retryAt);
        }

        public JobState state() {
            return result != null ? JobState.SUCCESS : retryAt != null ? JobState.RETRYING : JobState.FAILED;
        }
    }

    /** How many jobs finished in one minute and are now in one state. */
    record MinuteCount(Instant minute, JobState state, long count) {
    }

    /** Jobs finished in a window and how long their last attempts ran. */
    record RunStats(long finished, Double p50Seconds, Double p95Seconds) {
    }
}

package dev.conveyor.process;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.fault.FailPoints;
import dev.conveyor.handler.HandlerRegistry;
import dev.conveyor.handler.JobContext;
import dev.conveyor.handler.JobHandler;
import dev.conveyor.handler.PermanentJobFailure;
import dev.conveyor.handler.RetryLaterJobFailure;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobId;
import dev.conveyor.job.JobState;
import dev.conveyor.job.NewJob;
import dev.conveyor.job.RetryPolicy;
import dev.conveyor.json.Json;
import dev.conveyor.log.Log;
import dev.conveyor.queue.JobMessage;
import dev.conveyor.queue.JobQueue;
import dev.conveyor.queue.JobQueue.Hide;
import dev.conveyor.queue.QueueException;
import dev.conveyor.queue.ReceivedMessage;
import dev.conveyor.store.JobStore;
import dev.conveyor.store.JobStore.Finish;
import dev.conveyor.store.StoreException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the jobs of one batch of queue messages: claims them, runs their handlers concurrently under their
 * deadlines, records each outcome, and tells the caller which messages to hand back to the queue.
 *
 * <p>A message whose job cannot run now is reported as failed after hiding it for as long as it must wait: the
 * rest of a backoff, of a delay, or of another attempt's live lease. A message whose job is finished is simply
 * not reported, so the queue deletes it; so is one whose job waits longer than the queue can delay a message
 * (15 minutes): SQS counts a message's 12 hours of visibility from its first receive, so a long backoff cannot
 * ride on it. That job waits in the database, owed a message, and the sweeper sends one when it comes within
 * reach, as it does for a long {@code delay_seconds}.
 */
public final class JobProcessor {
    private static final Log LOG = Log.of(JobProcessor.class);
    /** A message that cannot be understood comes back at once, so that the redrive policy moves it on soon. */
    private static final Duration POISON_DELAY = Duration.ofSeconds(1);
    private static final Duration QUEUE_DELAY_LIMIT = Duration.ofSeconds(NewJob.MAX_QUEUE_DELAY_SECONDS);
    private static final int MAX_ERROR_LENGTH = 4000;

    /**
     * @param leaseGrace how long past an attempt's deadline its lease lasts: time to record the outcome
     * @param deadlineMargin how long before the invocation's own deadline every attempt is stopped
     * @param infrastructureBackoffCap the longest a message waits after the database failed under it
     */
    public record Settings(Duration leaseGrace, Duration deadlineMargin, Duration infrastructureBackoffCap) {
        public static Settings defaults() {
            return new Settings(Duration.ofSeconds(10), Duration.ofSeconds(3), Duration.ofSeconds(300));
        }
    }

    private final JobStore store;
    private final JobQueue queue;
    private final HandlerRegistry handlers;
    private final RetryPolicy retryPolicy;
    private final Clock clock;
    private final Settings settings;
    private final ExecutorService workers;

    public JobProcessor(JobStore store, JobQueue queue, HandlerRegistry handlers, RetryPolicy retryPolicy,
                        Clock clock, Settings settings) {
        this.store = store;
        this.queue = queue;
        this.handlers = handlers;
        this.retryPolicy = retryPolicy;
        this.clock = clock;
        this.settings = settings;
        AtomicInteger count = new AtomicInteger();
        this.workers = Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "conveyor-job-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Processes one batch.
     *
     * @param invocationDeadline when the function invocation itself times out
     * @return the ids of the messages to report as failed; the queue deletes the others
     */
    public Set<String> process(List<ReceivedMessage> messages, Instant invocationDeadline) {
        Batch batch = new Batch();
        Map<JobId, List<ReceivedMessage>> byJob = new LinkedHashMap<>();
        for (ReceivedMessage message : messages) {
            Optional<JobId> id = JobMessage.decode(message.body());
            if (id.isEmpty()) {
                LOG.warn("unreadable message; leaving it to the dead-letter queue", "message_id", message.messageId());
                batch.retryLater(message, POISON_DELAY);
            } else {
                byJob.computeIfAbsent(id.get(), k -> new ArrayList<>()).add(message);
            }
        }
        if (!byJob.isEmpty()) {
            run(byJob, invocationDeadline, batch);
        }
        FailPoints.hit("process.hiding", batch.failed);
        if (!batch.hides.isEmpty()) {
            try {
                Set<String> notHidden = queue.hide(batch.hides);
                if (!notHidden.isEmpty()) {
                    LOG.warn("could not hide messages; they return after the queue's visibility timeout",
                            "count", notHidden.size());
                }
            } catch (QueueException e) {
                LOG.warn("could not hide messages; they return after the queue's visibility timeout", e,
                        "count", batch.hides.size());
            }
        }
        return batch.failed;
    }

    private void run(Map<JobId, List<ReceivedMessage>> byJob, Instant invocationDeadline, Batch batch) {
        Instant now = clock.instant();
        List<Job> claimed;
        try {
            claimed = store.claim(byJob.keySet(), now, settings.leaseGrace());
        } catch (StoreException e) {
            LOG.warn("could not claim jobs; their messages come back later", e, "count", byJob.size());
            byJob.values().forEach(list -> list.forEach(m -> batch.retryLater(m, infrastructureBackoff(m))));
            return;
        }
        List<Attempt> attempts = new ArrayList<>(claimed.size());
        Map<JobId, List<ReceivedMessage>> unclaimed = new LinkedHashMap<>(byJob);
        for (Job job : claimed) {
            List<ReceivedMessage> copies = unclaimed.remove(job.id());
            Instant deadline = min(now.plus(job.timeout()), invocationDeadline.minus(settings.deadlineMargin()));
            attempts.add(new Attempt(job, copies.get(0), deadline));
            if (copies.size() > 1) {
                // The same job twice in one batch: the copies wait out this attempt's lease like any duplicate.
                unclaimed.put(job.id(), copies.subList(1, copies.size()));
            }
        }
        FailPoints.hit("process.claimed", claimed);
        BlockingQueue<Completion> completions = new LinkedBlockingQueue<>();
        Map<JobId, Attempt> running = start(attempts, completions);
        settleUnclaimed(unclaimed, now, batch);
        awaitAndRecord(running, completions, batch);
    }

    /** Messages whose job was not claimed: finished, running elsewhere, not yet due, lost, or unknown. */
    private void settleUnclaimed(Map<JobId, List<ReceivedMessage>> unclaimed, Instant now, Batch batch) {
        if (unclaimed.isEmpty()) {
            return;
        }
        Map<JobId, Job> jobs;
        try {
            jobs = store.findAll(unclaimed.keySet());
        } catch (StoreException e) {
            unclaimed.values().forEach(list -> list.forEach(m -> batch.retryLater(m, infrastructureBackoff(m))));
            return;
        }
        for (Map.Entry<JobId, List<ReceivedMessage>> entry : unclaimed.entrySet()) {
            for (ReceivedMessage message : entry.getValue()) {
                try {
                    settle(message, jobs.get(entry.getKey()), now, batch);
                } catch (StoreException e) {
                    batch.retryLater(message, infrastructureBackoff(message));
                }
            }
        }
    }

    private void settle(ReceivedMessage message, Job job, Instant now, Batch batch) {
        if (job == null) {
            LOG.warn("message for an unknown job; leaving it to the dead-letter queue",
                    "message_id", message.messageId());
            batch.retryLater(message, POISON_DELAY);
        } else if (job.state().isTerminal()) {
            LOG.debug("duplicate message for a finished job", "job_id", job.id(), "state", job.state());
        } else if (job.state() == JobState.RUNNING && job.leaseExpiresAt().isAfter(now)) {
            batch.retryLater(message, Duration.between(now, job.leaseExpiresAt()));
        } else if (job.state() == JobState.RUNNING) {
            expireLease(message, job, now, batch);
        } else if (job.nextAttemptAt().isAfter(now)) {
            batch.waitFor(message, Duration.between(now, job.nextAttemptAt()));
        } else {
            batch.retryLater(message, POISON_DELAY); // due but claimed by nobody: look again shortly
        }
    }

    /** The job's running attempt outlived its lease (see {@link LostAttempt}); this message carries the retry. */
    private void expireLease(ReceivedMessage message, Job job, Instant now, Batch batch) {
        LostAttempt lost = LostAttempt.settle(store, retryPolicy, job, now);
        if (!lost.recorded()) {
            batch.retryLater(message, POISON_DELAY); // someone else settled it first: look again shortly
        } else if (lost.retryIn().isPresent()) {
            LOG.info("attempt lost; retrying", "job_id", job.id(), "trace_id", job.traceId(), "attempt", job.attempt());
            batch.waitFor(message, lost.retryIn().get());
        } else {
            LOG.info("attempt lost; no attempts left", "job_id", job.id(), "trace_id", job.traceId(),
                    "attempt", job.attempt());
        }
    }

    private Map<JobId, Attempt> start(List<Attempt> attempts, BlockingQueue<Completion> completions) {
        Map<JobId, Attempt> running = new HashMap<>();
        for (Attempt attempt : attempts) {
            running.put(attempt.job.id(), attempt);
            attempt.future = workers.submit(() -> completions.add(complete(attempt)));
        }
        return running;
    }

    /**
     * Runs an attempt to its outcome, or to an {@link Error}: that is no outcome of the job's but the end of this
     * execution environment (out of memory, a stack overflow, a class that failed to initialize, an injected
     * crash), carried to the invocation's thread to end the invocation there.
     */
    private Completion complete(Attempt attempt) {
        try {
            return new Completion(attempt, runHandler(attempt), null);
        } catch (Error e) {
            return new Completion(attempt, null, e);
        }
    }

    private Outcome runHandler(Attempt attempt) {
        Job job = attempt.job;
        Optional<JobHandler> handler = handlers.find(job.type());
        if (handler.isEmpty()) {
            return new Outcome.Failed("no handler for job type '" + job.type() + "' in this deployment", false);
        }
        FailPoints.hit("handler.started", job);
        try (Log.Scope scope = Log.scope("job_id", job.id(), "trace_id", job.traceId())) {
            JsonNode result = handler.get().run(new JobContext(job, attempt.deadline, clock));
            result = result == null || result.isNull() ? Json.object() : result;
            int max = store.maxJsonBytes();
            if (max < Integer.MAX_VALUE) {
                int bytes = Json.write(result).getBytes(StandardCharsets.UTF_8).length;
                if (bytes > max) { // another attempt would make the same: the store could not keep the job
                    return new Outcome.Failed("the result is " + bytes + " bytes as JSON; this deployment's store "
                            + "(the RDS Data API) keeps at most " + max, false);
                }
            }
            return new Outcome.Succeeded(result);
        } catch (PermanentJobFailure e) {
            return new Outcome.Failed(describe(e), false);
        } catch (RetryLaterJobFailure e) {
            return new Outcome.Failed(describe(e), true, e.delay());
        } catch (Exception e) {
            return new Outcome.Failed(describe(e), true);
        } finally {
            FailPoints.hit("handler.finished", job);
        }
    }

    /**
     * Records outcomes as attempts finish, in as few statements as they allow; abandons attempts at their deadline.
     * An attempt that ended in an {@link Error} ends the invocation: nothing more is recorded, the other attempts
     * are interrupted, and the Error is thrown on, out of the function's handler, so that Lambda fails the
     * invocation and replaces the environment. The batch's messages come back after the queue's visibility
     * timeout; the attempts left {@code RUNNING} are settled as lost once their leases end.
     */
    private void awaitAndRecord(Map<JobId, Attempt> running, BlockingQueue<Completion> completions, Batch batch) {
        while (!running.isEmpty()) {
            Instant nextDeadline = running.values().stream().map(a -> a.deadline).min(Instant::compareTo).get();
            List<Completion> done = new ArrayList<>();
            try {
                long wait = Math.max(0, Duration.between(clock.instant(), nextDeadline).toNanos());
                Completion first = completions.poll(wait, TimeUnit.NANOSECONDS);
                if (first != null) {
                    done.add(first);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            completions.drainTo(done);
            for (Completion completion : done) {
                if (completion.error != null) {
                    running.values().forEach(attempt -> attempt.future.cancel(true));
                    throw completion.error;
                }
            }
            done.removeIf(c -> running.remove(c.attempt.job.id()) == null);
            Instant now = clock.instant();
            for (var it = running.values().iterator(); it.hasNext(); ) {
                Attempt attempt = it.next();
                if (!attempt.deadline.isAfter(now) || Thread.currentThread().isInterrupted()) {
                    it.remove();
                    attempt.future.cancel(true);
                    double seconds = Duration.between(attempt.job.startedAt(), attempt.deadline).toMillis() / 1000.0;
                    done.add(new Completion(attempt, new Outcome.Failed(
                            "attempt " + attempt.job.attempt() + " timed out after " + seconds + " s", true), null));
                }
            }
            record(done, batch);
        }
    }

    private void record(List<Completion> done, Batch batch) {
        if (done.isEmpty()) {
            return;
        }
        Instant now = clock.instant();
        List<Finish> finishes = new ArrayList<>(done.size());
        Map<JobId, Duration> retryDelays = new HashMap<>();
        for (Completion completion : done) {
            Job job = completion.attempt.job;
            if (completion.outcome instanceof Outcome.Succeeded succeeded) {
                finishes.add(Finish.succeeded(job.id(), job.attempt(), succeeded.result()));
            } else if (completion.outcome instanceof Outcome.Failed failed) {
                Optional<Duration> delay = failed.retryable()
                        ? retryPolicy.nextDelay(job).map(backoff -> max(backoff, failed.notBefore()))
                        : Optional.empty();
                delay.ifPresent(d -> retryDelays.put(job.id(), d));
                finishes.add(Finish.failed(job.id(), job.attempt(), failed.error(), delay.map(now::plus).orElse(null)));
            }
        }
        FailPoints.hit("process.recording", finishes);
        Set<JobId> recorded;
        try {
            recorded = store.finish(finishes, now);
        } catch (StoreException e) {
            LOG.warn("could not record outcomes; the attempts will be settled when their leases end", e,
                    "count", done.size());
            done.forEach(c -> batch.retryLater(c.attempt.message, infrastructureBackoff(c.attempt.message)));
            return;
        }
        for (Completion completion : done) {
            JobId id = completion.attempt.job.id();
            Duration delay = retryDelays.get(id);
            if (!recorded.contains(id)) {
                LOG.warn("outcome not recorded: the job had moved on", "job_id", id,
                        "trace_id", completion.attempt.job.traceId(),
                        "attempt", completion.attempt.job.attempt());
            } else if (delay != null) {
                batch.waitFor(completion.attempt.message, delay);
            }
            Job job = completion.attempt.job;
            LOG.info("attempt finished", "job_id", id, "trace_id", job.traceId(), "type", job.type(),
                    "attempt", job.attempt(), "outcome", completion.outcome instanceof Outcome.Succeeded
                            ? "succeeded" : delay != null ? "retrying" : "failed",
                    "error", completion.outcome instanceof Outcome.Failed failed ? failed.error() : null);
        }
    }

    /** After the database failed under a message: exponential in its receive count, with jitter, capped. */
    private Duration infrastructureBackoff(ReceivedMessage message) {
        long ceiling = Math.min(settings.infrastructureBackoffCap().toSeconds(),
                1L << Math.min(20, Math.max(0, message.receiveCount())));
        double seconds = ceiling * (0.5 + ThreadLocalRandom.current().nextDouble() / 2);
        return Duration.ofMillis((long) (seconds * 1000));
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        String text = message == null || message.isBlank() ? e.getClass().getName() : message;
        return text.length() > MAX_ERROR_LENGTH ? text.substring(0, MAX_ERROR_LENGTH) + "..." : text;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    /** Stops the worker threads; for tests and the local runtime's shutdown. */
    public void close() {
        workers.shutdownNow();
    }

    /** The messages to report as failed, and how long each must stay hidden first. */
    private static final class Batch {
        final Set<String> failed = new HashSet<>();
        final List<Hide> hides = new ArrayList<>();

        void retryLater(ReceivedMessage message, Duration delay) {
            failed.add(message.messageId());
            hides.add(new Hide(message.receiptHandle(), delay));
        }

        /**
         * A message whose waiting job is due after {@code delay}: hidden that long, or, beyond the queue's delay,
         * left to be deleted. The store keeps such a job owed a message (see {@link JobStore#finish}), which the
         * sweeper sends when it comes within reach.
         */
        void waitFor(ReceivedMessage message, Duration delay) {
            if (delay.compareTo(QUEUE_DELAY_LIMIT) <= 0) {
                retryLater(message, delay);
            }
        }
    }

    private static final class Attempt {
        final Job job;
        final ReceivedMessage message;
        final Instant deadline;
        Future<?> future;

        Attempt(Job job, ReceivedMessage message, Instant deadline) {
            this.job = job;
            this.message = message;
            this.deadline = deadline;
        }
    }

    /** How an attempt ended: an outcome to record, or an {@link Error} that ends the environment. */
    private record Completion(Attempt attempt, Outcome outcome, Error error) {
    }
}

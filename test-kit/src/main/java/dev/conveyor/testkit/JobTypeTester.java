package dev.conveyor.testkit;

import dev.conveyor.api.JobRequests;
import dev.conveyor.config.MicrosecondClock;
import dev.conveyor.config.Wiring;
import dev.conveyor.handler.HandlerRegistry;
import dev.conveyor.handler.JobHandler;
import dev.conveyor.job.ExponentialBackoff;
import dev.conveyor.job.FieldError;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobId;
import dev.conveyor.job.NewJob;
import dev.conveyor.json.Json;
import dev.conveyor.process.JobProcessor;
import dev.conveyor.queue.JobQueue;
import dev.conveyor.queue.ReceivedMessage;
import dev.conveyor.store.JobStore;
import dev.conveyor.testing.TestDatabase;
import dev.conveyor.testing.TestQueues;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * Runs jobs of your types as a deployment does, from a test: {@code POST /jobs}'s own validation, a real
 * PostgreSQL (embedded; a fresh database per tester), a real SQS server (ElasticMQ, embedded; a fresh queue per
 * tester) and the process-job function's {@link JobProcessor}, with the real exponential backoff.
 *
 * <pre>{@code
 * try (JobTypeTester tester = new JobTypeTester(new MyHandler())) {
 *     JobRun run = tester.run("{\"type\": \"my-type\", \"payload\": {...}, \"max_retries\": 1}");
 *     assertEquals(JobState.SUCCESS, run.state());
 * }
 * }</pre>
 *
 * <p>A job is given as the JSON body of {@code POST /jobs}: {@code type}, {@code payload} and, as options,
 * {@code max_retries}, {@code retry_delay_seconds}, {@code timeout_seconds} and {@code delay_seconds}, with the
 * API's defaults and limits. Time is real: a retry waits its backoff and an attempt runs until its timeout, so
 * keep {@code retry_delay_seconds} and {@code timeout_seconds} small.
 */
public final class JobTypeTester implements AutoCloseable {
    /** How long {@link #run} waits for a job to end. */
    public static final Duration DEFAULT_WITHIN = Duration.ofSeconds(60);
    private static final Duration POLL = Duration.ofMillis(200);

    private final Clock clock = MicrosecondClock.systemUtc();
    private final JobStore store;
    private final TestQueues.QueuePair queues;
    private final JobQueue queue;
    private final JobRequests requests;
    private final JobProcessor processor;
    /** The process-job function's loop, on its own thread so that {@link #await} can give up on time. */
    private final ExecutorService deliverer = Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(task, "conveyor-test-kit-delivery");
        thread.setDaemon(true);
        return thread;
    });
    private Future<?> delivery;

    /** A tester that knows exactly these job types. */
    public JobTypeTester(JobHandler... handlers) {
        HandlerRegistry registry = new HandlerRegistry(List.of(handlers));
        this.store = TestDatabase.create().store(4);
        this.queues = TestQueues.create(30, 100);
        this.queue = queues.jobQueue();
        this.requests = new JobRequests(registry,
                Wiring.DEFAULT_CONSUMER_TIMEOUT_SECONDS - Wiring.CONSUMER_MARGIN_SECONDS, store.maxJsonBytes());
        this.processor = new JobProcessor(store, queue, registry,
                new ExponentialBackoff(ExponentialBackoff.DEFAULT_CAP, Math::random), clock,
                new JobProcessor.Settings(Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofSeconds(2)));
    }

    /** What {@code POST /jobs} would say is wrong with this body (each error names its field); empty when nothing. */
    public List<FieldError> validate(String body) {
        List<FieldError> errors = new ArrayList<>();
        requests.parse(Json.parse(body), "", errors);
        return errors;
    }

    /** Submits a job and runs it to a terminal state, within {@link #DEFAULT_WITHIN}. */
    public JobRun run(String body) {
        return run(body, DEFAULT_WITHIN);
    }

    /** Submits a job and runs it to a terminal state; fails the test if it has not ended {@code within}. */
    public JobRun run(String body, Duration within) {
        return await(submit(body), within);
    }

    /**
     * Stores a job and sends its message, as {@code POST /jobs} does.
     *
     * @throws AssertionError listing the field errors when the API would refuse the body
     */
    public JobId submit(String body) {
        List<FieldError> errors = new ArrayList<>();
        NewJob job = requests.parse(Json.parse(body), "", errors);
        if (!errors.isEmpty()) {
            throw new AssertionError("POST /jobs would answer 400: " + errors);
        }
        Job stored = store.insert(List.of(job), clock.instant()).get(0).job();
        Duration delay = Duration.ofSeconds(job.delaySeconds());
        Set<JobId> unsent = queue.send(List.of(new JobQueue.Dispatch(stored.id(), delay)));
        if (!unsent.isEmpty()) {
            throw new IllegalStateException("the test queue did not take job " + stored.id());
        }
        return stored.id();
    }

    /**
     * Delivers the queue's messages to the processor, as the process-job function does, until the job ends; fails
     * the test at once if it has not ended {@code within}, even while an attempt is still running.
     */
    public JobRun await(JobId id, Duration within) {
        Instant giveUp = clock.instant().plus(within);
        while (true) {
            Job job = find(id);
            if (job.state().isTerminal()) {
                return new JobRun(job, store.events(id));
            }
            Duration left = Duration.between(clock.instant(), giveUp);
            if (left.isNegative()) {
                throw new AssertionError("job " + id + " is still " + job.state() + " after " + within
                        + " (attempt " + job.attempt() + ", last error " + job.lastError() + ")");
            }
            if (delivery == null || delivery.isDone()) {
                finished(delivery);
                delivery = deliverer.submit(this::deliver);
            }
            try {
                delivery.get(Math.min(left.toNanos(), POLL.toNanos()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                // an attempt is still running: look at the job again
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for job " + id, e);
            } catch (ExecutionException e) {
                finished(delivery);
            }
        }
    }

    /** One receive from the queue and, when it brought messages, one batch for the processor. */
    private void deliver() {
        List<ReceivedMessage> messages = receive();
        if (!messages.isEmpty()) {
            processor.process(messages, clock.instant().plusSeconds((long) Wiring.DEFAULT_CONSUMER_TIMEOUT_SECONDS));
        }
    }

    /** Throws what a finished delivery threw, such as an {@link Error} out of a handler. */
    private static void finished(Future<?> delivery) {
        if (delivery == null) {
            return;
        }
        try {
            delivery.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException("delivering the queue's messages failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A job as stored now, whatever its state. */
    public Job find(JobId id) {
        return store.find(id).orElseThrow(() -> new IllegalArgumentException("no job " + id));
    }

    private List<ReceivedMessage> receive() {
        List<ReceivedMessage> received = new ArrayList<>();
        for (Message m : queues.sqs().receiveMessage(b -> b.queueUrl(queues.url()).waitTimeSeconds(1)
                .maxNumberOfMessages(10)
                .messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT)).messages()) {
            received.add(new ReceivedMessage(m.messageId(), m.receiptHandle(), m.body(),
                    Integer.parseInt(m.attributes().get(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT))));
        }
        return received;
    }

    /** Stops the processor's workers and closes the store; the embedded servers live on for the next tester. */
    @Override
    public void close() {
        deliverer.shutdownNow();
        try {
            deliverer.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        processor.close();
        store.close();
        queue.close();
    }
}

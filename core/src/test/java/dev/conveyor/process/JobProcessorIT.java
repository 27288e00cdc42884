package dev.conveyor.process;

import static dev.conveyor.testing.NewJobs.aFailingJob;
import static dev.conveyor.testing.NewJobs.aJob;
import static dev.conveyor.testing.NewJobs.aSleepJob;
import static dev.conveyor.testing.NewJobs.anEchoJob;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.config.MicrosecondClock;
import dev.conveyor.handler.EchoHandler;
import dev.conveyor.handler.FailHandler;
import dev.conveyor.handler.HandlerRegistry;
import dev.conveyor.handler.JobContext;
import dev.conveyor.handler.JobHandler;
import dev.conveyor.handler.RetryLaterJobFailure;
import dev.conveyor.handler.SleepHandler;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobEvent;
import dev.conveyor.job.JobId;
import dev.conveyor.job.JobState;
import dev.conveyor.job.NewJob;
import dev.conveyor.job.RetryPolicy;
import dev.conveyor.json.Json;
import dev.conveyor.queue.JobMessage;
import dev.conveyor.queue.JobQueue;
import dev.conveyor.queue.ReceivedMessage;
import dev.conveyor.queue.SqsJobQueue;
import dev.conveyor.store.JobStore;
import dev.conveyor.store.jdbc.JdbcJobStore;
import dev.conveyor.testing.TestDatabase;
import dev.conveyor.testing.TestQueues;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/** The process-job logic against a real PostgreSQL and a real SQS server. */
class JobProcessorIT {
    private static final Duration RETRY_DELAY = Duration.ofMillis(1200);

    private final Clock clock = MicrosecondClock.systemUtc();
    private final JobStore store = TestDatabase.create().store(4);
    private final TestQueues.QueuePair queues = TestQueues.create(30, 10);
    private final JobQueue queue = queues.jobQueue();
    private final Gate gate = new Gate();
    private final RetryPolicy retryPolicy = job -> job.attemptsSpent() ? Optional.empty() : Optional.of(RETRY_DELAY);
    private final JobProcessor processor = new JobProcessor(store, queue,
            new HandlerRegistry(List.of(new EchoHandler(), new SleepHandler(), new FailHandler(), gate,
                    new OutOfMemory(), new RetryLater())),
            retryPolicy, clock, new JobProcessor.Settings(Duration.ofSeconds(2), Duration.ofSeconds(1),
                    Duration.ofSeconds(2)));

    @AfterEach
    void close() {
        gate.release.countDown();
        processor.close();
        store.close();
    }

    /** Blocks until released; counts how many attempts run at once. */
    static final class Gate implements JobHandler {
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch started = new CountDownLatch(1);
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger runs = new AtomicInteger();
        final AtomicInteger mostAtOnce = new AtomicInteger();

        @Override
        public String type() {
            return "gate";
        }

        @Override
        public JsonNode run(JobContext context) throws InterruptedException {
            runs.incrementAndGet();
            mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
            started.countDown();
            try {
                release.await();
                return Json.object();
            } finally {
                running.decrementAndGet();
            }
        }
    }

    /** A handler that runs the JVM out of memory, as far as anyone can tell. */
    static final class OutOfMemory implements JobHandler {
        @Override
        public String type() {
            return "out-of-memory";
        }

        @Override
        public JsonNode run(JobContext context) {
            throw new OutOfMemoryError("Java heap space (thrown by the test)");
        }
    }

    /** Fails its first attempt asking for a retry no sooner than {@code seconds}, then succeeds. */
    static final class RetryLater implements JobHandler {
        @Override
        public String type() {
            return "retry-later";
        }

        @Override
        public JsonNode run(JobContext context) throws RetryLaterJobFailure {
            if (context.attempt() == 1) {
                throw new RetryLaterJobFailure("busy", Duration.ofMillis(context.payload().get("millis").longValue()));
            }
            return Json.object();
        }
    }

    private Job submit(NewJob job) {
        Job stored = store.insert(List.of(job), clock.instant()).get(0).job();
        assertEquals(Set.of(), queue.send(List.of(new JobQueue.Dispatch(stored.id(), Duration.ZERO))));
        return stored;
    }

    private List<ReceivedMessage> receive(int count, Duration within) {
        List<ReceivedMessage> received = new ArrayList<>();
        long end = System.nanoTime() + within.toNanos();
        while (received.size() < count && System.nanoTime() < end) {
            for (Message m : queues.sqs().receiveMessage(b -> b.queueUrl(queues.url()).waitTimeSeconds(1)
                    .maxNumberOfMessages(Math.min(10, count - received.size()))
                    .messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT)).messages()) {
                received.add(new ReceivedMessage(m.messageId(), m.receiptHandle(), m.body(),
                        Integer.parseInt(m.attributes().get(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT))));
            }
        }
        return received;
    }

    private Set<String> process(List<ReceivedMessage> messages) {
        return processor.process(messages, clock.instant().plusSeconds(60));
    }

    private static Set<String> ids(List<ReceivedMessage> messages) {
        Set<String> ids = new java.util.HashSet<>();
        messages.forEach(m -> ids.add(m.messageId()));
        return ids;
    }

    private Job find(JobId id) {
        return store.find(id).orElseThrow();
    }

    @Test
    void anEchoJobSucceedsAndItsMessageIsDeleted() {
        Job job = submit(anEchoJob("hello").build());
        assertEquals(Set.of(), process(receive(1, Duration.ofSeconds(5))));

        Job done = find(job.id());
        assertEquals(JobState.SUCCESS, done.state());
        assertEquals(Json.object().put("message", "hello"), done.result());
        assertEquals(1, done.attempt());
    }

    @Test
    void aFailedAttemptIsRetriedAfterItsBackoff() {
        Job job = submit(aFailingJob(1).build());
        List<ReceivedMessage> first = receive(1, Duration.ofSeconds(5));
        Instant failedAt = clock.instant();
        assertEquals(ids(first), process(first), "reported failed, so the queue keeps it");

        Job retrying = find(job.id());
        assertEquals(JobState.RETRYING, retrying.state());
        assertEquals("boom", retrying.lastError());
        assertTrue(!retrying.nextAttemptAt().isBefore(failedAt.plus(RETRY_DELAY).minusMillis(100)));
        assertEquals(List.of(), receive(1, Duration.ofMillis(500)), "hidden during the backoff");

        List<ReceivedMessage> second = receive(1, Duration.ofSeconds(5));
        assertEquals(first.get(0).messageId(), second.get(0).messageId());
        assertTrue(!clock.instant().isBefore(retrying.nextAttemptAt()), "never back before next_attempt_at");
        assertEquals(Set.of(), process(second));
        Job done = find(job.id());
        assertEquals(JobState.SUCCESS, done.state());
        assertEquals(2, done.attempt());
        assertEquals(Json.object().put("succeeded_on_attempt", 2), done.result());
    }

    @Test
    void aRetryWaitsAtLeastAsLongAsTheHandlerAsksAndLongerWhenTheBackoffIs() {
        Job asked = submit(aJob("retry-later", Json.object().put("millis", 3000)).build());
        Job shorter = submit(aJob("retry-later", Json.object().put("millis", 1)).build());
        List<ReceivedMessage> first = receive(2, Duration.ofSeconds(5));
        Instant failedAt = clock.instant();
        assertEquals(ids(first), process(first));

        Job waiting = find(asked.id());
        assertEquals(JobState.RETRYING, waiting.state());
        assertEquals("busy", waiting.lastError());
        Duration wait = Duration.between(failedAt, waiting.nextAttemptAt());
        assertTrue(wait.compareTo(Duration.ofMillis(2900)) >= 0, "the handler asked for 3 s: " + wait);
        Duration backoff = Duration.between(failedAt, find(shorter.id()).nextAttemptAt());
        assertTrue(backoff.compareTo(RETRY_DELAY.minusMillis(100)) >= 0, "the backoff is longer than 1 ms: " + backoff);
        assertEquals(List.of(), receive(2, Duration.ofMillis(2000)).stream()
                .filter(m -> m.body().contains(asked.id().toString())).toList(), "hidden for 3 s");
    }

    @Test
    void aJobWithNoAttemptsLeftFails() {
        Job job = submit(aFailingJob(-1).withMaxRetries(0).build());
        assertEquals(Set.of(), process(receive(1, Duration.ofSeconds(5))), "deleted: nothing more to do");
        Job failed = find(job.id());
        assertEquals(JobState.FAILED, failed.state());
        assertEquals(1, failed.attempt());
        assertEquals("boom", failed.lastError());
    }

    @Test
    void aPermanentFailureIsNotRetried() {
        Job job = submit(aJob("fail", Json.object().put("times", -1).put("permanent", true)).build());
        assertEquals(Set.of(), process(receive(1, Duration.ofSeconds(5))));
        Job failed = find(job.id());
        assertEquals(JobState.FAILED, failed.state());
        assertEquals(1, failed.attempt());
        assertEquals(3, failed.maxRetries());
    }

    @Test
    void anAttemptPastItsTimeoutIsAbandonedWithoutHoldingUpTheBatch() {
        Job slow = submit(aSleepJob(20).withTimeout(0.5).build());
        Job quick = submit(anEchoJob("quick").build());
        List<ReceivedMessage> batch = receive(2, Duration.ofSeconds(5));

        long start = System.nanoTime();
        Set<String> failed = process(batch);
        double seconds = (System.nanoTime() - start) / 1e9;

        assertTrue(seconds < 3, "the batch ended at the slow job's deadline, not its 20 s: " + seconds);
        assertEquals(1, failed.size());
        Job timedOut = find(slow.id());
        assertEquals(JobState.RETRYING, timedOut.state());
        assertTrue(timedOut.lastError().startsWith("attempt 1 timed out after 0.5"), timedOut.lastError());
        assertEquals(JobState.SUCCESS, find(quick.id()).state());
    }

    @Test
    void theJobsOfABatchRunConcurrently() {
        List<Job> jobs = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            jobs.add(submit(aSleepJob(1).build()));
        }
        List<ReceivedMessage> batch = receive(5, Duration.ofSeconds(5));
        long start = System.nanoTime();
        assertEquals(Set.of(), process(batch));
        double seconds = (System.nanoTime() - start) / 1e9;

        assertTrue(seconds < 2.5, "five 1 s sleeps together, not one after another: " + seconds);
        jobs.forEach(j -> assertEquals(JobState.SUCCESS, find(j.id()).state()));
    }

    @Test
    void anErrorInAHandlerEndsTheInvocationAndRecordsNothing() {
        Job doomed = submit(aJob("out-of-memory", Json.object()).build());
        Job bystander = submit(aSleepJob(2).build());
        List<ReceivedMessage> batch = receive(2, Duration.ofSeconds(5));

        OutOfMemoryError error = assertThrows(OutOfMemoryError.class, () -> process(batch),
                "an Error ends the environment: Lambda fails the invocation and starts a new one");
        assertEquals("Java heap space (thrown by the test)", error.getMessage());
        Job running = find(doomed.id());
        assertEquals(JobState.RUNNING, running.state(), "not an ordinary failure: the lease runs out, then it is lost");
        assertEquals(1, running.attempt());
        assertEquals(List.of("created", "started"), store.events(doomed.id()).stream().map(JobEvent::event).toList());
        assertEquals(JobState.RUNNING, find(bystander.id()).state(), "the batch's other attempts are lost with it");
    }

    @Test
    void aDuplicateOfAFinishedJobRunsNothing() {
        Job job = submit(aJob("gate", Json.object()).build());
        gate.release.countDown();
        process(receive(1, Duration.ofSeconds(5)));
        queue.send(List.of(new JobQueue.Dispatch(job.id(), Duration.ZERO)));

        assertEquals(Set.of(), process(receive(1, Duration.ofSeconds(5))), "deleted");
        assertEquals(1, gate.runs.get());
        assertEquals(1, find(job.id()).attempt());
    }

    @Test
    void twoDeliveriesAtOnceRunTheHandlerOnce() throws Exception {
        Job job = submit(aJob("gate", Json.object()).build());
        queue.send(List.of(new JobQueue.Dispatch(job.id(), Duration.ZERO)));
        List<ReceivedMessage> both = receive(2, Duration.ofSeconds(5));
        assertEquals(2, both.size());

        CompletableFuture<Set<String>> first = CompletableFuture.supplyAsync(() -> process(List.of(both.get(0))));
        CompletableFuture<Set<String>> second = CompletableFuture.supplyAsync(() -> process(List.of(both.get(1))));
        assertTrue(gate.started.await(5, TimeUnit.SECONDS));
        @SuppressWarnings("unchecked")
        Set<String> waiting = (Set<String>) CompletableFuture.anyOf(first, second).get(5, TimeUnit.SECONDS);
        gate.release.countDown();
        Set<String> all = new java.util.HashSet<>(first.get(5, TimeUnit.SECONDS));
        all.addAll(second.get(5, TimeUnit.SECONDS));

        assertEquals(1, gate.runs.get());
        assertEquals(1, gate.mostAtOnce.get());
        assertEquals(1, waiting.size(), "the second delivery waits for the lease");
        assertEquals(1, all.size());
        assertEquals(1, find(job.id()).attempt());
        assertEquals(JobState.SUCCESS, find(job.id()).state());
    }

    @Test
    void aDuplicateDuringALiveLeaseComesBackWhenTheLeaseEnds() {
        Job job = submit(anEchoJob("x").withTimeout(1).build());
        Job claimed = store.claim(List.of(job.id()), clock.instant(), Duration.ofSeconds(1)).get(0);
        List<ReceivedMessage> message = receive(1, Duration.ofSeconds(5));

        assertEquals(ids(message), process(message));
        assertEquals(JobState.RUNNING, find(job.id()).state());
        assertEquals(List.of(), receive(1, Duration.ofMillis(500)), "hidden while the lease lives");
        List<ReceivedMessage> again = receive(1, Duration.ofSeconds(5));
        assertTrue(!clock.instant().isBefore(claimed.leaseExpiresAt()));

        assertEquals(ids(again), process(again), "the lost attempt is recorded and a retry scheduled");
        Job lost = find(job.id());
        assertEquals(JobState.RETRYING, lost.state());
        assertEquals("attempt 1 did not finish: timed out or crashed", lost.lastError());

        assertEquals(Set.of(), process(receive(1, Duration.ofSeconds(5))));
        Job done = find(job.id());
        assertEquals(JobState.SUCCESS, done.state());
        assertEquals(2, done.attempt());
        assertEquals(List.of("created", "started", "failed", "retry_scheduled", "started", "succeeded"),
                store.events(job.id()).stream().map(JobEvent::event).toList());
    }

    @Test
    void aLostAttemptWithNoBudgetLeftFails() {
        Instant past = clock.instant().minusSeconds(120);
        Job job = store.insert(List.of(anEchoJob("x").withMaxRetries(0).build()), past).get(0).job();
        queue.send(List.of(new JobQueue.Dispatch(job.id(), Duration.ZERO)));
        assertEquals(1, store.claim(List.of(job.id()), past, Duration.ofSeconds(1)).size());

        assertEquals(Set.of(), process(receive(1, Duration.ofSeconds(5))));
        Job failed = find(job.id());
        assertEquals(JobState.FAILED, failed.state());
        assertEquals(1, failed.attempt());
    }

    @Test
    void anEarlyMessageWaitsUntilItsJobIsDue() {
        Job job = store.insert(List.of(anEchoJob("later").withDelay(2).build()), clock.instant()).get(0).job();
        queue.send(List.of(new JobQueue.Dispatch(job.id(), Duration.ZERO)));
        List<ReceivedMessage> early = receive(1, Duration.ofSeconds(5));

        assertEquals(ids(early), process(early));
        assertEquals(JobState.PENDING, find(job.id()).state());
        assertEquals(Set.of(), process(receive(1, Duration.ofSeconds(5))));
        assertTrue(!find(job.id()).startedAt().isBefore(job.nextAttemptAt()));
    }

    @Test
    void unreadableAndUnknownMessagesAreReportedSoTheyReachTheDeadLetterQueue() {
        queues.sqs().sendMessage(b -> b.queueUrl(queues.url()).messageBody("garbage"));
        queues.sqs().sendMessage(b -> b.queueUrl(queues.url()).messageBody(JobMessage.encode(JobId.newId(clock.instant()))));
        List<ReceivedMessage> messages = receive(2, Duration.ofSeconds(5));

        assertEquals(ids(messages), process(messages));
    }

    @Test
    void aDatabaseThatDoesNotAnswerFailsTheWholeBatch() {
        Job job = submit(anEchoJob("x").build());
        List<ReceivedMessage> messages = receive(1, Duration.ofSeconds(5));
        JobStore down = JdbcJobStore.connect("jdbc:postgresql://127.0.0.1:1/none", "postgres", null, 1);
        JobProcessor offline = new JobProcessor(down, queue, new HandlerRegistry(List.of(new EchoHandler())),
                retryPolicy, clock, JobProcessor.Settings.defaults());
        try {
            assertEquals(ids(messages), offline.process(messages, clock.instant().plusSeconds(60)));
        } finally {
            offline.close();
        }
        assertEquals(JobState.PENDING, find(job.id()).state());
    }
}

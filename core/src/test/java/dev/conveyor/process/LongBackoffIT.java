package dev.conveyor.process;

import static dev.conveyor.testing.NewJobs.aFailingJob;
import static dev.conveyor.testing.NewJobs.anEchoJob;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.conveyor.dispatch.Dispatcher;
import dev.conveyor.handler.EchoHandler;
import dev.conveyor.handler.FailHandler;
import dev.conveyor.handler.HandlerRegistry;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobEvent;
import dev.conveyor.job.JobId;
import dev.conveyor.job.JobState;
import dev.conveyor.job.NewJob;
import dev.conveyor.job.RetryPolicy;
import dev.conveyor.queue.JobQueue;
import dev.conveyor.queue.ReceivedMessage;
import dev.conveyor.store.JobStore;
import dev.conveyor.sweep.Sweeper;
import dev.conveyor.testing.SettableClock;
import dev.conveyor.testing.TestDatabase;
import dev.conveyor.testing.TestQueues;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * A backoff longer than a message can stay hidden: SQS counts a message's 12 hours of visibility from its first
 * receive, so a retry 12 hours later cannot ride on the failed message. The job waits in the database, its message
 * deleted, and the sweeper sends a new one when the job comes within the queue's 15-minute delay, as it does for a
 * long {@code delay_seconds}. Against a real PostgreSQL and a real SQS server; the database's clock is set by hand.
 */
class LongBackoffIT {
    /** The longest backoff the template allows ({@code RetryDelayCapSeconds}). */
    private static final Duration LONG = Duration.ofHours(12);
    private static final Duration STALL = Duration.ofMinutes(5);

    private final SettableClock clock = new SettableClock(Instant.now().truncatedTo(ChronoUnit.MICROS));
    private final JobStore store = TestDatabase.create().store(2);
    private final TestQueues.QueuePair queues = TestQueues.create(30, 10);
    private final JobQueue queue = queues.jobQueue();
    private final RetryPolicy retryPolicy = job -> job.attemptsSpent() ? Optional.empty() : Optional.of(LONG);
    private final JobProcessor processor = new JobProcessor(store, queue,
            new HandlerRegistry(List.of(new EchoHandler(), new FailHandler())), retryPolicy, clock,
            new JobProcessor.Settings(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(2)));
    private final Sweeper sweeper = new Sweeper(store, new Dispatcher(queue, clock), retryPolicy, clock, STALL, 100);

    @AfterEach
    void close() {
        processor.close();
        store.close();
    }

    @Test
    void aFailedAttemptsLongBackoffWaitsInTheDatabaseAndTheSweeperSendsItWhenDue() {
        Job job = submit(aFailingJob(1).build());

        assertEquals(Set.of(), deliver(receive()), "acknowledged: no message can carry a 12-hour backoff");
        Job retrying = find(job.id());
        assertEquals(JobState.RETRYING, retrying.state());
        assertEquals(1, retrying.attempt());
        assertEquals(clock.instant().plus(LONG), retrying.nextAttemptAt());
        assertEquals(new JobQueue.QueueDepth(0, 0, 0, 0), queue.depth(), "the failed message is gone");

        runsWhenDue(retrying);
        assertEquals(List.of("created", "started", "failed", "retry_scheduled", "started", "succeeded"),
                store.events(job.id()).stream().map(JobEvent::event).toList());
    }

    @Test
    void aLostAttemptFoundByARedeliveryWaitsInTheDatabase() {
        Job job = submit(anEchoJob("x").withTimeout(1).build());
        store.claim(List.of(job.id()), clock.instant(), Duration.ofSeconds(1));
        clock.advance(Duration.ofSeconds(3)); // the attempt's consumer died; its lease has run out

        assertEquals(Set.of(), deliver(receive()), "the redelivery records the lost attempt and is acknowledged");
        Job retrying = find(job.id());
        assertEquals(JobState.RETRYING, retrying.state());
        assertEquals(LostAttempt.error(1), retrying.lastError());
        assertEquals(new JobQueue.QueueDepth(0, 0, 0, 0), queue.depth());

        runsWhenDue(retrying);
    }

    @Test
    void aLostAttemptSettledByTheSweeperWaitsInTheDatabase() {
        Job job = store.insert(List.of(anEchoJob("x").withTimeout(1).build()), clock.instant()).get(0).job();
        store.claim(List.of(job.id()), clock.instant(), Duration.ofSeconds(1)); // its message is gone with its consumer
        clock.advance(Duration.ofSeconds(3));

        assertEquals(new Sweeper.Sweep(0, 0, 1), sweeper.sweep(), "settled; nothing to send 12 hours ahead");
        Job retrying = find(job.id());
        assertEquals(JobState.RETRYING, retrying.state());
        assertEquals(clock.instant().plus(LONG), retrying.nextAttemptAt());

        runsWhenDue(retrying);
    }

    @Test
    void aDuplicateOfAJobWaitingBeyondTheQueuesDelayIsAcknowledged() {
        Job job = submit(aFailingJob(1).build());
        deliver(receive());
        queue.send(List.of(new JobQueue.Dispatch(job.id(), Duration.ZERO)));

        assertEquals(Set.of(), deliver(receive()), "not hidden for 12 hours: the sweeper sends the job's message");
        assertEquals(new JobQueue.QueueDepth(0, 0, 0, 0), queue.depth());
        runsWhenDue(find(job.id()));
    }

    /** Nothing is sent until the job is within the queue's delay; the sweeper sends it then, and it runs. */
    private void runsWhenDue(Job retrying) {
        clock.set(retrying.nextAttemptAt().minus(Duration.ofMinutes(16)));
        assertEquals(0, sweeper.sweep().sent(), "beyond the queue's 15 minutes: no message yet");
        clock.set(retrying.nextAttemptAt());
        assertEquals(1, sweeper.sweep().sent(), "sent when due, not a stall period late");

        assertEquals(Set.of(), deliver(receive()));
        Job done = find(retrying.id());
        assertEquals(JobState.SUCCESS, done.state());
        assertEquals(2, done.attempt());
        assertEquals(new JobQueue.QueueDepth(0, 0, 0, 0), queue.depth());
    }

    private Job submit(NewJob job) {
        Job stored = store.insert(List.of(job), clock.instant()).get(0).job();
        assertEquals(Set.of(), queue.send(List.of(new JobQueue.Dispatch(stored.id(), Duration.ZERO))));
        return stored;
    }

    /** One message, received as the event source mapping receives it. */
    private List<ReceivedMessage> receive() {
        List<ReceivedMessage> received = new ArrayList<>();
        for (int i = 0; i < 5 && received.isEmpty(); i++) {
            for (Message m : queues.sqs().receiveMessage(b -> b.queueUrl(queues.url()).waitTimeSeconds(1)
                    .maxNumberOfMessages(1)
                    .messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT)).messages()) {
                received.add(new ReceivedMessage(m.messageId(), m.receiptHandle(), m.body(),
                        Integer.parseInt(m.attributes().get(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT))));
            }
        }
        assertEquals(1, received.size(), "one message");
        return received;
    }

    /** Processes a batch and, as the event source mapping does, deletes the messages not reported as failed. */
    private Set<String> deliver(List<ReceivedMessage> messages) {
        Set<String> failed = processor.process(messages, clock.instant().plusSeconds(60));
        for (ReceivedMessage message : messages) {
            if (!failed.contains(message.messageId())) {
                queues.sqs().deleteMessage(b -> b.queueUrl(queues.url()).receiptHandle(message.receiptHandle()));
            }
        }
        return failed;
    }

    private Job find(JobId id) {
        return store.find(id).orElseThrow();
    }
}

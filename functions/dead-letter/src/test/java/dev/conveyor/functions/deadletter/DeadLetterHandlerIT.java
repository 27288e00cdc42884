package dev.conveyor.functions.deadletter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import dev.conveyor.config.Config;
import dev.conveyor.config.Env;
import dev.conveyor.config.Wiring;
import dev.conveyor.deadletter.DeadLetters;
import dev.conveyor.functions.LambdaInvocations;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobId;
import dev.conveyor.job.JobState;
import dev.conveyor.queue.JobMessage;
import dev.conveyor.store.JobStore;
import dev.conveyor.testing.NewJobs;
import dev.conveyor.testing.TestDatabase;
import dev.conveyor.testing.TestEnvironment;
import dev.conveyor.testing.TestQueues;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DeadLetterHandlerIT {
    private final TestDatabase db = TestDatabase.create();
    private final Map<String, String> env = TestEnvironment.of(db, TestQueues.create(30, 10));
    private final DeadLetters deadLetters = Env.with(env, () -> Wiring.deadLetters(Config.fromEnvironment()));
    private final DeadLetterHandler handler = new DeadLetterHandler(deadLetters);
    private final JobStore store = db.store(1);

    @AfterEach
    void close() {
        store.close();
    }

    /** Invokes the handler as Lambda does; the ids of the messages it keeps. */
    private List<String> invoke(SQSEvent event) {
        return LambdaInvocations.invoke(handler, event, SQSBatchResponse.class, "dead-letter", 30).getBatchItemFailures()
                .stream().map(SQSBatchResponse.BatchItemFailure::getItemIdentifier).toList();
    }

    private Job insert(NewJobs job) {
        return store.insert(List.of(job.build()), Instant.now()).get(0).job();
    }

    @Test
    void aWaitingJobBecomesDeadLetteredWithTheReasonAndItsLastError() {
        Job waiting = insert(NewJobs.anEchoJob("never ran"));
        Job retrying = insert(NewJobs.aFailingJob(5));
        Instant now = Instant.now();
        store.claim(List.of(retrying.id()), now, Duration.ofSeconds(10));
        store.finish(List.of(JobStore.Finish.failed(retrying.id(), 1, "boom", now.plusSeconds(60))), now);
        SQSEvent event = EventLoader.loadSQSEvent("dead-letter-two-jobs.json");
        event.getRecords().get(0).setBody(JobMessage.encode(waiting.id()));
        event.getRecords().get(1).setBody(JobMessage.encode(retrying.id()));

        assertEquals(List.of(), invoke(event));

        Job first = store.find(waiting.id()).orElseThrow();
        assertEquals(JobState.DEAD_LETTERED, first.state());
        assertEquals("the queue gave up on its message after 30 receives", first.lastError());
        Job second = store.find(retrying.id()).orElseThrow();
        assertEquals(JobState.DEAD_LETTERED, second.state());
        assertEquals("the queue gave up on its message after 30 receives; last error: boom", second.lastError());
        assertEquals(List.of("created", "dead_lettered"),
                store.events(waiting.id()).stream().map(e -> e.event()).toList());
    }

    @Test
    void aDeadLetterForAFinishedJobChangesNothingAndIsDeleted() {
        Job job = insert(NewJobs.anEchoJob("done"));
        Instant now = Instant.now();
        store.claim(List.of(job.id()), now, Duration.ofSeconds(10));
        store.finish(List.of(JobStore.Finish.succeeded(job.id(), 1, dev.conveyor.json.Json.object())), now);
        SQSEvent event = EventLoader.loadSQSEvent("dead-letter-two-jobs.json");
        event.getRecords().get(0).setBody(JobMessage.encode(job.id()));
        event.setRecords(event.getRecords().subList(0, 1));

        assertEquals(List.of(), invoke(event));
        assertEquals(JobState.SUCCESS, store.find(job.id()).orElseThrow().state());
    }

    @Test
    void anUnreadableMessageOrOneForAnUnknownJobIsKeptAndCounted() {
        SQSEvent unreadable = EventLoader.loadSQSEvent("dead-letter-unreadable.json");
        assertEquals(List.of(unreadable.getRecords().get(0).getMessageId()), invoke(unreadable));

        SQSEvent unknown = EventLoader.loadSQSEvent("dead-letter-two-jobs.json");
        unknown.getRecords().get(0).setBody(JobMessage.encode(JobId.newId(Instant.now())));
        unknown.setRecords(unknown.getRecords().subList(0, 1));
        assertEquals(List.of(unknown.getRecords().get(0).getMessageId()), invoke(unknown));
        assertEquals(2, deadLetters.kept());
    }
}

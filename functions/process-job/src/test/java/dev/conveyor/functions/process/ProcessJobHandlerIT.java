package dev.conveyor.functions.process;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import dev.conveyor.config.Env;
import dev.conveyor.functions.LambdaInvocations;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobState;
import dev.conveyor.queue.JobMessage;
import dev.conveyor.store.JobStore;
import dev.conveyor.testing.NewJobs;
import dev.conveyor.testing.TestDatabase;
import dev.conveyor.testing.TestEnvironment;
import dev.conveyor.testing.TestQueues;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ProcessJobHandlerIT {
    private final TestDatabase db = TestDatabase.create();
    private final Map<String, String> env = TestEnvironment.of(db, TestQueues.create(30, 10));
    private final ProcessJobHandler handler = Env.with(env, ProcessJobHandler::new);
    private final JobStore store = db.store(1);

    @AfterEach
    void close() {
        store.close();
    }

    /** Invokes the handler as Lambda does; the ids of the messages it keeps. */
    private List<String> invoke(SQSEvent event) {
        return LambdaInvocations.invoke(handler, event, SQSBatchResponse.class, "process-job", 60).getBatchItemFailures()
                .stream().map(SQSBatchResponse.BatchItemFailure::getItemIdentifier).toList();
    }

    @Test
    void runsEachJobAndReportsOnlyTheOnesToRetry() {
        List<Job> jobs = store.insert(List.of(NewJobs.anEchoJob("one").build(),
                NewJobs.aFailingJob(1).build()), Instant.now()).stream().map(s -> s.job()).toList();
        SQSEvent event = EventLoader.loadSQSEvent("process-job-two-jobs.json");
        for (int i = 0; i < 2; i++) {
            event.getRecords().get(i).setBody(JobMessage.encode(jobs.get(i).id()));
        }

        List<String> kept = invoke(event);

        assertEquals(List.of(event.getRecords().get(1).getMessageId()), kept);
        assertEquals(JobState.SUCCESS, store.find(jobs.get(0).id()).orElseThrow().state());
        assertEquals(JobState.RETRYING, store.find(jobs.get(1).id()).orElseThrow().state());
    }

    @Test
    void anUnreadableMessageIsReportedSoItReachesTheDeadLetterQueue() {
        SQSEvent event = EventLoader.loadSQSEvent("process-job-unreadable.json");
        assertEquals(List.of("7b3c1f0e-3f5a-4c8e-9a8b-1d2e3f4a5b6c"), invoke(event));
    }
}

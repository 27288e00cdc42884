package dev.conveyor.functions.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import dev.conveyor.config.Env;
import dev.conveyor.functions.LambdaInvocations;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobState;
import dev.conveyor.json.Json;
import dev.conveyor.process.LostAttempt;
import dev.conveyor.queue.JobMessage;
import dev.conveyor.store.JobStore;
import dev.conveyor.testing.NewJobs;
import dev.conveyor.testing.TestDatabase;
import dev.conveyor.testing.TestEnvironment;
import dev.conveyor.testing.TestQueues;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SweepJobsHandlerIT {
    private final TestDatabase db = TestDatabase.create();
    private final TestQueues.QueuePair queues = TestQueues.create(30, 10);
    private final Map<String, String> env = TestEnvironment.of(db, queues);
    private final SweepJobsHandler handler = Env.with(env, SweepJobsHandler::new);
    private final JobStore store = db.store(1);

    @AfterEach
    void close() {
        store.close();
    }

    /** A sweep as the schedule invokes it: its counts. */
    private Map<String, Integer> sweep() {
        Map<String, Integer> counts = new HashMap<>();
        Json.parse(LambdaInvocations.invoke(handler, EventLoader.loadScheduledEvent("sweep-jobs-scheduled.json"),
                "sweep-jobs", 60)).properties().forEach(e -> counts.put(e.getKey(), e.getValue().intValue()));
        return counts;
    }

    private List<String> queuedJobIds() {
        List<String> ids = new ArrayList<>();
        queues.sqs().receiveMessage(b -> b.queueUrl(queues.url()).maxNumberOfMessages(10).waitTimeSeconds(1))
                .messages().forEach(m -> ids.add(JobMessage.decode(m.body()).orElseThrow().toString()));
        return ids;
    }

    @Test
    void aJobWhoseSendFailedIsSentAndOnlyOnce() {
        Job job = store.insert(List.of(NewJobs.anEchoJob("lost").build()), Instant.now()).get(0).job();
        store.markDispatched(List.of(job.id()), null);

        assertEquals(1, sweep().get("sent"));
        assertEquals(List.of(job.id().toString()), queuedJobIds());
        assertEquals(0, sweep().get("sent"));
    }

    @Test
    void aRunningJobWhoseLeaseRanOutIsRecordedAsALostAttemptAndRetried() {
        Job job = store.insert(List.of(NewJobs.anEchoJob("crashed").build()), Instant.now().minusSeconds(120))
                .get(0).job();
        store.claim(List.of(job.id()), Instant.now().minusSeconds(100), Duration.ofSeconds(1));

        assertEquals(1, sweep().get("leases_settled"));

        Job settled = store.find(job.id()).orElseThrow();
        assertEquals(JobState.RETRYING, settled.state());
        assertEquals(LostAttempt.error(1), settled.lastError());
        assertEquals(1, settled.attempt());
    }

    @Test
    void nothingOwedMeansNothingSent() {
        store.insert(List.of(NewJobs.anEchoJob("sent fine").build()), Instant.now());
        assertEquals(Map.of("sent", 0, "unsent", 0, "leases_settled", 0), sweep());
    }
}

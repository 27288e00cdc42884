package dev.conveyor.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.conveyor.config.Config;
import dev.conveyor.config.Wiring;
import dev.conveyor.dispatch.Dispatcher;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobId;
import dev.conveyor.job.JobState;
import dev.conveyor.local.LocalDataApi;
import dev.conveyor.queue.SqsJobQueue;
import dev.conveyor.store.dataapi.DataApiJobStore;
import dev.conveyor.sweep.Sweeper;
import dev.conveyor.testing.NewJobs;
import dev.conveyor.testing.TestDatabase;
import dev.conveyor.testing.TestQueues;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The sweeper on the Data API store, which answers at most {@link DataApiJobStore#JOBS_PER_QUERY} jobs a call: a
 * sweep still takes every owed job and every expired lease (up to its batch size), in parts, and the jobs are
 * large enough that one answer with all of them would pass the API's 1 MiB.
 */
class DataApiSweepIT {
    private static final String LARGE = "x".repeat(20_000);

    private final TestDatabase db = TestDatabase.create();
    private final LocalDataApi api = LocalDataApi.start(0, db.serverUrl(), TestDatabase.properties(), db.name());
    private final DataApiJobStore store = new DataApiJobStore(DataApiJobStoreIT.client(api.endpoint()),
            LocalDataApi.CLUSTER_ARN, LocalDataApi.SECRET_ARN, db.name());
    private final TestQueues.QueuePair queues = TestQueues.create(30, 10);

    @AfterEach
    void stop() {
        store.close();
        api.close();
    }

    private Sweeper sweeper(Clock clock) {
        SqsJobQueue queue = queues.jobQueue();
        return new Sweeper(store, new Dispatcher(queue, clock), Wiring.retryPolicy(new Config(Map.<String, String>of()::get)),
                clock, Duration.ofMinutes(5), 1000);
    }

    private List<Job> insert(int count, Instant at) {
        List<Job> jobs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            jobs.add(store.insert(List.of(NewJobs.anEchoJob(LARGE).build()), at).get(0).job());
        }
        return jobs;
    }

    @Test
    void everyOwedJobIsSentInParts() {
        List<Job> jobs = insert(60, Instant.now());
        store.markDispatched(jobs.stream().map(Job::id).toList(), null); // their sends failed

        Sweeper.Sweep sweep = sweeper(Clock.systemUTC()).sweep();

        assertEquals(60, sweep.sent());
        assertEquals(0, sweep.unsent());
        assertEquals(0, sweeper(Clock.systemUTC()).sweep().sent(), "nothing owed any more");
    }

    @Test
    void everyExpiredLeaseIsSettledInParts() {
        Instant past = Instant.now().minusSeconds(600);
        List<JobId> ids = insert(60, past).stream().map(Job::id).toList();
        for (int i = 0; i < ids.size(); i += 10) { // as the consumer claims: a batch of 10 at a time
            assertEquals(10, store.claim(ids.subList(i, i + 10), past, Duration.ofSeconds(1)).size());
        }

        Sweeper.Sweep sweep = sweeper(Clock.systemUTC()).sweep();

        assertEquals(60, sweep.leasesSettled());
        for (JobId id : ids) {
            assertEquals(JobState.RETRYING, store.find(id).orElseThrow().state());
        }
    }
}

package dev.conveyor.store;

import static dev.conveyor.testing.NewJobs.aFailingJob;
import static dev.conveyor.testing.NewJobs.anEchoJob;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conveyor.job.Job;
import dev.conveyor.job.JobEvent;
import dev.conveyor.job.JobFilter;
import dev.conveyor.job.JobId;
import dev.conveyor.job.JobQuery;
import dev.conveyor.job.JobState;
import dev.conveyor.job.NewJob;
import dev.conveyor.job.Submission;
import dev.conveyor.json.Json;
import dev.conveyor.testing.NewJobs;
import dev.conveyor.store.JobStore.Finish;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link JobStore} must do, whatever carries its statements: run against each implementation.
 */
public abstract class JobStoreContract {
    protected static final Instant T0 = Instant.parse("2026-03-01T12:00:00.123456Z");
    protected static final Duration GRACE = Duration.ofSeconds(10);

    protected JobStore store;

    /** A store over a fresh, migrated, empty database. */
    protected abstract JobStore newStore();

    @BeforeEach
    void openStore() {
        store = newStore();
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    private Job insert(NewJob job, Instant now) {
        return store.insert(List.of(job), now).get(0).job();
    }

    private Job running(NewJob job) {
        Job inserted = insert(job, T0);
        return store.claim(List.of(inserted.id()), T0, GRACE).get(0);
    }

    @Test
    void insertStoresAPendingJobAsGiven() {
        Job job = insert(anEchoJob("hello").withMaxRetries(5).withRetryDelay(0.25).withTimeout(12.5).build(), T0);

        assertEquals(JobState.PENDING, job.state());
        assertEquals("echo", job.type());
        assertEquals(Json.object().put("message", "hello"), job.payload());
        assertEquals(0, job.attempt());
        assertEquals(5, job.maxRetries());
        assertEquals(0.25, job.retryDelaySeconds());
        assertEquals(12.5, job.timeoutSeconds());
        assertEquals(T0, job.createdAt());
        assertEquals(T0, job.updatedAt());
        assertEquals(T0, job.nextAttemptAt());
        assertNull(job.startedAt());
        assertNull(job.result());
        assertEquals(Optional.of(job), store.find(job.id()));
        assertEquals(List.of(new JobEvent("created", 0, T0, null, T0, null)), store.events(job.id()));
    }

    @Test
    void insertKeepsTheOrderOfABatch() {
        List<NewJob> batch = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            batch.add(anEchoJob("job " + i).build());
        }
        List<Submission> stored = store.insert(batch, T0);

        assertEquals(25, stored.size());
        for (int i = 0; i < 25; i++) {
            assertTrue(stored.get(i).created());
            assertEquals("job " + i, stored.get(i).job().payload().get("message").textValue());
        }
        assertEquals(25, new HashSet<>(stored.stream().map(s -> s.job().id()).toList()).size());
    }

    @Test
    void aDelayedJobIsDueLater() {
        Job job = insert(anEchoJob("later").withDelay(60).build(), T0);

        assertEquals(T0.plusSeconds(60), job.nextAttemptAt());
        assertEquals(List.of(), store.claim(List.of(job.id()), T0.plusSeconds(59), GRACE));
        assertEquals(1, store.claim(List.of(job.id()), T0.plusSeconds(60), GRACE).size());
    }

    @Test
    void anIdempotencyKeyReturnsTheFirstJob() {
        NewJob first = anEchoJob("a").withIdempotencyKey("client-1", "key-1", "hash-a").build();
        Submission original = store.insert(List.of(first), T0).get(0);
        Submission replay = store.insert(List.of(first), T0.plusSeconds(1)).get(0);

        assertTrue(original.created());
        assertFalse(replay.created());
        assertEquals(original.job().id(), replay.job().id());
        assertEquals(1, store.list(JobQuery.first(JobFilter.ANY, 10)).size());
    }

    @Test
    void anIdempotencyKeyWithAnotherRequestConflicts() {
        Job original = insert(anEchoJob("a").withIdempotencyKey("client-1", "key-1", "hash-a").build(), T0);
        NewJob different = anEchoJob("b").withIdempotencyKey("client-1", "key-1", "hash-b").build();

        IdempotencyConflictException conflict =
                assertThrows(IdempotencyConflictException.class, () -> store.insert(List.of(different), T0));
        assertEquals(original.id(), conflict.existing());
    }

    @Test
    void idempotencyKeysAreScopedToTheirClient() {
        Job a = insert(anEchoJob("a").withIdempotencyKey("client-1", "key-1", "hash-a").build(), T0);
        Job b = insert(anEchoJob("a").withIdempotencyKey("client-2", "key-1", "hash-a").build(), T0);

        assertNotEquals(a.id(), b.id());
    }

    @Test
    void concurrentSubmissionsWithOneKeyMakeOneJob() throws Exception {
        NewJob job = anEchoJob("once").withIdempotencyKey("client-1", "race", "hash").build();
        List<Submission> results = concurrently(8, () -> store.insert(List.of(job), T0).get(0));

        assertEquals(1, results.stream().filter(Submission::created).count());
        assertEquals(1, results.stream().map(s -> s.job().id()).distinct().count());
    }

    @Test
    void claimStartsAnAttemptUnderALease() {
        Job pending = insert(anEchoJob("x").withTimeout(20).build(), T0);
        Instant now = T0.plusMillis(5);
        List<Job> claimed = store.claim(List.of(pending.id()), now, GRACE);

        assertEquals(1, claimed.size());
        Job job = claimed.get(0);
        assertEquals(JobState.RUNNING, job.state());
        assertEquals(1, job.attempt());
        assertEquals(now, job.startedAt());
        assertEquals(now.plusSeconds(30), job.leaseExpiresAt());
        assertNull(job.nextAttemptAt());
        assertEquals("started", store.events(job.id()).get(1).event());
        assertEquals(List.of(), store.claim(List.of(pending.id()), now, GRACE), "a running job is not claimed twice");
    }

    @Test
    void claimSkipsUnknownIds() {
        Job job = insert(anEchoJob("x").build(), T0);
        List<Job> claimed = store.claim(List.of(job.id(), new JobId(UUID.randomUUID())), T0, GRACE);
        assertEquals(List.of(job.id()), claimed.stream().map(Job::id).toList());
    }

    @Test
    void concurrentClaimsOfOneJobStartOneAttempt() throws Exception {
        Job job = insert(anEchoJob("x").build(), T0);
        List<List<Job>> results = concurrently(8, () -> store.claim(List.of(job.id()), T0, GRACE));

        assertEquals(1, results.stream().mapToInt(List::size).sum());
        assertEquals(1, store.find(job.id()).orElseThrow().attempt());
    }

    @Test
    void finishRecordsSuccess() {
        Job job = running(anEchoJob("x").build());
        Instant now = T0.plusSeconds(2);
        Set<JobId> recorded = store.finish(List.of(Finish.succeeded(job.id(), 1, Json.object().put("ok", true))), now);

        assertEquals(Set.of(job.id()), recorded);
        Job done = store.find(job.id()).orElseThrow();
        assertEquals(JobState.SUCCESS, done.state());
        assertEquals(Json.object().put("ok", true), done.result());
        assertEquals(now, done.finishedAt());
        assertNull(done.leaseExpiresAt());
        assertEquals(Duration.ofSeconds(2), done.duration().orElseThrow());
        assertEquals(List.of("created", "started", "succeeded"), eventNames(job.id()));
    }

    @Test
    void finishRecordsAMixedBatchInOneCall() {
        Job a = running(anEchoJob("a").build());
        Job b = running(aFailingJob(1).build());
        Job c = running(aFailingJob(-1).withMaxRetries(0).build());
        Instant now = T0.plusSeconds(1);
        Set<JobId> recorded = store.finish(List.of(
                Finish.succeeded(a.id(), 1, Json.object()),
                Finish.failed(b.id(), 1, "boom", now.plusSeconds(3)),
                Finish.failed(c.id(), 1, "fatal", null)), now);

        assertEquals(Set.of(a.id(), b.id(), c.id()), recorded);
        assertEquals(JobState.SUCCESS, store.find(a.id()).orElseThrow().state());
        Job retrying = store.find(b.id()).orElseThrow();
        assertEquals(JobState.RETRYING, retrying.state());
        assertEquals(now.plusSeconds(3), retrying.nextAttemptAt());
        assertEquals("boom", retrying.lastError());
        assertNull(retrying.finishedAt());
        Job failed = store.find(c.id()).orElseThrow();
        assertEquals(JobState.FAILED, failed.state());
        assertEquals("fatal", failed.lastError());
        assertEquals(now, failed.finishedAt());
        assertEquals(List.of("created", "started", "failed", "retry_scheduled"), eventNames(b.id()));
        assertEquals(List.of("created", "started", "failed"), eventNames(c.id()));
        assertEquals("boom", store.events(b.id()).get(2).error());
    }

    @Test
    void finishIgnoresAStaleAttempt() {
        Job job = running(anEchoJob("x").build());

        assertEquals(Set.of(), store.finish(List.of(Finish.succeeded(job.id(), 2, Json.object())), T0));
        assertEquals(Set.of(), store.finish(List.of(Finish.succeeded(new JobId(UUID.randomUUID()), 1, Json.object())), T0));
        store.finish(List.of(Finish.succeeded(job.id(), 1, Json.object())), T0);
        assertEquals(Set.of(), store.finish(List.of(Finish.failed(job.id(), 1, "late", null)), T0),
                "a finished job is not finished again");
        assertEquals(JobState.SUCCESS, store.find(job.id()).orElseThrow().state());
    }

    @Test
    void aRetryIsClaimedOnlyOnceDue() {
        Job job = running(aFailingJob(1).build());
        Instant retryAt = T0.plusSeconds(5);
        store.finish(List.of(Finish.failed(job.id(), 1, "boom", retryAt)), T0.plusSeconds(1));

        assertEquals(List.of(), store.claim(List.of(job.id()), retryAt.minusMillis(1), GRACE));
        Job second = store.claim(List.of(job.id()), retryAt, GRACE).get(0);
        assertEquals(2, second.attempt());
        assertEquals(JobState.RUNNING, second.state());
    }

    @Test
    void expireSettlesOnlyAnExpiredLease() {
        Job job = running(anEchoJob("x").withTimeout(5).build());
        Instant leaseEnd = job.leaseExpiresAt();

        assertFalse(store.expire(job.id(), 1, "lost", leaseEnd.plusSeconds(1), leaseEnd.minusMillis(1)));
        assertTrue(store.expire(job.id(), 1, "lost", leaseEnd.plusSeconds(1), leaseEnd));
        Job expired = store.find(job.id()).orElseThrow();
        assertEquals(JobState.RETRYING, expired.state());
        assertEquals("lost", expired.lastError());
        assertFalse(store.expire(job.id(), 1, "lost", null, leaseEnd), "a settled lease is not settled twice");
    }

    @Test
    void expireWithoutARetryFails() {
        Job job = running(anEchoJob("x").withMaxRetries(0).build());
        assertTrue(store.expire(job.id(), 1, "lost", null, job.leaseExpiresAt()));
        assertEquals(JobState.FAILED, store.find(job.id()).orElseThrow().state());
    }

    @Test
    void deadLetterKeepsTheReasonAndTheLastError() {
        Job job = running(aFailingJob(-1).build());
        store.finish(List.of(Finish.failed(job.id(), 1, "boom", T0.plusSeconds(1))), T0);

        assertTrue(store.deadLetter(job.id(), "moved to the dead-letter queue", T0.plusSeconds(2)));
        Job dead = store.find(job.id()).orElseThrow();
        assertEquals(JobState.DEAD_LETTERED, dead.state());
        assertEquals("moved to the dead-letter queue; last error: boom", dead.lastError());
        assertEquals(T0.plusSeconds(2), dead.finishedAt());
        assertEquals("dead_lettered", store.events(job.id()).get(4).event());
        assertFalse(store.deadLetter(job.id(), "again", T0.plusSeconds(3)));
    }

    @Test
    void deadLetterSparesALiveLease() {
        Job job = running(anEchoJob("x").build());
        assertFalse(store.deadLetter(job.id(), "dlq", job.leaseExpiresAt().minusMillis(1)));
        assertTrue(store.deadLetter(job.id(), "dlq", job.leaseExpiresAt()));
    }

    @Test
    void cancelOnlyAWaitingJob() {
        Job pending = insert(anEchoJob("x").build(), T0);
        Job runningJob = running(anEchoJob("y").build());

        assertTrue(store.cancel(pending.id(), T0.plusSeconds(1)));
        assertEquals(JobState.CANCELLED, store.find(pending.id()).orElseThrow().state());
        assertFalse(store.cancel(runningJob.id(), T0.plusSeconds(1)));
        assertFalse(store.cancel(pending.id(), T0.plusSeconds(2)), "cancelled once");
        assertEquals(List.of(), store.claim(List.of(pending.id()), T0.plusSeconds(3), GRACE));
    }

    @Test
    void requeueGivesAFinishedJobAFreshBudget() {
        Job job = running(aFailingJob(-1).withMaxRetries(0).build());
        store.finish(List.of(Finish.failed(job.id(), 1, "boom", null)), T0);

        assertTrue(store.requeue(job.id(), T0.plusSeconds(1)));
        Job requeued = store.find(job.id()).orElseThrow();
        assertEquals(JobState.PENDING, requeued.state());
        assertEquals(0, requeued.attempt());
        assertNull(requeued.lastError());
        assertNull(requeued.finishedAt());
        assertEquals("requeued", store.events(job.id()).get(3).event());
        assertEquals(1, store.claim(List.of(job.id()), T0.plusSeconds(1), GRACE).get(0).attempt());
    }

    @Test
    void requeueRefusesSuccessAndWaitingJobs() {
        Job done = running(anEchoJob("x").build());
        store.finish(List.of(Finish.succeeded(done.id(), 1, Json.object())), T0);
        Job pending = insert(anEchoJob("y").build(), T0);

        assertFalse(store.requeue(done.id(), T0));
        assertFalse(store.requeue(pending.id(), T0));
    }

    @Test
    void listPagesNewestFirstWithoutRepeats() {
        List<JobId> inserted = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            inserted.add(insert(anEchoJob("m" + i).build(), T0.plusSeconds(i)).id());
        }
        insert(aFailingJob(1).build(), T0.plusSeconds(3)); // same second as m3, other type

        List<JobId> seen = new ArrayList<>();
        Optional<JobQuery.Position> after = Optional.empty();
        while (true) {
            List<Job> page = store.list(JobQuery.first(JobFilter.ofType("echo"), 3).after(after));
            page.forEach(j -> seen.add(j.id()));
            if (page.size() < 3) {
                break;
            }
            after = Optional.of(JobQuery.Position.of(page.get(page.size() - 1)));
        }
        List<JobId> newestFirst = new ArrayList<>(inserted);
        java.util.Collections.reverse(newestFirst);
        assertEquals(newestFirst, seen);
    }

    @Test
    void listFiltersByState() {
        Job pending = insert(anEchoJob("a").build(), T0);
        Job runningJob = running(anEchoJob("b").build());

        List<Job> page = store.list(JobQuery.first(JobFilter.inState(JobState.RUNNING), 10));
        assertEquals(List.of(runningJob.id()), page.stream().map(Job::id).toList());
        assertNotEquals(pending.id(), page.get(0).id());
    }

    @Test
    void owedDispatchFindsUnsentAndStalledJobs() {
        Job sent = insert(anEchoJob("sent").build(), T0);
        Job unsent = insert(anEchoJob("unsent").build(), T0);
        store.markDispatched(List.of(unsent.id()), null);
        Job farFuture = insert(anEchoJob("later").withDelay(3600).build(), T0);

        Instant now = T0.plusSeconds(10);
        List<JobId> owed = store.owedDispatch(now.plusSeconds(900), now.minusSeconds(60), 100).stream()
                .map(Job::id).toList();
        assertEquals(List.of(unsent.id()), owed, "sent recently or not yet due within the horizon: not owed");

        Instant later = T0.plusSeconds(3000);
        Set<JobId> owedLater = new HashSet<>(store.owedDispatch(later.plusSeconds(900), later.minusSeconds(60), 100)
                .stream().map(Job::id).toList());
        assertEquals(Set.of(sent.id(), unsent.id(), farFuture.id()), owedLater, "stalled, unsent, and now in reach");

        store.markDispatched(owedLater, later);
        assertEquals(List.of(), store.owedDispatch(later.plusSeconds(900), later.minusSeconds(60), 100));
    }

    @Test
    void aRetryBeyondTheQueuesDelayIsOwedAMessage() {
        Job near = running(aFailingJob(1).build());
        Job far = running(aFailingJob(1).build());
        Job lost = running(anEchoJob("x").withTimeout(1).build());
        Instant now = T0.plusSeconds(20);
        store.finish(List.of(Finish.failed(near.id(), 1, "boom", now.plusSeconds(900)),
                Finish.failed(far.id(), 1, "boom", now.plusSeconds(901))), now);
        store.expire(lost.id(), 1, "lost", now.plusSeconds(7200), now);

        Instant later = now.plusSeconds(1);
        assertEquals(List.of(far.id()), ids(store.owedDispatch(later.plusSeconds(900), now, 100)),
                "the near retry rides on the caller's message; the far one is owed one once within 15 minutes");
        Instant inReach = now.plusSeconds(7200 - 900);
        assertEquals(List.of(far.id(), lost.id()), ids(store.owedDispatch(inReach.plusSeconds(900), now, 100)),
                "so is a lost attempt's far retry");
    }

    private static List<JobId> ids(List<Job> jobs) {
        return jobs.stream().map(Job::id).toList();
    }

    @Test
    void expiredLeasesAreFound() {
        Job shortLease = running(anEchoJob("a").withTimeout(1).build());
        running(anEchoJob("b").withTimeout(100).build());

        List<Job> expired = store.expiredLeases(shortLease.leaseExpiresAt().plusMillis(1), 10);
        assertEquals(List.of(shortLease.id()), expired.stream().map(Job::id).toList());
    }

    @Test
    void countsAndRunStats() {
        insert(anEchoJob("a").build(), T0);
        Job one = running(anEchoJob("b").build());
        Job two = running(anEchoJob("c").build());
        store.finish(List.of(Finish.succeeded(one.id(), 1, Json.object())), T0.plusSeconds(1));
        store.finish(List.of(Finish.succeeded(two.id(), 1, Json.object())), T0.plusSeconds(3));
        Job cancelled = insert(anEchoJob("d").build(), T0);
        assertTrue(store.cancel(cancelled.id(), T0.plusSeconds(2)));

        var counts = store.countByState();
        assertEquals(1L, counts.get(JobState.PENDING));
        assertEquals(2L, counts.get(JobState.SUCCESS));
        assertEquals(0L, counts.get(JobState.FAILED));
        assertEquals(1L, counts.get(JobState.CANCELLED));
        JobStore.RunStats stats = store.finishedSince(T0);
        assertEquals(2, stats.finished());
        assertEquals(2.0, stats.p50Seconds(), 1e-9);
        assertEquals(2.9, stats.p95Seconds(), 1e-9);
        assertEquals(0, store.finishedSince(T0.plusSeconds(60)).finished());
    }

    private List<String> eventNames(JobId id) {
        return store.events(id).stream().map(JobEvent::event).toList();
    }

    private static <T> List<T> concurrently(int threads, Callable<T> task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                futures.add(pool.submit(task));
            }
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) {
                results.add(f.get(30, TimeUnit.SECONDS));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    private Job withPayload(String payloadJson, Instant now) {
        return insert(NewJobs.aJob("echo", Json.parse(payloadJson)).build(), now);
    }

    private List<JobId> ids(JobFilter filter) {
        return store.list(JobQuery.first(filter, 100)).stream().map(Job::id).toList();
    }

    @Test
    void listFiltersByPayloadContainment() {
        Job number = withPayload("{\"customer_id\": 42, \"order\": {\"region\": \"eu\", \"lines\": 3}}", T0);
        Job text = withPayload("{\"customer_id\": \"42\", \"tags\": [\"a\", \"b\"]}", T0.plusSeconds(1));
        Job other = withPayload("{\"customer_id\": 7}", T0.plusSeconds(2));

        assertEquals(List.of(number.id()), ids(JobFilter.ANY.withPayload(Json.parse("{\"customer_id\": 42}"))));
        assertEquals(List.of(text.id()), ids(JobFilter.ANY.withPayload(Json.parse("{\"customer_id\": \"42\"}"))));
        assertEquals(List.of(number.id()),
                ids(JobFilter.ANY.withPayload(Json.parse("{\"order\": {\"region\": \"eu\"}}"))));
        assertEquals(List.of(), ids(JobFilter.ANY.withPayload(Json.parse("{\"order\": {\"region\": \"us\"}}"))));
        assertEquals(List.of(text.id()), ids(JobFilter.ANY.withPayload(Json.parse("{\"tags\": [\"b\"]}"))));
        assertEquals(List.of(other.id(), text.id(), number.id()), ids(JobFilter.ANY.withPayload(Json.object())));
        assertEquals(List.of(), ids(JobFilter.inState(JobState.RUNNING).withPayload(Json.parse("{\"customer_id\": 7}"))));
    }

    @Test
    void listFiltersByCreationTimeAndPagesWithEveryFilter() {
        List<JobId> inside = new ArrayList<>();
        withPayload("{\"batch\": 1}", T0.minusMillis(1));
        for (int i = 0; i < 7; i++) {
            inside.add(withPayload("{\"batch\": 1, \"i\": " + i + "}", T0.plusSeconds(i)).id());
        }
        withPayload("{\"batch\": 1}", T0.plusSeconds(7)); // created_before is exclusive
        withPayload("{\"batch\": 2}", T0.plusSeconds(3));
        JobFilter filter = JobFilter.ofType("echo").withStates(java.util.Set.of(JobState.PENDING))
                .withPayload(Json.parse("{\"batch\": 1}")).createdBetween(T0, T0.plusSeconds(7));

        List<JobId> seen = new ArrayList<>();
        Optional<JobQuery.Position> after = Optional.empty();
        while (true) {
            List<Job> page = store.list(JobQuery.first(filter, 3).after(after));
            page.forEach(j -> seen.add(j.id()));
            if (page.size() < 3) {
                break;
            }
            after = Optional.of(JobQuery.Position.of(page.get(page.size() - 1)));
        }
        java.util.Collections.reverse(inside);
        assertEquals(inside, seen);
        assertEquals(7, store.count(filter));
    }

    @Test
    void bulkCancelTakesOnlyWaitingJobsUpToItsLimitAndMarksTheirEvents() {
        List<JobId> waiting = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            waiting.add(withPayload("{\"bulk\": \"c\"}", T0.plusSeconds(i)).id());
        }
        Job runningJob = running(NewJobs.aJob("echo", Json.parse("{\"bulk\": \"c\"}")).build());
        withPayload("{\"bulk\": \"other\"}", T0);
        JobFilter filter = JobFilter.ANY.withPayload(Json.parse("{\"bulk\": \"c\"}"));
        JobFilter cancellable = filter.withStates(java.util.Set.of(JobState.PENDING, JobState.RETRYING));
        assertEquals(5, store.count(cancellable));

        assertEquals(3, store.cancelMatching(filter, 3, T0.plusSeconds(60)));
        assertEquals(2, store.count(cancellable));
        assertEquals(2, store.cancelMatching(filter, 3, T0.plusSeconds(61)));
        assertEquals(0, store.cancelMatching(filter, 3, T0.plusSeconds(62)));

        assertEquals(JobState.RUNNING, store.find(runningJob.id()).orElseThrow().state());
        for (JobId id : waiting) {
            assertEquals(JobState.CANCELLED, store.find(id).orElseThrow().state());
            JobEvent cancelled = store.events(id).get(1);
            assertEquals("cancelled", cancelled.event());
            assertEquals(Json.parse("{\"bulk\": true}"), cancelled.detail());
            assertNull(store.events(id).get(0).detail(), "only the bulk transition is marked");
        }
        assertEquals(5, store.count(filter.withStates(java.util.Set.of(JobState.CANCELLED))));
    }

    @Test
    void bulkRequeueTakesOnlyEndedJobsAndAnswersWhatTheirMessagesNeed() {
        Job cancelled = withPayload("{\"bulk\": \"r\"}", T0);
        store.cancel(cancelled.id(), T0.plusSeconds(1));
        Job failed = running(NewJobs.aJob("echo", Json.parse("{\"bulk\": \"r\"}")).withMaxRetries(0).build());
        store.finish(List.of(Finish.failed(failed.id(), 1, "boom", null)), T0.plusSeconds(2));
        Job pending = withPayload("{\"bulk\": \"r\"}", T0);
        JobFilter filter = JobFilter.ANY.withPayload(Json.parse("{\"bulk\": \"r\"}"));

        assertEquals(List.of(), store.requeueMatching(filter.withStates(java.util.Set.of(JobState.PENDING)), 10,
                T0.plusSeconds(3)), "a filter on a state the action cannot take takes nothing");
        Instant now = T0.plusSeconds(5);
        List<dev.conveyor.job.WaitingJob> requeued = store.requeueMatching(filter, 10, now);
        assertEquals(Set.of(cancelled.id(), failed.id()),
                requeued.stream().map(dev.conveyor.job.WaitingJob::id).collect(java.util.stream.Collectors.toSet()));
        requeued.forEach(job -> assertEquals(now, job.due()));
        for (JobId id : List.of(cancelled.id(), failed.id())) {
            Job job = store.find(id).orElseThrow();
            assertEquals(JobState.PENDING, job.state());
            assertEquals(0, job.attempt());
            JobEvent last = store.events(id).get(store.events(id).size() - 1);
            assertEquals("requeued", last.event());
            assertEquals(Json.parse("{\"bulk\": true}"), last.detail());
        }
        assertEquals(JobState.PENDING, store.find(pending.id()).orElseThrow().state());
        assertEquals(1, store.events(pending.id()).size());
        // a single retry afterwards records no bulk detail: the setting does not outlive its statement
        store.cancel(cancelled.id(), now.plusSeconds(1));
        assertTrue(store.requeue(cancelled.id(), now.plusSeconds(2)));
        List<JobEvent> events = store.events(cancelled.id());
        assertNull(events.get(events.size() - 1).detail());
        assertNull(events.get(events.size() - 2).detail());
    }

    @Test
    void finishedByMinuteCountsEachEndedJobInTheMinuteItFinishedByItsStateNow() {
        Instant minute = Instant.parse("2026-03-01T12:05:00Z");
        Job succeeded = running(anEchoJob("s").build());
        store.finish(List.of(Finish.succeeded(succeeded.id(), 1, Json.object())), minute.plusSeconds(59));
        Job failed = running(anEchoJob("f").withMaxRetries(0).build());
        store.finish(List.of(Finish.failed(failed.id(), 1, "boom", null)), minute.plusSeconds(60));
        Job retrying = running(anEchoJob("r").withMaxRetries(3).build());
        store.finish(List.of(Finish.failed(retrying.id(), 1, "again", minute.plusSeconds(600))), minute);
        Job cancelled = insert(anEchoJob("c").build(), T0);
        store.cancel(cancelled.id(), minute.plusSeconds(1));
        Job dead = insert(anEchoJob("d").build(), T0);
        store.deadLetter(dead.id(), "gave up", minute.plusSeconds(2));
        Job late = running(anEchoJob("late").build());
        store.finish(List.of(Finish.succeeded(late.id(), 1, Json.object())), minute.plusSeconds(120));

        List<JobStore.MinuteCount> counts = new ArrayList<>(store.finishedByMinute(minute, minute.plusSeconds(120)));
        counts.sort(java.util.Comparator.comparing(JobStore.MinuteCount::minute)
                .thenComparing(JobStore.MinuteCount::state));
        assertEquals(List.of(
                new JobStore.MinuteCount(minute, JobState.SUCCESS, 1),
                new JobStore.MinuteCount(minute, JobState.DEAD_LETTERED, 1),
                new JobStore.MinuteCount(minute, JobState.CANCELLED, 1),
                new JobStore.MinuteCount(minute.plusSeconds(60), JobState.FAILED, 1)), counts);
    }
}

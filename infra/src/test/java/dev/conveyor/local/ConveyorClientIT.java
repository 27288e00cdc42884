package dev.conveyor.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conveyor.client.ConflictException;
import dev.conveyor.client.ConveyorClient;
import dev.conveyor.client.FieldError;
import dev.conveyor.client.ForbiddenException;
import dev.conveyor.client.Job;
import dev.conveyor.client.JobAwaitTimeoutException;
import dev.conveyor.client.JobEvent;
import dev.conveyor.client.JobFilter;
import dev.conveyor.client.JobRequest;
import dev.conveyor.client.JobState;
import dev.conveyor.client.NotFoundException;
import dev.conveyor.client.RetrySettings;
import dev.conveyor.client.ValidationException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Java client against the local runtime, as an application uses it; every exchange passes through a
 * {@link ValidatingProxy}, so each request it sends and each answer it reads is checked against openapi.yaml.
 */
class ConveyorClientIT extends LocalRuntimeTest {
    private static final String UNKNOWN_ID = "01a207c6-dc6d-733e-a09e-7622527f8a06";
    private static ValidatingProxy proxy;
    private static ConveyorClient conveyor;

    @BeforeAll
    static void startProxy() {
        proxy = new ValidatingProxy(runtime.url());
        conveyor = ConveyorClient.builder().url(proxy.url()).apiKey(runtime.apiKey())
                .retry(new RetrySettings(3, Duration.ofMillis(50), Duration.ofSeconds(2))).build();
    }

    @AfterAll
    static void stopProxy() {
        proxy.close();
    }

    @BeforeEach
    void clearProxy() {
        proxy.clear();
    }

    @AfterEach
    void everyExchangeIsAsDocumented() {
        assertEquals(List.of(), proxy.failures(), "exchanges openapi.yaml does not describe");
    }

    private static String marker() {
        return UUID.randomUUID().toString();
    }

    private static JobRequest later(String marker) {
        return JobRequest.builder("echo").payload(Map.of("message", marker)).delay(Duration.ofMinutes(10)).build();
    }

    @Test
    void aSubmittedJobIsAwaitedToSuccessWithItsResultAndHistory() {
        Job submitted = conveyor.submit(JobRequest.builder("echo").payload(Map.of("message", "hello"))
                .maxRetries(2).retryDelay(Duration.ofMillis(1500)).timeout(Duration.ofSeconds(10)).build());
        assertEquals(JobState.PENDING, submitted.state());
        assertEquals(2, submitted.maxRetries());
        assertEquals(1.5, submitted.retryDelaySeconds());
        assertEquals(10, submitted.timeoutSeconds());

        Job done = conveyor.await(submitted.id(), Duration.ofSeconds(20));

        assertEquals(JobState.SUCCESS, done.state());
        assertEquals("hello", done.result().get("message").asText());
        assertEquals(1, done.attempt());
        assertNotNull(done.finishedAt());
        assertEquals(done, conveyor.get(submitted.id()));
        assertEquals(List.of("created", "started", "succeeded"),
                conveyor.events(submitted.id()).stream().map(JobEvent::event).collect(Collectors.toList()));
    }

    @Test
    void aFailingJobIsAwaitedToFailedAndRetriedWithAFreshBudget() {
        Job job = conveyor.submit(JobRequest.builder("fail").payloadJson("{\"times\": 1, \"error\": \"boom\"}")
                .maxRetries(0).build());
        Job failed = conveyor.await(job.id(), Duration.ofSeconds(20));
        assertEquals(JobState.FAILED, failed.state());
        assertEquals("boom", failed.lastError());

        Job retried = conveyor.retry(job.id());
        assertEquals(JobState.PENDING, retried.state());
        assertEquals(0, retried.attempt());
        assertEquals(JobState.FAILED, conveyor.await(job.id(), Duration.ofSeconds(20)).state(),
                "fail counts attempts, and the retry's budget starts afresh: it fails its first again");
        List<JobEvent> events = conveyor.events(job.id());
        assertEquals(List.of("created", "started", "failed", "requeued", "started", "failed"),
                events.stream().map(JobEvent::event).collect(Collectors.toList()));
        assertEquals("boom", events.get(2).error());
        Job waiting = conveyor.submit(later(marker()));
        ConflictException again = assertThrows(ConflictException.class, () -> conveyor.retry(waiting.id()));
        assertEquals(409, again.status());
        assertTrue(again.detail().contains("PENDING"), again.detail());
    }

    @Test
    void awaitGivesUpAtItsTimeoutWithTheJobAsLastSeen() {
        Job waiting = conveyor.submit(later(marker()));
        long started = System.nanoTime();
        JobAwaitTimeoutException e = assertThrows(JobAwaitTimeoutException.class,
                () -> conveyor.await(waiting.id(), Duration.ofMillis(700)));
        long tookMillis = (System.nanoTime() - started) / 1_000_000;
        assertEquals(JobState.PENDING, e.lastSeen().state());
        assertTrue(tookMillis >= 700 && tookMillis < 3000, tookMillis + " ms");
        long polls = proxy.exchanges().stream().filter(x -> x.target().equals("/jobs/" + waiting.id())).count();
        assertTrue(polls >= 3 && polls <= 8, polls + " polls in 700 ms: a backoff from 100 ms");
    }

    @Test
    void aWaitingJobIsCancelledOnceAndUnknownJobsAreNotFound() {
        Job waiting = conveyor.submit(later(marker()));
        assertEquals(JobState.CANCELLED, conveyor.cancel(waiting.id()).state());
        assertThrows(ConflictException.class, () -> conveyor.cancel(waiting.id()));
        assertEquals(JobState.CANCELLED, conveyor.await(waiting.id(), Duration.ofSeconds(1)).state());

        NotFoundException missing = assertThrows(NotFoundException.class, () -> conveyor.get(UNKNOWN_ID));
        assertEquals(404, missing.status());
        assertNotNull(missing.requestId());
        assertThrows(NotFoundException.class, () -> conveyor.events(UNKNOWN_ID));
        assertThrows(NotFoundException.class, () -> conveyor.cancel(UNKNOWN_ID));
        assertThrows(ValidationException.class, () -> conveyor.get("not-a-uuid"));
    }

    @Test
    void anInvalidSubmissionIsAValidationExceptionNamingEachField() {
        ValidationException e = assertThrows(ValidationException.class, () -> conveyor.submit(
                JobRequest.builder("echo").payload(Map.of()).maxRetries(11).build()));
        assertEquals(400, e.status());
        assertEquals("Bad Request", e.title());
        assertNotNull(e.requestId());
        assertEquals(List.of("max_retries", "payload.message"),
                e.errors().stream().map(FieldError::field).sorted().collect(Collectors.toList()), e::getMessage);
        assertEquals(1, proxy.exchanges().size(), "a 400 is not retried");
    }

    @Test
    void aBatchIsSubmittedInOrderOrRefusedWhole() {
        String marker = marker();
        List<Job> jobs = conveyor.submitBatch(List.of(later(marker + "-a"), later(marker + "-b"), later(marker + "-c")));
        assertEquals(List.of(marker + "-a", marker + "-b", marker + "-c"),
                jobs.stream().map(j -> j.payload().get("message").asText()).collect(Collectors.toList()));

        ValidationException e = assertThrows(ValidationException.class, () -> conveyor.submitBatch(List.of(
                later(marker + "-d"), JobRequest.of("teleport", Map.of()))));
        assertEquals("jobs[1].type", e.errors().get(0).field());
        assertEquals(0, conveyor.list(JobFilter.all().payload(Map.of("message", marker + "-d"))).count(),
                "nothing of a refused batch is stored");
    }

    @Test
    void aSubmitRetriedAfterALostAnswerMakesOneJob() {
        String marker = marker();
        proxy.loseNextAnswer(); // the API stores the job; its answer is lost and the client sees a 503

        Job job = conveyor.submit(later(marker));

        List<ValidatingProxy.Exchange> posts = proxy.exchanges().stream().filter(x -> x.method().equals("POST"))
                .collect(Collectors.toList());
        assertEquals(2, posts.size(), posts::toString);
        assertEquals(503, posts.get(0).status());
        assertEquals(202, posts.get(1).status());
        assertEquals(posts.get(0).idempotencyKey(), posts.get(1).idempotencyKey());
        assertEquals(List.of(job.id()), conveyor.list(JobFilter.all().payload(Map.of("message", marker)))
                .map(Job::id).collect(Collectors.toList()), "one job");
    }

    @Test
    void yourOwnIdempotencyKeyAnswersTheSameJobAndRefusesAnotherSubmission() {
        String key = "order-" + marker();
        JobRequest request = later(marker());
        Job first = conveyor.submit(request, key);
        Job again = conveyor.submit(request, key);
        assertEquals(first.id(), again.id());
        assertNotEquals(first.id(), conveyor.submit(request).id(), "a submission of its own: a key of its own");
        assertThrows(ConflictException.class, () -> conveyor.submit(later(marker()), key));
    }

    @Test
    void aReadOnlyKeyIsForbiddenToSubmit() {
        String readOnly = runtime.readOnlyApiKey();
        assertNotNull(readOnly, "the template declares a read-only key");
        ConveyorClient reader = ConveyorClient.builder().url(proxy.url()).apiKey(readOnly).build();
        ForbiddenException e = assertThrows(ForbiddenException.class, () -> reader.submit(later(marker())));
        assertEquals(403, e.status());
        assertEquals(JobState.PENDING, reader.list(JobFilter.all().state(JobState.PENDING)).findFirst()
                .map(Job::state).orElse(JobState.PENDING));
        assertThrows(ForbiddenException.class,
                () -> ConveyorClient.builder().url(proxy.url()).apiKey("wrong-key-0123456789").build().get(UNKNOWN_ID));
    }

    @Test
    void listIsALazyStreamOverEveryPage() {
        String marker = marker();
        Instant before = Instant.now().minusSeconds(1);
        List<JobRequest> requests = new java.util.ArrayList<>();
        for (int i = 0; i < 25; i++) {
            requests.add(JobRequest.builder("echo").payload(Map.of("message", marker))
                    .delay(Duration.ofMinutes(10)).build());
        }
        List<String> submitted = conveyor.submitBatch(requests).stream().map(Job::id).collect(Collectors.toList());
        JobFilter mine = JobFilter.all().payload(Map.of("message", marker)).state(JobState.PENDING).type("echo")
                .createdAfter(before).createdBefore(Instant.now().plusSeconds(60)).pageSize(4);

        proxy.clear();
        List<String> listed = conveyor.list(mine).map(Job::id).collect(Collectors.toList());

        assertEquals(25, listed.size());
        assertEquals(new HashSet<>(submitted), new HashSet<>(listed));
        List<String> newestFirst = new java.util.ArrayList<>(listed);
        newestFirst.sort(java.util.Comparator.reverseOrder());
        assertEquals(newestFirst, listed);
        assertEquals(7, proxy.exchanges().size(), "25 jobs in pages of 4: " + proxy.exchanges());

        proxy.clear();
        assertEquals(5, conveyor.list(mine).limit(5).count());
        assertEquals(2, proxy.exchanges().size(), "5 jobs read: 2 pages fetched, no more");

        proxy.clear();
        assertEquals(0, conveyor.list(JobFilter.all().payload(Map.of("message", marker)).createdBefore(before)).count());
        assertEquals(0, conveyor.list(mine.state(JobState.SUCCESS)).count());
    }
}

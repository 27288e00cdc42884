package dev.conveyor.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The whole platform through its front door: the local runtime started from template.yaml, and only HTTP calls,
 * as a client would make them.
 */
class EndToEndIT extends LocalRuntimeTest {
    @Test
    void anEchoJobSucceedsWithItsResult() {
        Instant submitted = Instant.now();
        Http.Response accepted = http.postJson("/jobs", "{\"type\": \"echo\", \"payload\": {\"message\": \"hello\"}}");
        assertEquals(202, accepted.status(), accepted::toString);
        JsonNode job = accepted.json();
        assertEquals("PENDING", job.get("state").asText());
        assertEquals("/jobs/" + job.get("id").asText(), accepted.header("Location").orElseThrow());

        JsonNode done = awaitState(http, job.get("id").asText(), "SUCCESS", Duration.ofSeconds(10), new ArrayList<>());
        assertEquals("hello", done.at("/result/message").asText());
        assertEquals(1, done.get("attempt").asInt());
        Duration took = Duration.between(submitted, Instant.parse(done.get("finished_at").asText()));
        assertTrue(took.compareTo(Duration.ofSeconds(2)) < 0, "an echo job took " + took);
    }

    @Test
    void aJobThatFailsTwiceSucceedsOnItsThirdAttemptAfterTwoBackoffs() {
        String id = submit("{\"type\": \"fail\", \"payload\": {\"times\": 2}, \"retry_delay_seconds\": 2}");
        List<JsonNode> seen = new ArrayList<>();
        JsonNode done = awaitState(http, id, "SUCCESS", Duration.ofSeconds(30), seen);

        assertEquals(3, done.get("attempt").asInt());
        assertEquals(3, done.at("/result/succeeded_on_attempt").asInt());
        List<JsonNode> retrying = seen.stream().filter(j -> j.get("state").asText().equals("RETRYING")).toList();
        assertFalse(retrying.isEmpty(), "never saw the job RETRYING: " + seen);
        for (JsonNode job : retrying) {
            assertFalse(job.get("next_attempt_at").isNull(), job::toString);
            assertTrue(Instant.parse(job.get("next_attempt_at").asText())
                    .isAfter(Instant.parse(job.get("updated_at").asText())), job::toString);
            assertEquals("simulated failure", job.get("last_error").asText());
        }
        assertTrue(retrying.stream().map(j -> j.get("attempt").asInt()).allMatch(a -> a == 1 || a == 2), seen::toString);
        assertTrue(done.get("next_attempt_at").isNull());
    }

    @Test
    void aJobThatAlwaysFailsEndsFailedWhenItsAttemptsAreSpent() {
        String id = submit("{\"type\": \"fail\", \"payload\": {\"times\": -1, \"error\": \"boom\"},"
                + " \"max_retries\": 1, \"retry_delay_seconds\": 0.2}");
        JsonNode done = awaitState(http, id, "FAILED", Duration.ofSeconds(20), new ArrayList<>());
        assertEquals(2, done.get("attempt").asInt());
        assertEquals("boom", done.get("last_error").asText());
        assertTrue(done.get("result").isNull());
        assertTrue(done.get("next_attempt_at").isNull());
        assertFalse(done.get("finished_at").isNull());
    }

    @Test
    void aSleepingJobIsSeenRunningBeforeItSucceeds() {
        String id = submit("{\"type\": \"sleep\", \"payload\": {\"seconds\": 1.5}}");
        List<JsonNode> seen = new ArrayList<>();
        JsonNode done = awaitState(http, id, "SUCCESS", Duration.ofSeconds(20), seen);

        JsonNode running = seen.stream().filter(j -> j.get("state").asText().equals("RUNNING")).findFirst()
                .orElseThrow(() -> new AssertionError("never saw the job RUNNING: " + seen));
        assertFalse(running.get("started_at").isNull());
        assertTrue(running.get("finished_at").isNull());
        assertTrue(running.get("duration_seconds").isNull());

        Instant created = Instant.parse(done.get("created_at").asText());
        Instant started = Instant.parse(done.get("started_at").asText());
        Instant finished = Instant.parse(done.get("finished_at").asText());
        double duration = done.get("duration_seconds").asDouble();
        assertEquals(running.get("started_at").asText(), done.get("started_at").asText());
        assertFalse(started.isBefore(created));
        assertTrue(finished.isAfter(started));
        assertEquals(Duration.between(started, finished).toNanos() / 1e9, duration, 1e-6);
        assertTrue(duration >= 1.5 && duration < 5, "duration " + duration);
        assertEquals(1.5, done.at("/result/slept_seconds").asDouble());
    }

    @Test
    void getJobAnswers404ForAnUnknownIdAnd400ForAMalformedOne() {
        Http.Response unknown = http.get("/jobs/01a207c6-dc6d-733e-a09e-7622527f8a06");
        assertEquals(404, unknown.status());
        assertEquals("application/problem+json", unknown.header("Content-Type").orElseThrow());
        Http.Response malformed = http.get("/jobs/not-a-uuid");
        assertEquals(400, malformed.status());
        assertEquals("application/problem+json", malformed.header("Content-Type").orElseThrow());
    }

    @Test
    void aRequestNoRouteTakesIsAnsweredAsTheTemplatesGatewayResponseSays() {
        Http.Response response = http.get("/"); // no resource, not even /{proxy+}: API Gateway answers by itself
        assertEquals(404, response.status(), response::toString);
        assertEquals("MissingAuthenticationTokenException", response.header("x-amzn-ErrorType").orElseThrow());
        assertEquals("application/problem+json", response.header("Content-Type").orElseThrow());
        assertEquals(response.header("x-amzn-RequestId").orElseThrow(), response.json().get("request_id").asText(),
                "$context.requestId filled in");
    }

    @Test
    void aMessageTheQueueGaveUpOnMakesItsJobDeadLettered() {
        String id = submit("{\"type\": \"echo\", \"payload\": {\"message\": \"later\"}, \"delay_seconds\": 600}");
        var sqs = runtime.queues().client();
        String deadLetters = sqs.getQueueUrl(b -> b.queueName("conveyor-jobs-dlq")).queueUrl();
        sqs.sendMessage(b -> b.queueUrl(deadLetters).messageBody(
                dev.conveyor.queue.JobMessage.encode(dev.conveyor.job.JobId.parse(id))));

        JsonNode job = awaitState(http, id, "DEAD_LETTERED", Duration.ofSeconds(10), new ArrayList<>());
        assertEquals("the queue gave up on its message after 30 receives", job.get("last_error").asText());
        assertFalse(job.get("finished_at").isNull());
    }

    private static String submit(String body) {
        Http.Response accepted = http.postJson("/jobs", body);
        assertEquals(202, accepted.status(), accepted::toString);
        return accepted.json().get("id").asText();
    }

    /** Polls the job every few milliseconds, keeping every distinct answer, until it reaches {@code state}. */
    static JsonNode awaitState(Http http, String id, String state, Duration timeout, List<JsonNode> seen) {
        Instant deadline = Instant.now().plus(timeout);
        Predicate<JsonNode> reached = job -> job.get("state").asText().equals(state);
        while (Instant.now().isBefore(deadline)) {
            Http.Response response = http.get("/jobs/" + id);
            assertEquals(200, response.status(), response::toString);
            JsonNode job = response.json();
            if (seen.isEmpty() || !seen.get(seen.size() - 1).equals(job)) {
                seen.add(job);
            }
            if (reached.test(job)) {
                return job;
            }
            assertNotNull(job.get("state"));
            sleep(10);
        }
        throw new AssertionError("job " + id + " did not reach " + state + " within " + timeout + ": " + seen);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

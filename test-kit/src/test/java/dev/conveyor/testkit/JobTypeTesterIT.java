package dev.conveyor.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.handler.JobContext;
import dev.conveyor.handler.JobHandler;
import dev.conveyor.handler.PermanentJobFailure;
import dev.conveyor.job.FieldError;
import dev.conveyor.job.JobState;
import dev.conveyor.json.Json;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The kit itself: what a type's test observes of retries, timeouts and permanent failures is what happened. */
class JobTypeTesterIT {
    /** Fails its first {@code failures} attempts with a retryable exception, then answers its attempt. */
    static final class Flaky implements JobHandler {
        @Override
        public String type() {
            return "flaky";
        }

        @Override
        public JsonNode run(JobContext context) throws Exception {
            if (context.attempt() <= context.payload().get("failures").intValue()) {
                throw new java.io.IOException("the far side hung up on attempt " + context.attempt());
            }
            return Json.object().put("attempt", context.attempt());
        }
    }

    /** Waits until interrupted, and says so. */
    static final class Stall implements JobHandler {
        final CountDownLatch interrupted = new CountDownLatch(1);

        @Override
        public String type() {
            return "stall";
        }

        @Override
        public JsonNode run(JobContext context) throws InterruptedException {
            try {
                new CountDownLatch(1).await();
                return null;
            } catch (InterruptedException e) {
                interrupted.countDown();
                throw e;
            }
        }
    }

    /** Refuses every payload at run time, permanently; and refuses {@code "bad": true} at submission. */
    static final class Refuse implements JobHandler {
        @Override
        public String type() {
            return "refuse";
        }

        @Override
        public List<FieldError> validate(JsonNode payload, double timeoutSeconds) {
            return payload.path("bad").asBoolean() ? List.of(new FieldError("payload.bad", "must not be true"))
                    : List.of();
        }

        @Override
        public JsonNode run(JobContext context) throws PermanentJobFailure {
            throw new PermanentJobFailure("no such account");
        }
    }

    private final Stall stall = new Stall();
    private final JobTypeTester tester = new JobTypeTester(new Flaky(), stall, new Refuse());

    @AfterEach
    void close() {
        tester.close();
    }

    // [START retries]
    @Test
    void aJobThatFailsTwiceSucceedsOnItsThirdAttemptAfterTwoRetries() {
        JobRun run = tester.run("""
                {"type": "flaky", "payload": {"failures": 2}, "max_retries": 3, "retry_delay_seconds": 0.2}""");
        assertEquals(JobState.SUCCESS, run.state());
        assertEquals(3, run.attempts());
        assertEquals(3, run.result().get("attempt").intValue());
        assertEquals("the far side hung up on attempt 2", run.lastError());
        assertEquals(List.of("created", "started", "failed", "retry_scheduled", "started", "failed",
                "retry_scheduled", "started", "succeeded"),
                run.eventNames());
    }
    // [END retries]

    @Test
    void retriesStopWhenTheBudgetIsSpent() {
        JobRun run = tester.run("""
                {"type": "flaky", "payload": {"failures": 5}, "max_retries": 1, "retry_delay_seconds": 0.2}""");
        assertEquals(JobState.FAILED, run.state());
        assertEquals(2, run.attempts());
        assertNull(run.result());
        assertEquals("the far side hung up on attempt 2", run.lastError());
    }

    // [START timeout]
    @Test
    void anAttemptPastItsTimeoutIsInterruptedAndCountsAsARetryableFailure() throws InterruptedException {
        JobRun run = tester.run("""
                {"type": "stall", "payload": {}, "timeout_seconds": 0.5, "max_retries": 1, "retry_delay_seconds": 0.1}""");
        assertEquals(JobState.FAILED, run.state());
        assertEquals(2, run.attempts());
        assertTrue(run.lastError().startsWith("attempt 2 timed out after 0.5"), run.lastError());
        assertTrue(stall.interrupted.await(5, TimeUnit.SECONDS), "the attempt's thread was never interrupted");
    }
    // [END timeout]

    @Test
    void aPermanentFailureIsNotRetried() {
        JobRun run = tester.run("""
                {"type": "refuse", "payload": {}, "max_retries": 5}""");
        assertEquals(JobState.FAILED, run.state());
        assertEquals(1, run.attempts());
        assertEquals("no such account", run.lastError());
        assertEquals(List.of("created", "started", "failed"), run.eventNames());
    }

    @Test
    void aBodyTheApiWouldRefuseIsRefusedWithItsFieldErrors() {
        assertEquals(List.of(new FieldError("payload.bad", "must not be true")),
                tester.validate("""
                        {"type": "refuse", "payload": {"bad": true}}"""));
        assertEquals(List.of(), tester.validate("""
                {"type": "refuse", "payload": {}}"""));
        AssertionError refused = assertThrows(AssertionError.class, () -> tester.run("""
                {"type": "nope", "payload": {}}"""));
        assertTrue(refused.getMessage().contains("'nope' is not a known job type"), refused.getMessage());
    }

    @Test
    void aJobThatDoesNotEndInTimeFailsTheTestSayingWhereItIs() {
        AssertionError late = assertThrows(AssertionError.class, () -> tester.run("""
                {"type": "stall", "payload": {}, "timeout_seconds": 30}""", Duration.ofSeconds(2)));
        assertTrue(late.getMessage().contains("is still RUNNING after PT2S (attempt 1"), late.getMessage());
    }
}

package dev.conveyor.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conveyor.json.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ExponentialBackoffTest {
    private static Job failedAttempt(int attempt, int maxRetries, double baseDelay) {
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        return new Job(JobId.newId(t), "echo", JobState.RUNNING, Json.object(), null, attempt, maxRetries,
                baseDelay, 30, null, t, t, null, t, null, t.plusSeconds(40));
    }

    @Test
    void theCeilingDoublesFromTheBaseDelay() {
        ExponentialBackoff backoff = new ExponentialBackoff(Duration.ofSeconds(900), () -> 0.999999);
        assertEquals(Duration.ofMillis(1500), backoff.ceilingAfter(1, 1.5));
        assertEquals(Duration.ofSeconds(3), backoff.ceilingAfter(2, 1.5));
        assertEquals(Duration.ofSeconds(12), backoff.ceilingAfter(4, 1.5));
    }

    @Test
    void theCeilingStopsAtTheCap() {
        ExponentialBackoff backoff = new ExponentialBackoff(Duration.ofSeconds(10), () -> 0.5);
        assertEquals(Duration.ofSeconds(10), backoff.ceilingAfter(8, 1));
        assertEquals(Optional.of(Duration.ofSeconds(5)), backoff.nextDelay(failedAttempt(8, 10, 1)));
    }

    @Test
    void fullJitterSpansZeroToTheCeiling() {
        Random random = new Random(42);
        ExponentialBackoff backoff = new ExponentialBackoff(Duration.ofSeconds(900), random::nextDouble);
        Duration min = Duration.ofDays(1);
        Duration max = Duration.ZERO;
        for (int i = 0; i < 10_000; i++) {
            Duration d = backoff.nextDelay(failedAttempt(3, 5, 2)).orElseThrow();
            min = d.compareTo(min) < 0 ? d : min;
            max = d.compareTo(max) > 0 ? d : max;
        }
        assertTrue(min.compareTo(Duration.ofMillis(50)) < 0, "near zero: " + min);
        assertTrue(max.compareTo(Duration.ofMillis(7900)) > 0, "near the ceiling of 8 s: " + max);
        assertTrue(max.compareTo(Duration.ofSeconds(8)) <= 0, "never above the ceiling: " + max);
    }

    @Test
    void noDelayOnceTheBudgetIsSpent() {
        ExponentialBackoff backoff = new ExponentialBackoff(Duration.ofSeconds(900), () -> 0.5);
        assertTrue(backoff.nextDelay(failedAttempt(3, 3, 1)).isPresent(), "attempt 3 of 4");
        assertEquals(Optional.empty(), backoff.nextDelay(failedAttempt(4, 3, 1)), "attempt 4 of 4");
        assertEquals(Optional.empty(), backoff.nextDelay(failedAttempt(1, 0, 1)), "max_retries 0");
    }

    @Test
    void aZeroBaseDelayRetriesAtOnce() {
        ExponentialBackoff backoff = new ExponentialBackoff(Duration.ofSeconds(900), () -> 0.7);
        assertEquals(Optional.of(Duration.ZERO), backoff.nextDelay(failedAttempt(1, 3, 0)));
    }

    @Test
    void theCapCannotExceedSqsVisibilityLimit() {
        assertThrows(IllegalArgumentException.class, () -> new ExponentialBackoff(Duration.ofHours(13), () -> 0));
    }
}

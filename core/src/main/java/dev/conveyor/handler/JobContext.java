package dev.conveyor.handler;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.job.Job;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * What an attempt knows about itself.
 *
 * @param deadline when the attempt is abandoned if it has not returned
 */
public record JobContext(Job job, Instant deadline, Clock clock) {

    public JsonNode payload() {
        return job.payload();
    }

    /** This attempt's number, from 1. */
    public int attempt() {
        return job.attempt();
    }

    /** The time left before the deadline, never negative. */
    public Duration remaining() {
        Duration left = Duration.between(clock.instant(), deadline);
        return left.isNegative() ? Duration.ZERO : left;
    }
}

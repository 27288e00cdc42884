package dev.conveyor.job;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * Which jobs a listing or a bulk action takes: every part that is given must hold.
 *
 * @param states any of these; empty for every state
 * @param payload a JSON object the job's payload contains (PostgreSQL's {@code @>}: nested objects match by their
 *     members, arrays by their elements, and {@code 42} is not {@code "42"})
 * @param createdAfter created at or after
 * @param createdBefore created before
 * @param unchangedAfter last changed ({@code updated_at}) at or before: a bulk action's snapshot, so that jobs it
 *     changed, or that changed on their own since it began, are not taken again by its later calls
 */
public record JobFilter(Set<JobState> states, Optional<String> type, Optional<JsonNode> payload,
                        Optional<Instant> createdAfter, Optional<Instant> createdBefore,
                        Optional<Instant> unchangedAfter) {
    /** Every job. */
    public static final JobFilter ANY = new JobFilter(Set.of(), Optional.empty(), Optional.empty(), Optional.empty(),
            Optional.empty(), Optional.empty());

    public JobFilter {
        states = Set.copyOf(states);
    }

    public static JobFilter inState(JobState state) {
        return ANY.withStates(Set.of(state));
    }

    public static JobFilter ofType(String type) {
        return ANY.withType(type);
    }

    public JobFilter withStates(Set<JobState> states) {
        return new JobFilter(states, type, payload, createdAfter, createdBefore, unchangedAfter);
    }

    public JobFilter withType(String type) {
        return new JobFilter(states, Optional.of(type), payload, createdAfter, createdBefore, unchangedAfter);
    }

    public JobFilter withPayload(JsonNode payload) {
        return new JobFilter(states, type, Optional.of(payload), createdAfter, createdBefore, unchangedAfter);
    }

    public JobFilter createdBetween(Instant after, Instant before) {
        return new JobFilter(states, type, payload, Optional.ofNullable(after), Optional.ofNullable(before),
                unchangedAfter);
    }

    /** Only jobs last changed at or before {@code asOf}. */
    public JobFilter unchangedAfter(Instant asOf) {
        return new JobFilter(states, type, payload, createdAfter, createdBefore, Optional.of(asOf));
    }
}

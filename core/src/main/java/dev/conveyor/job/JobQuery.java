package dev.conveyor.job;

import java.time.Instant;
import java.util.Optional;

/**
 * A page of {@code GET /jobs}: newest first, the jobs a filter takes, after a keyset position.
 *
 * @param after the last job of the previous page, or empty for the first page
 */
public record JobQuery(JobFilter filter, int limit, Optional<Position> after) {
    public static final int DEFAULT_LIMIT = 20;
    public static final int MAX_LIMIT = 100;

    public JobQuery {
        // A page asks the store for one job more than it shows, to learn whether another page follows.
        if (limit < 1 || limit > MAX_LIMIT + 1) {
            throw new IllegalArgumentException("limit out of range: " + limit);
        }
    }

    /** The first page of up to {@code limit} jobs. */
    public static JobQuery first(JobFilter filter, int limit) {
        return new JobQuery(filter, limit, Optional.empty());
    }

    public JobQuery withLimit(int limit) {
        return new JobQuery(filter, limit, after);
    }

    public JobQuery after(Optional<Position> after) {
        return new JobQuery(filter, limit, after);
    }

    /** A job's place in the newest-first order. */
    public record Position(Instant createdAt, JobId id) {
        public static Position of(Job job) {
            return new Position(job.createdAt(), job.id());
        }
    }
}

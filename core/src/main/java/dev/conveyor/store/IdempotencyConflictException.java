package dev.conveyor.store;

import dev.conveyor.job.JobId;

/** An idempotency key was used before, in the same scope, for a different request. */
public class IdempotencyConflictException extends RuntimeException {
    private final JobId existing;

    public IdempotencyConflictException(String key, JobId existing) {
        super("Idempotency-Key '" + key + "' was used for a different request (job " + existing + ")");
        this.existing = existing;
    }

    public JobId existing() {
        return existing;
    }
}

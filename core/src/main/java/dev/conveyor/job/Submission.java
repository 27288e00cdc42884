package dev.conveyor.job;

/**
 * What storing a new job came to.
 *
 * @param created false when an earlier submission with the same idempotency key is returned instead
 */
public record Submission(Job job, boolean created) {
}

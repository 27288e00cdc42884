package dev.conveyor.job;

/**
 * What is wrong with one field of a request.
 *
 * @param field where: a top-level name ({@code max_retries}) or a path into the payload ({@code payload.message})
 */
public record FieldError(String field, String message) {
}

package dev.conveyor.client;

/**
 * One offending field of a refused request.
 *
 * @param field as the API names it: {@code max_retries}, {@code payload.message}, {@code jobs[3].type}, {@code limit}
 */
public record FieldError(String field, String message) {
    @Override
    public String toString() {
        return field + ": " + message;
    }
}

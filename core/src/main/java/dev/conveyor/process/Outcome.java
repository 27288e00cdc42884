package dev.conveyor.process;

import com.fasterxml.jackson.databind.JsonNode;

/** What one attempt of a job came to. */
sealed interface Outcome {
    /** The handler returned a result. */
    record Succeeded(JsonNode result) implements Outcome {
    }

    /** The handler failed, ran out of time, or could not run; {@code retryable} says whether another attempt may help. */
    record Failed(String error, boolean retryable) implements Outcome {
    }
}

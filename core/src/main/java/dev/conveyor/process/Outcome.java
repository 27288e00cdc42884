package dev.conveyor.process;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;

/** What one attempt of a job came to. */
sealed interface Outcome {
    /** The handler returned a result. */
    record Succeeded(JsonNode result) implements Outcome {
    }

    /**
     * The handler failed, ran out of time, or could not run; {@code retryable} says whether another attempt may
     * help, {@code notBefore} how long it must wait at least (zero unless the handler asked for more).
     */
    record Failed(String error, boolean retryable, Duration notBefore) implements Outcome {
        Failed(String error, boolean retryable) {
            this(error, retryable, Duration.ZERO);
        }
    }
}

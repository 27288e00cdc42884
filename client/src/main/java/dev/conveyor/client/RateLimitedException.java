package dev.conveyor.client;

import java.time.Duration;
import java.util.List;

/** Beyond the API key's rate or burst (429), after the client's own retries. */
public class RateLimitedException extends ConveyorApiException {
    private static final long serialVersionUID = 1L;

    public RateLimitedException(String title, String detail, List<FieldError> errors, String requestId, Duration retryAfter) {
        super(429, title, detail, errors, requestId, retryAfter);
    }
}

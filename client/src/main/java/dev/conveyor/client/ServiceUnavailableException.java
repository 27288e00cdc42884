package dev.conveyor.client;

import java.time.Duration;
import java.util.List;

/** The API's database or queue did not answer (503), after the client's own retries. */
public class ServiceUnavailableException extends ConveyorApiException {
    private static final long serialVersionUID = 1L;

    public ServiceUnavailableException(String title, String detail, List<FieldError> errors, String requestId, Duration retryAfter) {
        super(503, title, detail, errors, requestId, retryAfter);
    }
}

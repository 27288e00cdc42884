package dev.conveyor.client;

import java.util.List;

/** The job's state does not allow the call, or the idempotency key was used for a different job (409). */
public class ConflictException extends ConveyorApiException {
    private static final long serialVersionUID = 1L;

    public ConflictException(String title, String detail, List<FieldError> errors, String requestId) {
        super(409, title, detail, errors, requestId, null);
    }
}

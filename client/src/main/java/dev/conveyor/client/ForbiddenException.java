package dev.conveyor.client;

import java.util.List;

/** No valid API key, or a read-only key on a call that changes something (403): nothing changed. */
public class ForbiddenException extends ConveyorApiException {
    private static final long serialVersionUID = 1L;

    public ForbiddenException(String title, String detail, List<FieldError> errors, String requestId) {
        super(403, title, detail, errors, requestId, null);
    }
}

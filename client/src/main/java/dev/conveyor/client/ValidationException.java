package dev.conveyor.client;

import java.util.List;

/** Invalid input (400): `errors()` names each offending field; nothing was stored. */
public class ValidationException extends ConveyorApiException {
    private static final long serialVersionUID = 1L;

    public ValidationException(String title, String detail, List<FieldError> errors, String requestId) {
        super(400, title, detail, errors, requestId, null);
    }
}

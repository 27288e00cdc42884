package dev.conveyor.client;

import java.util.List;

/** No such job (404). */
public class NotFoundException extends ConveyorApiException {
    private static final long serialVersionUID = 1L;

    public NotFoundException(String title, String detail, List<FieldError> errors, String requestId) {
        super(404, title, detail, errors, requestId, null);
    }
}

package dev.conveyor.api;

import dev.conveyor.job.FieldError;
import java.util.List;
import java.util.Map;

/**
 * A request the API answers with a 4xx problem: what the client got wrong, and for validation, which fields.
 */
public class ApiException extends RuntimeException {
    private final int status;
    private final List<FieldError> errors;
    private final Map<String, String> headers;

    public ApiException(int status, String detail) {
        this(status, detail, List.of(), Map.of());
    }

    public ApiException(int status, String detail, List<FieldError> errors, Map<String, String> headers) {
        super(detail);
        this.status = status;
        this.errors = List.copyOf(errors);
        this.headers = Map.copyOf(headers);
    }

    /** A 400 naming each offending field. */
    public static ApiException invalid(List<FieldError> errors) {
        String detail = errors.size() == 1
                ? errors.get(0).field() + " " + errors.get(0).message()
                : "the request has " + errors.size() + " invalid fields: "
                        + String.join(", ", errors.stream().map(FieldError::field).distinct().limit(10).toList())
                        + (errors.size() > 10 ? ", ..." : "");
        return new ApiException(400, detail, errors, Map.of());
    }

    public int status() {
        return status;
    }

    public List<FieldError> errors() {
        return errors;
    }

    public Map<String, String> headers() {
        return headers;
    }
}

package dev.conveyor.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The API refused a call: its problem+json answer (RFC 9457), typed. The subclasses name the statuses a caller
 * acts on; any other status (413, 415, 500, 504...) is this class itself.
 */
public class ConveyorApiException extends ConveyorException {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final String title;
    private final String detail;
    private final transient List<FieldError> errors;
    private final String requestId;
    private final transient Duration retryAfter;

    public ConveyorApiException(int status, String title, String detail, List<FieldError> errors, String requestId,
                                Duration retryAfter) {
        super(message(status, title, detail, errors), null);
        this.status = status;
        this.title = title;
        this.detail = detail;
        this.errors = List.copyOf(errors);
        this.requestId = requestId;
        this.retryAfter = retryAfter;
    }

    private static String message(int status, String title, String detail, List<FieldError> errors) {
        StringBuilder message = new StringBuilder().append(status);
        if (title != null) {
            message.append(' ').append(title);
        }
        if (detail != null) {
            message.append(": ").append(detail);
        }
        if (!errors.isEmpty()) {
            message.append(' ').append(errors);
        }
        return message.toString();
    }

    /** The HTTP status. */
    public int status() {
        return status;
    }

    /** The status's title ("Bad Request"); null when the answer had none. */
    public String title() {
        return title;
    }

    /** What went wrong, for a person. */
    public String detail() {
        return detail;
    }

    /** One per offending field for a refused input; empty otherwise. */
    public List<FieldError> errors() {
        return errors;
    }

    /** The request's id, for finding it in the API's logs; null when the answer had none (API Gateway's own). */
    public String requestId() {
        return requestId;
    }

    /** How long the API asked to wait before trying again (429, 503); null when it did not say. */
    public Duration retryAfter() {
        return retryAfter;
    }

    /** The exception for an answer: its problem+json if it has one, else its status and text. */
    static ConveyorApiException from(int status, String body, String contentType, Duration retryAfter) {
        String title = null;
        String detail = body == null || body.isBlank() ? "(no body)" : body.strip();
        String requestId = null;
        List<FieldError> errors = new ArrayList<>();
        if (contentType != null && contentType.contains("json")) {
            try {
                JsonNode problem = Json.parse(body);
                title = Json.text(problem, "title");
                detail = Json.text(problem, "detail") == null ? detail : Json.text(problem, "detail");
                requestId = Json.text(problem, "request_id");
                problem.path("errors").forEach(e -> errors.add(new FieldError(Json.text(e, "field"), Json.text(e, "message"))));
            } catch (IllegalArgumentException e) {
                // not the JSON it claims to be: the text is the detail
            }
        }
        return switch (status) {
            case 400 -> new ValidationException(title, detail, errors, requestId);
            case 403 -> new ForbiddenException(title, detail, errors, requestId);
            case 404 -> new NotFoundException(title, detail, errors, requestId);
            case 409 -> new ConflictException(title, detail, errors, requestId);
            case 429 -> new RateLimitedException(title, detail, errors, requestId, retryAfter);
            case 503 -> new ServiceUnavailableException(title, detail, errors, requestId, retryAfter);
            default -> new ConveyorApiException(status, title, detail, errors, requestId, retryAfter);
        };
    }
}

package dev.conveyor.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveyor.job.FieldError;
import dev.conveyor.json.Json;
import dev.conveyor.log.Log;
import dev.conveyor.queue.QueueException;
import dev.conveyor.store.IdempotencyConflictException;
import dev.conveyor.store.StoreException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every error the API answers, in one place: {@code application/problem+json} (RFC 9457) with a status, a title,
 * a detail a person can act on, the request id, and for validation the offending fields. Never a stack trace.
 */
public final class Problems {
    private static final Log LOG = Log.of(Problems.class);
    /** How long a client should wait before trying again after a 503. */
    static final String RETRY_AFTER_SECONDS = "5";
    /**
     * The most field errors one answer lists: a 256 KB body of unknown fields would otherwise make an answer of
     * megabytes, near Lambda's 6 MB response limit.
     */
    static final int MAX_ERRORS = 100;

    private Problems() {
    }

    /** The answer for anything a request handler threw. */
    public static ApiResponse from(Throwable error, ApiRequest request) {
        if (error instanceof ApiException api) {
            return problem(api.status(), api.getMessage(), api.errors(), api.headers(), request);
        }
        if (error instanceof Json.MalformedJsonException malformed) {
            return problem(400, malformed.getMessage(), List.of(new FieldError("body", malformed.getMessage())),
                    Map.of(), request);
        }
        if (error instanceof IdempotencyConflictException conflict) {
            return problem(409, conflict.getMessage(), List.of(), Map.of(), request);
        }
        if (error instanceof StoreException || error instanceof QueueException) {
            LOG.warn("dependency unavailable", error, "request_id", request.requestId());
            return problem(503, "the service is unavailable for a moment: " + dependency(error)
                    + "; try again (an Idempotency-Key makes a retried submission safe)", List.of(),
                    Map.of("Retry-After", RETRY_AFTER_SECONDS), request);
        }
        LOG.error("unexpected error", error, "request_id", request.requestId(), "path", request.path());
        return problem(500, "an unexpected error occurred; it has been logged with request id "
                + request.requestId(), List.of(), Map.of(), request);
    }

    public static ApiResponse problem(int status, String detail, List<FieldError> errors,
                                      Map<String, String> extraHeaders, ApiRequest request) {
        ObjectNode body = Json.object()
                .put("type", "about:blank")
                .put("title", title(status))
                .put("status", status)
                .put("detail", detail);
        if (request != null) {
            body.put("instance", request.basePath() + request.path());
            if (request.requestId() != null) {
                body.put("request_id", request.requestId());
            }
        }
        if (!errors.isEmpty()) {
            ArrayNode list = body.putArray("errors");
            errors.stream().limit(MAX_ERRORS)
                    .forEach(e -> list.addObject().put("field", e.field()).put("message", e.message()));
            if (errors.size() > MAX_ERRORS) {
                body.put("detail", detail + " (errors lists the first " + MAX_ERRORS + ")");
            }
        }
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", ApiResponse.PROBLEM_JSON);
        headers.putAll(extraHeaders);
        return new ApiResponse(status, headers, Json.write(body));
    }

    private static String dependency(Throwable error) {
        return error instanceof StoreException ? "the job database did not answer" : "the job queue did not answer";
    }

    public static String title(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 409 -> "Conflict";
            case 413 -> "Content Too Large";
            case 415 -> "Unsupported Media Type";
            case 429 -> "Too Many Requests";
            case 500 -> "Internal Server Error";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            default -> "Error";
        };
    }
}

package dev.conveyor.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.handler.HandlerRegistry;
import dev.conveyor.handler.JobHandler;
import dev.conveyor.job.FieldError;
import dev.conveyor.job.NewJob;
import dev.conveyor.json.Json;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads job submissions strictly: one JSON object of known fields, integers that are integers, numbers in range,
 * a known type whose handler accepts the payload. Every problem is reported, each naming its field.
 */
public final class JobRequests {
    static final Set<String> FIELDS =
            Set.of("type", "payload", "max_retries", "retry_delay_seconds", "timeout_seconds", "delay_seconds");
    /** A retry delay beyond twelve hours could not ride on an SQS visibility timeout anyway. */
    static final double MAX_RETRY_DELAY_SECONDS = 12 * 3600;
    /** PostgreSQL's numeric type, behind jsonb, holds far less than Java's BigDecimal. */
    private static final int MAX_NUMBER_DIGITS = 1000;

    private final HandlerRegistry handlers;
    private final double maxTimeoutSeconds;
    private final int maxPayloadBytes;

    /** @param maxTimeoutSeconds the longest attempt the process-job function can run */
    public JobRequests(HandlerRegistry handlers, double maxTimeoutSeconds) {
        this(handlers, maxTimeoutSeconds, Integer.MAX_VALUE);
    }

    /** @param maxPayloadBytes the largest payload, as JSON, the store keeps ({@code JobStore.maxJsonBytes}) */
    public JobRequests(HandlerRegistry handlers, double maxTimeoutSeconds, int maxPayloadBytes) {
        this.handlers = handlers;
        this.maxTimeoutSeconds = maxTimeoutSeconds;
        this.maxPayloadBytes = maxPayloadBytes;
    }

    /**
     * Parses one job.
     *
     * @param prefix prepended to field names in errors ({@code jobs[3].} in a batch)
     * @throws ApiException a 400 naming every offending field
     */
    public NewJob parse(JsonNode node, String prefix) {
        List<FieldError> errors = new ArrayList<>();
        NewJob job = parse(node, prefix, errors);
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors);
        }
        return job;
    }

    /** Parses one job, adding its problems to {@code errors}; returns null when there were any. */
    public NewJob parse(JsonNode node, String prefix, List<FieldError> errors) {
        int before = errors.size();
        if (!node.isObject()) {
            errors.add(new FieldError(prefix.isEmpty() ? "body" : prefix.substring(0, prefix.length() - 1),
                    "must be a JSON object"));
            return null;
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                errors.add(new FieldError(prefix + printable(name), "is not a known field; known fields: "
                        + "type, payload, max_retries, retry_delay_seconds, timeout_seconds, delay_seconds"));
            }
        }
        Optional<JobHandler> handler = type(node.get("type"), prefix, errors);
        JsonNode payload = node.get("payload");
        if (payload == null || payload.isNull()) {
            payload = Json.object();
        } else if (!payload.isObject()) {
            errors.add(new FieldError(prefix + "payload", "must be a JSON object"));
            payload = null;
        } else {
            int count = errors.size();
            checkValues(payload, prefix + "payload", errors);
            if (errors.size() == count && maxPayloadBytes < Integer.MAX_VALUE) {
                int bytes = Json.write(payload).getBytes(StandardCharsets.UTF_8).length;
                if (bytes > maxPayloadBytes) {
                    errors.add(new FieldError(prefix + "payload", "is " + bytes + " bytes as JSON; this deployment's "
                            + "store (the RDS Data API) keeps at most " + maxPayloadBytes));
                }
            }
        }
        int maxRetries = integer(node, "max_retries", prefix, 0, NewJob.MAX_RETRIES_LIMIT,
                NewJob.DEFAULT_MAX_RETRIES, errors);
        double retryDelay = number(node, "retry_delay_seconds", prefix, 0, true, MAX_RETRY_DELAY_SECONDS,
                NewJob.DEFAULT_RETRY_DELAY_SECONDS, errors);
        double timeout = number(node, "timeout_seconds", prefix, 0, false, maxTimeoutSeconds,
                Math.min(NewJob.DEFAULT_TIMEOUT_SECONDS, maxTimeoutSeconds), errors);
        long delay = integer(node, "delay_seconds", prefix, 0, NewJob.MAX_DELAY_SECONDS, 0, errors);
        if (handler.isPresent() && payload != null) {
            for (FieldError error : handler.get().validate(payload, timeout)) {
                errors.add(new FieldError(prefix + error.field(), error.message()));
            }
        }
        if (errors.size() > before) {
            return null;
        }
        return new NewJob(handler.get().type(), payload, maxRetries, retryDelay, timeout, delay, null);
    }

    private Optional<JobHandler> type(JsonNode type, String prefix, List<FieldError> errors) {
        if (type == null) {
            errors.add(new FieldError(prefix + "type", "is required; known types: " + known()));
        } else if (!type.isTextual()) {
            errors.add(new FieldError(prefix + "type", "must be a string; known types: " + known()));
        } else {
            Optional<JobHandler> handler = handlers.find(type.textValue());
            if (handler.isEmpty()) {
                errors.add(new FieldError(prefix + "type", "'" + printable(type.textValue())
                        + "' is not a known job type; known types: " + known()));
            }
            return handler;
        }
        return Optional.empty();
    }

    private String known() {
        return String.join(", ", handlers.types());
    }

    private static long integer(JsonNode node, String field, String prefix, long min, long max, long fallback,
                                List<FieldError> errors) {
        JsonNode value = node.get(field);
        if (value == null) {
            return fallback;
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong() || value.longValue() < min
                || value.longValue() > max) {
            errors.add(new FieldError(prefix + field, "must be an integer from " + min + " to " + max));
            return fallback;
        }
        return value.longValue();
    }

    private static int integer(JsonNode node, String field, String prefix, int min, int max, int fallback,
                               List<FieldError> errors) {
        return (int) integer(node, field, prefix, (long) min, (long) max, (long) fallback, errors);
    }

    /** A number (fractions allowed) in range; {@code min} itself allowed only when {@code minInclusive}. */
    private static double number(JsonNode node, String field, String prefix, double min, boolean minInclusive,
                                 double max, double fallback, List<FieldError> errors) {
        JsonNode value = node.get(field);
        if (value == null) {
            return fallback;
        }
        double number = value.isNumber() ? value.doubleValue() : Double.NaN;
        boolean aboveMin = minInclusive ? number >= min : number > min;
        if (!value.isNumber() || !aboveMin || !(number <= max)) {
            errors.add(new FieldError(prefix + field, "must be a number " + (minInclusive ? "from " : "greater than ")
                    + format(min) + (minInclusive ? " to " : " and at most ") + format(max)));
            return fallback;
        }
        return number;
    }

    /**
     * What PostgreSQL's jsonb cannot store: the NUL character in a string or a key, an unpaired UTF-16 surrogate
     * ({@code "\ud800"}, which would be stored as {@code "?"}), and numbers with more digits than its numeric type
     * holds.
     */
    static void checkValues(JsonNode node, String path, List<FieldError> errors) {
        if (node.isTextual() && node.textValue().indexOf('\0') >= 0) {
            errors.add(new FieldError(path, "must not contain the NUL character (\\u0000)"));
        } else if (node.isTextual() && hasUnpairedSurrogate(node.textValue())) {
            errors.add(new FieldError(path, "must not contain an unpaired surrogate (\\ud800 to \\udfff)"));
        } else if (node.isNumber() && !fitsNumeric(node)) {
            errors.add(new FieldError(path, "has more digits than a number may have (" + MAX_NUMBER_DIGITS + ")"));
        } else if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                if (field.getKey().indexOf('\0') >= 0) {
                    errors.add(new FieldError(path, "has a key with the NUL character (\\u0000)"));
                } else if (hasUnpairedSurrogate(field.getKey())) {
                    errors.add(new FieldError(path, "has a key with an unpaired surrogate (\\ud800 to \\udfff)"));
                } else {
                    checkValues(field.getValue(), path + "." + printable(field.getKey()), errors);
                }
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                checkValues(node.get(i), path + "[" + i + "]", errors);
            }
        }
    }

    private static boolean hasUnpairedSurrogate(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    private static boolean fitsNumeric(JsonNode node) {
        if (!node.isBigDecimal()) {
            return true;
        }
        BigDecimal value = node.decimalValue();
        return (long) value.precision() - value.scale() <= MAX_NUMBER_DIGITS && value.scale() <= MAX_NUMBER_DIGITS;
    }

    /** A client's text, shortened and stripped of control characters, fit to quote back in an error. */
    static String printable(String text) {
        String shortened = text.length() > 64 ? text.substring(0, 64) + "..." : text;
        StringBuilder out = new StringBuilder(shortened.length());
        shortened.codePoints().forEach(c -> {
            if (Character.isISOControl(c)) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.toString();
    }

    private static String format(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : Double.toString(value);
    }
}

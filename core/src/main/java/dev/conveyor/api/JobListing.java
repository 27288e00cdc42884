package dev.conveyor.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.job.FieldError;
import dev.conveyor.job.JobFilter;
import dev.conveyor.job.JobId;
import dev.conveyor.job.JobQuery;
import dev.conveyor.job.JobState;
import dev.conveyor.json.Json;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The query string of {@code GET /jobs}, read strictly: {@code state}, {@code type}, {@code payload},
 * {@code created_after}, {@code created_before}, {@code limit} and {@code cursor}, each at most once, nothing else. The cursor is opaque to clients: the position of the last job
 * of the previous page (its creation time and id), so that a page never skips or repeats a job while new ones
 * are inserted ahead of it.
 */
final class JobListing {
    private static final Set<String> PARAMETERS = Set.of("state", "type", "payload", "created_after",
            "created_before", "limit", "cursor");
    /** The longest payload filter, as JSON text: containment is cheap, but not for a document of any size. */
    static final int MAX_PAYLOAD_FILTER_CHARS = 2048;
    /** The span of creation times a cursor may name, well inside what a PostgreSQL timestamp holds. */
    private static final Instant EARLIEST = Instant.EPOCH;
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999Z");

    private JobListing() {
    }

    static JobQuery query(ApiRequest request) {
        List<FieldError> errors = new ArrayList<>();
        request.query().forEach((name, values) -> {
            if (!PARAMETERS.contains(name)) {
                errors.add(new FieldError(JobRequests.printable(name), "is not a parameter of GET /jobs;"
                        + " use state, type, payload, created_after, created_before, limit or cursor"));
            } else if (values.size() > 1) {
                errors.add(new FieldError(name, "must be given at most once"));
            }
        });
        Optional<JobState> state = one(request, "state").flatMap(text -> {
            try {
                return Optional.of(JobState.valueOf(text));
            } catch (IllegalArgumentException e) {
                errors.add(new FieldError("state", "must be one of " + Arrays.toString(JobState.values())));
                return Optional.empty();
            }
        });
        Optional<String> type = one(request, "type");
        type.ifPresent(text -> checkType(text, "type", errors));
        Optional<JsonNode> payload = one(request, "payload").flatMap(text -> {
            if (text.length() > MAX_PAYLOAD_FILTER_CHARS) {
                errors.add(new FieldError("payload", "must be at most " + MAX_PAYLOAD_FILTER_CHARS + " characters"));
                return Optional.empty();
            }
            try {
                return payload(Json.parse(text), "payload", errors);
            } catch (Json.MalformedJsonException e) {
                errors.add(new FieldError("payload", "must be a JSON object, URL-encoded, such as"
                        + " {\"customer_id\": 42}"));
                return Optional.empty();
            }
        });
        Optional<Instant> createdAfter = one(request, "created_after").flatMap(t -> instant(t, "created_after", errors));
        Optional<Instant> createdBefore = one(request, "created_before")
                .flatMap(t -> instant(t, "created_before", errors));
        checkOrder(createdAfter, createdBefore, "created_after", errors);
        int limit = JobQuery.DEFAULT_LIMIT;
        Optional<String> limitText = one(request, "limit");
        if (limitText.isPresent()) {
            try {
                limit = Integer.parseInt(limitText.get());
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > JobQuery.MAX_LIMIT || !limitText.get().matches("[0-9]+")) {
                errors.add(new FieldError("limit", "must be an integer from 1 to " + JobQuery.MAX_LIMIT));
                limit = JobQuery.DEFAULT_LIMIT;
            }
        }
        Optional<JobQuery.Position> after = one(request, "cursor").flatMap(text -> {
            Optional<JobQuery.Position> position = position(text);
            if (position.isEmpty()) {
                errors.add(new FieldError("cursor", "is not a cursor this API gave out"));
            }
            return position;
        });
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors);
        }
        JobFilter filter = new JobFilter(state.map(Set::of).orElse(Set.of()), type, payload, createdAfter,
                createdBefore, Optional.empty());
        return new JobQuery(filter, limit, after);
    }

    static void checkType(String type, String field, List<FieldError> errors) {
        if (type.isEmpty() || type.length() > 64 || type.chars().anyMatch(Character::isISOControl)) {
            // PostgreSQL refuses the NUL character in a text parameter: a 500 if it got that far
            errors.add(new FieldError(field, "must be a job type, 1 to 64 characters, none of them a control character"));
        }
    }

    /** A payload filter: a JSON object of at most {@link #MAX_PAYLOAD_FILTER_CHARS} characters as JSON. */
    static Optional<JsonNode> payload(JsonNode value, String field, List<FieldError> errors) {
        if (value == null || !value.isObject()) {
            errors.add(new FieldError(field, "must be a JSON object, such as {\"customer_id\": 42}"));
            return Optional.empty();
        }
        if (Json.write(value).length() > MAX_PAYLOAD_FILTER_CHARS) {
            errors.add(new FieldError(field, "must be at most " + MAX_PAYLOAD_FILTER_CHARS + " characters of JSON"));
            return Optional.empty();
        }
        int before = errors.size();
        JobRequests.checkValues(value, field, errors); // what jsonb cannot hold is refused, not a 500
        return errors.size() == before ? Optional.of(value) : Optional.empty();
    }

    /** An ISO-8601 instant within what PostgreSQL's timestamps hold, such as 2026-12-02T17:05:00Z. */
    static Optional<Instant> instant(String text, String field, List<FieldError> errors) {
        try {
            Instant instant = OffsetDateTime.parse(text).toInstant();
            if (!instant.isBefore(EARLIEST) && !instant.isAfter(LATEST)) {
                return Optional.of(instant);
            }
        } catch (DateTimeParseException e) {
            // below
        }
        errors.add(new FieldError(field, "must be an ISO-8601 instant from 1970 to 9999, such as 2026-12-02T17:05:00Z"));
        return Optional.empty();
    }

    /** {@code created_after} must come before {@code created_before}: otherwise nothing could match. */
    static void checkOrder(Optional<Instant> after, Optional<Instant> before, String field, List<FieldError> errors) {
        if (after.isPresent() && before.isPresent() && !after.get().isBefore(before.get())) {
            errors.add(new FieldError(field, "must be before created_before"));
        }
    }

    static String cursor(JobQuery.Position position) {
        String text = position.createdAt() + "|" + position.id();
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    static Optional<JobQuery.Position> position(String cursor) {
        try {
            String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            int bar = text.indexOf('|');
            if (bar < 0) {
                return Optional.empty();
            }
            Instant createdAt = Instant.parse(text.substring(0, bar));
            if (createdAt.isBefore(EARLIEST) || createdAt.isAfter(LATEST)) {
                return Optional.empty(); // no job was created then; PostgreSQL could not even compare the time
            }
            return Optional.of(new JobQuery.Position(createdAt, JobId.parse(text.substring(bar + 1))));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> one(ApiRequest request, String name) {
        List<String> values = request.queryValues(name);
        return values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }
}

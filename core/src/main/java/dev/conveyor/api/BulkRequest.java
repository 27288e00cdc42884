package dev.conveyor.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.job.FieldError;
import dev.conveyor.job.JobFilter;
import dev.conveyor.job.JobState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The body of {@code POST /jobs/bulk}, read strictly: {@code {"action": "retry" | "cancel", "filter": {...},
 * "dry_run": false, "as_of": "..."}}. The filter's fields mean what the same names mean on {@code GET /jobs}; its
 * states are narrowed to those the action takes.
 *
 * @param asOf the snapshot the action works on: only jobs last changed at or before it. Empty in a first call;
 *     every answer names the one it used, and the calls that go on with the same action pass it back, so that a job
 *     the action retried and that failed again since is not retried a second time
 */
record BulkRequest(Action action, JobFilter filter, boolean dryRun, Optional<Instant> asOf) {
    private static final Set<String> FIELDS = Set.of("action", "filter", "dry_run", "as_of");
    private static final Set<String> FILTER_FIELDS = Set.of("state", "type", "payload", "created_after",
            "created_before");

    /** What a bulk request does to each job it takes, and the states it takes jobs from. */
    enum Action {
        RETRY(EnumSet.of(JobState.FAILED, JobState.DEAD_LETTERED, JobState.CANCELLED)),
        CANCEL(EnumSet.of(JobState.PENDING, JobState.RETRYING));

        final Set<JobState> from;

        Action(Set<JobState> from) {
            this.from = from;
        }

        String json() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    static BulkRequest parse(JsonNode body) {
        if (!body.isObject()) {
            throw ApiException.invalid(List.of(new FieldError("body",
                    "must be a JSON object: {\"action\": \"retry\", \"filter\": {...}, \"dry_run\": true}")));
        }
        List<FieldError> errors = new ArrayList<>();
        unknown(body, FIELDS, "", errors);
        Action action = null;
        JsonNode actionNode = body.get("action");
        if (actionNode != null && actionNode.isTextual()
                && (actionNode.textValue().equals("retry") || actionNode.textValue().equals("cancel"))) {
            action = Action.valueOf(actionNode.textValue().toUpperCase(Locale.ROOT));
        } else {
            errors.add(new FieldError("action", "must be \"retry\" or \"cancel\""));
        }
        JsonNode dryRun = body.get("dry_run");
        if (dryRun != null && !dryRun.isBoolean()) {
            errors.add(new FieldError("dry_run", "must be true or false"));
        }
        JsonNode filterNode = body.get("filter");
        JobFilter filter = JobFilter.ANY;
        if (filterNode != null && !filterNode.isObject()) {
            errors.add(new FieldError("filter", "must be a JSON object"));
        } else if (filterNode != null) {
            filter = filter(filterNode, action, errors);
        }
        JsonNode asOfNode = body.get("as_of");
        Optional<Instant> asOf = Optional.empty();
        if (asOfNode != null && !asOfNode.isTextual()) {
            errors.add(new FieldError("as_of", "must be an ISO-8601 instant, as a previous answer gave it"));
        } else if (asOfNode != null) {
            asOf = JobListing.instant(asOfNode.textValue(), "as_of", errors);
        }
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors);
        }
        if (filter.states().isEmpty()) {
            filter = filter.withStates(action.from);
        }
        return new BulkRequest(action, filter, dryRun != null && dryRun.booleanValue(), asOf);
    }

    private static JobFilter filter(JsonNode node, Action action, List<FieldError> errors) {
        unknown(node, FILTER_FIELDS, "filter.", errors);
        Set<JobState> states = Set.of();
        JsonNode state = node.get("state");
        if (state != null) {
            try {
                JobState parsed = JobState.parse(state.isTextual() ? state.textValue() : "");
                if (action != null && !action.from.contains(parsed)) {
                    errors.add(new FieldError("filter.state", "must be one of " + action.from + " to "
                            + action.json()));
                }
                states = Set.of(parsed);
            } catch (IllegalArgumentException e) {
                errors.add(new FieldError("filter.state", "must be one of "
                        + (action == null ? EnumSet.allOf(JobState.class) : action.from)));
            }
        }
        Optional<String> type = text(node, "type", errors);
        type.ifPresent(t -> JobListing.checkType(t, "filter.type", errors));
        Optional<JsonNode> payload = node.has("payload")
                ? JobListing.payload(node.get("payload"), "filter.payload", errors) : Optional.empty();
        Optional<Instant> after = text(node, "created_after", errors)
                .flatMap(t -> JobListing.instant(t, "filter.created_after", errors));
        Optional<Instant> before = text(node, "created_before", errors)
                .flatMap(t -> JobListing.instant(t, "filter.created_before", errors));
        JobListing.checkOrder(after, before, "filter.created_after", errors);
        return new JobFilter(states, type, payload, after, before, Optional.empty());
    }

    private static Optional<String> text(JsonNode node, String field, List<FieldError> errors) {
        JsonNode value = node.get(field);
        if (value == null) {
            return Optional.empty();
        }
        if (!value.isTextual()) {
            errors.add(new FieldError("filter." + field, "must be a string"));
            return Optional.empty();
        }
        return Optional.of(value.textValue());
    }

    private static void unknown(JsonNode node, Set<String> known, String prefix, List<FieldError> errors) {
        node.fieldNames().forEachRemaining(name -> {
            if (!known.contains(name)) {
                errors.add(new FieldError(prefix + JobRequests.printable(name), "is not a known field; known fields: "
                        + String.join(", ", known.stream().sorted().toList())));
            }
        });
    }
}

package dev.conveyor.client;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.StringJoiner;

/**
 * Which jobs {@link ConveyorClient#list(JobFilter)} takes: the filters of {@code GET /jobs}, combined. Immutable;
 * each method answers a new filter. {@link #all()} takes every job.
 *
 * <pre>{@code
 * JobFilter failedEchoes = JobFilter.all().state(JobState.FAILED).type("echo").pageSize(100);
 * }</pre>
 */
public final class JobFilter {
    private static final JobFilter ALL = new JobFilter(null, null, null, null, null, null);

    private final JobState state;
    private final String type;
    private final String payload;
    private final Instant createdAfter;
    private final Instant createdBefore;
    private final Integer pageSize;

    private JobFilter(JobState state, String type, String payload, Instant createdAfter, Instant createdBefore,
                      Integer pageSize) {
        this.state = state;
        this.type = type;
        this.payload = payload;
        this.createdAfter = createdAfter;
        this.createdBefore = createdBefore;
        this.pageSize = pageSize;
    }

    /** No filter: every job, newest first. */
    public static JobFilter all() {
        return ALL;
    }

    /** Jobs in this state. */
    public JobFilter state(JobState state) {
        if (state == JobState.UNKNOWN) {
            throw new IllegalArgumentException("UNKNOWN is not a state to filter by");
        }
        return new JobFilter(state, type, payload, createdAfter, createdBefore, pageSize);
    }

    /** Jobs of this type. */
    public JobFilter type(String type) {
        return new JobFilter(state, type, payload, createdAfter, createdBefore, pageSize);
    }

    /** Jobs whose payload contains this JSON object ({@code {"customer_id": 42}}: nested objects by their members). */
    public JobFilter payload(Map<String, ?> payload) {
        return payloadJson(Json.write(Json.MAPPER.valueToTree(payload)));
    }

    /** Jobs whose payload contains this JSON object, given as text. */
    public JobFilter payloadJson(String json) {
        return new JobFilter(state, type, Json.write(Json.object(json, "the payload filter")), createdAfter,
                createdBefore, pageSize);
    }

    /** Jobs created at or after this instant. */
    public JobFilter createdAfter(Instant createdAfter) {
        return new JobFilter(state, type, payload, createdAfter, createdBefore, pageSize);
    }

    /** Jobs created before this instant. */
    public JobFilter createdBefore(Instant createdBefore) {
        return new JobFilter(state, type, payload, createdAfter, createdBefore, pageSize);
    }

    /** Jobs per request, 1 to 100 (the API's default 20): the stream fetches the next page when it needs it. */
    public JobFilter pageSize(int pageSize) {
        return new JobFilter(state, type, payload, createdAfter, createdBefore, pageSize);
    }

    /** The query of {@code GET /jobs} for the page after {@code cursor} (null for the first). */
    String query(String cursor) {
        StringJoiner query = new StringJoiner("&");
        add(query, "state", state == null ? null : state.name());
        add(query, "type", type);
        add(query, "payload", payload);
        add(query, "created_after", createdAfter == null ? null : createdAfter.toString());
        add(query, "created_before", createdBefore == null ? null : createdBefore.toString());
        add(query, "limit", pageSize == null ? null : pageSize.toString());
        add(query, "cursor", cursor);
        return query.toString();
    }

    private static void add(StringJoiner query, String name, String value) {
        if (value != null) {
            query.add(name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8));
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JobFilter f && Objects.equals(query(null), f.query(null));
    }

    @Override
    public int hashCode() {
        return query(null).hashCode();
    }

    @Override
    public String toString() {
        return "JobFilter[" + query(null) + "]";
    }
}

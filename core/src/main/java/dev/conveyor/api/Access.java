package dev.conveyor.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveyor.json.Json;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What an API key may do: everything, or, for a read-only key, read. The gateway of every function asks
 * {@link #check} before it runs a route, so a read-only key is refused by one rule, not by each operation.
 */
public final class Access {
    /** No key is read-only. */
    public static final Access NONE = new Access(Set.of());
    static final String READ_ONLY = "this API key is read-only: it may read jobs but not submit, retry or cancel them";

    private final Set<String> readOnlyKeyIds;

    /** @param readOnlyKeyIds the ids of the read-only keys ({@code requestContext.identity.apiKeyId}) */
    public Access(Set<String> readOnlyKeyIds) {
        this.readOnlyKeyIds = Set.copyOf(readOnlyKeyIds);
    }

    /** The ids in a comma-separated list, such as {@code CONVEYOR_READ_ONLY_API_KEY_IDS}; null or blank for none. */
    public static Access readOnlyKeyIds(String commaSeparated) {
        if (commaSeparated == null) {
            return NONE;
        }
        return new Access(Set.of(commaSeparated.split(",")).stream().map(String::strip)
                .filter(id -> !id.isEmpty()).collect(Collectors.toSet()));
    }

    public boolean readOnly(ApiRequest request) {
        return request.apiKeyId() != null && readOnlyKeyIds.contains(request.apiKeyId());
    }

    /**
     * Refuses with {@code 403} a route of {@link Routes#CHANGING} called with a read-only key, before anything of
     * the request (its body) is read.
     */
    public void check(ApiRequest request) {
        if (readOnly(request) && Routes.CHANGING.contains(request.method() + " " + request.resource())) {
            throw new ApiException(403, READ_ONLY);
        }
    }

    /** {@code GET /access}: what the request's key may do, for a client to show only what it can use. */
    public ApiResponse access(ApiRequest request) {
        ObjectNode body = Json.object();
        if (readOnly(request)) {
            body.put("access", "read_only").putArray("actions").add("read");
        } else {
            body.put("access", "read_write").putArray("actions").add("read").add("submit").add("retry").add("cancel");
        }
        return ApiResponse.json(200, body).withHeader("Cache-Control", "no-store");
    }
}

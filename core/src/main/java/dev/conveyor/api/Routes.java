package dev.conveyor.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every route of the API, as template.yaml declares them and openapi.yaml describes them; and the answers for a
 * request no route takes: {@code 405} with {@code Allow} for a method a resource does not have, {@code 404} for a
 * path that is no resource. API Gateway sends such requests to a function through the {@code ANY} methods and the
 * {@code /{proxy+}} resource of the template.
 */
public final class Routes {
    /** The methods of each resource. */
    public static final Map<String, List<String>> METHODS = methods();
    /**
     * The routes that change something, as {@code "<METHOD> <resource>"}: a read-only key may not use them
     * ({@link Access}). {@code POST /jobs/validate} changes nothing.
     */
    public static final Set<String> CHANGING = Set.of("POST /jobs", "POST /jobs/batch", "POST /jobs/bulk",
            "POST /jobs/{id}/retry", "POST /jobs/{id}/cancel");

    private Routes() {
    }

    private static Map<String, List<String>> methods() {
        Map<String, List<String>> methods = new LinkedHashMap<>();
        methods.put("/jobs", List.of("GET", "POST"));
        methods.put("/jobs/batch", List.of("POST"));
        methods.put("/jobs/bulk", List.of("POST"));
        methods.put("/jobs/validate", List.of("POST"));
        methods.put("/jobs/{id}", List.of("GET"));
        methods.put("/jobs/{id}/events", List.of("GET"));
        methods.put("/jobs/{id}/retry", List.of("POST"));
        methods.put("/jobs/{id}/cancel", List.of("POST"));
        methods.put("/health", List.of("GET"));
        methods.put("/metrics", List.of("GET"));
        methods.put("/metrics/history", List.of("GET"));
        methods.put("/access", List.of("GET"));
        return Collections.unmodifiableMap(methods);
    }

    /** The answer for a request that reached a function but none of its routes. */
    public static ApiResponse unrouted(ApiRequest request) {
        List<String> allowed = METHODS.get(request.resource());
        if (allowed == null) {
            return Problems.problem(404, "there is no resource " + request.path() + "; the API's resources are "
                    + String.join(", ", METHODS.keySet()), List.of(), Map.of(), request);
        }
        String allow = String.join(", ", allowed);
        return Problems.problem(405, request.resource() + " takes " + allow + ", not " + request.method(),
                List.of(), Map.of("Allow", allow), request);
    }
}

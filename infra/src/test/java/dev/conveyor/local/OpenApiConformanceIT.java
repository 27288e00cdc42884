package dev.conveyor.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.ValidationReport;
import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.api.Routes;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * openapi.yaml against the truth: real answers of the local runtime, for every operation and the errors it
 * documents, validated with an OpenAPI validator (status documented, content type allowed, body matching the
 * schema, no undocumented fields); and the document's routes against the API's.
 */
class OpenApiConformanceIT extends LocalRuntimeTest {
    private static final Path SPEC = LocalRuntimeFixture.TEMPLATE.resolveSibling("openapi.yaml");
    private static final OpenApiInteractionValidator VALIDATOR =
            OpenApiInteractionValidator.createForSpecificationUrl(SPEC.toUri().toString()).build();

    private final List<String> failures = new ArrayList<>();
    private final Set<String> covered = new TreeSet<>();

    /** Validates one real answer; {@code template} is the documented path it should match. */
    private Http.Response check(String method, String path, String template, Http.Response response) {
        String contentType = response.header("Content-Type").orElse(null);
        if (contentType == null) {
            failures.add(method + " " + path + ": no Content-Type");
            return response;
        }
        SimpleResponse.Builder answer = SimpleResponse.Builder.status(response.status())
                .withContentType(contentType).withBody(response.text());
        response.headers().map().forEach((name, values) -> answer.withHeader(name, values));
        ValidationReport report = VALIDATOR.validateResponse(path.replaceFirst("\\?.*", ""),
                Request.Method.valueOf(method), answer.build());
        if (report.hasErrors()) {
            failures.add(method + " " + path + " -> " + response.status() + ": " + report.getMessages() + "\n    "
                    + response.text());
        }
        covered.add(method + " " + template + " " + response.status());
        return response;
    }

    private Http.Response get(String path, String template) {
        return check("GET", path, template, http.get(path));
    }

    private Http.Response post(String path, String template, String body) {
        return check("POST", path, template, http.postJson(path, body));
    }

    private static String id(Http.Response response) {
        return response.json().get("id").asText();
    }

    @Test
    void everyOperationAnswersAsDocumented() {
        // Submissions: accepted, replayed, invalid, too large, not JSON, conflicting, without a key.
        String echo = id(post("/jobs", "/jobs", "{\"type\": \"echo\", \"payload\": {\"message\": \"documented\"}}"));
        String key = "conformance-" + System.nanoTime();
        String once = "{\"type\": \"echo\", \"payload\": {\"message\": \"once\"}}";
        for (int i = 0; i < 2; i++) {
            check("POST", "/jobs", "/jobs", http.send(request("/jobs").header("Idempotency-Key", key)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(once)).build()));
        }
        check("POST", "/jobs", "/jobs", http.send(request("/jobs").header("Idempotency-Key", key)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"type\": \"echo\", \"payload\": {\"message\": \"twice\"}}"))
                .build()));
        post("/jobs", "/jobs", "{\"type\": \"echo\", \"payload\": {}, \"max_retries\": 11}");
        post("/jobs", "/jobs", "{\"type\": \"echo\", \"payload\": {\"message\": \"" + "x".repeat(300_000) + "\"}}");
        check("POST", "/jobs", "/jobs", http.post("/jobs", "text/plain", "type=echo"));
        check("POST", "/jobs", "/jobs", http.withoutKey().postJson("/jobs", once));

        String failing = id(post("/jobs", "/jobs",
                "{\"type\": \"fail\", \"payload\": {\"times\": -1, \"error\": \"boom\"}, \"max_retries\": 1, "
                        + "\"retry_delay_seconds\": 0.2}"));
        String sleeping = id(post("/jobs", "/jobs", "{\"type\": \"sleep\", \"payload\": {\"seconds\": 3}}"));
        String waiting = id(post("/jobs", "/jobs",
                "{\"type\": \"echo\", \"payload\": {\"message\": \"later\"}, \"delay_seconds\": 600}"));

        // Batches.
        post("/jobs/batch", "/jobs/batch", "{\"jobs\": [{\"type\": \"echo\", \"payload\": {\"message\": \"a\"}}, "
                + "{\"type\": \"echo\", \"payload\": {\"message\": \"b\"}}]}");
        post("/jobs/batch", "/jobs/batch", "{\"jobs\": [{\"type\": \"teleport\", \"payload\": {}}]}");

        // Reading: a job in each state it goes through, unknown and malformed ids, listings and their errors.
        get("/jobs/" + sleeping, "/jobs/{id}");
        get("/jobs/" + waiting, "/jobs/{id}");
        EndToEndIT.awaitState(http, echo, "SUCCESS", Duration.ofSeconds(10), new ArrayList<>());
        get("/jobs/" + echo, "/jobs/{id}");
        EndToEndIT.awaitState(http, failing, "FAILED", Duration.ofSeconds(10), new ArrayList<>());
        get("/jobs/" + failing, "/jobs/{id}");
        get("/jobs/01a207c6-dc6d-733e-a09e-7622527f8a06", "/jobs/{id}");
        get("/jobs/not-a-uuid", "/jobs/{id}");
        JsonNode page = get("/jobs?limit=2", "/jobs").json();
        get("/jobs?limit=2&cursor=" + page.get("next_cursor").asText(), "/jobs");
        get("/jobs?state=FAILED&type=fail", "/jobs");
        get("/jobs?limit=500", "/jobs");
        get("/jobs/" + failing + "/events", "/jobs/{id}/events");
        get("/jobs/" + echo + "/events", "/jobs/{id}/events");
        get("/jobs/01a207c6-dc6d-733e-a09e-7622527f8a06/events", "/jobs/{id}/events");

        // Managing: cancel and retry, and the conflicts.
        post("/jobs/" + waiting + "/cancel", "/jobs/{id}/cancel", "");
        post("/jobs/" + waiting + "/cancel", "/jobs/{id}/cancel", "");
        post("/jobs/" + waiting + "/retry", "/jobs/{id}/retry", "");
        post("/jobs/" + waiting + "/retry", "/jobs/{id}/retry", "");
        post("/jobs/01a207c6-dc6d-733e-a09e-7622527f8a06/cancel", "/jobs/{id}/cancel", "");
        post("/jobs/nope/retry", "/jobs/{id}/retry", "");

        // The dashboard's: filters, bulk actions, validation, history, access.
        get("/jobs?type=echo&payload=%7B%22message%22%3A%22documented%22%7D&created_after=2026-01-01T00:00:00Z", "/jobs");
        get("/jobs?payload=%5B%5D", "/jobs");
        post("/jobs/bulk", "/jobs/bulk", "{\"action\": \"retry\", \"dry_run\": true, \"filter\": {\"type\": \"fail\"}}");
        post("/jobs/bulk", "/jobs/bulk", "{\"action\": \"cancel\", \"filter\": {\"payload\": {\"message\": \"nothing\"}}}");
        post("/jobs/bulk", "/jobs/bulk", "{\"action\": \"cancel\", \"filter\": {\"state\": \"FAILED\"}}");
        post("/jobs/validate", "/jobs/validate", "{\"type\": \"echo\", \"payload\": {\"message\": \"ok\"}}");
        post("/jobs/validate", "/jobs/validate", "{\"type\": \"teleport\", \"payload\": {}}");
        get("/metrics/history", "/metrics/history");
        get("/metrics/history?window=24h", "/metrics/history");
        get("/metrics/history?window=7d", "/metrics/history");
        get("/access", "/access");

        // Operations.
        get("/health", "/health");
        get("/metrics", "/metrics");
        check("GET", "/metrics", "/metrics", http.send(request("/metrics").header("Accept", "text/plain").GET().build()));
        check("GET", "/metrics", "/metrics", http.withoutKey().get("/metrics"));

        assertEquals(List.of(), failures, () -> "answers that openapi.yaml does not describe:\n" + String.join("\n", failures));
        for (String expected : List.of("POST /jobs 202", "POST /jobs 400", "POST /jobs 403", "POST /jobs 409",
                "POST /jobs 413", "POST /jobs 415", "POST /jobs/batch 202", "POST /jobs/batch 400", "GET /jobs 200",
                "GET /jobs 400", "GET /jobs/{id} 200", "GET /jobs/{id} 400", "GET /jobs/{id} 404",
                "GET /jobs/{id}/events 200", "GET /jobs/{id}/events 404", "POST /jobs/{id}/cancel 200",
                "POST /jobs/{id}/cancel 409", "POST /jobs/{id}/cancel 404", "POST /jobs/{id}/retry 202",
                "POST /jobs/{id}/retry 409", "POST /jobs/{id}/retry 400", "GET /health 200", "GET /metrics 200",
                "GET /metrics 403", "POST /jobs/bulk 200", "POST /jobs/bulk 400", "POST /jobs/validate 200",
                "POST /jobs/validate 400", "GET /metrics/history 200", "GET /metrics/history 400", "GET /access 200")) {
            assertTrue(covered.contains(expected), "not exercised: " + expected + "; exercised: " + covered);
        }
    }

    @Test
    void theDocumentDescribesExactlyTheApisRoutes() throws IOException {
        Map<String, Object> spec = new Yaml().load(Files.readString(SPEC));
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> paths = (Map<String, Map<String, Object>>) spec.get("paths");
        Map<String, List<String>> documented = new TreeMap<>();
        paths.forEach((path, item) -> item.keySet().stream()
                .filter(k -> Set.of("get", "post", "put", "patch", "delete", "head", "options").contains(k))
                .map(k -> k.toUpperCase(Locale.ROOT)).sorted()
                .forEach(m -> documented.computeIfAbsent(path, p -> new ArrayList<>()).add(m)));
        assertEquals(new TreeMap<>(Routes.METHODS), documented);
    }

    private static HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(runtime.url() + path)).timeout(Duration.ofSeconds(30));
    }
}

package dev.conveyor.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.json.Json;
import dev.conveyor.log.Log;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A submission's trace follows its job: sent with a W3C {@code traceparent} (or X-Ray's {@code X-Amzn-Trace-Id}),
 * the job answers with the same trace id, and the log lines of its processing (in process-job, after the queue)
 * name it.
 */
class TraceIT {
    private static final ByteArrayOutputStream LOGS = new ByteArrayOutputStream();
    private static LocalRuntime runtime;
    private static Http http;

    @BeforeAll
    static void start() {
        runtime = LocalRuntimeFixture.start(LocalRuntimeFixture.tempDirectory(), Map.of());
        http = new Http(runtime.url(), runtime.apiKey());
        Log.configure(new PrintStream(LOGS, true, StandardCharsets.UTF_8), Log.Level.INFO);
    }

    @AfterAll
    static void stop() {
        Log.configure(System.out, Log.Level.WARN);
        if (runtime != null) {
            runtime.close();
        }
    }

    private static JsonNode submit(String header, String value) {
        Http.Response response = http.send(HttpRequest.newBuilder(URI.create(http.base() + "/jobs"))
                .header("Content-Type", "application/json").header(header, value)
                .POST(HttpRequest.BodyPublishers.ofString("{\"type\": \"echo\", \"payload\": {\"message\": \"t\"}}"))
                .build());
        assertEquals(202, response.status(), response::toString);
        return response.json();
    }

    /** The log lines that name the job, read as JSON. */
    private static List<JsonNode> linesAbout(String jobId) {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : LOGS.toString(StandardCharsets.UTF_8).split("\n")) {
            if (line.contains(jobId)) {
                lines.add(Json.parse(line));
            }
        }
        return lines;
    }

    private static void assertProcessedInTrace(JsonNode job, String traceId) {
        assertEquals(traceId, job.path("trace_id").asText(), job::toString);
        String id = job.path("id").asText();
        JsonNode done = EndToEndIT.awaitState(http, id, "SUCCESS", Duration.ofSeconds(20), new ArrayList<>());
        assertEquals(traceId, done.path("trace_id").asText(), "the stored job keeps its trace");
        List<JsonNode> lines = linesAbout(id);
        assertTrue(lines.stream().anyMatch(l -> l.path("message").asText().equals("attempt finished")),
                "process-job logged the attempt: " + lines);
        for (JsonNode line : lines) {
            assertEquals(traceId, line.path("trace_id").asText(), "every line about the job names its trace: " + line);
        }
    }

    @Test
    void aTraceparentSentWithASubmissionFollowsTheJobThroughTheQueue() {
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        JsonNode job = submit("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01");
        assertProcessedInTrace(job, traceId);
    }

    @Test
    void anXRayTraceHeaderIsTheSameTrace() {
        JsonNode job = submit("X-Amzn-Trace-Id", "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1");
        assertProcessedInTrace(job, "5759e988bd862e3fe1be46a994272793");
    }

    @Test
    void aSubmissionWithoutATraceStartsOne() {
        JsonNode job = submit("X-Request-Id", "none");
        String traceId = job.path("trace_id").asText();
        assertTrue(traceId.matches("[0-9a-f]{32}"), job::toString);
        assertFalse(traceId.equals("0".repeat(32)));
        assertProcessedInTrace(job, traceId);
    }
}

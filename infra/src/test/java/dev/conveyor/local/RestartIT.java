package dev.conveyor.local;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Jobs outlive the runtime: the database keeps them between runs, and a job whose queue message was lost with
 * the in-memory queue server still runs after the restart. {@code --fresh} starts from nothing.
 */
class RestartIT {

    @Test
    void jobsAreKeptBetweenRunsAndWaitingJobsRunAfterARestart() {
        Path data = LocalRuntimeFixture.tempDirectory();
        String finished;
        String waiting;
        try (LocalRuntime first = LocalRuntimeFixture.start(data, Map.of())) {
            Http http = new Http(first.url(), first.apiKey());
            finished = http.postJson("/jobs", "{\"type\": \"echo\", \"payload\": {\"message\": \"before\"}}")
                    .json().get("id").asText();
            awaitState(http, finished, "SUCCESS");
            waiting = http.postJson("/jobs", "{\"type\": \"echo\", \"payload\": {\"message\": \"later\"},"
                    + " \"delay_seconds\": 3}").json().get("id").asText();
        }

        try (LocalRuntime second = LocalRuntimeFixture.start(data, Map.of())) {
            Http http = new Http(second.url(), second.apiKey());
            JsonNode kept = http.get("/jobs/" + finished).json();
            assertEquals("SUCCESS", kept.get("state").asText());
            assertEquals("before", kept.at("/result/message").asText());
            JsonNode ran = awaitState(http, waiting, "SUCCESS");
            assertEquals(1, ran.get("attempt").asInt());
        }

        try (LocalRuntime fresh = LocalRuntime.start(LocalRuntimeFixture.options(data, Map.of()).withFresh(true))) {
            assertEquals(404, new Http(fresh.url(), fresh.apiKey()).get("/jobs/" + finished).status());
        }
    }

    private static JsonNode awaitState(Http http, String id, String state) {
        return EndToEndIT.awaitState(http, id, state, Duration.ofSeconds(20), new ArrayList<>());
    }
}

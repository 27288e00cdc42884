package dev.conveyor.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A production deployment's choice, DemoJobTypes: Disabled: no echo, sleep or fail; your own types still run. */
class DemoJobTypesDisabledIT {
    private static LocalRuntime runtime;
    private static Http http;

    @BeforeAll
    static void start() {
        runtime = LocalRuntimeFixture.start(LocalRuntimeFixture.tempDirectory(), Map.of("DemoJobTypes", "Disabled"));
        http = new Http(runtime.url(), runtime.apiKey());
    }

    @AfterAll
    static void stop() {
        runtime.close();
    }

    @Test
    void anEchoJobIsAnUnknownType() {
        Http.Response refused = http.postJson("/jobs", "{\"type\": \"echo\", \"payload\": {\"message\": \"hi\"}}");
        assertEquals(400, refused.status(), refused::toString);
        JsonNode error = refused.json().get("errors").get(0);
        assertEquals("type", error.get("field").asText(), refused::toString);
        assertTrue(error.get("message").asText().startsWith("'echo' is not a known job type; known types: "),
                refused::toString);
        assertTrue(error.get("message").asText().contains("csv-summary"), refused::toString);
    }

    @Test
    void theTeamsOwnTypeStillRuns() {
        Http.Response accepted = http.postJson("/jobs",
                "{\"type\": \"csv-summary\", \"payload\": {\"csv\": \"n\\n1\\n2\\n\"}}");
        assertEquals(202, accepted.status(), accepted::toString);
        JsonNode done = EndToEndIT.awaitState(http, accepted.json().get("id").asText(), "SUCCESS",
                Duration.ofSeconds(15), new ArrayList<>());
        assertEquals(2, done.at("/result/rows").asInt(), done::toString);
        assertEquals("1.5", done.at("/result/columns/0/mean").asText(), done::toString);
    }
}

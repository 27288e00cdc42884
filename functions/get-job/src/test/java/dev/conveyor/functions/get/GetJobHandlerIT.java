package dev.conveyor.functions.get;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.config.Env;
import dev.conveyor.functions.LambdaInvocations;
import dev.conveyor.job.Job;
import dev.conveyor.json.Json;
import dev.conveyor.store.JobStore;
import dev.conveyor.testing.NewJobs;
import dev.conveyor.testing.TestDatabase;
import dev.conveyor.testing.TestEnvironment;
import dev.conveyor.testing.TestQueues;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GetJobHandlerIT {
    private final TestDatabase db = TestDatabase.create();
    private final Map<String, String> env = TestEnvironment.of(db, TestQueues.create(30, 10));
    private final GetJobHandler handler = Env.with(env, GetJobHandler::new);
    private final JobStore store = db.store(1);

    @AfterEach
    void close() {
        store.close();
    }

    private APIGatewayProxyResponseEvent get(String fixture, String id) {
        APIGatewayProxyRequestEvent event = EventLoader.loadApiGatewayRestEvent(fixture);
        if (id != null) {
            event.setPathParameters(Map.of("id", id));
            event.setPath("/jobs/" + id);
        }
        return LambdaInvocations.invoke(handler, event, APIGatewayProxyResponseEvent.class, "get-job", 10);
    }
    @Test
    void answersTheStoredJob() {
        Job job = store.insert(List.of(NewJobs.anEchoJob("hi").build()), Instant.now()).get(0).job();
        APIGatewayProxyResponseEvent response = get("get-job-by-id.json", job.id().toString());

        assertEquals(200, response.getStatusCode());
        JsonNode body = Json.parse(response.getBody());
        assertEquals(job.id().toString(), body.get("id").textValue());
        assertEquals("PENDING", body.get("state").textValue());
        for (String field : List.of("id", "type", "state", "payload", "result", "attempt", "max_retries",
                "retry_delay_seconds", "last_error", "created_at", "started_at", "finished_at", "updated_at",
                "next_attempt_at", "duration_seconds")) {
            assertEquals(true, body.has(field), field);
        }
    }

    @Test
    void anUnknownIdIsA404() {
        APIGatewayProxyResponseEvent response = get("get-job-by-id.json", null);
        assertEquals(404, response.getStatusCode());
        assertEquals("application/problem+json", response.getHeaders().get("Content-Type"));
        assertEquals("no job with id 0190b4a4-7c1e-7a53-9f4e-2b9d2c1e5f00", Json.parse(response.getBody())
                .get("detail").textValue());
    }

    @Test
    void aMalformedIdIsA400() {
        APIGatewayProxyResponseEvent response = get("get-job-malformed-id.json", null);
        assertEquals(400, response.getStatusCode());
        assertEquals("id", Json.parse(response.getBody()).at("/errors/0/field").textValue());
    }
}

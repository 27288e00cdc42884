package dev.conveyor.functions.submit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.config.Env;
import dev.conveyor.functions.LambdaInvocations;
import dev.conveyor.job.JobFilter;
import dev.conveyor.job.JobQuery;
import dev.conveyor.json.Json;
import dev.conveyor.store.JobStore;
import dev.conveyor.testing.TestDatabase;
import dev.conveyor.testing.TestEnvironment;
import dev.conveyor.testing.TestQueues;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.services.sqs.model.Message;

/** The submit-job function, built from its environment as Lambda builds it, fed API Gateway events. */
class SubmitJobHandlerIT {
    private final TestDatabase db = TestDatabase.create();
    private final TestQueues.QueuePair queues = TestQueues.create(30, 10);
    private final Map<String, String> env = TestEnvironment.of(db, queues);
    private final SubmitJobHandler handler = Env.with(env, SubmitJobHandler::new);
    private final JobStore store = db.store(1);

    @AfterEach
    void close() {
        store.close();
    }

    private APIGatewayProxyResponseEvent invoke(String fixture) {
        APIGatewayProxyRequestEvent event = EventLoader.loadApiGatewayRestEvent(fixture);
        return Env.with(env, () -> LambdaInvocations.invoke(handler, event, APIGatewayProxyResponseEvent.class, "submit-job", 10));
    }

    private List<Message> queued() {
        return queues.sqs().receiveMessage(b -> b.queueUrl(queues.url()).maxNumberOfMessages(10).waitTimeSeconds(1))
                .messages();
    }

    private int storedJobs() {
        return store.list(JobQuery.first(JobFilter.ANY, 100)).size();
    }

    @Test
    void anEchoJobIsStoredQueuedAndAccepted() {
        APIGatewayProxyResponseEvent response = invoke("submit-job-echo.json");

        assertEquals(202, response.getStatusCode());
        assertEquals("application/json", response.getHeaders().get("Content-Type"));
        JsonNode job = Json.parse(response.getBody());
        assertEquals("PENDING", job.get("state").textValue());
        assertEquals("echo", job.get("type").textValue());
        assertEquals("hello", job.at("/payload/message").textValue());
        assertEquals(0, job.get("attempt").intValue());
        assertEquals(3, job.get("max_retries").intValue());
        assertTrue(job.get("result").isNull());
        String id = job.get("id").textValue();
        assertEquals("/Prod/jobs/" + id, response.getHeaders().get("Location"));
        assertEquals(1, storedJobs());
        List<Message> messages = queued();
        assertEquals(1, messages.size());
        assertEquals("{\"job_id\":\"" + id + "\"}", messages.get(0).body());
    }

    @Test
    void everyFieldIsKept() {
        JsonNode job = Json.parse(invoke("submit-job-all-fields.json").getBody());
        assertEquals(5, job.get("max_retries").intValue());
        assertEquals(0.5, job.get("retry_delay_seconds").doubleValue());
        assertEquals(10.0, job.get("timeout_seconds").doubleValue());
        assertTrue(job.get("next_attempt_at").textValue().compareTo(job.get("created_at").textValue()) > 0,
                "delayed by 3 s");
    }

    @Test
    void aBase64BodyIsDecoded() {
        APIGatewayProxyResponseEvent response = invoke("submit-job-base64.json");
        assertEquals(202, response.getStatusCode());
        assertEquals("encoded", Json.parse(response.getBody()).at("/payload/message").textValue());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "submit-job-malformed-json.json, 400, body",
        "submit-job-unknown-type.json, 400, type",
        "submit-job-string-max-retries.json, 400, max_retries",
        "submit-job-too-many-retries.json, 400, max_retries",
        "submit-job-text-plain.json, 415, ",
    })
    void badInputIsAProblemAndChangesNothing(String fixture, int status, String field) {
        APIGatewayProxyResponseEvent response = invoke(fixture);

        assertEquals(status, response.getStatusCode());
        assertEquals("application/problem+json", response.getHeaders().get("Content-Type"));
        JsonNode problem = Json.parse(response.getBody());
        assertEquals(status, problem.get("status").intValue());
        assertTrue(problem.get("detail").textValue().length() > 10, problem.toString());
        if (field != null) {
            assertEquals(field, problem.at("/errors/0/field").textValue(), problem.toString());
        }
        assertEquals(0, storedJobs());
        assertEquals(List.of(), queued());
    }

    @Test
    void aBodyOverTheLimitIsRefused() {
        APIGatewayProxyRequestEvent event = EventLoader.loadApiGatewayRestEvent("submit-job-echo.json");
        event.setBody("{\"type\":\"echo\",\"payload\":{\"message\":\"" + "x".repeat(300 * 1024) + "\"}}");
        APIGatewayProxyResponseEvent response = Env.with(env, () -> LambdaInvocations.invoke(handler, event, APIGatewayProxyResponseEvent.class, "submit-job", 10));
        assertEquals(413, response.getStatusCode());
        assertEquals(0, storedJobs());
    }

    @Test
    void aDatabaseThatDoesNotAnswerIsA503WithRetryAfter() {
        Map<String, String> down = new java.util.HashMap<>(env);
        down.put("CONVEYOR_DB_URL", "jdbc:postgresql://127.0.0.1:1/none");
        SubmitJobHandler offline = Env.with(down, SubmitJobHandler::new);
        APIGatewayProxyRequestEvent event = EventLoader.loadApiGatewayRestEvent("submit-job-echo.json");

        APIGatewayProxyResponseEvent response = LambdaInvocations.invoke(offline, event, APIGatewayProxyResponseEvent.class, "submit-job", 10);

        assertEquals(503, response.getStatusCode());
        assertEquals("application/problem+json", response.getHeaders().get("Content-Type"));
        assertEquals("5", response.getHeaders().get("Retry-After"));
        assertNull(Json.parse(response.getBody()).get("errors"));
        assertEquals(List.of(), queued(), "nothing queued without a stored job");
    }
}

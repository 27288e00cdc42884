package dev.conveyor.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** Bad submissions through the local API: a 400 problem naming the field, and nothing stored or queued. */
class BadInputIT extends LocalRuntimeTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            malformed JSON             | {"type": "echo", "payload": {"message": "hi"}  | body
            not an object              | ["echo"]                                        | body
            unknown type               | {"type": "teleport", "payload": {}}             | type
            type of the wrong kind     | {"type": 7, "payload": {}}                      | type
            payload of the wrong kind  | {"type": "echo", "payload": "hi"}               | payload
            payload the type refuses   | {"type": "echo", "payload": {"message": ""}}    | payload.message
            max_retries as a string    | {"type": "echo", "payload": {"message": "x"}, "max_retries": "3"} | max_retries
            max_retries fractional     | {"type": "echo", "payload": {"message": "x"}, "max_retries": 1.5} | max_retries
            max_retries negative       | {"type": "echo", "payload": {"message": "x"}, "max_retries": -1}  | max_retries
            max_retries too large      | {"type": "echo", "payload": {"message": "x"}, "max_retries": 11}  | max_retries
            an unknown field           | {"type": "echo", "payload": {"message": "x"}, "priority": 1}      | priority
            """)
    void isRefusedWithAProblemNamingTheFieldAndChangesNothing(String name, String body, String field) {
        long jobs = LocalRuntimeFixture.count(runtime, "SELECT count(*) FROM jobs");
        long events = LocalRuntimeFixture.count(runtime, "SELECT count(*) FROM job_events");

        Http.Response response = http.postJson("/jobs", body);

        assertEquals(400, response.status(), response::toString);
        assertEquals("application/problem+json", response.header("Content-Type").orElseThrow());
        JsonNode problem = response.json();
        assertEquals(400, problem.get("status").asInt());
        assertTrue(problem.get("detail").isTextual() && !problem.get("detail").asText().isBlank(), problem::toString);
        boolean named = false;
        for (JsonNode error : problem.path("errors")) {
            named |= error.get("field").asText().equals(field);
        }
        assertTrue(named, "no error names " + field + ": " + problem);

        assertEquals(jobs, LocalRuntimeFixture.count(runtime, "SELECT count(*) FROM jobs"));
        assertEquals(events, LocalRuntimeFixture.count(runtime, "SELECT count(*) FROM job_events"));
        String queue = runtime.functions().get(0).environment().get("CONVEYOR_QUEUE_URL");
        Map<QueueAttributeName, String> depth = runtime.queues().client().getQueueAttributes(b -> b.queueUrl(queue)
                .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED)).attributes();
        assertTrue(depth.values().stream().allMatch("0"::equals), "something was queued: " + depth);
    }
}

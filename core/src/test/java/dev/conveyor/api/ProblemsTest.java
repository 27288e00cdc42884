package dev.conveyor.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.job.FieldError;
import dev.conveyor.json.Json;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ProblemsTest {

    @Test
    void aProblemListsAtMostAHundredFieldErrorsAndSaysHowManyThereWere() {
        List<FieldError> errors = IntStream.range(0, 5000)
                .mapToObj(i -> new FieldError("f" + i, "unknown field")).toList();
        JsonNode body = Json.parse(Problems.problem(400, "unknown fields", errors, Map.of(), null).body());
        assertEquals(Problems.MAX_ERRORS, body.get("errors").size());
        assertEquals("f0", body.at("/errors/0/field").asText());
        assertTrue(body.get("detail").asText().contains("errors lists the first 100"), body::toString);
    }

    @Test
    void aFewErrorsAreAllListed() {
        JsonNode body = Json.parse(Problems.problem(400, "bad", List.of(new FieldError("type", "is required")),
                Map.of(), null).body());
        assertEquals(1, body.get("errors").size());
        assertEquals("bad", body.get("detail").asText());
    }
}

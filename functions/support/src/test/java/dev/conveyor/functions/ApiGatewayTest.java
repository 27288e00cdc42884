package dev.conveyor.functions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveyor.api.ApiRequest;
import dev.conveyor.api.ApiResponse;
import dev.conveyor.json.Json;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** What a route throws: an exception is the API's answer, an {@link Error} ends the execution environment. */
class ApiGatewayTest {

    private static ApiGateway throwing(RuntimeException exception, Error error) {
        Function<ApiRequest, ApiResponse> route = request -> {
            if (exception != null) {
                throw exception;
            }
            throw error;
        };
        return new ApiGateway(Map.of("GET /jobs/{id}", route));
    }

    private static JsonNode invoke(ApiGateway gateway) {
        ObjectNode event = Json.object().put("httpMethod", "GET").put("resource", "/jobs/{id}").put("path", "/jobs/x");
        event.putObject("requestContext").put("requestId", "r-1");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        gateway.handle(new ByteArrayInputStream(Json.write(event).getBytes(StandardCharsets.UTF_8)), out, null);
        return Json.parse(out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void anUnexpectedExceptionIsA500Problem() {
        JsonNode answer = invoke(throwing(new IllegalStateException("bug"), null));

        assertEquals(500, answer.get("statusCode").asInt());
        assertEquals(ApiResponse.PROBLEM_JSON, answer.get("headers").get("Content-Type").asText());
    }

    @Test
    void anErrorEndsTheInvocationSoThatLambdaReplacesTheEnvironment() {
        OutOfMemoryError error = new OutOfMemoryError("Java heap space (thrown by the test)");

        assertSame(error, assertThrows(OutOfMemoryError.class, () -> invoke(throwing(null, error))));
        assertThrows(StackOverflowError.class, () -> invoke(throwing(null, new StackOverflowError())));
        assertThrows(ExceptionInInitializerError.class,
                () -> invoke(throwing(null, new ExceptionInInitializerError("static init failed"))));
    }
}

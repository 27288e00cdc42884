package dev.conveyor.functions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveyor.api.Access;
import dev.conveyor.api.ApiRequest;
import dev.conveyor.api.ApiResponse;
import dev.conveyor.api.Routes;
import dev.conveyor.config.Config;
import dev.conveyor.config.Wiring;
import dev.conveyor.json.Json;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
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

    private static JsonNode invoke(ApiGateway gateway, String route, String apiKeyId, String body) {
        String[] methodAndResource = route.split(" ", 2);
        ObjectNode event = Json.object().put("httpMethod", methodAndResource[0]).put("resource", methodAndResource[1])
                .put("path", methodAndResource[1].replace("{id}", "0190b4a4-7c1e-7a53-9f4e-2b9d2c1e5f00"))
                .put("body", body);
        event.putObject("headers").put("Content-Type", "application/json");
        ObjectNode context = event.putObject("requestContext").put("requestId", "r-1");
        context.putObject("identity").put("apiKey", "secret-" + apiKeyId).put("apiKeyId", apiKeyId);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        gateway.handle(new ByteArrayInputStream(Json.write(event).getBytes(StandardCharsets.UTF_8)), out, null);
        return Json.parse(out.toString(StandardCharsets.UTF_8));
    }

    /**
     * A key listed in CONVEYOR_READ_ONLY_API_KEY_IDS is refused with 403 on every route that changes something,
     * before the route runs or its body is read (the body here is not even JSON); other keys, and the routes that
     * change nothing, pass.
     */
    @Test
    void aReadOnlyKeyIsRefusedOnEveryChangingRouteBeforeItRuns() {
        Access access = Wiring.access(new Config(Map.of("CONVEYOR_READ_ONLY_API_KEY_IDS", "ro-1, ro-2")::get));
        List<String> ran = new ArrayList<>();
        Map<String, Function<ApiRequest, ApiResponse>> routes = new HashMap<>();
        Routes.METHODS.forEach((resource, methods) -> methods.forEach(method -> routes.put(method + " " + resource,
                request -> {
                    ran.add(request.method() + " " + request.resource());
                    return ApiResponse.json(200, Json.object());
                })));
        routes.put("GET /access", access::access);
        ApiGateway gateway = new ApiGateway(routes, access);

        for (String route : Routes.CHANGING) {
            JsonNode answer = invoke(gateway, route, "ro-2", "{not json");
            assertEquals(403, answer.get("statusCode").asInt(), route);
            JsonNode problem = Json.parse(answer.get("body").asText());
            assertEquals("this API key is read-only: it may read jobs but not submit, retry or cancel them",
                    problem.get("detail").asText());
            assertEquals(ApiResponse.PROBLEM_JSON, answer.get("headers").get("Content-Type").asText());
        }
        assertEquals(List.of(), ran, "a route ran for a read-only key");
        assertEquals(5, Routes.CHANGING.size());

        for (String route : Routes.CHANGING) {
            assertEquals(200, invoke(gateway, route, "rw-1", "{}").get("statusCode").asInt(), route);
        }
        for (String route : List.of("POST /jobs/validate", "GET /jobs", "GET /metrics/history")) {
            assertEquals(200, invoke(gateway, route, "ro-1", "{}").get("statusCode").asInt(), route);
        }
        assertEquals("read_only", Json.parse(invoke(gateway, "GET /access", "ro-1", null).get("body").asText())
                .get("access").asText());
        assertEquals("read_write", Json.parse(invoke(gateway, "GET /access", "rw-1", null).get("body").asText())
                .get("access").asText());
    }

    @Test
    void aGatewayWithoutTheReadOnlyKeysRefusesARouteThatChangesJobs() {
        assertThrows(IllegalArgumentException.class,
                () -> new ApiGateway(Map.of("POST /jobs/bulk", request -> ApiResponse.json(200, Json.object()))));
    }
}

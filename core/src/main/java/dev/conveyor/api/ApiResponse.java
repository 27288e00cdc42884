package dev.conveyor.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.json.Json;
import java.util.LinkedHashMap;
import java.util.Map;

/** An HTTP response: status, headers, and a text body. */
public record ApiResponse(int status, Map<String, String> headers, String body) {
    public static final String JSON = "application/json";
    public static final String PROBLEM_JSON = "application/problem+json";

    public static ApiResponse json(int status, JsonNode body) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", JSON);
        return new ApiResponse(status, headers, Json.write(body));
    }

    /** The same response with one more header. */
    public ApiResponse withHeader(String name, String value) {
        Map<String, String> copy = new LinkedHashMap<>(headers);
        copy.put(name, value);
        return new ApiResponse(status, copy, body);
    }
}

package dev.conveyor.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/** Reading the API's JSON, tolerantly: a missing field is null, an unknown one is ignored. */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }

    static JsonNode parse(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
        }
    }

    static ObjectNode object(String text, String what) {
        JsonNode node = parse(text);
        if (!node.isObject()) {
            throw new IllegalArgumentException(what + " must be a JSON object, not " + text);
        }
        return (ObjectNode) node;
    }

    static String write(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonNode orNull(JsonNode node) {
        return node == null || node.isNull() ? null : node;
    }

    static String text(JsonNode json, String field) {
        JsonNode node = orNull(json.get(field));
        return node == null ? null : node.asText();
    }

    static Instant instant(JsonNode json, String field) {
        String text = text(json, field);
        return text == null ? null : Instant.parse(text);
    }

    static Double number(JsonNode json, String field) {
        JsonNode node = orNull(json.get(field));
        return node == null ? null : node.asDouble();
    }
}

package dev.conveyor.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;

/**
 * The one JSON configuration Conveyor reads and writes with: strict on input (one value, no duplicate keys,
 * nothing after it, bounded depth and size, no leniency), plain on output.
 */
public final class Json {
    /** How deep a request may nest objects and arrays. */
    public static final int MAX_DEPTH = 32;
    /** The largest request body, in bytes. */
    public static final int MAX_BODY_BYTES = 256 * 1024;

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();

    static {
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(MAX_DEPTH)
                .maxStringLength(MAX_BODY_BYTES)
                .maxNumberLength(100)
                .build());
    }

    /**
     * Events and answers from AWS itself (API Gateway's, SQS's): as large as Lambda takes one (6 MB), read with
     * Jackson's defaults; what a client sent inside them (a request's body) is read again with {@link #parse}'s
     * rules.
     */
    private static final ObjectMapper EVENTS = new ObjectMapper();

    private Json() {
    }

    /** Reads an event Lambda hands a function, or an AWS service's answer. */
    public static JsonNode readEvent(InputStream in) throws IOException {
        return EVENTS.readTree(in);
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public static ObjectNode object() {
        return JsonNodeFactory.instance.objectNode();
    }

    /**
     * Reads one JSON value strictly.
     *
     * @throws MalformedJsonException with a message fit for a client
     */
    public static JsonNode parse(String text) {
        try {
            JsonNode node = MAPPER.readTree(text);
            if (node == null || node.isMissingNode()) {
                throw new MalformedJsonException("the body is empty; a JSON object was expected");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new MalformedJsonException(describe(e));
        } catch (NumberFormatException e) {
            // A number whose exponent BigDecimal cannot hold (1e2147483648) fails as it is read, not as it is parsed.
            throw new MalformedJsonException("malformed JSON: a number's exponent is out of range");
        }
    }

    /** Writes a value compactly. */
    public static String write(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }

    private static String describe(JsonProcessingException e) {
        String message = e.getOriginalMessage();
        if (message == null) {
            message = "malformed JSON";
        }
        int cut = message.indexOf('\n');
        if (cut > 0) {
            message = message.substring(0, cut);
        }
        message = plain(message);
        if (message.length() > 300) {
            message = message.substring(0, 300) + "...";
        }
        var location = e.getLocation();
        if (location != null && location.getLineNr() > 0) {
            message += " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
        }
        return "malformed JSON: " + message;
    }

    /**
     * Jackson's message without what only a Java programmer could act on: the class a value was bound as, the
     * features that would have allowed it, the getter a limit comes from.
     */
    static String plain(String message) {
        if (message.startsWith("Trailing token")) {
            return "more follows the JSON value";
        }
        return message
                .replaceAll(" \\(bound as `[^`]*`\\)", "")
                .replaceAll(":? *enable `[^`]*` to allow", "")
                .replaceAll(", from `[^`]*`\\)", ")")
                .replaceAll(" \\(not recognized as one since Feature '[A-Z_]+' not enabled for parser\\)",
                        " (JSON has no comments)");
    }

    /** The text is not one well-formed JSON value within Conveyor's limits. */
    public static final class MalformedJsonException extends RuntimeException {
        public MalformedJsonException(String message) {
            super(message);
        }
    }
}

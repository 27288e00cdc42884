package dev.conveyor.functions;

import com.amazonaws.services.lambda.runtime.Context;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.json.Json;
import dev.conveyor.queue.ReceivedMessage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * SQS events in, partial batch responses out ({@code {"batchItemFailures": [{"itemIdentifier": id}]}}, one per
 * message to keep), read and written as JSON: the consumers are {@code RequestStreamHandler}s, so Lambda's runtime
 * does not map {@code SQSEvent} by reflection on the first invocation.
 */
public final class SqsBatch {
    private SqsBatch() {
    }

    /** The messages of the event Lambda hands an SQS consumer. */
    public static List<ReceivedMessage> read(InputStream event) {
        JsonNode records;
        try {
            records = Json.readEvent(event).path("Records");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the SQS event", e);
        }
        List<ReceivedMessage> messages = new ArrayList<>();
        for (JsonNode record : records) {
            messages.add(new ReceivedMessage(text(record, "messageId"), text(record, "receiptHandle"),
                    text(record, "body"), receiveCount(record.path("attributes"))));
        }
        return messages;
    }

    /** The partial batch response naming the messages to keep. */
    public static void write(Set<String> messageIds, OutputStream out) {
        try (JsonGenerator json = Json.mapper().getFactory().createGenerator(out)) {
            json.writeStartObject();
            json.writeArrayFieldStart("batchItemFailures");
            for (String id : messageIds) {
                json.writeStartObject();
                json.writeStringField("itemIdentifier", id);
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the batch response", e);
        }
    }

    /** Reads a made-up event and answers it, to nobody: the code a first batch needs, loaded (see {@link Priming}). */
    public static void prime() {
        String event = "{\"Records\": [{\"messageId\": \"priming\", \"receiptHandle\": \"priming\", "
                + "\"body\": \"{}\", \"attributes\": {\"ApproximateReceiveCount\": \"1\"}}]}";
        List<ReceivedMessage> messages = read(new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)));
        write(Set.of(messages.get(0).messageId()), OutputStream.nullOutputStream());
    }

    /** When this invocation times out. */
    public static Instant deadline(Context context) {
        return Instant.now().plusMillis(context.getRemainingTimeInMillis());
    }

    private static String text(JsonNode record, String field) {
        JsonNode value = record.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static int receiveCount(JsonNode attributes) {
        try {
            return Integer.parseInt(attributes.path("ApproximateReceiveCount").asText("1"));
        } catch (NumberFormatException e) {
            return 1;
        }
    }
}

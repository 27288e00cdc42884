package dev.conveyor.handler;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.job.FieldError;
import dev.conveyor.json.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** {@code echo}: returns {@code {"message": ...}} as it was given. */
public final class EchoHandler implements JobHandler {
    @Override
    public String type() {
        return "echo";
    }

    @Override
    public List<FieldError> validate(JsonNode payload, double timeoutSeconds) {
        List<FieldError> errors = new ArrayList<>(Payloads.unknownFields(payload, Set.of("message")));
        JsonNode message = payload.get("message");
        if (message == null) {
            errors.add(new FieldError("payload.message", "is required"));
        } else if (!message.isTextual() || message.textValue().isEmpty()) {
            errors.add(new FieldError("payload.message", "must be a non-empty string"));
        }
        return errors;
    }

    @Override
    public JsonNode run(JobContext context) {
        return Json.object().put("message", context.payload().get("message").textValue());
    }
}

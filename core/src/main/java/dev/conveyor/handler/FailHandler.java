package dev.conveyor.handler;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.job.FieldError;
import dev.conveyor.json.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code fail}: fails its first {@code times} attempts with {@code error}, then succeeds; {@code times: -1} always
 * fails. With {@code permanent: true} a failure is not retried. For demonstrations and tests.
 */
public final class FailHandler implements JobHandler {
    static final String DEFAULT_ERROR = "simulated failure";

    @Override
    public String type() {
        return "fail";
    }

    @Override
    public List<FieldError> validate(JsonNode payload, double timeoutSeconds) {
        List<FieldError> errors = new ArrayList<>(Payloads.unknownFields(payload, Set.of("times", "error", "permanent")));
        JsonNode times = payload.get("times");
        if (times == null) {
            errors.add(new FieldError("payload.times", "is required"));
        } else if (!times.isIntegralNumber() || !times.canConvertToInt() || times.intValue() < -1) {
            errors.add(new FieldError("payload.times", "must be an integer: -1 (always fail) or 0 and above"));
        }
        JsonNode error = payload.get("error");
        if (error != null && (!error.isTextual() || error.textValue().isEmpty())) {
            errors.add(new FieldError("payload.error", "must be a non-empty string"));
        }
        JsonNode permanent = payload.get("permanent");
        if (permanent != null && !permanent.isBoolean()) {
            errors.add(new FieldError("payload.permanent", "must be true or false"));
        }
        return errors;
    }

    @Override
    public JsonNode run(JobContext context) throws Exception {
        JsonNode payload = context.payload();
        int times = payload.get("times").intValue();
        if (times == -1 || context.attempt() <= times) {
            String error = payload.has("error") ? payload.get("error").textValue() : DEFAULT_ERROR;
            if (payload.path("permanent").asBoolean(false)) {
                throw new PermanentJobFailure(error);
            }
            throw new SimulatedFailure(error);
        }
        return Json.object().put("succeeded_on_attempt", context.attempt());
    }

    /** The retryable failure this type produces. */
    static final class SimulatedFailure extends Exception {
        SimulatedFailure(String message) {
            super(message);
        }
    }
}

package dev.conveyor.handler;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.job.FieldError;
import dev.conveyor.json.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** {@code sleep}: waits {@code seconds} (fractions allowed, at most the job's timeout), then succeeds. */
public final class SleepHandler implements JobHandler {
    @Override
    public String type() {
        return "sleep";
    }

    @Override
    public List<FieldError> validate(JsonNode payload, double timeoutSeconds) {
        List<FieldError> errors = new ArrayList<>(Payloads.unknownFields(payload, Set.of("seconds")));
        JsonNode value = payload.get("seconds");
        Double seconds = Payloads.positiveSeconds(value);
        if (value == null) {
            errors.add(new FieldError("payload.seconds", "is required"));
        } else if (seconds == null) {
            errors.add(new FieldError("payload.seconds", "must be a number greater than 0"));
        } else if (seconds > timeoutSeconds) {
            errors.add(new FieldError("payload.seconds",
                    "must be at most the job's timeout_seconds (" + format(timeoutSeconds) + ")"));
        }
        return errors;
    }

    @Override
    public JsonNode run(JobContext context) throws InterruptedException {
        double seconds = context.payload().get("seconds").doubleValue();
        long nanos = (long) (seconds * 1e9);
        Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
        return Json.object().put("slept_seconds", seconds);
    }

    private static String format(double seconds) {
        return seconds == Math.rint(seconds) ? Long.toString((long) seconds) : Double.toString(seconds);
    }
}

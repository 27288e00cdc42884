package dev.conveyor.handler;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.job.FieldError;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/** Small checks that handlers share when they validate a payload. */
public final class Payloads {
    private Payloads() {
    }

    /** An error for each field of the payload that the type does not know. */
    public static List<FieldError> unknownFields(JsonNode payload, Set<String> known) {
        List<FieldError> errors = new ArrayList<>();
        for (Iterator<String> names = payload.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name)) {
                errors.add(new FieldError("payload." + name, "is not a field of this job type; known fields: "
                        + String.join(", ", new java.util.TreeSet<>(known))));
            }
        }
        return errors;
    }

    /** The field's value as a positive number of seconds (fractions allowed), or null when it is not one. */
    public static Double positiveSeconds(JsonNode value) {
        if (value == null || !value.isNumber()) {
            return null;
        }
        double seconds = value.doubleValue();
        return seconds > 0 && Double.isFinite(seconds) ? seconds : null;
    }
}

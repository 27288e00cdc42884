package dev.conveyor.queue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.job.JobId;
import dev.conveyor.json.Json;
import java.util.Optional;

/** A queue message's body: only the job's id, since the database holds everything else. */
public final class JobMessage {
    private JobMessage() {
    }

    public static String encode(JobId id) {
        return "{\"job_id\":\"" + id + "\"}";
    }

    /** The job a message is about, or empty when the body is not a Conveyor message. */
    public static Optional<JobId> decode(String body) {
        try {
            JsonNode node = Json.parse(body);
            JsonNode id = node.get("job_id");
            if (id == null || !id.isTextual() || node.size() != 1) {
                return Optional.empty();
            }
            return Optional.of(JobId.parse(id.textValue()));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}

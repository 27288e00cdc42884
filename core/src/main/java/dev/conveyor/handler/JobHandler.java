package dev.conveyor.handler;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.job.FieldError;
import java.util.List;

/**
 * The work behind one job type. Implement it, give the class a public no-argument constructor, and list it in
 * {@code META-INF/services/dev.conveyor.handler.JobHandler}: the type is then accepted by {@code POST /jobs} and run
 * by the process-job function.
 */
public interface JobHandler {

    /** The name clients submit jobs under: lower case, digits, {@code _ . -}, at most 64 characters. */
    String type();

    /**
     * What is wrong with a payload, checked at submission so that a job that can never run is a 400, not a
     * failure later. Name fields as {@code payload.<name>}.
     *
     * @param timeoutSeconds the job's time limit per attempt
     */
    default List<FieldError> validate(JsonNode payload, double timeoutSeconds) {
        return List.of();
    }

    /**
     * Runs one attempt and returns its result (any JSON value). Throw {@link PermanentJobFailure} when retrying
     * cannot help, {@link RetryLaterJobFailure} when a retry must wait at least a given time; any other exception
     * is retried within the job's budget. An attempt past its deadline is
     * interrupted and abandoned: long-running work should stop when the thread is interrupted.
     */
    JsonNode run(JobContext context) throws Exception;
}

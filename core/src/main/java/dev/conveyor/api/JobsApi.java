package dev.conveyor.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.dispatch.Dispatcher;
import dev.conveyor.fault.FailPoints;
import dev.conveyor.job.FieldError;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobId;
import dev.conveyor.job.NewJob;
import dev.conveyor.job.Submission;
import dev.conveyor.json.Json;
import dev.conveyor.log.Log;
import dev.conveyor.store.JobStore;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The job API's operations, each taking a request and giving a response. Errors are thrown and turned into
 * problems by {@link Problems}, in one place.
 */
public final class JobsApi {
    private static final Log LOG = Log.of(JobsApi.class);

    private final JobStore store;
    private final Dispatcher dispatcher;
    private final JobRequests requests;
    private final Clock clock;

    public JobsApi(JobStore store, Dispatcher dispatcher, JobRequests requests, Clock clock) {
        this.store = store;
        this.dispatcher = dispatcher;
        this.requests = requests;
        this.clock = clock;
    }

    /** {@code POST /jobs}: store the job, queue it, answer 202 with where to find it. */
    public ApiResponse submit(ApiRequest request) {
        NewJob job = requests.parse(body(request), "");
        Submission submission = store.insert(List.of(job), clock.instant()).get(0);
        if (submission.created()) {
            FailPoints.hit("submit.stored", submission.job());
            dispatch(List.of(submission.job()));
        }
        return ApiResponse.json(202, JobJson.job(submission.job()))
                .withHeader("Location", location(request, submission.job().id()));
    }

    /** {@code GET /jobs/{id}}. */
    public ApiResponse get(ApiRequest request) {
        JobId id = jobId(request);
        Job job = store.find(id).orElseThrow(() -> notFound(id));
        return ApiResponse.json(200, JobJson.job(job));
    }

    /**
     * Sends the messages for newly stored jobs. The jobs are stored as dispatched; a send that fails is marked
     * owed so that the sweeper sends it at its next run, and if even that cannot be written the sweeper finds the
     * job stalled. Either way the job runs: the client's 202 stands.
     */
    private void dispatch(List<Job> jobs) {
        Set<JobId> failed = dispatcher.send(jobs);
        if (!failed.isEmpty()) {
            try {
                store.markDispatched(failed, null);
            } catch (RuntimeException e) {
                LOG.warn("could not mark unsent jobs; the sweeper will find them stalled", e, "count", failed.size());
            }
        }
    }

    static JsonNode body(ApiRequest request) {
        String contentType = request.header("content-type");
        if (contentType != null && !isJson(contentType)) {
            throw new ApiException(415, "the body must be JSON: send Content-Type: application/json, not "
                    + JobRequests.printable(contentType));
        }
        String body = request.body();
        if (body == null || body.isEmpty()) {
            throw new ApiException(400, "the body is empty; a JSON object was expected");
        }
        if (body.length() > Json.MAX_BODY_BYTES / 4
                && body.getBytes(StandardCharsets.UTF_8).length > Json.MAX_BODY_BYTES) {
            throw new ApiException(413, "the body is larger than " + Json.MAX_BODY_BYTES / 1024 + " KB");
        }
        return Json.parse(body);
    }

    private static boolean isJson(String contentType) {
        String mediaType = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        return mediaType.equals("application/json")
                || (mediaType.startsWith("application/") && mediaType.endsWith("+json"));
    }

    static JobId jobId(ApiRequest request) {
        String id = request.pathParameter("id");
        try {
            return JobId.parse(id);
        } catch (IllegalArgumentException e) {
            throw new ApiException(400, "'" + JobRequests.printable(String.valueOf(id))
                    + "' is not a job id; job ids are UUIDs such as 0190b4a4-7c1e-7a53-9f4e-2b9d2c1e5f00",
                    List.of(new FieldError("id", "must be a UUID")), Map.of());
        }
    }

    static ApiException notFound(JobId id) {
        return new ApiException(404, "no job with id " + id);
    }

    static String location(ApiRequest request, JobId id) {
        return request.basePath() + "/jobs/" + id;
    }
}

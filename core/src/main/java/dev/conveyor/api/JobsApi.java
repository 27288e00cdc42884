package dev.conveyor.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveyor.aws.CallDeadline;
import dev.conveyor.dispatch.Dispatcher;
import dev.conveyor.fault.FailPoints;
import dev.conveyor.job.FieldError;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobEvent;
import dev.conveyor.job.JobFilter;
import dev.conveyor.job.JobId;
import dev.conveyor.job.JobQuery;
import dev.conveyor.job.NewJob;
import dev.conveyor.job.Submission;
import dev.conveyor.job.WaitingJob;
import dev.conveyor.json.Json;
import dev.conveyor.log.Log;
import dev.conveyor.store.JobStore;
import dev.conveyor.trace.TraceContext;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
    /** The most jobs one {@code POST /jobs/batch} may submit. */
    public static final int MAX_BATCH = 100;

    private final JobStore store;
    private final Dispatcher dispatcher;
    private final JobRequests requests;
    private final Clock clock;
    private final BulkLimits bulkLimits;

    public JobsApi(JobStore store, Dispatcher dispatcher, JobRequests requests, Clock clock) {
        this(store, dispatcher, requests, clock, BulkLimits.DEFAULT);
    }

    public JobsApi(JobStore store, Dispatcher dispatcher, JobRequests requests, Clock clock, BulkLimits bulkLimits) {
        this.store = store;
        this.dispatcher = dispatcher;
        this.requests = requests;
        this.clock = clock;
        this.bulkLimits = bulkLimits;
    }

    /**
     * How much one {@code POST /jobs/bulk} changes: at most {@code perStatement} jobs in one statement (one short
     * transaction, its row locks held briefly) and {@code perCall} in one request; a client calls again for more.
     */
    public record BulkLimits(int perStatement, int perCall) {
        public static final BulkLimits DEFAULT = new BulkLimits(500, 10_000);
    }

    /** {@code POST /jobs}: store the job, queue it, answer 202 with where to find it. */
    public ApiResponse submit(ApiRequest request) {
        NewJob job = requests.parse(body(request), "").withTrace(trace(request));
        String key = request.header("idempotency-key");
        if (key != null) {
            job = job.withIdempotency(Idempotency.key(request, key, job));
        }
        Submission submission = store.insert(List.of(job), clock.instant()).get(0);
        if (submission.created()) {
            FailPoints.hit("submit.stored", submission.job());
            dispatch(List.of(submission.job()));
        }
        ApiResponse response = ApiResponse.json(202, JobJson.job(submission.job()))
                .withHeader("Location", location(request, submission.job().id()));
        return submission.created() ? response : response.withHeader("Idempotent-Replayed", "true");
    }

    /**
     * {@code POST /jobs/batch}: {@code {"jobs": [...]}}, 1 to 100 jobs stored in one statement and sent in batches
     * of ten. All or nothing: one invalid job rejects the batch with a 400 naming each field by its index
     * ({@code jobs[3].type}), and nothing is stored.
     */
    public ApiResponse submitBatch(ApiRequest request) {
        if (request.header("idempotency-key") != null) {
            throw ApiException.invalid(List.of(new FieldError("Idempotency-Key",
                    "is not supported on POST /jobs/batch; submit with POST /jobs to use it")));
        }
        JsonNode body = body(request);
        List<FieldError> errors = new ArrayList<>();
        if (!body.isObject()) {
            throw ApiException.invalid(List.of(new FieldError("body", "must be a JSON object: {\"jobs\": [...]}")));
        }
        body.fieldNames().forEachRemaining(name -> {
            if (!name.equals("jobs")) {
                errors.add(new FieldError(JobRequests.printable(name), "is not a known field; known fields: jobs"));
            }
        });
        JsonNode items = body.get("jobs");
        if (items == null || !items.isArray() || items.isEmpty() || items.size() > MAX_BATCH) {
            errors.add(new FieldError("jobs", "must be an array of 1 to " + MAX_BATCH + " jobs"));
            throw ApiException.invalid(errors);
        }
        List<NewJob> jobs = new ArrayList<>(items.size());
        TraceContext trace = trace(request);
        for (int i = 0; i < items.size(); i++) {
            NewJob job = requests.parse(items.get(i), "jobs[" + i + "].", errors);
            jobs.add(job == null ? null : job.withTrace(trace));
        }
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors);
        }
        List<Submission> submissions = store.insert(jobs, clock.instant());
        List<Job> stored = submissions.stream().map(Submission::job).toList();
        stored.forEach(job -> FailPoints.hit("submit.stored", job));
        dispatch(stored);
        ObjectNode answer = Json.object();
        ArrayNode out = answer.putArray("jobs");
        stored.forEach(job -> out.add(JobJson.job(job)));
        return ApiResponse.json(202, answer);
    }

    /** {@code POST /jobs/validate}: what {@code POST /jobs} would answer to the body, storing and sending nothing. */
    public ApiResponse validate(ApiRequest request) {
        requests.parse(body(request), "");
        return ApiResponse.json(200, Json.object().put("valid", true));
    }

    /**
     * {@code POST /jobs/bulk}: retries or cancels the jobs a filter takes, in statements of at most
     * {@link BulkLimits#perStatement} jobs, until none is left, {@link BulkLimits#perCall} are done, or the next
     * statement might not end before the request's deadline. With {@code dry_run}, only counts them. Every answer
     * names its {@code as_of}: the calls that go on with the same action pass it back, and take only jobs last
     * changed before it, so that no job is taken twice (a retried job that fails again is not retried again).
     */
    public ApiResponse bulk(ApiRequest request) {
        BulkRequest parsed = BulkRequest.parse(body(request));
        Instant asOf = parsed.asOf().orElseGet(clock::instant);
        JobFilter filter = parsed.filter().unchangedAfter(asOf);
        ObjectNode answer = Json.object().put("action", parsed.action().json()).put("dry_run", parsed.dryRun())
                .put("as_of", JobJson.time(asOf));
        if (parsed.dryRun()) {
            return ApiResponse.json(200, answer.put("matched", store.count(filter)));
        }
        int done = 0;
        Duration slowest = Duration.ZERO;
        while (done < bulkLimits.perCall() && timeFor(slowest)) {
            int limit = Math.min(bulkLimits.perStatement(), bulkLimits.perCall() - done);
            long started = System.nanoTime();
            int changed;
            if (parsed.action() == BulkRequest.Action.RETRY) {
                List<WaitingJob> requeued = store.requeueMatching(filter, limit, clock.instant());
                dispatchWaiting(requeued);
                changed = requeued.size();
            } else {
                changed = store.cancelMatching(filter, limit, clock.instant());
            }
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            slowest = took.compareTo(slowest) > 0 ? took : slowest;
            done += changed;
            if (changed < limit) {
                break;
            }
        }
        return ApiResponse.json(200, answer.put("done", done).put("remaining", store.count(filter)));
    }

    /**
     * Whether another statement and the final count, each taking as long as the slowest statement so far, end
     * before the request's deadline (see {@link CallDeadline}).
     */
    private static boolean timeFor(Duration slowest) {
        Instant deadline = CallDeadline.current();
        return deadline == null || Instant.now().plus(slowest.multipliedBy(2)).isBefore(deadline);
    }

    /** {@code GET /jobs/{id}}. */
    public ApiResponse get(ApiRequest request) {
        JobId id = jobId(request);
        Job job = store.find(id).orElseThrow(() -> notFound(id));
        return ApiResponse.json(200, JobJson.job(job));
    }

    /** {@code GET /jobs}: newest first, filtered by state, type, payload and creation time, a page at a time. */
    public ApiResponse list(ApiRequest request) {
        JobQuery query = JobListing.query(request);
        List<Job> page = store.list(query.withLimit(query.limit() + 1));
        boolean more = page.size() > query.limit();
        List<Job> jobs = more ? page.subList(0, query.limit()) : page;
        ObjectNode body = Json.object();
        ArrayNode items = body.putArray("jobs");
        jobs.forEach(job -> items.add(JobJson.job(job)));
        body.put("next_cursor", more ? JobListing.cursor(JobQuery.Position.of(jobs.get(jobs.size() - 1))) : null);
        return ApiResponse.json(200, body);
    }

    /** {@code GET /jobs/{id}/events}: the job's history, oldest first. */
    public ApiResponse events(ApiRequest request) {
        JobId id = jobId(request);
        List<JobEvent> events = store.events(id);
        if (events.isEmpty()) {
            throw notFound(id);
        }
        ObjectNode body = Json.object();
        ArrayNode items = body.putArray("events");
        events.forEach(event -> items.add(JobJson.event(event)));
        return ApiResponse.json(200, body);
    }

    /** {@code POST /jobs/{id}/retry}: a failed, dead-lettered or cancelled job runs again with a fresh budget. */
    public ApiResponse retry(ApiRequest request) {
        JobId id = jobId(request);
        store.find(id).orElseThrow(() -> notFound(id));
        if (!store.requeue(id, clock.instant())) {
            Job now = store.find(id).orElseThrow(() -> notFound(id));
            throw new ApiException(409, "job " + id + " is " + now.state() + "; only FAILED, DEAD_LETTERED or"
                    + " CANCELLED jobs can be retried");
        }
        Job requeued = store.find(id).orElseThrow(() -> notFound(id));
        dispatch(List.of(requeued));
        return ApiResponse.json(202, JobJson.job(requeued)).withHeader("Location", location(request, id));
    }

    /** {@code POST /jobs/{id}/cancel}: a job still waiting will not run; a later delivery of its message runs nothing. */
    public ApiResponse cancel(ApiRequest request) {
        JobId id = jobId(request);
        store.find(id).orElseThrow(() -> notFound(id));
        if (!store.cancel(id, clock.instant())) {
            Job now = store.find(id).orElseThrow(() -> notFound(id));
            throw new ApiException(409, "job " + id + " is " + now.state() + "; only PENDING or RETRYING jobs can be"
                    + " cancelled");
        }
        return ApiResponse.json(200, JobJson.job(store.find(id).orElseThrow(() -> notFound(id))));
    }

    /**
     * Sends the messages for newly stored jobs. The jobs are stored as dispatched; a send that fails is marked
     * owed so that the sweeper sends it at its next run, and if even that cannot be written the sweeper finds the
     * job stalled. Either way the job runs: the client's 202 stands.
     */
    private void dispatch(List<Job> jobs) {
        dispatchWaiting(jobs.stream().map(WaitingJob::of).toList());
    }

    private void dispatchWaiting(List<WaitingJob> jobs) {
        Set<JobId> failed = dispatcher.sendWaiting(jobs);
        if (!failed.isEmpty()) {
            try {
                store.markDispatched(failed, null);
            } catch (RuntimeException e) {
                LOG.warn("could not mark unsent jobs; the sweeper will find them stalled", e, "count", failed.size());
            }
        }
    }

    /** The trace of a submission: see {@link TraceContext#forSubmission}. */
    private static TraceContext trace(ApiRequest request) {
        return TraceContext.forSubmission(request.header("traceparent"), request.header("x-amzn-trace-id"));
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

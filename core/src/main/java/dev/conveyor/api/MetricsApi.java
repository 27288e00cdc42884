package dev.conveyor.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveyor.job.FieldError;
import dev.conveyor.job.JobState;
import dev.conveyor.json.Json;
import dev.conveyor.queue.JobQueue;
import dev.conveyor.queue.JobQueue.QueueDepth;
import dev.conveyor.store.JobStore;
import dev.conveyor.store.JobStore.MinuteCount;
import dev.conveyor.store.JobStore.RunStats;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code GET /metrics}: jobs by state, the queue's depth, in-flight and delayed counts and the dead-letter queue's
 * depth (SQS {@code GetQueueAttributes}, approximate as SQS says), how many jobs finished in the last minute and
 * the median and 95th percentile of their run time. JSON by default; the Prometheus text exposition format when the
 * client asks for {@code text/plain} (or OpenMetrics) and not for JSON, as a Prometheus scraper does.
 */
public final class MetricsApi {
    /** The window of the throughput and run-time figures. */
    static final Duration WINDOW = Duration.ofMinutes(1);
    /** The windows of {@code GET /metrics/history}, in minutes, by name. */
    static final Map<String, Integer> HISTORY_WINDOWS = Map.of("1h", 60, "24h", 1440);
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final JobStore store;
    private final JobQueue queue;
    private final Clock clock;

    public MetricsApi(JobStore store, JobQueue queue, Clock clock) {
        this.store = store;
        this.queue = queue;
        this.clock = clock;
    }

    public ApiResponse metrics(ApiRequest request) {
        Instant now = clock.instant();
        Map<JobState, Long> states = store.countByState();
        RunStats finished = microseconds(store.finishedSince(now.minus(WINDOW)));
        QueueDepth depth = queue.depth();
        if (wantsText(request.header("Accept"))) {
            return new ApiResponse(200, Map.of("Content-Type", PROMETHEUS_TEXT, "Cache-Control", "no-store"),
                    prometheus(states, depth, finished));
        }
        return ApiResponse.json(200, json(now, states, depth, finished)).withHeader("Cache-Control", "no-store");
    }

    /**
     * {@code GET /metrics/history?window=1h|24h}: the jobs that finished in each minute of the window, by the state
     * they are in now, oldest minute first and zero-filled; the last minute is the current one, still filling. A
     * job counts in the minute of its {@code finished_at}: when it succeeded, failed for good, was dead-lettered or
     * was cancelled. A job retried since has no {@code finished_at} and counts nowhere until it finishes again.
     */
    public ApiResponse history(ApiRequest request) {
        List<String> windows = request.queryValues("window");
        List<FieldError> errors = new ArrayList<>();
        request.query().keySet().stream().filter(name -> !name.equals("window")).forEach(name -> errors.add(
                new FieldError(JobRequests.printable(name), "is not a parameter of GET /metrics/history; use window")));
        String window = windows.isEmpty() ? "1h" : windows.get(0);
        if (windows.size() > 1 || !HISTORY_WINDOWS.containsKey(window)) {
            errors.add(new FieldError("window", "must be 1h or 24h, given at most once"));
        }
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors);
        }
        int minutes = HISTORY_WINDOWS.get(window);
        Instant to = clock.instant().truncatedTo(ChronoUnit.MINUTES).plus(1, ChronoUnit.MINUTES);
        Instant from = to.minus(minutes, ChronoUnit.MINUTES);
        Map<Instant, Map<JobState, Long>> counts = new HashMap<>();
        for (MinuteCount count : store.finishedByMinute(from, to)) {
            counts.computeIfAbsent(count.minute(), m -> new EnumMap<>(JobState.class)).put(count.state(), count.count());
        }
        ObjectNode body = Json.object().put("window", window).put("bucket_seconds", 60)
                .put("from", JobJson.time(from)).put("to", JobJson.time(to));
        ArrayNode buckets = body.putArray("buckets");
        for (int i = 0; i < minutes; i++) {
            Instant minute = from.plus(i, ChronoUnit.MINUTES);
            Map<JobState, Long> at = counts.getOrDefault(minute, Map.of());
            buckets.addObject().put("at", JobJson.time(minute))
                    .put("succeeded", at.getOrDefault(JobState.SUCCESS, 0L))
                    .put("failed", at.getOrDefault(JobState.FAILED, 0L))
                    .put("dead_lettered", at.getOrDefault(JobState.DEAD_LETTERED, 0L))
                    .put("cancelled", at.getOrDefault(JobState.CANCELLED, 0L));
        }
        return ApiResponse.json(200, body).withHeader("Cache-Control", "no-store");
    }

    /** Run times to the microsecond, as the store keeps its timestamps: no floating-point noise in the answer. */
    private static RunStats microseconds(RunStats stats) {
        return new RunStats(stats.finished(), round(stats.p50Seconds()), round(stats.p95Seconds()));
    }

    private static Double round(Double seconds) {
        return seconds == null ? null : Math.round(seconds * 1e6) / 1e6;
    }

    /** Text when the client names text/plain or OpenMetrics and does not name JSON. */
    static boolean wantsText(String accept) {
        if (accept == null) {
            return false;
        }
        String lower = accept.toLowerCase(Locale.ROOT);
        return (lower.contains("text/plain") || lower.contains("application/openmetrics-text"))
                && !lower.contains("json");
    }

    private static ObjectNode json(Instant now, Map<JobState, Long> states, QueueDepth depth, RunStats finished) {
        ObjectNode body = Json.object().put("measured_at", JobJson.time(now));
        ObjectNode jobs = body.putObject("jobs");
        states.forEach((state, count) -> jobs.put(state.name(), count));
        body.putObject("queue")
                .put("visible", depth.visible())
                .put("in_flight", depth.inFlight())
                .put("delayed", depth.delayed())
                .put("dead_letter", depth.deadLettered());
        ObjectNode lastMinute = body.putObject("last_minute").put("finished", finished.finished());
        lastMinute.put("jobs_per_second", Math.round(finished.finished() * 1000.0 / WINDOW.toSeconds()) / 1000.0);
        lastMinute.put("run_seconds_p50", finished.p50Seconds());
        lastMinute.put("run_seconds_p95", finished.p95Seconds());
        return body;
    }

    private static String prometheus(Map<JobState, Long> states, QueueDepth depth, RunStats finished) {
        StringBuilder out = new StringBuilder();
        family(out, "conveyor_jobs", "gauge", "Jobs in each state.");
        states.forEach((state, count) -> sample(out, "conveyor_jobs{state=\"" + state.name() + "\"}", count));
        family(out, "conveyor_queue_messages", "gauge",
                "Approximate messages in the jobs queue and its dead-letter queue, as SQS counts them.");
        sample(out, "conveyor_queue_messages{queue=\"jobs\",status=\"visible\"}", depth.visible());
        sample(out, "conveyor_queue_messages{queue=\"jobs\",status=\"in_flight\"}", depth.inFlight());
        sample(out, "conveyor_queue_messages{queue=\"jobs\",status=\"delayed\"}", depth.delayed());
        sample(out, "conveyor_queue_messages{queue=\"dead_letter\",status=\"visible\"}", depth.deadLettered());
        family(out, "conveyor_jobs_finished_last_minute", "gauge",
                "Jobs that reached SUCCESS or FAILED in the last 60 seconds.");
        sample(out, "conveyor_jobs_finished_last_minute", finished.finished());
        family(out, "conveyor_job_run_seconds_last_minute", "gauge",
                "Run time of the last attempt of the jobs finished in the last 60 seconds, by quantile.");
        sample(out, "conveyor_job_run_seconds_last_minute{quantile=\"0.5\"}", finished.p50Seconds());
        sample(out, "conveyor_job_run_seconds_last_minute{quantile=\"0.95\"}", finished.p95Seconds());
        return out.toString();
    }

    private static void family(StringBuilder out, String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void sample(StringBuilder out, String series, Number value) {
        out.append(series).append(' ').append(value == null ? "NaN" : value.toString()).append('\n');
    }
}

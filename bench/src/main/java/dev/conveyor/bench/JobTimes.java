package dev.conveyor.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The server's own timestamps of the jobs a phase submitted, read back through {@code GET /jobs} once they are
 * finished: {@code created_at} (taken by submit-job just before its insert) and {@code finished_at} (taken by
 * process-job when it records the outcome).
 */
final class JobTimes {
    private static final Set<String> WAITING = Set.of("PENDING", "RUNNING", "RETRYING");
    private static final Duration RESCAN = Duration.ofSeconds(10);
    /** How often {@code GET /metrics} is asked: rarely enough that the asking costs the runtime nothing to speak of. */
    private static final long POLL_MILLIS = 1000;

    private JobTimes() {
    }

    /** A job as the listing shows it. */
    record Job(String state, Instant created, Instant finished) {
        boolean succeeded() {
            return state.equals("SUCCESS");
        }

        /** Submission to SUCCESS, in milliseconds. */
        double latencyMillis() {
            return Duration.between(created, finished).toNanos() / 1e6;
        }
    }

    /**
     * Waits until every one of {@code ids} has finished, or {@code timeout}, and answers what the listing shows of
     * each (a job it does not show is absent). {@code GET /metrics} says when nothing waits or runs; the listing is
     * read then, and every 10 s in case other jobs keep the counts up.
     */
    static Map<String, Job> awaitFinished(Api api, Collection<String> ids, Duration timeout)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long lastScan = System.nanoTime();
        Map<String, Job> jobs = Map.of();
        while (true) {
            boolean idle = waiting(api) == 0;
            if (idle || System.nanoTime() - lastScan > RESCAN.toNanos() || System.nanoTime() > deadline) {
                jobs = scan(api, ids);
                lastScan = System.nanoTime();
                if (jobs.size() == ids.size() && jobs.values().stream().noneMatch(j -> WAITING.contains(j.state()))) {
                    return jobs;
                }
                if (System.nanoTime() > deadline) {
                    return jobs;
                }
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    /** Jobs waiting or running, by {@code GET /metrics}. */
    static long waiting(Api api) throws IOException, InterruptedException {
        Api.Response response = api.get("/metrics");
        if (response.status() != 200) {
            throw new IllegalStateException("GET /metrics answered " + response);
        }
        JsonNode jobs = response.json().get("jobs");
        long waiting = 0;
        for (String state : WAITING) {
            waiting += jobs.path(state).asLong();
        }
        return waiting;
    }

    /** Pages through the listing, newest first, until every job asked for is found or the listing ends. */
    private static Map<String, Job> scan(Api api, Collection<String> ids) throws IOException, InterruptedException {
        Set<String> wanted = new HashSet<>(ids);
        Map<String, Job> found = new HashMap<>();
        String cursor = null;
        do {
            String path = "/jobs?limit=100" + (cursor == null ? ""
                    : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8));
            Api.Response response = api.get(path);
            if (response.status() != 200) {
                throw new IllegalStateException("GET " + path + " answered " + response);
            }
            JsonNode page = response.json();
            for (JsonNode job : page.get("jobs")) {
                String id = job.get("id").asText();
                if (wanted.contains(id)) {
                    found.put(id, new Job(job.get("state").asText(), instant(job.get("created_at")),
                            instant(job.get("finished_at"))));
                }
            }
            cursor = page.path("next_cursor").isTextual() ? page.get("next_cursor").asText() : null;
        } while (cursor != null && found.size() < wanted.size());
        return found;
    }

    private static Instant instant(JsonNode value) {
        return value == null || value.isNull() ? null : Instant.parse(value.asText());
    }
}

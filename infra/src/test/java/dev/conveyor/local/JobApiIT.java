package dev.conveyor.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Listing, history, retry and cancel through the local runtime, over HTTP. */
class JobApiIT extends LocalRuntimeTest {
    private static final String LATER = "{\"type\": \"echo\", \"payload\": {\"message\": \"later\"}, \"delay_seconds\": 600}";

    private static String submit(String body) {
        Http.Response response = http.postJson("/jobs", body);
        assertEquals(202, response.status(), response::toString);
        return response.json().get("id").asText();
    }

    @Test
    void pagesNeitherSkipNorRepeatAJobWhileJobsAreInserted() {
        Set<String> mine = new HashSet<>();
        for (int i = 0; i < 25; i++) {
            mine.add(submit("{\"type\": \"echo\", \"payload\": {\"message\": \"page\"}, \"delay_seconds\": 600}"));
        }
        List<String> seen = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = http.get("/jobs?state=PENDING&type=echo&limit=7" + (cursor == null ? "" : "&cursor=" + cursor))
                    .json();
            page.get("jobs").forEach(job -> seen.add(job.get("id").asText()));
            assertTrue(page.get("jobs").size() <= 7);
            submit(LATER); // newer than every page: must not appear in the pages still to come
            cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asText();
        } while (cursor != null);
        assertEquals(seen.size(), new HashSet<>(seen).size(), "a job was repeated");
        assertTrue(seen.containsAll(mine), "a job was skipped");
        List<String> sorted = new ArrayList<>(seen);
        sorted.sort(java.util.Comparator.reverseOrder());
        assertEquals(sorted, seen, "not newest first"); // UUIDv7 ids sort by creation time
    }

    @Test
    void badListingParametersAreA400NamingTheParameter() {
        for (String[] c : new String[][] {{"state=DONE", "state"}, {"limit=0", "limit"}, {"limit=101", "limit"},
                {"limit=1.5", "limit"}, {"cursor=bm9wZQ", "cursor"}, {"sort=asc", "sort"}, {"limit=1&limit=2", "limit"}}) {
            Http.Response response = http.get("/jobs?" + c[0]);
            assertEquals(400, response.status(), c[0]);
            assertEquals(c[1], response.json().at("/errors/0/field").asText(), c[0]);
        }
    }

    @Test
    void aCancelledJobCanBeRetriedAndRuns() {
        String id = submit(LATER);
        Http.Response cancelled = http.postJson("/jobs/" + id + "/cancel", "");
        assertEquals(200, cancelled.status(), cancelled::toString);
        assertEquals("CANCELLED", cancelled.json().get("state").asText());
        assertEquals(409, http.postJson("/jobs/" + id + "/cancel", "").status());

        Http.Response retried = http.postJson("/jobs/" + id + "/retry", "");
        assertEquals(202, retried.status(), retried::toString);
        assertEquals("PENDING", retried.json().get("state").asText());
        assertEquals(0, retried.json().get("attempt").asInt());
        EndToEndIT.awaitState(http, id, "SUCCESS", Duration.ofSeconds(10), new ArrayList<>());

        List<String> events = new ArrayList<>();
        http.get("/jobs/" + id + "/events").json().get("events").forEach(e -> events.add(e.get("event").asText()));
        assertEquals(List.of("created", "cancelled", "requeued", "started", "succeeded"), events);
        Http.Response conflict = http.postJson("/jobs/" + id + "/retry", "");
        assertEquals(409, conflict.status());
        assertTrue(conflict.json().get("detail").asText().contains("SUCCESS"), conflict::toString);
        assertEquals(409, http.postJson("/jobs/" + id + "/cancel", "").status());
    }

    private static Http.Response submitWithKey(String key, String body) {
        return http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(runtime.url() + "/jobs"))
                .header("Content-Type", "application/json").header("Idempotency-Key", key)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build());
    }

    @Test
    void anIdempotencyKeyMakesARetriedSubmissionSafeEvenWhenConcurrent() throws Exception {
        String key = "order-" + System.nanoTime();
        String body = "{\"type\": \"echo\", \"payload\": {\"message\": \"once\"}}";
        var pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        List<java.util.concurrent.Future<Http.Response>> answers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            answers.add(pool.submit(() -> submitWithKey(key, body)));
        }
        Set<String> ids = new HashSet<>();
        int replayed = 0;
        for (var answer : answers) {
            Http.Response response = answer.get();
            assertEquals(202, response.status(), response::toString);
            ids.add(response.json().get("id").asText());
            replayed += response.header("Idempotent-Replayed").isPresent() ? 1 : 0;
        }
        pool.shutdown();
        assertEquals(1, ids.size(), "one job for one key");
        assertEquals(7, replayed);
        assertEquals(1, LocalRuntimeFixture.count(runtime, "SELECT count(*) FROM jobs WHERE idempotency_key = '" + key + "'"));

        // The same job written differently (defaults spelled out) is the same request; another job is a conflict.
        Http.Response same = submitWithKey(key, "{\"payload\": {\"message\": \"once\"}, \"type\": \"echo\", \"max_retries\": 3}");
        assertEquals(ids.iterator().next(), same.json().get("id").asText());
        Http.Response conflict = submitWithKey(key, "{\"type\": \"echo\", \"payload\": {\"message\": \"twice\"}}");
        assertEquals(409, conflict.status(), conflict::toString);
        assertEquals("application/problem+json", conflict.header("Content-Type").orElseThrow());
        assertEquals(400, submitWithKey("x".repeat(256), body).status());
    }

    @Test
    void healthIsOkUntilTheDatabaseGoesAwayAndOkAgainWhenItIsBack() throws Exception {
        Http.Response ok = http.get("/health");
        assertEquals(200, ok.status(), ok::toString);
        assertEquals("ok", ok.json().get("status").asText());
        assertEquals("ok", ok.json().at("/checks/database/status").asText());
        assertEquals("ok", ok.json().at("/checks/queue/status").asText());

        Thread restart = new Thread(() -> runtime.restartDatabase(Duration.ofSeconds(3)));
        restart.start();
        boolean sawUnavailable = false;
        while (restart.isAlive()) {
            Http.Response during = http.get("/health");
            if (during.status() == 503) {
                sawUnavailable = true;
                assertEquals("unavailable", during.json().at("/checks/database/status").asText(), during::toString);
                assertEquals("ok", during.json().at("/checks/queue/status").asText());
                assertEquals("5", during.header("Retry-After").orElseThrow());
            }
            Thread.sleep(100);
        }
        restart.join();
        assertTrue(sawUnavailable, "health never reported the database down");
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (http.get("/health").status() != 200 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertEquals(200, http.get("/health").status());
    }

    @Test
    void aBatchIsStoredAndRunInOrderOrRefusedWhole() {
        Http.Response accepted = http.postJson("/jobs/batch", "{\"jobs\": ["
                + "{\"type\": \"echo\", \"payload\": {\"message\": \"a\"}},"
                + "{\"type\": \"echo\", \"payload\": {\"message\": \"b\"}},"
                + "{\"type\": \"sleep\", \"payload\": {\"seconds\": 0.1}}]}");
        assertEquals(202, accepted.status(), accepted::toString);
        JsonNode jobs = accepted.json().get("jobs");
        assertEquals(3, jobs.size());
        assertEquals("a", jobs.get(0).at("/payload/message").asText());
        assertEquals("b", jobs.get(1).at("/payload/message").asText());
        assertEquals("sleep", jobs.get(2).get("type").asText());
        jobs.forEach(job -> EndToEndIT.awaitState(http, job.get("id").asText(), "SUCCESS", Duration.ofSeconds(10),
                new ArrayList<>()));

        long before = LocalRuntimeFixture.count(runtime, "SELECT count(*) FROM jobs");
        Http.Response refused = http.postJson("/jobs/batch", "{\"jobs\": ["
                + "{\"type\": \"echo\", \"payload\": {\"message\": \"fine\"}},"
                + "{\"type\": \"teleport\", \"payload\": {}}]}");
        assertEquals(400, refused.status(), refused::toString);
        assertEquals("jobs[1].type", refused.json().at("/errors/0/field").asText());
        String many = ",{\"type\": \"echo\", \"payload\": {\"message\": \"x\"}}".repeat(101).substring(1);
        assertEquals(400, http.postJson("/jobs/batch", "{\"jobs\": [" + many + "]}").status());
        assertEquals(400, http.postJson("/jobs/batch", "{\"jobs\": []}").status());
        assertEquals(400, http.postJson("/jobs/batch", "[]").status());
        assertEquals(before, LocalRuntimeFixture.count(runtime, "SELECT count(*) FROM jobs"));
    }

    @Test
    void unknownAndMalformedIdsAre404And400() {
        String unknown = "01a207c6-dc6d-733e-a09e-7622527f8a06";
        assertEquals(404, http.get("/jobs/" + unknown + "/events").status());
        assertEquals(404, http.postJson("/jobs/" + unknown + "/retry", "").status());
        assertEquals(404, http.postJson("/jobs/" + unknown + "/cancel", "").status());
        assertEquals(400, http.postJson("/jobs/nope/cancel", "").status());
    }

    @Test
    void metricsCountJobsByStateReadTheQueuesAndSpeakPrometheus() throws Exception {
        List<String> echoes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            echoes.add(submit("{\"type\": \"echo\", \"payload\": {\"message\": \"counted\"}}"));
        }
        echoes.forEach(id -> EndToEndIT.awaitState(http, id, "SUCCESS", Duration.ofSeconds(10), new ArrayList<>()));
        String delayed = submit("{\"type\": \"echo\", \"payload\": {\"message\": \"soon\"}, \"delay_seconds\": 300}");

        long successBefore = LocalRuntimeFixture.count(runtime, "SELECT count(*) FROM jobs WHERE state = 'SUCCESS'");
        Http.Response json = http.get("/metrics");
        long successAfter = LocalRuntimeFixture.count(runtime, "SELECT count(*) FROM jobs WHERE state = 'SUCCESS'");
        assertEquals(200, json.status(), json::toString);
        assertEquals("application/json", json.header("Content-Type").orElseThrow());
        JsonNode metrics = json.json();
        long success = metrics.at("/jobs/SUCCESS").asLong();
        assertTrue(success >= successBefore && success <= successAfter, success + " SUCCESS: " + metrics);
        long total = 0;
        for (JsonNode count : metrics.get("jobs")) {
            total += count.asLong();
        }
        assertEquals(LocalRuntimeFixture.count(runtime, "SELECT count(*) FROM jobs"), total, metrics::toString);
        assertTrue(metrics.at("/queue/delayed").asLong() >= 1, "the delayed job's message: " + metrics);
        assertEquals(0, metrics.at("/queue/dead_letter").asLong());
        assertTrue(metrics.at("/last_minute/finished").asLong() >= 3, metrics::toString);
        assertTrue(metrics.at("/last_minute/run_seconds_p50").asDouble() > 0, metrics::toString);
        assertTrue(metrics.at("/last_minute/run_seconds_p95").asDouble()
                >= metrics.at("/last_minute/run_seconds_p50").asDouble(), metrics::toString);

        Http.Response text = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(runtime.url() + "/metrics"))
                .header("Accept", "text/plain;version=0.0.4;q=0.5,*/*;q=0.1").GET().build());
        assertEquals(200, text.status(), text::toString);
        assertEquals("text/plain; version=0.0.4; charset=utf-8", text.header("Content-Type").orElseThrow());
        java.util.Map<String, Double> samples = new java.util.HashMap<>();
        Set<String> described = new HashSet<>();
        for (String line : text.text().split("\n")) {
            if (line.startsWith("# TYPE ")) {
                described.add(line.split(" ")[2]);
            } else if (!line.startsWith("#")) {
                int space = line.lastIndexOf(' ');
                samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
                String family = line.contains("{") ? line.substring(0, line.indexOf('{')) : line.substring(0, space);
                assertTrue(described.contains(family), "a sample before its # TYPE line: " + line);
            }
        }
        assertTrue(samples.get("conveyor_jobs{state=\"SUCCESS\"}") >= success, text::text);
        assertTrue(samples.get("conveyor_queue_messages{queue=\"jobs\",status=\"delayed\"}") >= 1, text::text);
        assertTrue(samples.get("conveyor_jobs_finished_last_minute") >= 3, text::text);
        assertTrue(samples.containsKey("conveyor_job_run_seconds_last_minute{quantile=\"0.95\"}"), text::text);
        assertEquals(200, http.postJson("/jobs/" + delayed + "/cancel", "").status());
    }

    @Test
    void aDelayBeyondTheQueuesFifteenMinutesIsKeptInTheDatabaseAndSentByTheSweeperWhenDue() throws Exception {
        Http.Response submitted = http.postJson("/jobs",
                "{\"type\": \"echo\", \"payload\": {\"message\": \"in an hour\"}, \"delay_seconds\": 3600}");
        assertEquals(202, submitted.status(), submitted::toString);
        JsonNode job = submitted.json();
        String id = job.get("id").asText();
        assertEquals(java.time.Instant.parse(job.get("created_at").asText()).plusSeconds(3600),
                java.time.Instant.parse(job.get("next_attempt_at").asText()));
        assertEquals(1, LocalRuntimeFixture.count(runtime,
                "SELECT count(*) FROM jobs WHERE id = '" + id + "' AND state = 'PENDING' AND dispatched_at IS NULL"),
                "no message yet: SQS cannot hold one for an hour");

        // An hour passes, all but 3 seconds: the sweeper finds the job due within the queue's horizon and sends it
        // with the delay that is left.
        java.time.Instant due = java.time.Instant.now().plusSeconds(3);
        LocalRuntimeFixture.update(runtime,
                "UPDATE jobs SET next_attempt_at = '" + due + "' WHERE id = '" + id + "'");
        LocalFunction sweeper = runtime.functions().stream()
                .filter(f -> f.spec().logicalId().equals("SweepJobsFunction")).findFirst().orElseThrow();
        JsonNode swept = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(LocalSchedule.runNow(sweeper.spec().schedules().get(0), sweeper));
        assertTrue(swept.get("sent").asInt() >= 1, swept::toString);
        assertEquals("PENDING", http.get("/jobs/" + id).json().get("state").asText(), "not before it is due");
        JsonNode done = EndToEndIT.awaitState(http, id, "SUCCESS", Duration.ofSeconds(15), new ArrayList<>());
        assertTrue(!java.time.Instant.parse(done.get("started_at").asText()).isBefore(due.minusMillis(500)),
                "started before it was due: " + done);
    }

    @Test
    void everyRouteButHealthWantsTheApiKey() {
        Http anonymous = http.withoutKey();
        long jobs = LocalRuntimeFixture.count(runtime, "SELECT count(*) FROM jobs");
        for (Http.Response refused : List.of(
                anonymous.get("/jobs"),
                anonymous.get("/metrics"),
                anonymous.postJson("/jobs", "{\"type\": \"echo\", \"payload\": {\"message\": \"no key\"}}"),
                anonymous.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(runtime.url() + "/jobs"))
                        .header("x-api-key", "not-the-key-0123456789").GET().build()))) {
            assertEquals(403, refused.status(), refused::toString);
            assertEquals("application/problem+json", refused.header("Content-Type").orElseThrow());
            assertTrue(refused.json().get("detail").asText().contains("x-api-key"), refused::toString);
        }
        assertEquals(jobs, LocalRuntimeFixture.count(runtime, "SELECT count(*) FROM jobs"));
        assertEquals(200, anonymous.get("/health").status());
    }

    @Test
    void aMethodAResourceLacksIs405WithAllowAndAnUnknownPathIs404() {
        String id = "01a207c6-dc6d-733e-a09e-7622527f8a06";
        String[][] cases = {{"DELETE", "/jobs", "GET, POST"}, {"GET", "/jobs/batch", "POST"},
            {"PUT", "/jobs/" + id, "GET"}, {"POST", "/jobs/" + id + "/events", "GET"},
            {"GET", "/jobs/" + id + "/retry", "POST"}, {"PATCH", "/health", "GET"}, {"POST", "/metrics", "GET"}};
        for (String[] c : cases) {
            Http.Response response = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(runtime.url() + c[1]))
                    .method(c[0], java.net.http.HttpRequest.BodyPublishers.noBody()).build());
            assertEquals(405, response.status(), c[0] + " " + c[1] + ": " + response);
            assertEquals(c[2], response.header("Allow").orElseThrow(), c[0] + " " + c[1]);
            assertEquals("application/problem+json", response.header("Content-Type").orElseThrow());
        }
        for (String path : List.of("/", "/job", "/jobs/" + id + "/start", "/jobs/" + id + "/events/1")) {
            Http.Response response = http.get(path);
            assertEquals(404, response.status(), path + ": " + response);
            assertEquals("application/problem+json", response.header("Content-Type").orElseThrow(), path);
            assertEquals(404, response.json().get("status").asInt(), path);
        }
    }

    /**
     * Jobs near the Data API's limits: 20 KB payloads (and, by echo, 20 KB results) run and are listed 100 to a page
     * on either store (the Data API store lists in parts under its 1 MiB answer); a payload over that store's
     * limit is refused there with a 400 naming it, so that no job is stored that could not be read.
     */
    @Test
    void largeJobsRunAndAreListedAndAPayloadOverTheStoresLimitIsRefusedUpFront() {
        String large = "x".repeat(20_000);
        Set<String> mine = new HashSet<>();
        for (int i = 0; i < 30; i++) {
            mine.add(submit("{\"type\": \"echo\", \"payload\": {\"message\": \"" + large + "\"}}"));
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        Set<String> done = new HashSet<>();
        while (done.size() < mine.size() && System.nanoTime() < deadline) {
            Http.Response page = http.get("/jobs?state=SUCCESS&type=echo&limit=100");
            assertEquals(200, page.status(), page::toString);
            page.json().get("jobs").forEach(job -> {
                if (mine.contains(job.get("id").asText())) {
                    assertEquals(large, job.at("/result/message").asText());
                    done.add(job.get("id").asText());
                }
            });
        }
        assertEquals(mine, done, "every large job ran and is listed");

        String over = "y".repeat(30_000);
        Http.Response response = http.postJson("/jobs", "{\"type\": \"echo\", \"payload\": {\"message\": \"" + over + "\"}}");
        if (runtime.store().equals("dataapi")) {
            assertEquals(400, response.status(), response::toString);
            assertTrue(response.json().toString().contains("\"field\":\"payload\""), response::toString);
            assertTrue(response.json().toString().contains("keeps at most 24576"), response::toString);
        } else {
            assertEquals(202, response.status(), response::toString);
        }
    }

    private static String encoded(String json) {
        return java.net.URLEncoder.encode(json, java.nio.charset.StandardCharsets.UTF_8);
    }

    private static List<String> listed(String query) {
        Http.Response response = http.get("/jobs?" + query);
        assertEquals(200, response.status(), response::toString);
        List<String> ids = new ArrayList<>();
        response.json().get("jobs").forEach(job -> ids.add(job.get("id").asText()));
        return ids;
    }

    /** A job due in ten minutes, of the test handler {@code stall}, which takes any payload (and stalls 10 ms). */
    private static String later(String payload) {
        return submit("{\"type\": \"stall\", \"payload\": " + payload.replaceFirst("^\\{", "{\"seconds\": 0.01, ")
                + ", \"delay_seconds\": 600}");
    }

    @Test
    void listingFiltersByPayloadContainmentAndCreationTimeAndPagesWithTheFilters() {
        String run = "\"" + System.nanoTime() + "\"";
        String number = later("{\"run\": " + run + ", \"customer_id\": 42, \"order\": {\"region\": \"eu\", \"lines\": 2}}");
        String text = later("{\"run\": " + run + ", \"customer_id\": \"42\"}");
        java.time.Instant between = java.time.Instant.now();
        List<String> newer = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            newer.add(0, later("{\"run\": " + run + ", \"i\": " + i + "}"));
        }

        assertEquals(List.of(number), listed("payload=" + encoded("{\"run\": " + run + ", \"customer_id\": 42}")));
        assertEquals(List.of(text), listed("payload=" + encoded("{\"run\": " + run + ", \"customer_id\": \"42\"}")));
        assertEquals(List.of(number), listed("payload=" + encoded("{\"order\": {\"region\": \"eu\"}, \"run\": " + run + "}")));
        assertEquals(List.of(), listed("payload=" + encoded("{\"order\": {\"region\": \"us\"}, \"run\": " + run + "}")));
        assertEquals(List.of(), listed("state=RUNNING&payload=" + encoded("{\"run\": " + run + "}")));
        assertEquals(List.of(text, number), listed("type=stall&created_before=" + between + "&payload="
                + encoded("{\"run\": " + run + "}")));

        List<String> seen = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = http.get("/jobs?limit=2&state=PENDING&created_after=" + between + "&payload="
                    + encoded("{\"run\": " + run + "}") + (cursor == null ? "" : "&cursor=" + cursor)).json();
            page.get("jobs").forEach(job -> seen.add(job.get("id").asText()));
            cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asText();
        } while (cursor != null);
        assertEquals(newer, seen);
    }

    @Test
    void badFilterValuesAreA400NamingTheFieldAndChangeNothing() {
        long jobs = LocalRuntimeFixture.count(runtime, "SELECT count(*) FROM jobs");
        long events = LocalRuntimeFixture.count(runtime, "SELECT count(*) FROM job_events");
        for (String[] c : new String[][] {{"payload=" + encoded("[1]"), "payload"}, {"payload=42", "payload"},
                {"payload=" + encoded("{\"a\":"), "payload"},
                {"payload=" + encoded("{\"a\": \"" + "x".repeat(2048) + "\"}"), "payload"},
                {"payload=" + encoded("{\"a\": \"\\u0000\"}"), "payload.a"},
                {"created_after=yesterday", "created_after"}, {"created_before=2026-13-01T00:00:00Z", "created_before"},
                {"created_after=2026-01-02T00:00:00Z&created_before=2026-01-01T00:00:00Z", "created_after"},
                {"created_after=2026-01-01T00:00:00Z&created_before=2026-01-01T00:00:00Z", "created_after"}}) {
            Http.Response response = http.get("/jobs?" + c[0]);
            assertEquals(400, response.status(), c[0]);
            assertEquals(c[1], response.json().at("/errors/0/field").asText(), c[0]);
        }
        for (String[] c : new String[][] {{"{\"action\": \"delete\"}", "action"},
                {"{\"action\": \"retry\", \"filter\": {\"state\": \"PENDING\"}}", "filter.state"},
                {"{\"action\": \"cancel\", \"filter\": {\"state\": \"FAILED\"}}", "filter.state"},
                {"{\"action\": \"cancel\", \"filter\": {\"payload\": \"{}\"}}", "filter.payload"},
                {"{\"action\": \"cancel\", \"filter\": {\"created_after\": \"soon\"}}", "filter.created_after"},
                {"{\"action\": \"cancel\", \"filter\": {\"colour\": \"red\"}}", "filter.colour"},
                {"{\"action\": \"cancel\", \"dry_run\": \"yes\"}", "dry_run"}}) {
            Http.Response response = http.postJson("/jobs/bulk", c[0]);
            assertEquals(400, response.status(), c[0]);
            assertEquals(c[1], response.json().at("/errors/0/field").asText(), c[0]);
        }
        assertEquals(jobs, LocalRuntimeFixture.count(runtime, "SELECT count(*) FROM jobs"));
        assertEquals(events, LocalRuntimeFixture.count(runtime, "SELECT count(*) FROM job_events"));
    }

    @Test
    void historyCountsEachFinishedJobInTheMinuteItFinishedZeroFilled() {
        JsonNode before = http.get("/metrics/history").json();
        String run = "\"" + System.nanoTime() + "\"";
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(later("{\"run\": " + run + "}"));
            assertEquals(200, http.postJson("/jobs/" + ids.get(i) + "/cancel", "").status());
        }
        Http.Response response = http.get("/metrics/history?window=1h");
        assertEquals(200, response.status(), response::toString);
        JsonNode after = response.json();
        assertEquals(60, after.get("buckets").size());
        assertEquals(60, after.get("bucket_seconds").asInt());
        java.time.Instant to = java.time.Instant.parse(after.get("to").asText());
        assertEquals(to.minusSeconds(3600), java.time.Instant.parse(after.get("from").asText()));
        assertEquals(to.minusSeconds(60), java.time.Instant.parse(after.at("/buckets/59/at").asText()));
        assertEquals(3, total(after, "cancelled") - total(before, "cancelled"));
        for (String id : ids) {
            String minute = java.time.Instant.parse(http.get("/jobs/" + id).json().get("finished_at").asText())
                    .truncatedTo(java.time.temporal.ChronoUnit.MINUTES).toString();
            boolean counted = false;
            for (JsonNode bucket : after.get("buckets")) {
                counted |= bucket.get("at").asText().equals(minute) && bucket.get("cancelled").asLong() > 0;
            }
            assertTrue(counted, "job " + id + " not counted in " + minute);
        }
        assertEquals(1440, http.get("/metrics/history?window=24h").json().get("buckets").size());
        Http.Response bad = http.get("/metrics/history?window=2h");
        assertEquals(400, bad.status());
        assertEquals("window", bad.json().at("/errors/0/field").asText());
    }

    private static long total(JsonNode history, String field) {
        long sum = 0;
        for (JsonNode bucket : history.get("buckets")) {
            sum += bucket.get(field).asLong();
        }
        return sum;
    }

    private static JsonNode bulk(String action, String filter, boolean dryRun) {
        Http.Response response = http.postJson("/jobs/bulk", "{\"action\": \"" + action + "\", \"dry_run\": " + dryRun
                + ", \"filter\": " + filter + "}");
        assertEquals(200, response.status(), response::toString);
        return response.json();
    }

    @Test
    void bulkCancelThenRetryActsOnWhatTheDryRunCountedLeavesRunningJobsAloneAndTheRetriedJobsRun() {
        String run = "\"" + System.nanoTime() + "\"";
        String filter = "{\"payload\": {\"run\": " + run + "}}";
        String running = submit("{\"type\": \"stall\", \"payload\": {\"run\": " + run + ", \"seconds\": 2}}");
        EndToEndIT.awaitState(http, running, "RUNNING", Duration.ofSeconds(10), new ArrayList<>());
        List<String> waiting = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            waiting.add(later("{\"run\": " + run + ", \"i\": " + i + "}"));
        }

        assertEquals(4, bulk("cancel", filter, true).get("matched").asLong());
        JsonNode cancelled = bulk("cancel", filter, false);
        assertEquals(4, cancelled.get("done").asLong());
        assertEquals(0, cancelled.get("remaining").asLong());
        assertEquals("RUNNING", http.get("/jobs/" + running).json().get("state").asText());
        for (String id : waiting) {
            assertEquals("CANCELLED", http.get("/jobs/" + id).json().get("state").asText());
            JsonNode events = http.get("/jobs/" + id + "/events").json().get("events");
            assertEquals("cancelled", events.get(1).get("event").asText());
            assertEquals(true, events.get(1).at("/detail/bulk").asBoolean(), events::toString);
        }
        EndToEndIT.awaitState(http, running, "SUCCESS", Duration.ofSeconds(10), new ArrayList<>());

        String cancelledOnly = "{\"state\": \"CANCELLED\", \"payload\": {\"run\": " + run + "}}";
        assertEquals(4, bulk("retry", cancelledOnly, true).get("matched").asLong());
        assertEquals(0, bulk("retry", filter, true).get("matched").asLong() - 4, "SUCCESS is not retried");
        JsonNode retried = bulk("retry", filter, false);
        assertEquals(4, retried.get("done").asLong());
        assertEquals(0, retried.get("remaining").asLong());
        for (String id : waiting) {
            EndToEndIT.awaitState(http, id, "SUCCESS", Duration.ofSeconds(10), new ArrayList<>());
            List<String> events = new ArrayList<>();
            http.get("/jobs/" + id + "/events").json().get("events").forEach(e -> events.add(e.get("event").asText()
                    + (e.at("/detail/bulk").asBoolean() ? "(bulk)" : "")));
            assertEquals(List.of("created", "cancelled(bulk)", "requeued(bulk)", "started", "succeeded"), events);
        }
    }

    @Test
    void aBulkActionsLaterCallsTakeOnlyJobsUnchangedSinceItsAsOfSoAJobThatFailsAgainIsNotRetriedTwice() {
        String run = "bulk " + System.nanoTime();
        List<String> failing = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            failing.add(submit("{\"type\": \"fail\", \"payload\": {\"times\": -1, \"error\": \"" + run + "\"},"
                    + " \"max_retries\": 0}"));
        }
        for (String id : failing) {
            EndToEndIT.awaitState(http, id, "FAILED", Duration.ofSeconds(10), new ArrayList<>());
        }
        String filter = "{\"state\": \"FAILED\", \"payload\": {\"error\": \"" + run + "\"}}";
        JsonNode dry = bulk("retry", filter, true);
        assertEquals(3, dry.get("matched").asLong());
        String asOf = dry.get("as_of").asText();

        JsonNode first = bulkAsOf("retry", filter, asOf);
        assertEquals(3, first.get("done").asLong());
        assertEquals(asOf, first.get("as_of").asText());
        for (String id : failing) { // each runs again, fails again: FAILED, changed after as_of
            List<String> expected = List.of("created", "started", "failed", "requeued", "started", "failed");
            long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            List<String> events = List.of();
            while (!events.equals(expected) && System.nanoTime() < end) {
                List<String> seen = new ArrayList<>();
                http.get("/jobs/" + id + "/events").json().get("events").forEach(e -> seen.add(e.get("event").asText()));
                events = seen;
            }
            assertEquals(expected, events);
        }
        JsonNode again = bulkAsOf("retry", filter, asOf);
        assertEquals(0, again.get("done").asLong(), again::toString);
        assertEquals(0, again.get("remaining").asLong(), again::toString);
        assertEquals(3, bulk("retry", filter, true).get("matched").asLong(), "a new action takes them again");
        Http.Response bad = http.postJson("/jobs/bulk", "{\"action\": \"retry\", \"as_of\": \"yesterday\"}");
        assertEquals(400, bad.status());
        assertEquals("as_of", bad.json().at("/errors/0/field").asText());
    }

    private static JsonNode bulkAsOf(String action, String filter, String asOf) {
        Http.Response response = http.postJson("/jobs/bulk", "{\"action\": \"" + action + "\", \"filter\": " + filter
                + ", \"as_of\": \"" + asOf + "\"}");
        assertEquals(200, response.status(), response::toString);
        return response.json();
    }

    @Test
    void bulkActsOnAtMostTenThousandJobsPerCallAndSaysHowManyRemain() {
        String run = "\"" + System.nanoTime() + "\"";
        LocalRuntimeFixture.update(runtime, """
                INSERT INTO jobs (id, type, state, payload, max_retries, retry_delay_seconds, timeout_seconds,
                                  created_at, updated_at, next_attempt_at)
                SELECT gen_random_uuid(), 'echo', 'PENDING', jsonb_build_object('run', %s, 'i', i), 3, 1, 30,
                       now(), now(), now() + interval '1 day'
                FROM generate_series(1, 10050) AS i""".formatted("'" + run.replace("\"", "") + "'"));
        String filter = "{\"payload\": {\"run\": " + run + "}}";
        assertEquals(10_050, bulk("cancel", filter, true).get("matched").asLong());

        JsonNode first = bulk("cancel", filter, false);
        assertEquals(10_000, first.get("done").asLong());
        assertEquals(50, first.get("remaining").asLong());
        JsonNode second = bulk("cancel", filter, false);
        assertEquals(50, second.get("done").asLong());
        assertEquals(0, second.get("remaining").asLong());
        assertEquals(10_050, LocalRuntimeFixture.count(runtime, "SELECT count(*) FROM jobs WHERE state = 'CANCELLED'"
                + " AND payload @> '{\"run\": " + run + "}'"));
        assertEquals(10_050, LocalRuntimeFixture.count(runtime, "SELECT count(*) FROM job_events e JOIN jobs j"
                + " ON j.id = e.job_id WHERE e.event = 'cancelled' AND e.detail = '{\"bulk\": true}'"
                + " AND j.payload @> '{\"run\": " + run + "}'"));
    }

    @Test
    void validateAnswersWhatSubmitWouldAndStoresNothing() {
        long jobs = LocalRuntimeFixture.count(runtime, "SELECT count(*) FROM jobs");
        Http.Response valid = http.postJson("/jobs/validate", "{\"type\": \"echo\", \"payload\": {\"message\": \"x\"}}");
        assertEquals(200, valid.status(), valid::toString);
        assertEquals(true, valid.json().get("valid").asBoolean());
        String invalid = "{\"type\": \"echo\", \"payload\": {}, \"max_retries\": 11}";
        Http.Response refused = http.postJson("/jobs/validate", invalid);
        assertEquals(400, refused.status());
        assertEquals(http.postJson("/jobs", invalid).json().get("errors"), refused.json().get("errors"));
        assertEquals(415, http.post("/jobs/validate", "text/plain", "type=echo").status());
        assertEquals(jobs, LocalRuntimeFixture.count(runtime, "SELECT count(*) FROM jobs"));

        JsonNode access = http.get("/access").json();
        assertEquals("read_write", access.get("access").asText());
        assertEquals(4, access.get("actions").size());
    }
}

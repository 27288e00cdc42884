package dev.conveyor.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The benchmark run as a user runs it, in a JVM of its own, with few jobs and short phases: it must print its
 * table, then one JSON object on its last line whose figures add up: every job counted and finished, latencies in
 * order, the ceiling the lower of its two rates, the fraction e2e over ceiling, the artifacts' real sizes, and the
 * open model's users each sending one POST and, unless it failed, one GET. It says nothing about how fast Conveyor
 * is: no target is enforced here.
 */
class BenchIT {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final int JOBS = 200;
    private static final int PACED = 50;
    /** 10 users/s for 2 s, then 20 users/s for 2 s: 60 users. */
    private static final String OPEN_MODEL = "10x2,20x2";
    private static final int OPEN_MODEL_USERS = 60;

    @Test
    void theToolPrintsATableAndFiguresThatAddUp() throws Exception {
        List<String> lines = run("--json", "--jobs", Integer.toString(JOBS), "--clients", "4", "--warmup", "20",
                "--paced-jobs", Integer.toString(PACED), "--paced-rate", "50", "--cold-start-runs", "1",
                "--ceiling-jobs", "300", "--ceiling-threads", "2", "--open-model", OPEN_MODEL,
                "--root", ROOT.toString());
        String table = String.join("\n", lines);
        assertTrue(table.contains("Targets"), table);
        assertTrue(table.contains("p50 submission -> SUCCESS <= 50 ms"), table);
        assertTrue(table.contains("Open model: request latency as a client sees it"), table);
        assertTrue(table.contains("open model: p99 <= 15 ms"), table);
        JsonNode json = Json.parse(lines.get(lines.size() - 1));

        assertPhase(json, JOBS);
        assertPhase(json.get("batch"), JOBS);
        assertPhase(json.get("paced"), PACED);
        assertEquals(100, json.at("/batch/jobs_per_request").asInt());
        assertTrue(json.at("/paced/offered_jobs_per_s").asDouble() > 0, json::toString);

        JsonNode ceiling = json.get("ceiling");
        double lower = Math.min(ceiling.get("postgres_jobs_per_s").asDouble(),
                ceiling.get("sqs_jobs_per_s").asDouble());
        assertEquals(lower, json.get("ceiling_jobs_per_s").asDouble(), 0.11);
        assertTrue(lower > 0, json::toString);
        assertTrue(ceiling.get("sqs_single_send_jobs_per_s").asDouble() > 0, json::toString);
        for (JsonNode phase : List.of(json, json.get("batch"))) {
            assertEquals(phase.get("e2e_jobs_per_s").asDouble() / json.get("ceiling_jobs_per_s").asDouble(),
                    phase.get("fraction_of_ceiling").asDouble(), 0.002, phase::toString);
        }

        for (String function : List.of("submit-job", "get-job", "process-job")) {
            assertTrue(json.at("/cold_start_ms/" + function).asDouble() > 0, function);
            Path zip = ROOT.resolve("functions").resolve(function).resolve("target")
                    .resolve("conveyor-" + function + ".zip");
            assertEquals(Files.size(zip), json.at("/artifact_bytes/" + function).asLong(), function);
        }
        // Memory and the others' CPU share come from /proc: where there is none (macOS) they are unknown, not 0.
        if (Files.isReadable(Path.of("/proc/self/status"))) {
            assertTrue(json.get("peak_rss_mb").asDouble() > 50, json::toString);
            assertTrue(json.get("postgres_peak_pss_mb").asDouble() > 0, json::toString);
            assertTrue(json.get("machine").get("others_cpu_percent").isNumber(), json::toString);
        } else {
            for (JsonNode unknown : List.of(json.get("peak_rss_mb"), json.get("postgres_peak_pss_mb"),
                    json.get("machine").get("others_cpu_percent"))) {
                assertTrue(unknown.isNull(), json::toString);
            }
        }
        assertEquals(Runtime.getRuntime().availableProcessors(), json.at("/machine/cores").asInt());
        assertTrue(json.at("/machine/memory_mb").asLong() > 0, json::toString);
        assertTrue(json.at("/machine/load_average_at_start").isNumber(), json::toString);
        for (String field : List.of("os", "jvm")) {
            assertTrue(json.get("machine").hasNonNull(field), field);
        }
        assertOpenModel(json.get("open_model"));
        assertEquals(10, json.get("targets").size(), json::toString);
        json.get("targets").forEach(target -> assertTrue(target.get("met").isBoolean(), target::toString));
    }

    /** Every job submitted was accepted, counted and finished, and the latencies are in order. */
    private static void assertPhase(JsonNode phase, int jobs) {
        assertEquals(jobs, phase.get("submitted").asInt(), phase::toString);
        assertEquals(jobs, phase.get("succeeded").asInt(), phase::toString);
        assertEquals(0, phase.get("refused").asInt(), phase::toString);
        assertTrue(phase.get("submit_jobs_per_s").asDouble() > 0, phase::toString);
        assertTrue(phase.get("e2e_jobs_per_s").asDouble() > 0, phase::toString);
        double p50 = phase.get("p50_ms").asDouble();
        double p95 = phase.get("p95_ms").asDouble();
        double p99 = phase.get("p99_ms").asDouble();
        double max = phase.get("max_ms").asDouble();
        assertTrue(0 < p50 && p50 <= p95 && p95 <= p99 && p99 <= max, phase::toString);
    }

    /**
     * Every user opened one connection and sent one POST on it, and one GET unless its POST failed; nothing failed
     * on the local runtime; the errors add up by kind; the latencies are in order; the arrival phases are those asked
     * for.
     */
    private static void assertOpenModel(JsonNode model) {
        assertEquals(OPEN_MODEL, model.get("spec").asText(), model::toString);
        assertEquals(OPEN_MODEL_USERS, model.get("users").asInt(), model::toString);
        JsonNode post = model.get("post");
        JsonNode get = model.get("get");
        assertEquals(OPEN_MODEL_USERS, post.get("requests").asInt(), model::toString);
        assertEquals(OPEN_MODEL_USERS - post.get("errors").asInt(), get.get("requests").asInt(), model::toString);
        assertEquals(post.get("errors").asInt(), get.get("not_sent").asInt(), model::toString);
        // one connection a user, both requests on it: no second connection, no pooled one
        assertEquals(OPEN_MODEL_USERS, model.get("connections").asInt(), model::toString);
        for (JsonNode request : List.of(post, get)) {
            assertEquals(0, request.get("errors").asInt(), request::toString);
            assertEquals(0, request.get("first_errors").size(), request::toString);
            int byKind = 0;
            for (String kind : List.of("connect", "closed", "timeout", "status", "other")) {
                byKind += request.at("/errors_by_kind/" + kind).asInt(-1);
            }
            assertEquals(request.get("errors").asInt(), byKind, request::toString);
            assertOrdered(request);
        }
        assertOrdered(model.get("connect"));
        JsonNode profile = model.get("profile");
        assertEquals(2, profile.size(), model::toString);
        assertEquals(20, profile.get(0).get("users").asInt(), model::toString);
        assertEquals(40, profile.get(1).get("users").asInt(), model::toString);
        profile.forEach(phase -> assertTrue(phase.get("offered_users_per_s").asDouble() > 0, phase::toString));
        assertTrue(model.get("seconds").asDouble() >= 3.9, model::toString); // the last user starts at 3.95 s
    }

    private static void assertOrdered(JsonNode figures) {
        double p50 = figures.get("p50_ms").asDouble();
        double p95 = figures.get("p95_ms").asDouble();
        double p99 = figures.get("p99_ms").asDouble();
        double max = figures.get("max_ms").asDouble();
        assertTrue(0 < p50 && p50 <= p95 && p95 <= p99 && p99 <= max, figures::toString);
    }

    /** Runs BenchMain in a child JVM, as ./conveyor bench does; answers its stdout's lines. */
    private static List<String> run(String... args) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(
                List.of(java, "-cp", System.getProperty("java.class.path"), BenchMain.class.getName()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile("bench-it-", ".out");
        Path err = Files.createTempFile("bench-it-", ".err");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(3, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("the benchmark did not finish in 3 minutes: " + Files.readString(err));
        }
        List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), () -> "exit " + process.exitValue() + "\n" + String.join("\n", lines)
                + "\n" + readQuietly(err));
        return lines;
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return e.toString();
        }
    }
}

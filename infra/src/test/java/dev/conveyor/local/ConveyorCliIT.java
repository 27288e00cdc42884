package dev.conveyor.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conveyor.cli.ConveyorCli;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code conveyor jobs} against the local runtime: each command, its table and its JSON, and every exit code, run
 * in-process through the CLI's entry with stdout and stderr captured; and once through the real ./conveyor script.
 */
class ConveyorCliIT extends LocalRuntimeTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String UNKNOWN_ID = "01a207c6-dc6d-733e-a09e-7622527f8a06";

    /** One run: its exit code and what it printed. */
    record Run(int exit, String out, String err) {
        JsonNode json() {
            try {
                return JSON.readTree(out);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + out, e);
            }
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private static Run cli(Map<String, String> environment, Path directory, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = ConveyorCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), environment, directory);
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** A run with the URL and key from the environment, as a user's shell has them. */
    private static Run cli(String... args) {
        return cli(Map.of("CONVEYOR_URL", runtime.url(), "CONVEYOR_API_KEY", runtime.apiKey()), Path.of("nowhere"), args);
    }

    private static String submitLater(String message) {
        Run run = cli("jobs", "submit", "--type", "echo", "--payload", "{\"message\": \"" + message + "\"}",
                "--delay", "600", "--json");
        assertEquals(0, run.exit(), run::toString);
        return run.json().get("id").asText();
    }

    @Test
    void submitTakesEveryFieldAsAFlagAndPrintsATableOrJson() {
        Run table = cli("jobs", "submit", "--type", "echo", "--payload", "{\"message\": \"from the cli\"}",
                "--max-retries", "5", "--retry-delay", "0.5", "--timeout", "12.5", "--delay", "600");
        assertEquals(0, table.exit(), table::toString);
        assertEquals("", table.err());
        assertTrue(table.out().matches("(?s)id +[0-9a-f-]{36}\n.*"), table::toString);
        assertTrue(table.out().contains("\nstate        PENDING\n"), table::toString);
        assertTrue(table.out().contains("\nattempt      0 of 6\n"), table::toString);
        String id = table.out().substring(2).strip().split("\\s+")[0];

        JsonNode job = cli("jobs", "get", id, "--json").json();
        assertEquals("from the cli", job.at("/payload/message").asText());
        assertEquals(5, job.get("max_retries").asInt());
        assertEquals(0.5, job.get("retry_delay_seconds").asDouble());
        assertEquals(12.5, job.get("timeout_seconds").asDouble());
        assertTrue(job.get("next_attempt_at").isTextual());
    }

    @Test
    void anIdempotencyKeyAnswersTheSameJob() {
        String key = "cli-" + UUID.randomUUID();
        String[] args = {"jobs", "submit", "--type", "echo", "--payload", "{\"message\": \"once\"}", "--delay", "600",
                "--idempotency-key", key, "--json"};
        assertEquals(cli(args).json().get("id"), cli(args).json().get("id"));
    }

    @Test
    void watchFollowsAJobToSuccessAndExits0() {
        String id = cli("jobs", "submit", "--type", "sleep", "--payload", "{\"seconds\": 1}", "--json").json()
                .get("id").asText();
        Run watch = cli("jobs", "watch", id, "--interval", "0.2");
        assertEquals(0, watch.exit(), watch::toString);
        List<String> lines = watch.out().lines().toList();
        assertTrue(lines.get(0).contains("  created  attempt 0"), watch::toString);
        assertTrue(lines.stream().anyMatch(l -> l.contains("  started  attempt 1")), watch::toString);
        assertTrue(lines.stream().anyMatch(l -> l.contains("  succeeded  attempt 1")), watch::toString);
        assertEquals("job " + id + " SUCCESS: {\"slept_seconds\":1}", lines.get(lines.size() - 1));
        assertEquals(lines.size(), lines.stream().distinct().count(), "each event once: " + watch);
    }

    @Test
    void watchExits1ForAJobThatFailsAndEventsListItsHistory() {
        String id = cli("jobs", "submit", "--type", "fail", "--payload", "{\"times\": -1, \"error\": \"boom\"}",
                "--max-retries", "1", "--retry-delay", "0.1", "--json").json().get("id").asText();
        Run watch = cli("jobs", "watch", id, "--interval", "0.2", "--json");
        assertEquals(1, watch.exit(), watch::toString);
        List<String> lines = watch.out().lines().toList();
        assertEquals("FAILED", cli(Map.of(), Path.of("."), "jobs", "get", id, "--url", runtime.url(), "--api-key",
                runtime.apiKey(), "--json").json().get("state").asText());
        JsonNode last = readJson(lines.get(lines.size() - 1));
        assertEquals("FAILED", last.get("state").asText());
        assertEquals("boom", last.get("last_error").asText());

        Run events = cli("jobs", "events", id);
        assertEquals(0, events.exit(), events::toString);
        List<String> rows = events.out().lines().toList();
        assertTrue(rows.get(0).matches("AT +EVENT +ATTEMPT +ERROR"), events::toString);
        assertEquals(List.of("created", "started", "failed", "retry_scheduled", "started", "failed"),
                rows.subList(1, rows.size()).stream().map(r -> r.split("\\s+")[1]).toList(), events::toString);
        assertEquals(6, cli("jobs", "events", id, "--json").json().size());
        assertEquals(lines.size() - 1, 6, "watch --json printed each event, then the job: " + watch);
    }

    @Test
    void watchExits1ForACancelledJobAndRetryAndCancelPrintTheJob() {
        String id = submitLater("cancel me");
        Run cancel = cli("jobs", "cancel", id);
        assertEquals(0, cancel.exit(), cancel::toString);
        assertTrue(cancel.out().contains("\nstate        CANCELLED\n"), cancel::toString);
        Run watch = cli("jobs", "watch", id);
        assertEquals(1, watch.exit(), watch::toString);
        assertTrue(watch.out().endsWith("job " + id + " CANCELLED\n"), watch::toString);

        Run retry = cli("jobs", "retry", id, "--json");
        assertEquals(0, retry.exit(), retry::toString);
        assertEquals("PENDING", retry.json().get("state").asText());
        assertEquals(0, cli("jobs", "watch", id, "--interval", "0.2").exit());
    }

    @Test
    void listFiltersAndPagesAsATableOrJson() {
        String marker = UUID.randomUUID().toString();
        for (int i = 0; i < 5; i++) {
            submitLater(marker);
        }
        String payload = "{\"message\": \"" + marker + "\"}";
        Run all = cli("jobs", "list", "--payload", payload, "--page-size", "2", "--limit", "0", "--json");
        assertEquals(0, all.exit(), all::toString);
        assertEquals(5, all.json().size());

        Run table = cli("jobs", "list", "--payload", payload, "--state", "PENDING", "--type", "echo", "--limit", "3",
                "--created-after", "2020-01-01T00:00:00Z");
        List<String> rows = table.out().lines().toList();
        assertTrue(rows.get(0).matches("ID +TYPE +STATE +ATTEMPT +CREATED +LAST ERROR"), table::toString);
        assertEquals(4, rows.size(), table::toString);
        assertTrue(rows.get(1).matches("[0-9a-f-]{36}  echo  PENDING  0/4 +\\d{4}-.*Z"), table::toString);
        assertEquals(0, cli("jobs", "list", "--payload", payload, "--created-before", "2020-01-01T00:00:00Z",
                "--json").json().size());
    }

    @Test
    void theApisRefusalsExit3WithTheProblemOnStderr() {
        Run invalid = cli("jobs", "submit", "--type", "echo", "--payload", "{}", "--max-retries", "11");
        assertEquals(3, invalid.exit(), invalid::toString);
        assertEquals("", invalid.out());
        assertTrue(invalid.err().startsWith("error: 400 Bad Request: "), invalid::toString);
        assertTrue(invalid.err().contains("\n  max_retries: "), invalid::toString);
        assertTrue(invalid.err().contains("\n  payload.message: "), invalid::toString);
        assertTrue(invalid.err().contains("\n  request id "), invalid::toString);

        Run missing = cli("jobs", "get", UNKNOWN_ID);
        assertEquals(3, missing.exit(), missing::toString);
        assertTrue(missing.err().startsWith("error: 404 Not Found: "), missing::toString);

        String id = submitLater("conflict");
        Run conflict = cli("jobs", "retry", id);
        assertEquals(3, conflict.exit(), conflict::toString);
        assertTrue(conflict.err().startsWith("error: 409 Conflict: "), conflict::toString);

        Run forbidden = cli(Map.of("CONVEYOR_URL", runtime.url(), "CONVEYOR_API_KEY", "not-the-key-0123456789"),
                Path.of("nowhere"), "jobs", "list");
        assertEquals(3, forbidden.exit(), forbidden::toString);
        assertTrue(forbidden.err().startsWith("error: 403 "), forbidden::toString);

        Run unreachable = cli(Map.of(), Path.of("nowhere"), "jobs", "get", UNKNOWN_ID, "--url", "http://127.0.0.1:1");
        assertEquals(3, unreachable.exit(), unreachable::toString);
        assertTrue(unreachable.err().startsWith("error: cannot reach the API: "), unreachable::toString);
    }

    @Test
    void aWrongCommandLineExits2WithUsageOnStderr() {
        for (String[] args : new String[][] {{"jobs", "submit", "--payload", "{}"}, {"jobs", "launch"}, {"jobs"}, {},
                {"jobs", "get"}, {"jobs", "list", "--state", "DONE"}, {"jobs", "submit", "--type", "echo", "--max-retries", "x"},
                {"jobs", "submit", "--type", "echo", "--payload", "[1]"}, {"jobs", "submit", "--type", "echo", "--payload", "{"},
                {"jobs", "list", "--limit", "-1"}, {"jobs", "get", "x", "--colour"}}) {
            Run run = cli(args);
            assertEquals(2, run.exit(), () -> String.join(" ", args) + ": " + run);
            assertEquals("", run.out(), () -> String.join(" ", args) + ": " + run);
            assertTrue(run.err().contains("Usage: ") || run.err().contains("Did you mean"), () -> String.join(" ", args) + ": " + run);
        }
        Run help = cli("jobs", "submit", "--help");
        assertEquals(0, help.exit());
        assertTrue(help.out().contains("--idempotency-key"), help::toString);
    }

    @Test
    void theKeyComesFromFlagsTheEnvironmentOrConveyorApiKey() throws IOException {
        Path directory = Files.createTempDirectory("conveyor-cli-");
        Files.createDirectories(directory.resolve(".conveyor"));
        Files.writeString(directory.resolve(".conveyor/api-key"), runtime.apiKey() + "\n");
        Map<String, String> urlOnly = Map.of("CONVEYOR_URL", runtime.url());
        assertEquals(0, cli(urlOnly, directory, "jobs", "list", "--limit", "1").exit(), "the key from .conveyor/api-key");
        assertEquals(3, cli(urlOnly, Path.of("nowhere"), "jobs", "list", "--limit", "1").exit(), "no key at all");
        Map<String, String> wrongKey = new HashMap<>(urlOnly);
        wrongKey.put("CONVEYOR_API_KEY", "not-the-key-0123456789");
        assertEquals(3, cli(wrongKey, directory, "jobs", "list").exit(), "the environment before the file");
        assertEquals(0, cli(wrongKey, directory, "jobs", "list", "--api-key", runtime.apiKey()).exit(),
                "the flag before the environment");
        assertEquals(0, cli(Map.of("CONVEYOR_URL", "http://127.0.0.1:1"), directory, "jobs", "list",
                "--url", runtime.url()).exit(), "the URL flag before the environment");
    }

    @Test
    void theConveyorScriptRunsTheCli() throws Exception {
        Path repository = LocalRuntimeFixture.TEMPLATE.getParent();
        assumeTrue(Files.exists(repository.resolve("cli/target/runtime.classpath")),
                "the CLI is built (./mvnw install): the script runs it from cli/target");
        String id = submitLater("through the script");
        assertEquals(0, script(repository, "jobs", "get", id, "--json").exit());
        Run missing = script(repository, "jobs", "get", UNKNOWN_ID);
        assertEquals(3, missing.exit(), missing::toString);
        assertTrue(missing.err().startsWith("error: 404 "), missing::toString);
        assertEquals(2, script(repository, "jobs", "frobnicate").exit());
        Run got = script(repository, "jobs", "get", id, "--json");
        assertEquals(id, got.json().get("id").asText(), got::toString);
    }

    private static Run script(Path repository, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(repository.resolve("conveyor").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("CONVEYOR_SKIP_BUILD", "1");
        builder.environment().put("CONVEYOR_URL", runtime.url());
        builder.environment().put("CONVEYOR_API_KEY", runtime.apiKey());
        Process process = builder.start();
        process.getOutputStream().close();
        byte[] out = process.getInputStream().readAllBytes();
        byte[] err = process.getErrorStream().readAllBytes();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        return new Run(process.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    private static JsonNode readJson(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }
}

package dev.conveyor.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The local runtime killed with SIGKILL while jobs are in flight, then started again with the same command: it
 * starts cleanly although its PostgreSQL server outlived it, and every job accepted before the kill completes.
 * The jobs' states at the kill are read from that surviving server: some must have been unfinished, or the
 * restart would have had nothing to prove.
 */
class KillRestartIT {
    private static final String[] BODIES = {
        "{\"type\": \"echo\", \"payload\": {\"message\": \"hi\"}, \"timeout_seconds\": 3}",
        "{\"type\": \"sleep\", \"payload\": {\"seconds\": 1}, \"timeout_seconds\": 3}",
        "{\"type\": \"fail\", \"payload\": {\"times\": 1}, \"timeout_seconds\": 3, \"retry_delay_seconds\": 0.5}",
    };

    /** Given to the child runtime through the environment, as a user would. */
    private static final String API_KEY = "kill-restart-test-key-0123456789";

    @Test
    void everyJobAcceptedBeforeAKillCompletesAfterARestart() throws Exception {
        Path data = LocalRuntimeFixture.tempDirectory();
        int port = freePort();
        List<String> accepted = new ArrayList<>();

        Process first = start(data, port);
        Http http = new Http("http://127.0.0.1:" + port, API_KEY);
        try {
            awaitReady(http);
            for (int i = 0; i < 300; i++) {
                Http.Response response = http.postJson("/jobs", BODIES[i % BODIES.length]);
                assertEquals(202, response.status(), response::toString);
                accepted.add(response.json().get("id").asText());
            }
        } finally {
            first.destroyForcibly(); // SIGKILL: no shutdown hook runs
            first.waitFor();
        }
        Optional<ProcessHandle> orphan = postmaster(data);
        assertTrue(orphan.isPresent() && orphan.get().isAlive(), "PostgreSQL should have outlived the killed run");
        Map<String, Long> atKill = states(data, accepted);
        System.out.println("kill-restart: the accepted jobs' states at the kill: " + atKill);
        assertTrue(atKill.entrySet().stream().anyMatch(e -> !e.getKey().equals("SUCCESS") && e.getValue() > 0),
                "every job had succeeded before the kill, so the restart proves nothing: " + atKill);

        Process second = start(data, port);
        try {
            awaitReady(http);
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            List<String> unfinished = new ArrayList<>(accepted);
            while (!unfinished.isEmpty() && System.nanoTime() < deadline) {
                unfinished.removeIf(id -> {
                    JsonNode job = http.get("/jobs/" + id).json();
                    return job.get("state").asText().equals("SUCCESS");
                });
                Thread.sleep(500);
            }
            assertEquals(List.of(), unfinished, "jobs that did not succeed after the restart");
            assertTrue(orphan.get().onExit().isDone() || !orphan.get().isAlive(), "the orphan was stopped");
        } finally {
            second.destroy(); // SIGTERM: a clean stop
            second.waitFor();
        }
    }

    private static Process start(Path data, int port) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                LocalMain.class.getName(), "--data", data.toString(), "--port", Integer.toString(port),
                "--template", LocalRuntimeFixture.TEMPLATE.toString(),
                "--parameter", "ProcessJobTimeout=10", "--parameter", "QueueVisibilityTimeout=10",
                "--parameter", "StallSeconds=5", "--parameter", "SweepSchedule=rate(2 seconds)");
        builder.environment().put("CONVEYOR_API_KEY", API_KEY);
        builder.redirectErrorStream(true);
        builder.redirectOutput(data.resolve("runtime-" + System.nanoTime() + ".log").toFile());
        return builder.start();
    }

    private static void awaitReady(Http http) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (http.get("/jobs/01a207c6-dc6d-733e-a09e-7622527f8a06").status() == 404) {
                    return;
                }
            } catch (RuntimeException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the runtime did not start within 60 s");
    }

    /** How many of {@code ids} are in each state, read from the PostgreSQL server serving {@code data}. */
    private static Map<String, Long> states(Path data, List<String> ids) throws IOException, SQLException {
        // postmaster.pid: pid, data directory, start time, port, ...
        String port = Files.readAllLines(data.resolve("postgres").resolve("postmaster.pid")).get(3).strip();
        Map<String, Long> states = new TreeMap<>();
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/"
                + LocalPostgres.DATABASE, LocalPostgres.USER, "");
             PreparedStatement s = c.prepareStatement(
                     "SELECT state, count(*) FROM jobs WHERE id = ANY(?) GROUP BY state")) {
            s.setArray(1, c.createArrayOf("uuid", ids.stream().map(UUID::fromString).toArray()));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    states.put(rs.getString(1), rs.getLong(2));
                }
            }
        }
        assertEquals(ids.size(), states.values().stream().mapToLong(Long::longValue).sum(), "every accepted job");
        return states;
    }

    private static Optional<ProcessHandle> postmaster(Path data) throws IOException {
        Path pid = data.resolve("postgres").resolve("postmaster.pid");
        if (!Files.exists(pid)) {
            return Optional.empty();
        }
        return ProcessHandle.of(Long.parseLong(Files.readAllLines(pid).get(0).strip()));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}

package dev.conveyor.functions.migrate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.conveyor.config.Env;
import dev.conveyor.functions.InvocationContext;
import dev.conveyor.json.Json;
import dev.conveyor.store.JobStore;
import dev.conveyor.store.Migrations;
import dev.conveyor.testing.NewJobs;
import dev.conveyor.testing.TestDatabase;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The custom resource against a real, empty PostgreSQL, answering a stand-in for CloudFormation's response URL. */
class MigrateSchemaHandlerIT {
    /** What CloudFormation's pre-signed URL received: method, content type, body. */
    private record Answer(String method, String contentType, JsonNode body) {
    }

    private final BlockingQueue<Answer> answers = new LinkedBlockingQueue<>();
    private Answer last;
    private final HttpServer cloudFormation = responseUrl();
    private final TestDatabase db = TestDatabase.createUnmigrated();

    @AfterEach
    void stop() {
        cloudFormation.stop(0);
    }

    @Test
    void createMigratesAnEmptyDatabaseAndUpdateFindsNothingToDo() throws Exception {
        assertEquals(0, tables("jobs"));

        JsonNode created = invoke(jdbcEnvironment(), event("Create", null), 60);
        assertEquals("SUCCESS", created.path("Status").asText(), created.toString());
        assertEquals(MigrateSchemaHandler.PHYSICAL_ID, created.path("PhysicalResourceId").asText());
        assertEquals(String.join(",", Migrations.FILES), created.path("Data").path("Applied").asText());
        assertEquals(1, tables("jobs"));
        assertEquals(1, tables("job_events"));

        JsonNode updated = invoke(jdbcEnvironment(), event("Update", MigrateSchemaHandler.PHYSICAL_ID), 60);
        assertEquals("SUCCESS", updated.path("Status").asText(), updated.toString());
        assertEquals("none", updated.path("Data").path("Applied").asText());
        assertEquals(MigrateSchemaHandler.PHYSICAL_ID, updated.path("PhysicalResourceId").asText());
    }

    @Test
    void theAnswerEchoesTheRequestAndIsPutWithoutAContentType() throws Exception {
        JsonNode answer = invoke(jdbcEnvironment(), event("Create", null), 60);
        assertEquals("arn:aws:cloudformation:us-east-1:123456789012:stack/conveyor/guid", answer.path("StackId").asText());
        assertEquals("request-1", answer.path("RequestId").asText());
        assertEquals("SchemaMigration", answer.path("LogicalResourceId").asText());
        Answer received = last;
        assertEquals("PUT", received.method());
        assertNull(received.contentType(), "the URL is signed without a content type");
    }

    @Test
    void deleteKeepsTheSchemaAndItsJobs() throws Exception {
        invoke(jdbcEnvironment(), event("Create", null), 60);
        try (JobStore store = db.store(1)) {
            store.insert(List.of(NewJobs.anEchoJob("kept").build()), Instant.now());
        }

        JsonNode deleted = invoke(Map.of("CONVEYOR_STORE", "nonsense"), event("Delete", MigrateSchemaHandler.PHYSICAL_ID), 60);

        assertEquals("SUCCESS", deleted.path("Status").asText(), deleted.toString());
        assertEquals(1, count("SELECT count(*) FROM jobs"));
    }

    @Test
    void aDatabaseThatNeverAnswersFailsTheDeploymentBeforeTheFunctionTimesOut() throws Exception {
        Map<String, String> env = jdbcEnvironment();
        env.put("CONVEYOR_DB_URL", "jdbc:postgresql://127.0.0.1:" + closedPort() + "/conveyor");

        long started = System.nanoTime();
        JsonNode answer = invoke(env, event("Create", null), 14);
        double seconds = (System.nanoTime() - started) / 1e9;

        assertEquals("FAILED", answer.path("Status").asText(), answer.toString());
        assertTrue(answer.path("Reason").asText().contains("log stream"), answer.toString());
        assertTrue(seconds >= 2 && seconds < 14 - 5, "retried, then answered with time to spare: " + seconds);
        assertEquals(MigrateSchemaHandler.PHYSICAL_ID, answer.path("PhysicalResourceId").asText());
    }

    @Test
    void aWrongConfigurationFailsAtOnceWithTheReason() throws Exception {
        Map<String, String> env = jdbcEnvironment();
        env.put("CONVEYOR_STORE", "nonsense");

        JsonNode answer = invoke(env, event("Update", MigrateSchemaHandler.PHYSICAL_ID), 60);

        assertEquals("FAILED", answer.path("Status").asText());
        assertTrue(answer.path("Reason").asText().contains("CONVEYOR_STORE must be jdbc or dataapi"), answer.toString());
        assertEquals(0, tables("jobs"));
    }

    @Test
    void anUnknownRequestTypeFails() throws Exception {
        JsonNode answer = invoke(jdbcEnvironment(), event("Explode", null), 60);
        assertEquals("FAILED", answer.path("Status").asText());
        assertTrue(answer.path("Reason").asText().contains("unknown RequestType 'Explode'"), answer.toString());
    }

    private Map<String, String> jdbcEnvironment() {
        Map<String, String> env = new HashMap<>();
        env.put("CONVEYOR_STORE", "jdbc");
        env.put("CONVEYOR_DB_URL", db.jdbcUrl());
        env.put("CONVEYOR_DB_USER", db.user());
        env.put("CONVEYOR_DB_PASSWORD", "");
        env.put("CONVEYOR_LOG_LEVEL", "ERROR");
        return env;
    }

    private String event(String type, String physicalId) {
        var event = Json.object()
                .put("RequestType", type)
                .put("ServiceToken", "arn:aws:lambda:us-east-1:123456789012:function:conveyor-migrate-schema")
                .put("ResponseURL", "http://127.0.0.1:" + cloudFormation.getAddress().getPort() + "/answer?sig=x")
                .put("StackId", "arn:aws:cloudformation:us-east-1:123456789012:stack/conveyor/guid")
                .put("RequestId", "request-1")
                .put("ResourceType", "Custom::ConveyorSchema")
                .put("LogicalResourceId", "SchemaMigration");
        if (physicalId != null) {
            event.put("PhysicalResourceId", physicalId);
        }
        event.putObject("ResourceProperties").put("CodeVersion", "3");
        return Json.write(event);
    }

    /** Invokes a new handler under {@code env}; returns what CloudFormation received, which the handler also returns. */
    private JsonNode invoke(Map<String, String> env, String event, int timeoutSeconds) throws Exception {
        MigrateSchemaHandler handler = new MigrateSchemaHandler();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Env.with(env, () -> {
            try {
                handler.handleRequest(new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)), out,
                        InvocationContext.startingNow("request-1", "conveyor-migrate-schema", timeoutSeconds));
                return null;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        Answer answer = answers.poll(5, TimeUnit.SECONDS);
        assertTrue(answer != null, "the handler answered CloudFormation");
        assertEquals(answer.body(), Json.mapper().readTree(out.toByteArray()));
        assertEquals(0, answers.size(), "one answer per invocation");
        last = answer;
        return answer.body();
    }

    private HttpServer responseUrl() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/answer", exchange -> {
                byte[] body = exchange.getRequestBody().readAllBytes();
                answers.add(new Answer(exchange.getRequestMethod(),
                        exchange.getRequestHeaders().getFirst("Content-Type"), Json.mapper().readTree(body)));
                exchange.sendResponseHeaders(200, -1);
                exchange.close();
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private long tables(String name) throws SQLException {
        return count("SELECT count(*) FROM information_schema.tables WHERE table_name = '" + name + "'");
    }

    private long count(String sql) throws SQLException {
        try (Connection c = db.connect(); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}

package dev.conveyor.functions.migrate;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveyor.config.Config;
import dev.conveyor.config.Env;
import dev.conveyor.config.Wiring;
import dev.conveyor.json.Json;
import dev.conveyor.log.Log;
import dev.conveyor.store.Migrations;
import dev.conveyor.store.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The stack's schema, as a CloudFormation custom resource: on {@code Create} and {@code Update} it applies the
 * migrations the database has not seen, through the store the functions use ({@code jdbc} or {@code dataapi}), so
 * a deployment migrates before the functions that depend on the resource are updated; on {@code Delete} it keeps
 * the schema and its jobs. It always answers CloudFormation (a PUT to the event's {@code ResponseURL}), before its
 * own timeout, so that a failure rolls the deployment back instead of leaving it waiting for an hour.
 *
 * <p>A database that cannot take the work yet (an Aurora cluster resuming, a connection refused) is tried again,
 * with backoff, until the answer is due.
 */
public final class MigrateSchemaHandler implements RequestStreamHandler {
    /** One schema per stack: the resource's identity does not change, so an update never replaces it. */
    static final String PHYSICAL_ID = "conveyor-schema";
    /** What the invocation keeps of its time to answer CloudFormation. */
    static final Duration ANSWER_MARGIN = Duration.ofSeconds(10);
    /** CloudFormation rejects an answer over 4 KB; the reason is most of one. */
    private static final int MAX_REASON = 2000;
    private static final Log LOG = Log.of(MigrateSchemaHandler.class);

    private final Supplier<List<String>> migrate;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final ExecutorService worker = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "migrate-schema");
        t.setDaemon(true);
        return t;
    });

    /** Migrates the database the environment names, read at each invocation. */
    public MigrateSchemaHandler() {
        this(() -> Wiring.migrate(Config.fromEnvironment()));
    }

    MigrateSchemaHandler(Supplier<List<String>> migrate) {
        this.migrate = migrate;
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        JsonNode event = Json.mapper().readTree(input);
        String type = event.path("RequestType").asText();
        ObjectNode answer = Json.object()
                .put("PhysicalResourceId", event.path("PhysicalResourceId").asText(PHYSICAL_ID))
                .put("StackId", event.path("StackId").asText())
                .put("RequestId", event.path("RequestId").asText())
                .put("LogicalResourceId", event.path("LogicalResourceId").asText());
        try {
            switch (type) {
                case "Create", "Update" -> {
                    List<String> applied = migrateWithin(context.getRemainingTimeInMillis()
                            - ANSWER_MARGIN.toMillis());
                    answer.put("Status", "SUCCESS");
                    answer.putObject("Data")
                            .put("Applied", applied.isEmpty() ? "none" : String.join(",", applied))
                            .put("Latest", Migrations.FILES.get(Migrations.FILES.size() - 1));
                    LOG.info("schema migrated", "request", type, "applied", applied.isEmpty() ? "none" : applied);
                }
                case "Delete" -> {
                    answer.put("Status", "SUCCESS");
                    LOG.info("stack resource deleted; the schema and its jobs are kept");
                }
                default -> throw new IllegalArgumentException("unknown RequestType '" + type + "'");
            }
        } catch (RuntimeException e) {
            LOG.error("schema migration failed", e, "request", type);
            String reason = e.getMessage() + " (log stream " + context.getLogStreamName() + ")";
            answer.put("Status", "FAILED")
                    .put("Reason", reason.length() > MAX_REASON ? reason.substring(0, MAX_REASON) : reason);
        }
        byte[] body = Json.write(answer).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        answerCloudFormation(event.path("ResponseURL").asText(), body);
        output.write(body);
    }

    /** Migrates, again after a database that could not take the work, until {@code budgetMillis} are spent. */
    private List<String> migrateWithin(long budgetMillis) {
        long deadline = System.currentTimeMillis() + budgetMillis;
        long backoff = 1000;
        Map<String, String> environment = Env.current(); // the worker thread sees the function's environment too
        while (true) {
            Future<List<String>> run = worker.submit(() -> Env.with(environment, migrate));
            try {
                return run.get(Math.max(0, deadline - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                run.cancel(true);
                throw new IllegalStateException("the migration did not finish in time; it may still hold locks "
                        + "it waits for (the next deployment tries again)", e);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof StoreException unavailable)
                        || System.currentTimeMillis() + backoff >= deadline) {
                    throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
                }
                LOG.warn("the database cannot take the migration yet; trying again", unavailable,
                        "in_ms", backoff);
                sleep(backoff);
                backoff = Math.min(backoff * 2, 10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    /** PUTs the answer to the pre-signed URL: no content type, as the URL was signed without one. */
    private void answerCloudFormation(String url, byte[] body) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(10))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                throw new IOException("CloudFormation's response URL answered " + response.statusCode() + ": "
                        + response.body());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while answering CloudFormation", e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}

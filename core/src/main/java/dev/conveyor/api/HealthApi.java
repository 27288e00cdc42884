package dev.conveyor.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveyor.json.Json;
import dev.conveyor.queue.JobQueue;
import dev.conveyor.store.JobStore;

/**
 * {@code GET /health}: whether the database and the queue answer. {@code 200 {"status": "ok", ...}} when both do,
 * {@code 503} with {@code "status": "unavailable"} and the failing check's error when one does not, so that a load
 * balancer or an alarm can act on the status code alone.
 */
public final class HealthApi {
    private final JobStore store;
    private final JobQueue queue;

    public HealthApi(JobStore store, JobQueue queue) {
        this.store = store;
        this.queue = queue;
    }

    public ApiResponse health(ApiRequest request) {
        ObjectNode checks = Json.object();
        boolean database = check(checks, "database", store::ping);
        boolean queueOk = check(checks, "queue", queue::ping);
        boolean ok = database && queueOk;
        ObjectNode body = Json.object().put("status", ok ? "ok" : "unavailable");
        body.set("checks", checks);
        ApiResponse response = ApiResponse.json(ok ? 200 : 503, body).withHeader("Cache-Control", "no-store");
        return ok ? response : response.withHeader("Retry-After", "5");
    }

    private static boolean check(ObjectNode checks, String name, Runnable probe) {
        long started = System.nanoTime();
        ObjectNode check = checks.putObject(name);
        try {
            probe.run();
            check.put("status", "ok");
            return true;
        } catch (RuntimeException e) {
            check.put("status", "unavailable").put("error", e.getMessage());
            return false;
        } finally {
            check.put("latency_ms", Math.round((System.nanoTime() - started) / 1e4) / 100.0);
        }
    }
}

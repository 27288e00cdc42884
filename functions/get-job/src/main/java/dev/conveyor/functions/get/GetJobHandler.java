package dev.conveyor.functions.get;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.conveyor.api.Access;
import dev.conveyor.api.HealthApi;
import dev.conveyor.api.JobsApi;
import dev.conveyor.api.MetricsApi;
import dev.conveyor.config.Config;
import dev.conveyor.config.MicrosecondClock;
import dev.conveyor.config.Wiring;
import dev.conveyor.functions.ApiGateway;
import dev.conveyor.functions.Priming;
import dev.conveyor.functions.Snapshots;
import dev.conveyor.queue.JobQueue;
import dev.conveyor.store.JobStore;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;

/**
 * The read side: {@code GET /jobs/{id}} (the job; {@code 404} for an unknown id, {@code 400} for a malformed one),
 * {@code GET /jobs} (a page of jobs, newest first), {@code GET /jobs/{id}/events} (its history) and
 * {@code GET /health} (whether the database and the queue answer), {@code GET /metrics} (counts, queue depths,
 * throughput), {@code GET /metrics/history} (finished jobs by minute), {@code GET /access} (what the key may do); and, through the template's {@code ANY} methods and {@code /{proxy+}}, the {@code 405} and
 * {@code 404} answers for requests no route takes.
 */
public final class GetJobHandler implements RequestStreamHandler {
    private final ApiGateway gateway;

    /** Wires the store and the queue from the environment, once per cold start. */
    public GetJobHandler() {
        this(Config.fromEnvironment());
    }

    private GetJobHandler(Config config) {
        this(config, Wiring.store(config, 1), Wiring.queue(config));
    }

    private GetJobHandler(Config config, JobStore store, JobQueue queue) {
        this(Wiring.jobsApi(config, store, queue), new HealthApi(store, queue),
                new MetricsApi(store, queue, MicrosecondClock.systemUtc()), Wiring.access(config));
        Runnable api = () -> gateway.prime("GET", "/jobs/{id}", null);
        Priming.run(Map.of("database", store::ping, "queue", queue::prime, "api", api));
        Snapshots.register("get-job", api);
    }

    public GetJobHandler(JobsApi api, HealthApi health, MetricsApi metrics, Access access) {
        this.gateway = new ApiGateway(Map.of(
                "GET /jobs/{id}", api::get,
                "GET /jobs", api::list,
                "GET /jobs/{id}/events", api::events,
                "GET /health", health::health,
                "GET /metrics", metrics::metrics,
                "GET /metrics/history", metrics::history,
                "GET /access", access::access));
    }

    @Override
    public void handleRequest(InputStream event, OutputStream response, Context context) {
        gateway.handle(event, response, context);
    }
}

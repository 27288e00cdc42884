package dev.conveyor.functions.submit;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.conveyor.api.Access;
import dev.conveyor.api.JobsApi;
import dev.conveyor.config.Config;
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
 * {@code POST /jobs}: validate, store, queue, answer {@code 202 Accepted} with the job and its {@code Location};
 * {@code POST /jobs/batch}: up to 100 jobs at once, all or nothing; {@code POST /jobs/validate}: what
 * {@code POST /jobs} would answer, storing nothing.
 */
public final class SubmitJobHandler implements RequestStreamHandler {
    private final ApiGateway gateway;

    /** Wires the store and the queue from the environment, once per cold start, and warms them up. */
    public SubmitJobHandler() {
        this(Config.fromEnvironment());
    }

    private SubmitJobHandler(Config config) {
        this(config, Wiring.store(config, 1), Wiring.queue(config));
    }

    private SubmitJobHandler(Config config, JobStore store, JobQueue queue) {
        this(Wiring.jobsApi(config, store, queue), Wiring.access(config));
        Runnable api = () -> gateway.prime("POST", "/jobs", "{\"type\": \"echo\", \"payload\": {}, \"priming\": 1}");
        Priming.run(Map.of("database", store::ping, "queue", queue::prime, "api", api));
        Snapshots.register("submit-job", api);
    }

    public SubmitJobHandler(JobsApi api, Access access) {
        this.gateway = new ApiGateway(Map.of(
                "POST /jobs", api::submit,
                "POST /jobs/batch", api::submitBatch,
                "POST /jobs/validate", api::validate), access);
    }

    @Override
    public void handleRequest(InputStream event, OutputStream response, Context context) {
        gateway.handle(event, response, context);
    }
}

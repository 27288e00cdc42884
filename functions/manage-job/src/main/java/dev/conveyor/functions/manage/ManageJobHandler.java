package dev.conveyor.functions.manage;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.conveyor.api.Access;
import dev.conveyor.api.JobsApi;
import dev.conveyor.config.Config;
import dev.conveyor.config.Wiring;
import dev.conveyor.functions.ApiGateway;
import dev.conveyor.functions.Snapshots;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;

/**
 * {@code POST /jobs/{id}/retry} (a FAILED, DEAD_LETTERED or CANCELLED job runs again with a fresh budget) and
 * {@code POST /jobs/{id}/cancel} (a PENDING or RETRYING job will not run); {@code 409} with the reason otherwise;
 * {@code POST /jobs/bulk}: either, for every job a filter takes.
 */
public final class ManageJobHandler implements RequestStreamHandler {
    private final ApiGateway gateway;

    /** Wires the store and the queue from the environment, once per cold start. */
    public ManageJobHandler() {
        this(Config.fromEnvironment());
        Snapshots.register("manage-job", () -> { });
    }

    private ManageJobHandler(Config config) {
        this(Wiring.jobsApi(config), Wiring.access(config));
    }

    public ManageJobHandler(JobsApi api, Access access) {
        this.gateway = new ApiGateway(Map.of(
                "POST /jobs/{id}/retry", api::retry,
                "POST /jobs/{id}/cancel", api::cancel,
                "POST /jobs/bulk", api::bulk), access);
    }

    @Override
    public void handleRequest(InputStream event, OutputStream response, Context context) {
        gateway.handle(event, response, context);
    }
}

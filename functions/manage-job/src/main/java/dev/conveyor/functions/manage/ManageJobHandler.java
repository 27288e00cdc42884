package dev.conveyor.functions.manage;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import dev.conveyor.api.JobsApi;
import dev.conveyor.config.Config;
import dev.conveyor.config.Wiring;
import dev.conveyor.functions.ApiGateway;
import java.util.Map;

/**
 * {@code POST /jobs/{id}/retry} (a FAILED, DEAD_LETTERED or CANCELLED job runs again with a fresh budget) and
 * {@code POST /jobs/{id}/cancel} (a PENDING or RETRYING job will not run); {@code 409} with the reason otherwise.
 */
public final class ManageJobHandler
        implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {
    private final ApiGateway gateway;

    /** Wires the store and the queue from the environment, once per cold start. */
    public ManageJobHandler() {
        this(Wiring.jobsApi(Config.fromEnvironment()));
    }

    public ManageJobHandler(JobsApi api) {
        this.gateway = new ApiGateway(Map.of(
                "POST /jobs/{id}/retry", api::retry,
                "POST /jobs/{id}/cancel", api::cancel));
    }

    @Override
    public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent event, Context context) {
        return gateway.handle(event, context);
    }
}

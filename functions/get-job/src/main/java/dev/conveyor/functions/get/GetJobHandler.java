package dev.conveyor.functions.get;

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
 * The read side: {@code GET /jobs/{id}} (the job; {@code 404} for an unknown id, {@code 400} for a malformed one),
 * {@code GET /jobs} (a page of jobs, newest first) and {@code GET /jobs/{id}/events} (its history).
 */
public final class GetJobHandler implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {
    private final ApiGateway gateway;

    /** Wires the store from the environment, once per cold start. */
    public GetJobHandler() {
        this(Wiring.jobsApi(Config.fromEnvironment()));
    }

    public GetJobHandler(JobsApi api) {
        this.gateway = new ApiGateway(Map.of(
                "GET /jobs/{id}", api::get,
                "GET /jobs", api::list,
                "GET /jobs/{id}/events", api::events));
    }

    @Override
    public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent event, Context context) {
        return gateway.handle(event, context);
    }
}

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

/** {@code GET /jobs/{id}}: the job as stored; {@code 404} for an unknown id, {@code 400} for a malformed one. */
public final class GetJobHandler implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {
    private final ApiGateway gateway;

    /** Wires the store from the environment, once per cold start. */
    public GetJobHandler() {
        this(Wiring.jobsApi(Config.fromEnvironment()));
    }

    public GetJobHandler(JobsApi api) {
        this.gateway = new ApiGateway(Map.of("GET /jobs/{id}", api::get));
    }

    @Override
    public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent event, Context context) {
        return gateway.handle(event, context);
    }
}

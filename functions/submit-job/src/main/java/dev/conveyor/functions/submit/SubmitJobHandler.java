package dev.conveyor.functions.submit;

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
 * {@code POST /jobs}: validate, store, queue, answer {@code 202 Accepted} with the job and its {@code Location};
 * {@code POST /jobs/batch}: up to 100 jobs at once, all or nothing.
 */
public final class SubmitJobHandler
        implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {
    private final ApiGateway gateway;

    /** Wires the store and the queue from the environment, once per cold start. */
    public SubmitJobHandler() {
        this(Wiring.jobsApi(Config.fromEnvironment()));
    }

    public SubmitJobHandler(JobsApi api) {
        this.gateway = new ApiGateway(Map.of(
                "POST /jobs", api::submit,
                "POST /jobs/batch", api::submitBatch));
    }

    @Override
    public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent event, Context context) {
        return gateway.handle(event, context);
    }
}

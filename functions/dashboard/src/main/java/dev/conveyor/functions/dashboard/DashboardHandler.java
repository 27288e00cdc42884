package dev.conveyor.functions.dashboard;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.conveyor.api.ApiRequest;
import dev.conveyor.api.ApiResponse;
import dev.conveyor.api.Problems;
import dev.conveyor.functions.ApiGateway;
import dev.conveyor.functions.Priming;
import dev.conveyor.functions.Snapshots;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * {@code GET /dashboard}, {@code /dashboard/{proxy+}}, {@code /docs} and {@code /openapi.yaml}, with no API key: the
 * dashboard's files, Swagger UI and the API's description ({@link DashboardSite}). Wires no store and no queue: its
 * init reads and hashes a few files.
 */
public final class DashboardHandler implements RequestStreamHandler {
    /** The routes, as template.yaml declares them (each without an API key). */
    public static final List<String> ROUTES = List.of(
            "GET /dashboard", "GET /dashboard/{proxy+}", "GET /docs", "GET /openapi.yaml");

    private final ApiGateway gateway;

    /** Reads the files once per cold start. */
    public DashboardHandler() {
        this(new DashboardSite(DashboardHandler.class.getClassLoader()));
        Runnable api = () -> gateway.prime("GET", "/dashboard", null);
        Priming.run(Map.of("api", api));
        Snapshots.register("dashboard", api);
    }

    DashboardHandler(DashboardSite site) {
        List<Function<ApiRequest, ApiResponse>> answers = List.of(site::dashboard, site::file, site::docs,
                site::openApi);
        Map<String, Function<ApiRequest, ApiResponse>> routes = new HashMap<>();
        for (int i = 0; i < ROUTES.size(); i++) {
            routes.put(ROUTES.get(i), secured(answers.get(i)));
        }
        this.gateway = new ApiGateway(routes);
    }

    /** The route, its failures answered here rather than by the gateway, so that they too carry the headers. */
    private static Function<ApiRequest, ApiResponse> secured(Function<ApiRequest, ApiResponse> route) {
        return request -> {
            try {
                return DashboardSite.secured(route.apply(request));
            } catch (RuntimeException e) {
                return DashboardSite.secured(Problems.from(e, request));
            }
        };
    }

    @Override
    public void handleRequest(InputStream event, OutputStream response, Context context) {
        gateway.handle(event, response, context);
    }
}

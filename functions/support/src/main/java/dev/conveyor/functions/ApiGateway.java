package dev.conveyor.functions;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import dev.conveyor.api.ApiRequest;
import dev.conveyor.api.ApiResponse;
import dev.conveyor.api.Problems;
import dev.conveyor.api.Routes;
import dev.conveyor.fault.FailPoints;
import dev.conveyor.log.Log;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * API Gateway proxy events in and out of core's plain requests and responses, for the routes one function serves.
 * Whatever a route throws becomes a problem response here, in one place.
 */
public final class ApiGateway {
    private static final Log LOG = Log.of(ApiGateway.class);

    private final Map<String, Function<ApiRequest, ApiResponse>> routes;

    /** @param routes by {@code "<METHOD> <resource>"}, as API Gateway names them: {@code "GET /jobs/{id}"} */
    public ApiGateway(Map<String, Function<ApiRequest, ApiResponse>> routes) {
        this.routes = Map.copyOf(routes);
    }

    public APIGatewayProxyResponseEvent handle(APIGatewayProxyRequestEvent event, Context context) {
        ApiRequest request = request(event, context);
        Function<ApiRequest, ApiResponse> route = routes.get(request.method() + " " + request.resource());
        ApiResponse response;
        try {
            response = route != null ? route.apply(request) : Routes.unrouted(request);
        } catch (FailPoints.Crash crash) {
            throw crash; // an injected crash: the function dies here, as a real one would
        } catch (Throwable e) {
            response = Problems.from(e, request);
        }
        if (response.status() >= 500) {
            LOG.warn("request failed", "status", response.status(), "method", request.method(),
                    "path", request.path(), "request_id", request.requestId());
        }
        return event(response);
    }

    static ApiRequest request(APIGatewayProxyRequestEvent event, Context context) {
        String path = event.getPath() == null ? "/" : event.getPath();
        var requestContext = event.getRequestContext();
        String requestId = requestContext != null && requestContext.getRequestId() != null
                ? requestContext.getRequestId() : context == null ? null : context.getAwsRequestId();
        String apiKey = requestContext != null && requestContext.getIdentity() != null
                ? requestContext.getIdentity().getApiKey() : null;
        return new ApiRequest(
                event.getHttpMethod() == null ? "" : event.getHttpMethod().toUpperCase(Locale.ROOT),
                event.getResource() == null ? path : event.getResource(),
                path,
                basePath(requestContext == null ? null : requestContext.getPath(), path),
                event.getPathParameters() == null ? Map.of() : event.getPathParameters(),
                query(event),
                headers(event),
                body(event),
                requestId,
                apiKey);
    }

    /** On an execute-api domain the stage precedes the path ({@code /Prod/jobs}); on a custom domain, its mapping. */
    static String basePath(String fullPath, String path) {
        if (fullPath == null || !fullPath.endsWith(path) || fullPath.length() == path.length()) {
            return "";
        }
        return fullPath.substring(0, fullPath.length() - path.length());
    }

    private static Map<String, List<String>> query(APIGatewayProxyRequestEvent event) {
        Map<String, List<String>> query = new HashMap<>();
        if (event.getMultiValueQueryStringParameters() != null) {
            event.getMultiValueQueryStringParameters().forEach((k, v) -> query.put(k, List.copyOf(v)));
        } else if (event.getQueryStringParameters() != null) {
            event.getQueryStringParameters().forEach((k, v) -> query.put(k, List.of(v)));
        }
        return query;
    }

    private static Map<String, String> headers(APIGatewayProxyRequestEvent event) {
        Map<String, String> headers = new HashMap<>();
        if (event.getHeaders() != null) {
            event.getHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v));
        }
        return headers;
    }

    private static String body(APIGatewayProxyRequestEvent event) {
        String body = event.getBody();
        if (body != null && Boolean.TRUE.equals(event.getIsBase64Encoded())) {
            try {
                return new String(Base64.getDecoder().decode(body), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return body;
            }
        }
        return body;
    }

    static APIGatewayProxyResponseEvent event(ApiResponse response) {
        return new APIGatewayProxyResponseEvent()
                .withStatusCode(response.status())
                .withHeaders(new LinkedHashMap<>(response.headers()))
                .withBody(response.body())
                .withIsBase64Encoded(false);
    }
}

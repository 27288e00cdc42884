package dev.conveyor.functions;

import com.amazonaws.services.lambda.runtime.Context;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveyor.api.Access;
import dev.conveyor.api.ApiRequest;
import dev.conveyor.api.ApiResponse;
import dev.conveyor.api.Problems;
import dev.conveyor.api.Routes;
import dev.conveyor.aws.CallDeadline;
import dev.conveyor.fault.FailPoints;
import dev.conveyor.json.Json;
import dev.conveyor.log.Log;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * API Gateway proxy events in and out of core's plain requests and responses, for the routes one function serves.
 * Whatever a route throws becomes a problem response here, in one place.
 *
 * <p>The functions are {@code RequestStreamHandler}s: the event is read here as a JSON tree and the answer written
 * as JSON, the shapes of {@code APIGatewayProxyRequestEvent} and {@code APIGatewayProxyResponseEvent}. Lambda's
 * runtime would otherwise map them onto those classes by reflection on the first invocation, which was some 0.3 s
 * of a cold start.
 */
public final class ApiGateway {
    private static final Log LOG = Log.of(ApiGateway.class);

    /** API Gateway's longest wait for a Lambda integration (REST APIs' default quota). */
    static final Duration API_GATEWAY_TIMEOUT = Duration.ofSeconds(29);
    /** What an answer needs after the last AWS call gave up: writing it, and Lambda and API Gateway passing it on. */
    static final Duration ANSWER_MARGIN = Duration.ofMillis(1500);

    private final Map<String, Function<ApiRequest, ApiResponse>> routes;
    private final Access access;

    /**
     * For routes that change nothing ({@link Routes#CHANGING} has none of them).
     *
     * @param routes by {@code "<METHOD> <resource>"}, as API Gateway names them: {@code "GET /jobs/{id}"}
     */
    public ApiGateway(Map<String, Function<ApiRequest, ApiResponse>> routes) {
        this(routes, Access.NONE);
        routes.keySet().stream().filter(Routes.CHANGING::contains).findFirst().ifPresent(route -> {
            throw new IllegalArgumentException(route + " changes jobs: its gateway must know the read-only keys");
        });
    }

    /**
     * @param routes by {@code "<METHOD> <resource>"}, as API Gateway names them: {@code "GET /jobs/{id}"}
     * @param access which keys may only read: it is asked before every route runs
     */
    public ApiGateway(Map<String, Function<ApiRequest, ApiResponse>> routes, Access access) {
        this.routes = Map.copyOf(routes);
        this.access = access;
    }

    /**
     * Reads a proxy event from {@code in}, answers it on {@code out}. An event that is not JSON fails the
     * invocation, as it would fail Lambda's runtime before the handler (API Gateway answers 502).
     */
    public void handle(InputStream in, OutputStream out, Context context) {
        ApiRequest request;
        try {
            request = request(Json.readEvent(in), context);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the API Gateway event", e);
        }
        Function<ApiRequest, ApiResponse> route = routes.get(request.method() + " " + request.resource());
        ApiResponse response;
        try {
            response = route == null ? Routes.unrouted(request)
                    : CallDeadline.until(deadline(context), () -> {
                        access.check(request);
                        return route.apply(request);
                    });
        } catch (FailPoints.Crash crash) {
            throw crash; // an injected crash: the function dies here, as a real one would
        } catch (RuntimeException e) { // an Error (out of memory, ...) goes on: Lambda replaces the environment
            response = Problems.from(e, request);
        }
        if (response.status() >= 500) {
            LOG.warn("request failed", "status", response.status(), "method", request.method(),
                    "path", request.path(), "request_id", request.requestId());
        }
        write(response, out);
    }

    /**
     * When the AWS calls of a request must be over: {@link #ANSWER_MARGIN} before the invocation times out or API
     * Gateway stops waiting ({@link #API_GATEWAY_TIMEOUT}), whichever comes first, so that the answer (a 503 when a
     * call ran out of time) reaches the client. Far off without a context (a warm-up).
     */
    static Instant deadline(Context context) {
        Instant now = Instant.now();
        Instant gateway = now.plus(API_GATEWAY_TIMEOUT);
        if (context == null) {
            return gateway.minus(ANSWER_MARGIN);
        }
        Instant invocation = now.plusMillis(context.getRemainingTimeInMillis());
        return (invocation.isBefore(gateway) ? invocation : gateway).minus(ANSWER_MARGIN);
    }

    /**
     * Answers a request made up for the purpose, whose answer is discarded: {@code body} must be one the route
     * refuses (a 4xx), so that nothing is stored or sent. Loads the event, routing, validation and answer code
     * before the first invocation (see {@link Priming}).
     */
    public void prime(String method, String resource, String body) {
        ObjectNode event = Json.object().put("httpMethod", method).put("resource", resource).put("path", resource)
                .put("body", body);
        event.putObject("headers").put("Content-Type", "application/json");
        event.putObject("requestContext").put("requestId", "priming");
        handle(new ByteArrayInputStream(Json.write(event).getBytes(StandardCharsets.UTF_8)),
                OutputStream.nullOutputStream(), null);
    }

    static ApiRequest request(JsonNode event, Context context) {
        String path = text(event, "path", "/");
        JsonNode requestContext = event.path("requestContext");
        String requestId = text(requestContext, "requestId", context == null ? null : context.getAwsRequestId());
        return new ApiRequest(
                text(event, "httpMethod", "").toUpperCase(Locale.ROOT),
                text(event, "resource", path),
                path,
                basePath(text(requestContext, "path", null), path),
                strings(event.path("pathParameters")),
                query(event),
                headers(event),
                body(event),
                requestId,
                text(requestContext.path("identity"), "apiKey", null),
                text(requestContext.path("identity"), "apiKeyId", null));
    }

    /** On an execute-api domain the stage precedes the path ({@code /Prod/jobs}); on a custom domain, its mapping. */
    static String basePath(String fullPath, String path) {
        if (fullPath == null || !fullPath.endsWith(path) || fullPath.length() == path.length()) {
            return "";
        }
        return fullPath.substring(0, fullPath.length() - path.length());
    }

    private static Map<String, List<String>> query(JsonNode event) {
        Map<String, List<String>> query = new HashMap<>();
        JsonNode multi = event.path("multiValueQueryStringParameters");
        if (multi.isObject()) {
            multi.properties().forEach(e -> {
                List<String> values = new ArrayList<>();
                e.getValue().forEach(v -> values.add(v.asText()));
                query.put(e.getKey(), List.copyOf(values));
            });
        } else {
            strings(event.path("queryStringParameters")).forEach((k, v) -> query.put(k, List.of(v)));
        }
        return query;
    }

    private static Map<String, String> headers(JsonNode event) {
        Map<String, String> headers = new HashMap<>();
        strings(event.path("headers")).forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v));
        return headers;
    }

    private static String body(JsonNode event) {
        String body = text(event, "body", null);
        if (body != null && event.path("isBase64Encoded").asBoolean(false)) {
            try {
                return new String(Base64.getDecoder().decode(body), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return body;
            }
        }
        return body;
    }

    /** A JSON object of strings as a map; nulls and other values left out. */
    private static Map<String, String> strings(JsonNode object) {
        Map<String, String> map = new HashMap<>();
        if (object.isObject()) {
            object.properties().forEach(e -> {
                if (e.getValue().isTextual()) {
                    map.put(e.getKey(), e.getValue().textValue());
                }
            });
        }
        return map;
    }

    private static String text(JsonNode node, String field, String fallback) {
        JsonNode value = node.get(field);
        return value != null && value.isTextual() ? value.textValue() : fallback;
    }

    /** The answer as API Gateway reads a proxy integration's: status code, headers, body. */
    static void write(ApiResponse response, OutputStream out) {
        try (JsonGenerator json = Json.mapper().getFactory().createGenerator(out)) {
            json.writeStartObject();
            json.writeNumberField("statusCode", response.status());
            json.writeObjectFieldStart("headers");
            for (Map.Entry<String, String> header : response.headers().entrySet()) {
                json.writeStringField(header.getKey(), header.getValue());
            }
            json.writeEndObject();
            json.writeStringField("body", response.body());
            json.writeBooleanField("isBase64Encoded", false);
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the API Gateway answer", e);
        }
    }
}

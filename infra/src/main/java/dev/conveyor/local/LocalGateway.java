package dev.conveyor.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveyor.local.LocalHttpServer.Answer;
import dev.conveyor.local.LocalHttpServer.Exchange;
import dev.conveyor.local.template.Stack;
import dev.conveyor.log.Log;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * The REST API of the template on {@code http://127.0.0.1:<port>}: each request is matched to a route as API
 * Gateway matches them (the most specific resource: literal segments before {@code {param}} before
 * {@code {proxy+}}; then its method, else its {@code ANY}), turned into the proxy event AWS sends, and answered with
 * what the function returns. What API Gateway answers itself is answered the same way here, through the template's
 * gateway responses when it customizes them: {@code MISSING_AUTHENTICATION_TOKEN} for a route that does not exist,
 * {@code INVALID_API_KEY} for a missing or wrong {@code x-api-key}, {@code THROTTLED} beyond the usage plan's rate
 * and burst, {@code REQUEST_TOO_LARGE} over 10 MB, {@code 502} for a function that fails and
 * {@code INTEGRATION_TIMEOUT} after the 29-second integration timeout. Connections are served as a front door on
 * AWS serves them ({@link LocalHttpServer}).
 */
public final class LocalGateway implements AutoCloseable {
    private static final Log LOG = Log.of(LocalGateway.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;
    private static final int INTEGRATION_TIMEOUT_SECONDS = 29;
    private static final String STAGE = "Prod";
    private static final DateTimeFormatter REQUEST_TIME =
            DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ENGLISH).withZone(ZoneOffset.UTC);

    /** A route, the function serving it, and whether it asks for the API key. */
    public record Route(String method, String resource, LocalFunction function, boolean apiKeyRequired) {
        public Route(String method, String resource, LocalFunction function) {
            this(method, resource, function, false);
        }

        List<String> segments() {
            return LocalGateway.segments(resource);
        }
    }

    /**
     * What the API asks of a request beyond its route: the API keys its keyed routes take, each value with its id
     * (none: the keyed routes take any request, with no key), the usage plan's throttle (null for none), and the
     * gateway responses the template customizes.
     */
    public record Settings(Map<String, String> apiKeys, Stack.Throttle throttle,
                           Map<String, Stack.GatewayResponse> responses) {
        public static final Settings OPEN = new Settings(Map.of(), null, Map.of());

        public Settings {
            apiKeys = Map.copyOf(apiKeys);
            responses = Map.copyOf(responses);
        }
    }

    private final List<Route> routes;
    private final Settings settings;
    /** The usage plan's throttle, for each key: API Gateway applies a usage plan's limits per API key. */
    private final Map<String, TokenBucket> buckets = new HashMap<>();
    private volatile LocalHttpServer server;

    private LocalGateway(List<Route> routes, Settings settings) {
        this.routes = List.copyOf(routes);
        this.settings = settings;
        if (settings.throttle() != null) {
            settings.apiKeys().keySet().forEach(key -> buckets.put(key,
                    new TokenBucket(settings.throttle().rateLimit(), settings.throttle().burstLimit())));
        }
    }

    public static LocalGateway start(int port, List<Route> routes, int threads) throws IOException {
        return start(port, routes, threads, Settings.OPEN);
    }

    /**
     * Starts the gateway on {@code 127.0.0.1}.
     *
     * @param port the port, 0 for a free one
     * @param threads requests answered at once (each waits for its function); connections are not bounded by it
     */
    public static LocalGateway start(int port, List<Route> routes, int threads, Settings settings) throws IOException {
        LocalGateway gateway = new LocalGateway(routes, settings);
        gateway.server = LocalHttpServer.start("gateway", port, threads, MAX_PAYLOAD_BYTES, gateway::handle,
                LocalGateway::refuse);
        return gateway;
    }

    public int port() {
        return server.port();
    }

    public List<Route> routes() {
        return routes;
    }

    private Answer handle(Exchange exchange) throws IOException {
        String requestId = UUID.randomUUID().toString();
        if (exchange.body() == null) {
            return gatewayResponse(exchange, requestId, null, GatewayError.REQUEST_TOO_LARGE);
        }
        String method = exchange.method().toUpperCase(Locale.ROOT);
        Match match = match(method, exchange.path());
        if (match == null) {
            return gatewayResponse(exchange, requestId, null, GatewayError.MISSING_AUTHENTICATION_TOKEN);
        }
        String apiKey = null;
        if (match.route.apiKeyRequired() && !settings.apiKeys().isEmpty()) {
            apiKey = exchange.header("x-api-key");
            if (apiKey == null || !settings.apiKeys().containsKey(apiKey)) {
                return gatewayResponse(exchange, requestId, match, GatewayError.INVALID_API_KEY);
            }
            TokenBucket bucket = buckets.get(apiKey);
            if (bucket != null && !bucket.tryTake()) {
                return gatewayResponse(exchange, requestId, match, GatewayError.THROTTLED);
            }
        }
        String event = JSON.writeValueAsString(event(exchange, requestId, match, apiKey));
        String response;
        try {
            response = match.route.function().invoke(event);
        } catch (LocalFunction.InvocationException e) {
            LOG.warn("function failed", e, "function", match.route.function().spec().logicalId(),
                    "request_id", requestId);
            boolean timedOut = e.getMessage().contains("Task timed out")
                    && match.route.function().spec().timeoutSeconds() >= INTEGRATION_TIMEOUT_SECONDS;
            return gatewayResponse(exchange, requestId, match,
                    timedOut ? GatewayError.INTEGRATION_TIMEOUT : GatewayError.LAMBDA_ERROR);
        } catch (RuntimeException e) {
            LOG.error("gateway failed", e, "request_id", requestId);
            return gatewayResponse(exchange, requestId, match, GatewayError.LAMBDA_ERROR);
        }
        return proxyResponse(exchange, requestId, match, response);
    }

    /**
     * The answer to a request the front door cannot read (a NUL or a {@code ..} above the root in its path, a
     * request line or headers over API Gateway's 10,240 bytes), or that failed the gateway itself: no route or
     * function sees it, and the template's gateway responses do not apply, so it is a problem of the gateway's own.
     */
    private static Answer refuse(int status, String reason) {
        String title = switch (status) {
            case 414 -> "URI Too Long";
            case 431 -> "Request Header Fields Too Large";
            default -> status >= 500 ? "Internal Server Error" : "Bad Request";
        };
        ObjectNode problem = JSON.createObjectNode()
                .put("type", "about:blank")
                .put("title", title)
                .put("status", status)
                .put("detail", switch (status) {
                    case 414 -> "the request line is longer than API Gateway accepts (10,240 bytes with the headers)";
                    case 431 -> "the headers are larger than API Gateway accepts (10,240 bytes with the request line)";
                    default -> status >= 500 ? "the local gateway failed (" + reason + "); its log says more"
                            : "the request's URL cannot be read (" + reason + ")";
                })
                .put("request_id", UUID.randomUUID().toString());
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/problem+json");
        headers.put("x-amzn-ErrorType", status >= 500 ? "InternalServerErrorException" : "BadRequestException");
        return answer(problem.get("request_id").asText(), status, headers, problem.toString());
    }

    /** What API Gateway answers by itself: its response type, default status, message and error type header. */
    enum GatewayError {
        MISSING_AUTHENTICATION_TOKEN(403, "Missing Authentication Token", "MissingAuthenticationTokenException"),
        INVALID_API_KEY(403, "Forbidden", "ForbiddenException"),
        THROTTLED(429, "Too Many Requests", "TooManyRequestsException"),
        REQUEST_TOO_LARGE(413, "Request Too Long", "RequestTooLongException"),
        INTEGRATION_TIMEOUT(504, "Endpoint request timed out", "IntegrationTimeout"),
        /** A function that failed or answered what a proxy integration cannot read: no type of its own. */
        LAMBDA_ERROR(502, "Internal server error", "InternalServerErrorException");

        final int status;
        final String message;
        final String errorType;

        GatewayError(int status, String message, String errorType) {
            this.status = status;
            this.message = message;
            this.errorType = errorType;
        }

        /** The response type a template customizes: its own, else the default of its status class. */
        List<String> responseTypes() {
            String fallback = status < 500 ? "DEFAULT_4XX" : "DEFAULT_5XX";
            return this == LAMBDA_ERROR ? List.of(fallback) : List.of(name(), fallback);
        }
    }

    /** Answers as API Gateway does, with the template's customization of the response type if it has one. */
    private Answer gatewayResponse(Exchange exchange, String requestId, Match match, GatewayError error)
            throws IOException {
        Stack.GatewayResponse custom = null;
        String type = error.responseTypes().get(0);
        for (String candidate : error.responseTypes()) {
            custom = settings.responses().get(candidate);
            if (custom != null) {
                break;
            }
        }
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("x-amzn-ErrorType", error.errorType);
        if (custom == null) {
            headers.put("Content-Type", "application/json");
            return answer(requestId, error.status, headers,
                    "{\"message\":" + JSON.writeValueAsString(error.message) + "}");
        }
        String template = custom.templates().getOrDefault("application/json",
                custom.templates().values().stream().findFirst().orElse(""));
        custom.headers().forEach((name, value) -> {
            String resolved = headerValue(exchange, value);
            if (resolved != null) {
                headers.put(name, resolved);
            }
        });
        headers.putIfAbsent("Content-Type", "application/json");
        String body = render(template, Map.of(
                "$context.error.messageString", JSON.writeValueAsString(error.message),
                "$context.error.message", error.message,
                "$context.error.responseType", type,
                "$context.requestId", requestId,
                "$context.path", exchange.path(),
                "$context.resourcePath", match == null ? "" : match.route.resource(),
                "$context.httpMethod", exchange.method().toUpperCase(Locale.ROOT),
                "$context.stage", STAGE));
        return answer(requestId, custom.statusCode() == null ? error.status : custom.statusCode(), headers, body);
    }

    /** A gateway response header as SAM writes it: {@code 'static'} or {@code method.request.header.name}. */
    private static String headerValue(Exchange exchange, String value) {
        if (value.length() >= 2 && value.startsWith("'") && value.endsWith("'")) {
            return value.substring(1, value.length() - 1);
        }
        if (value.startsWith("method.request.header.")) {
            return exchange.header(value.substring("method.request.header.".length()));
        }
        return null;
    }

    /** Substitutes the {@code $context} variables a gateway response template may use, longest name first. */
    static String render(String template, Map<String, String> variables) {
        List<String> names = new ArrayList<>(variables.keySet());
        names.sort((a, b) -> Integer.compare(b.length(), a.length()));
        String out = template;
        for (String name : names) {
            out = out.replace(name, variables.get(name));
        }
        return out;
    }

    /** The usage plan's throttle: a token bucket holding up to {@code burst} requests, refilled at {@code rate}/s. */
    static final class TokenBucket {
        private final double rate;
        private final double burst;
        private double tokens;
        private long refilledAt = System.nanoTime();

        TokenBucket(double rate, int burst) {
            this.rate = rate;
            this.burst = Math.max(1, burst);
            this.tokens = this.burst;
        }

        synchronized boolean tryTake() {
            long now = System.nanoTime();
            tokens = Math.min(burst, tokens + (now - refilledAt) / 1e9 * rate);
            refilledAt = now;
            if (tokens < 1) {
                return false;
            }
            tokens -= 1;
            return true;
        }
    }

    /** The function's answer, read as API Gateway reads a proxy integration's response. */
    private Answer proxyResponse(Exchange exchange, String requestId, Match match, String response)
            throws IOException {
        JsonNode node;
        try {
            node = JSON.readTree(response);
        } catch (IOException e) {
            node = null;
        }
        if (node == null || !node.isObject() || !node.path("statusCode").canConvertToInt()
                || node.path("statusCode").asInt() < 100 || node.path("statusCode").asInt() > 599) {
            LOG.warn("malformed Lambda proxy response", "request_id", requestId);
            return gatewayResponse(exchange, requestId, match, GatewayError.LAMBDA_ERROR);
        }
        Map<String, List<String>> headers = new LinkedHashMap<>();
        node.path("multiValueHeaders").properties().forEach(e -> {
            List<String> values = new ArrayList<>();
            e.getValue().forEach(v -> values.add(v.asText()));
            headers.put(e.getKey(), values);
        });
        node.path("headers").properties().forEach(e -> headers.put(e.getKey(), List.of(e.getValue().asText())));
        byte[] body;
        JsonNode text = node.path("body");
        if (text.isNull() || text.isMissingNode()) {
            body = new byte[0];
        } else if (node.path("isBase64Encoded").asBoolean(false)) {
            body = Base64.getDecoder().decode(text.asText());
        } else {
            body = text.asText().getBytes(StandardCharsets.UTF_8);
        }
        if (headers.keySet().stream().noneMatch("Content-Type"::equalsIgnoreCase)) {
            headers.put("Content-Type", List.of("application/json"));
        }
        headers.put("x-amzn-RequestId", List.of(requestId));
        return new Answer(node.path("statusCode").asInt(), headers, body);
    }

    private static Answer answer(String requestId, int status, Map<String, String> headers, String body) {
        headers.put("x-amzn-RequestId", requestId);
        return Answer.of(status, headers, body.getBytes(StandardCharsets.UTF_8));
    }

    /** A route chosen for a request, and the path parameters it binds. */
    record Match(Route route, Map<String, String> pathParameters) {
    }

    /**
     * The route for the request, as API Gateway picks one: the most specific resource the path matches, then that
     * resource's method, else its {@code ANY}. A resource that lacks the method matches nothing, even when a less
     * specific resource has it (API Gateway answers {@code MISSING_AUTHENTICATION_TOKEN} then).
     */
    Match match(String method, String path) {
        List<String> request = segments(path);
        String bestResource = null;
        Map<String, String> bestParameters = null;
        int[] bestScore = null;
        for (Route route : routes) {
            Map<String, String> parameters = new LinkedHashMap<>();
            int[] score = score(route.segments(), request, parameters);
            if (score != null && (bestScore == null || compare(score, bestScore) > 0)) {
                bestResource = route.resource();
                bestParameters = parameters;
                bestScore = score;
            }
        }
        Route any = null;
        for (Route route : routes) {
            if (route.resource().equals(bestResource)) {
                if (route.method().equals(method)) {
                    return new Match(route, bestParameters);
                }
                if (route.method().equals("ANY")) {
                    any = route;
                }
            }
        }
        return any == null ? null : new Match(any, bestParameters);
    }

    /** Per segment 2 for a literal, 1 for a parameter, 0 for a greedy tail; null when the route does not match. */
    private static int[] score(List<String> resource, List<String> request, Map<String, String> parameters) {
        int[] score = new int[Math.max(resource.size(), request.size())];
        for (int i = 0; i < resource.size(); i++) {
            String segment = resource.get(i);
            if (segment.startsWith("{") && segment.endsWith("+}")) {
                if (i != resource.size() - 1 || request.size() <= i) {
                    return null;
                }
                parameters.put(segment.substring(1, segment.length() - 2),
                        String.join("/", request.subList(i, request.size())));
                return score;
            }
            if (i >= request.size()) {
                return null;
            }
            if (segment.startsWith("{") && segment.endsWith("}")) {
                parameters.put(segment.substring(1, segment.length() - 1), request.get(i));
                score[i] = 1;
            } else if (segment.equals(request.get(i))) {
                score[i] = 2;
            } else {
                return null;
            }
        }
        return resource.size() == request.size() ? score : null;
    }

    private static int compare(int[] a, int[] b) {
        for (int i = 0; i < Math.min(a.length, b.length); i++) {
            if (a[i] != b[i]) {
                return Integer.compare(a[i], b[i]);
            }
        }
        return Integer.compare(a.length, b.length);
    }

    static List<String> segments(String path) {
        List<String> segments = new ArrayList<>();
        for (String segment : path.split("/")) {
            if (!segment.isEmpty()) {
                segments.add(segment);
            }
        }
        return segments;
    }

    /** The proxy event API Gateway sends a Lambda function for this request (REST API, payload format 1.0). */
    /** @param apiKey the key the request was let in with, or null when its route wants none */
    private ObjectNode event(Exchange exchange, String requestId, Match match, String apiKey) {
        ObjectNode event = JSON.createObjectNode();
        String method = exchange.method().toUpperCase(Locale.ROOT);
        String path = exchange.path();
        event.put("resource", match.route.resource());
        event.put("path", path);
        event.put("httpMethod", method);

        ObjectNode headers = JSON.createObjectNode();
        ObjectNode multiHeaders = JSON.createObjectNode();
        exchange.headers().forEach((name, values) -> {
            if (values.isEmpty()) {
                return;
            }
            headers.put(name, values.get(values.size() - 1));
            values.forEach(multiHeaders.putArray(name)::add);
        });
        event.set("headers", headers.isEmpty() ? null : headers);
        event.set("multiValueHeaders", multiHeaders.isEmpty() ? null : multiHeaders);

        Map<String, List<String>> query = query(exchange.rawQuery());
        if (query.isEmpty()) {
            event.putNull("queryStringParameters");
            event.putNull("multiValueQueryStringParameters");
        } else {
            ObjectNode single = event.putObject("queryStringParameters");
            ObjectNode multi = event.putObject("multiValueQueryStringParameters");
            query.forEach((name, values) -> {
                single.put(name, values.get(values.size() - 1));
                values.forEach(multi.putArray(name)::add);
            });
        }
        if (match.pathParameters.isEmpty()) {
            event.putNull("pathParameters");
        } else {
            ObjectNode parameters = event.putObject("pathParameters");
            match.pathParameters.forEach(parameters::put);
        }
        event.putNull("stageVariables");

        Instant now = Instant.now();
        String host = exchange.header("Host");
        ObjectNode context = event.putObject("requestContext");
        context.put("resourceId", Integer.toHexString(match.route.resource().hashCode()));
        context.put("resourcePath", match.route.resource());
        context.put("httpMethod", method);
        context.put("extendedRequestId", requestId.substring(0, 8));
        context.put("requestTime", REQUEST_TIME.format(now));
        context.put("path", path);
        context.put("accountId", Stack.ACCOUNT);
        context.put("protocol", exchange.protocol());
        context.put("stage", STAGE);
        context.put("domainPrefix", "127");
        context.put("requestTimeEpoch", now.toEpochMilli());
        context.put("requestId", requestId);
        ObjectNode identity = context.putObject("identity");
        identity.put("sourceIp", exchange.remoteAddress());
        identity.put("userAgent", exchange.header("User-Agent"));
        if (apiKey != null) {
            identity.put("apiKey", apiKey);
            identity.put("apiKeyId", settings.apiKeys().get(apiKey));
        } else {
            identity.putNull("apiKey");
            identity.putNull("apiKeyId");
        }
        context.put("domainName", host == null ? "127.0.0.1:" + port() : host);
        context.put("apiId", "local");

        if (exchange.body().length == 0) {
            event.putNull("body");
        } else {
            event.put("body", new String(exchange.body(), StandardCharsets.UTF_8));
        }
        event.put("isBase64Encoded", false);
        return event;
    }

    private static Map<String, List<String>> query(String raw) {
        Map<String, List<String>> query = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return query;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            query.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
        return query;
    }

    private static String decode(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return text;
        }
    }

    /** Stops taking requests and waits up to {@code grace} for those being answered. */
    public void stop(int graceSeconds) {
        server.stop(Duration.ofSeconds(graceSeconds));
    }

    @Override
    public void close() {
        stop(INTEGRATION_TIMEOUT_SECONDS);
    }
}

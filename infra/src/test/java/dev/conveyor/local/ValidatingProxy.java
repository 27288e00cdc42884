package dev.conveyor.local;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.ValidationReport;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A proxy on loopback between a client under test and the local runtime that checks every exchange against
 * openapi.yaml: each answer must match the document (status, headers, body), and each request the document refuses
 * must be one the API refused too (a 400), as a test's deliberately invalid input is. It records what passed, for
 * tests that count requests, and can lose an answer on the way back, as a dropped connection would.
 */
final class ValidatingProxy implements AutoCloseable {
    private static final OpenApiInteractionValidator VALIDATOR = OpenApiInteractionValidator
            .createForSpecificationUrl(LocalRuntimeFixture.TEMPLATE.resolveSibling("openapi.yaml").toUri().toString())
            .build();
    /** Headers HttpClient sets itself and refuses to be given. */
    private static final Set<String> HOP_BY_HOP = Set.of("host", "connection", "content-length", "expect", "upgrade",
            "transfer-encoding", "keep-alive");

    /** One exchange: the request line as sent and the status the client got. */
    record Exchange(String method, String target, String idempotencyKey, int status) {
    }

    private final String upstream;
    private final HttpServer server;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Exchange> exchanges = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();
    private final AtomicBoolean loseNextAnswer = new AtomicBoolean();

    ValidatingProxy(String upstream) {
        this.upstream = upstream;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.createContext("/", this::forward);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    synchronized List<Exchange> exchanges() {
        return List.copyOf(exchanges);
    }

    synchronized List<String> failures() {
        return List.copyOf(failures);
    }

    synchronized void clear() {
        exchanges.clear();
        failures.clear();
    }

    /** The next request reaches the API, but its answer does not come back: the client gets a 503 instead. */
    void loseNextAnswer() {
        loseNextAnswer.set(true);
    }

    private void forward(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String method = exchange.getRequestMethod();
            URI target = exchange.getRequestURI();
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(upstream + target.getRawPath()
                            + (target.getRawQuery() == null ? "" : "?" + target.getRawQuery())))
                    .timeout(Duration.ofSeconds(30))
                    .method(method, body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(body));
            SimpleRequest.Builder documented = new SimpleRequest.Builder(method, target.getPath());
            exchange.getRequestHeaders().forEach((name, values) -> {
                documented.withHeader(name, values);
                if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT))) {
                    values.forEach(v -> request.header(name, v));
                }
            });
            if (target.getRawQuery() != null) {
                for (String pair : target.getRawQuery().split("&")) {
                    String[] nameValue = pair.split("=", 2);
                    documented.withQueryParam(URLDecoder.decode(nameValue[0], StandardCharsets.UTF_8),
                            nameValue.length == 2 ? URLDecoder.decode(nameValue[1], StandardCharsets.UTF_8) : "");
                }
            }
            if (body.length > 0) {
                documented.withBody(body);
            }
            Request checked = documented.build();

            HttpResponse<byte[]> answer;
            try {
                answer = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            String text = new String(answer.body(), StandardCharsets.UTF_8);
            SimpleResponse.Builder response = SimpleResponse.Builder.status(answer.statusCode()).withBody(text);
            answer.headers().map().forEach(response::withHeader);
            ValidationReport requestReport = VALIDATOR.validateRequest(checked);
            ValidationReport responseReport = VALIDATOR.validateResponse(target.getPath(),
                    Request.Method.valueOf(method), response.build());
            String line = method + " " + target;
            synchronized (this) {
                if (responseReport.hasErrors()) {
                    failures.add(line + " -> " + answer.statusCode() + ": the answer is not as documented: "
                            + responseReport.getMessages() + "\n    " + text);
                }
                if (requestReport.hasErrors() && answer.statusCode() != 400) {
                    failures.add(line + " -> " + answer.statusCode() + ": the request is not as documented: "
                            + requestReport.getMessages());
                }
            }

            int status = answer.statusCode();
            byte[] sent = answer.body();
            if (loseNextAnswer.getAndSet(false)) {
                status = 503;
                sent = "{\"type\": \"about:blank\", \"title\": \"Service Unavailable\", \"status\": 503, \"detail\": \"lost on the way back\"}"
                        .getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/problem+json");
                exchange.getResponseHeaders().add("Retry-After", "0");
            } else {
                answer.headers().map().forEach((name, values) -> {
                    if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT)) && !name.startsWith(":")) {
                        exchange.getResponseHeaders().put(name, values);
                    }
                });
            }
            synchronized (this) {
                exchanges.add(new Exchange(method, target.toString(),
                        exchange.getRequestHeaders().getFirst("Idempotency-Key"), status));
            }
            exchange.sendResponseHeaders(status, sent.length == 0 ? -1 : sent.length);
            if (sent.length > 0) {
                exchange.getResponseBody().write(sent);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

package dev.conveyor.handler.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.standardwebhooks.Webhook;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.conveyor.handler.JobContext;
import dev.conveyor.handler.PermanentJobFailure;
import dev.conveyor.handler.RetryLaterJobFailure;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobId;
import dev.conveyor.job.JobState;
import dev.conveyor.json.Json;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The http type against a real server on 127.0.0.1. Host names resolve through a stub: those that stand for
 * forbidden addresses are refused before any connection, so no packet leaves for them.
 */
class HttpHandlerTest {
    static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    private final Clock clock = Clock.systemUTC();
    private final List<String> resolved = new CopyOnWriteArrayList<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private volatile Consumer<HttpExchange> answer;
    private HttpServer server;
    private HttpHandler handler;

    record Request(String method, String path, String host, Map<String, List<String>> headers, String body) {
    }

    /**
     * Whatever the guard decides, this test sends to 127.0.0.1 only: a request for any other address fails the test
     * here, before the client opens a connection.
     */
    static final HttpHandler.Sender LOOPBACK_ONLY = (client, request, body) -> {
        if (!request.uri().getHost().equals("127.0.0.1")) {
            throw new AssertionError("the guard let through a request to " + request.uri());
        }
        return client.send(request, body);
    };

    private final AddressResolver stub = host -> {
        resolved.add(host);
        return switch (host) {
            case "receiver.test", "127.0.0.1" -> List.of(InetAddress.getByAddress(host, new byte[] {127, 0, 0, 1}));
            case "metadata.test" -> List.of(Cidr.literal("169.254.169.254"));
            case "mixed.test" -> List.of(Cidr.literal("127.0.0.1"), Cidr.literal("10.0.0.1"));
            default -> {
                try {
                    yield List.of(Cidr.literal(host.replace("[", "").replace("]", "")));
                } catch (IllegalArgumentException e) {
                    throw new UnknownHostException(host);
                }
            }
        };
    };

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            requests.add(new Request(exchange.getRequestMethod(), exchange.getRequestURI().toString(),
                    exchange.getRequestHeaders().getFirst("Host"), Map.copyOf(exchange.getRequestHeaders()),
                    new String(body, StandardCharsets.UTF_8)));
            answer.accept(exchange);
            exchange.close();
        });
        server.start();
        handler = new HttpHandler(AddressGuard.allowing("loopback"), stub, SigningSecret.fixed(SECRET), LOOPBACK_ONLY);
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private static Consumer<HttpExchange> respond(int status, String body, String... headers) {
        return exchange -> {
            try {
                for (int i = 0; i < headers.length; i += 2) {
                    exchange.getResponseHeaders().add(headers[i], headers[i + 1]);
                }
                byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
                if (bytes.length > 0) {
                    exchange.getResponseBody().write(bytes);
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
    }

    private String url(String host, String path) {
        return "http://" + host + ":" + server.getAddress().getPort() + path;
    }

    private JobContext context(JsonNode payload, Duration timeout) {
        Instant now = clock.instant();
        Job job = new Job(JobId.newId(now), "http", JobState.RUNNING, payload, null, 1, 3, 1, 30, null, now, now,
                null, now, null, now.plus(timeout));
        return new JobContext(job, now.plus(timeout), clock);
    }

    private JsonNode run(JsonNode payload) throws Exception {
        return handler.run(context(payload, Duration.ofSeconds(5)));
    }

    @Test
    void aSignedRequestGoesToTheCheckedAddressWithTheHostNameAndItsAnswerIsTheResult() throws Exception {
        answer = respond(200, "{\"ok\":true}", "Content-Type", "application/json", "X-Other", "dropped");
        JsonNode payload = Json.object().put("url", url("receiver.test", "/hooks/a?x=1%202"))
                .put("method", "PUT").set("body", Json.object().put("n", 1));
        ((com.fasterxml.jackson.databind.node.ObjectNode) payload).putObject("headers").put("X-Trace", "t-1");
        JobContext context = context(payload, Duration.ofSeconds(5));

        JsonNode result = handler.run(context);

        assertEquals(Json.parse("{\"status\":200,\"headers\":{\"content-type\":\"application/json\"},"
                + "\"body\":\"{\\\"ok\\\":true}\"}"), result);
        assertEquals(List.of("receiver.test"), resolved, "resolved once");
        Request request = requests.get(0);
        assertEquals("PUT", request.method());
        assertEquals("/hooks/a?x=1%202", request.path());
        assertEquals("receiver.test:" + server.getAddress().getPort(), request.host());
        assertEquals("{\"n\":1}", request.body());
        assertEquals("application/json", request.headers().get("Content-type").get(0));
        assertEquals("t-1", request.headers().get("X-trace").get(0));
        assertEquals(context.job().id().toString(), request.headers().get("Webhook-id").get(0));
        new Webhook(SECRET).verify(request.body(), request.headers()); // the reference implementation agrees
    }

    @Test
    void aSignatureUnderAnotherSecretOrOverAnotherBodyDoesNotVerify() throws Exception {
        answer = respond(204, "");
        run(Json.object().put("url", url("127.0.0.1", "/")).put("body", "plain text"));
        Request request = requests.get(0);
        assertEquals("127.0.0.1:" + server.getAddress().getPort(), request.host());
        assertEquals("text/plain; charset=utf-8", request.headers().get("Content-type").get(0));
        new Webhook(SECRET).verify("plain text", request.headers());
        assertThrows(Exception.class, () -> new Webhook("whsec_" + java.util.Base64.getEncoder()
                .encodeToString(new byte[24])).verify("plain text", request.headers()));
        assertThrows(Exception.class, () -> new Webhook(SECRET).verify("plain text!", request.headers()));
    }

    @Test
    void theWebhookIdIsTheJobsOnEveryAttempt() throws Exception {
        answer = respond(200, "");
        JobContext context = context(Json.object().put("url", url("receiver.test", "/")), Duration.ofSeconds(5));
        handler.run(context);
        handler.run(context);
        assertEquals(requests.get(0).headers().get("Webhook-id"), requests.get(1).headers().get("Webhook-id"));
    }

    @Test
    void busyAnswersAreRetriedNoSoonerThanRetryAfterInSecondsOrAsADate() {
        answer = respond(503, "down for maintenance", "Retry-After", "7");
        RetryLaterJobFailure seconds = assertThrows(RetryLaterJobFailure.class,
                () -> run(Json.object().put("url", url("receiver.test", "/"))));
        assertEquals(Duration.ofSeconds(7), seconds.delay());
        assertTrue(seconds.getMessage().startsWith("the server answered 503: down for maintenance"),
                seconds.getMessage());

        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(clock.instant().plusSeconds(120)
                .atOffset(ZoneOffset.UTC));
        answer = respond(429, "", "Retry-After", date);
        RetryLaterJobFailure dated = assertThrows(RetryLaterJobFailure.class,
                () -> run(Json.object().put("url", url("receiver.test", "/"))));
        assertTrue(dated.delay().compareTo(Duration.ofSeconds(115)) > 0, dated.delay().toString());

        answer = respond(500, "");
        assertEquals(Duration.ZERO, assertThrows(RetryLaterJobFailure.class,
                () -> run(Json.object().put("url", url("receiver.test", "/")))).delay(), "the backoff decides");
    }

    @Test
    void otherClientErrorsFailAtOnce() {
        answer = respond(404, "no such hook");
        PermanentJobFailure failure = assertThrows(PermanentJobFailure.class,
                () -> run(Json.object().put("url", url("receiver.test", "/missing"))));
        assertEquals("the server answered 404: no such hook", failure.getMessage());
    }

    @Test
    void aRedirectIsNotFollowed() {
        answer = respond(302, "", "Location", url("receiver.test", "/elsewhere"));
        PermanentJobFailure failure = assertThrows(PermanentJobFailure.class,
                () -> run(Json.object().put("url", url("receiver.test", "/old"))));
        assertTrue(failure.getMessage().contains("302 redirecting to " + url("receiver.test", "/elsewhere")),
                failure.getMessage());
        assertEquals(1, requests.size());
    }

    @Test
    void aServerThatDoesNotAnswerInTimeIsATimeout() {
        answer = exchange -> sleep(Duration.ofSeconds(3));
        assertThrows(HttpTimeoutException.class, () -> handler.run(context(
                Json.object().put("url", url("receiver.test", "/slow")), Duration.ofMillis(500))));
    }

    @Test
    void aLongBodyIsCutAndSaysSo() throws Exception {
        answer = respond(200, "é".repeat(HttpHandler.MAX_BODY_BYTES));
        JsonNode result = run(Json.object().put("url", url("receiver.test", "/")));
        assertTrue(result.get("body_truncated").asBoolean());
        assertTrue(Json.write(result.get("body")).getBytes(StandardCharsets.UTF_8).length
                <= HttpHandler.MAX_BODY_BYTES);
    }

    @Test
    void forbiddenAddressesAreRefusedBeforeAnyConnection() throws Exception {
        HttpHandler strict = new HttpHandler(AddressGuard.strict(), stub, SigningSecret.fixed(SECRET), LOOPBACK_ONLY);
        answer = respond(200, "");
        for (String url : List.of("http://metadata.test/latest/meta-data/",
                url("receiver.test", "/"), "http://10.0.0.1/", "http://[fd00:ec2::254]/")) {
            JsonNode payload = Json.object().put("url", url);
            PermanentJobFailure refused = assertThrows(PermanentJobFailure.class,
                    () -> strict.run(context(payload, Duration.ofSeconds(5))), url);
            assertTrue(refused.getMessage().startsWith("refused to connect to "), refused.getMessage());
        }
        assertEquals(List.of(), requests, "the receiver on loopback saw nothing either");
        PermanentJobFailure metadata = assertThrows(PermanentJobFailure.class,
                () -> handler.run(context(Json.object().put("url", "http://metadata.test/"), Duration.ofSeconds(5))));
        assertTrue(metadata.getMessage().contains("169.254.169.254 is a cloud metadata address"));
        PermanentJobFailure mixed = assertThrows(PermanentJobFailure.class, () -> handler.run(context(
                Json.object().put("url", url("mixed.test", "/")), Duration.ofSeconds(5))));
        assertTrue(mixed.getMessage().contains("10.0.0.1 is a private address"), "every address is judged");
        assertEquals(List.of(), requests, "the receiver on loopback saw nothing");
    }

    @Test
    void anUnknownHostIsRetried() {
        assertThrows(UnknownHostException.class, () -> run(Json.object().put("url", "http://nowhere.test/")));
    }

    @Test
    void aDeploymentWithoutASigningSecretFailsTheJobSayingSo() {
        HttpHandler unsigned = new HttpHandler(AddressGuard.allowing("loopback"), stub,
                SigningSecret.from(new dev.conveyor.config.Config(name -> null)), LOOPBACK_ONLY);
        answer = respond(200, "");
        PermanentJobFailure failure = assertThrows(PermanentJobFailure.class,
                () -> unsigned.run(context(Json.object().put("url", url("receiver.test", "/")), Duration.ofSeconds(5))));
        assertTrue(failure.getMessage().contains("CONVEYOR_HTTP_SIGNING_SECRET_ARN"), failure.getMessage());
        assertEquals(List.of(), requests);
    }

    @Test
    void payloadsAreCheckedAtSubmission() {
        assertEquals(List.of(), handler.validate(Json.parse("{\"url\":\"https://example.com/x\",\"method\":\"POST\","
                + "\"headers\":{\"Authorization\":\"Bearer t\"},\"body\":{\"a\":[1]}}"), 30));
        List<String> fields = new ArrayList<>();
        for (String bad : List.of("{}", "{\"url\":\"ftp://example.com/\"}", "{\"url\":\"https://u:p@example.com/\"}",
                "{\"url\":\"/relative\"}", "{\"url\":\"https://example.com/\",\"method\":\"TRACE\"}",
                "{\"url\":\"https://example.com/\",\"method\":\"GET\",\"body\":\"x\"}",
                "{\"url\":\"https://example.com/\",\"headers\":{\"Host\":\"evil\"}}",
                "{\"url\":\"https://example.com/\",\"headers\":{\"webhook-signature\":\"v1,x\"}}",
                "{\"url\":\"https://example.com/\",\"headers\":{\"Transfer-Encoding\":\"chunked\"}}",
                "{\"url\":\"https://example.com/\",\"headers\":{\"X-A\":\"a\\r\\nX-B: b\"}}",
                "{\"url\":\"https://example.com/\",\"headers\":{\"bad name\":\"v\"}}",
                "{\"url\":\"https://example.com/\",\"headers\":{\"X-N\":1}}",
                "{\"url\":\"https://example.com/\",\"extra\":1}")) {
            var errors = handler.validate(Json.parse(bad), 30);
            assertEquals(1, errors.size(), bad + " -> " + errors);
            fields.add(errors.get(0).field());
        }
        assertEquals(List.of("payload.url", "payload.url", "payload.url", "payload.url", "payload.method",
                "payload.body", "payload.headers.Host", "payload.headers.webhook-signature",
                "payload.headers.Transfer-Encoding", "payload.headers.X-A", "payload.headers.bad name",
                "payload.headers.X-N", "payload.extra"), fields);
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package dev.conveyor.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The client's retries against a scripted HTTP server on loopback: 429 and 503 answers with Retry-After, lost
 * connections, answers that are not problem+json, and a job in a state this client does not know.
 */
class ConveyorClientRetryTest {
    private static final String ID = "019a0000-0000-7000-8000-000000000001";
    private static final String JOB = "{\"id\": \"" + ID + "\", \"type\": \"echo\", \"state\": \"%s\", "
            + "\"payload\": {\"message\": \"hi\"}, \"result\": null, \"attempt\": 0, \"max_retries\": 3, "
            + "\"retry_delay_seconds\": 1, \"timeout_seconds\": 30, \"last_error\": null, "
            + "\"created_at\": \"2026-01-02T03:04:05.678Z\", \"started_at\": null, \"finished_at\": null, "
            + "\"updated_at\": \"2026-01-02T03:04:05.678Z\", \"next_attempt_at\": null, \"duration_seconds\": null, "
            + "\"trace_id\": null%s}";
    private static final String UNAVAILABLE = "{\"type\": \"about:blank\", \"title\": \"Service Unavailable\", "
            + "\"status\": 503, \"detail\": \"the database did not answer\", \"request_id\": \"req-1\"}";
    private static final String THROTTLED = "{\"type\": \"about:blank\", \"title\": \"Too Many Requests\", "
            + "\"status\": 429, \"detail\": \"Too Many Requests\"}";

    /** One scripted answer: a status, headers and a body; status 0 closes the connection without answering. */
    private record Answer(int status, Map<String, String> headers, String body) {
    }

    /** What the server received. */
    private record Received(String method, String path, String idempotencyKey, String apiKey, long atNanos) {
    }

    private HttpServer server;
    private final Deque<Answer> script = new ArrayDeque<>();
    private final List<Received> received = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::answer);
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private synchronized void answer(HttpExchange exchange) throws IOException {
        exchange.getRequestBody().readAllBytes();
        received.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI().toString(),
                exchange.getRequestHeaders().getFirst("Idempotency-Key"),
                exchange.getRequestHeaders().getFirst("x-api-key"), System.nanoTime()));
        Answer answer = script.isEmpty() ? new Answer(500, Map.of(), "script ran out") : script.removeFirst();
        if (answer.status() == 0) {
            exchange.close(); // no status line: the client sees the connection end
            return;
        }
        answer.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
        byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(answer.status(), body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    private ConveyorClient client(int maxRetries) {
        return ConveyorClient.builder().url("http://127.0.0.1:" + server.getAddress().getPort()).apiKey("k3y")
                .retry(new RetrySettings(maxRetries, Duration.ofMillis(10), Duration.ofSeconds(5))).build();
    }

    private static Answer problem(int status, String body, String retryAfter) {
        return new Answer(status, retryAfter == null ? Map.of("Content-Type", "application/problem+json")
                : Map.of("Content-Type", "application/problem+json", "Retry-After", retryAfter), body);
    }

    private static Answer job(int status, String state, String extra) {
        return new Answer(status, Map.of("Content-Type", "application/json"), String.format(JOB, state, extra));
    }

    @Test
    void aSubmitRetriedAfter503WaitsRetryAfterAndKeepsItsIdempotencyKey() {
        script.add(problem(503, UNAVAILABLE, "1"));
        script.add(problem(503, UNAVAILABLE, "1"));
        script.add(job(202, "PENDING", ""));

        Job job = client(3).submit(JobRequest.of("echo", Map.of("message", "hi")));

        assertEquals(ID, job.id());
        assertEquals(JobState.PENDING, job.state());
        assertEquals(3, received.size());
        String key = received.get(0).idempotencyKey();
        assertTrue(key.matches("[0-9a-f-]{36}"), key);
        received.forEach(r -> assertEquals(key, r.idempotencyKey(), "the retries repeat the first key"));
        received.forEach(r -> assertEquals("k3y", r.apiKey()));
        for (int i = 1; i < 3; i++) {
            long waited = received.get(i).atNanos() - received.get(i - 1).atNanos();
            assertTrue(waited >= Duration.ofMillis(950).toNanos(), "Retry-After: 1 honoured, waited " + waited + " ns");
        }
    }

    @Test
    void twoSubmissionsHaveTwoKeys() {
        script.add(job(202, "PENDING", ""));
        script.add(job(202, "PENDING", ""));
        ConveyorClient client = client(0);
        client.submit(JobRequest.of("echo", Map.of("message", "hi")));
        client.submit(JobRequest.of("echo", Map.of("message", "hi")));
        assertTrue(!received.get(0).idempotencyKey().equals(received.get(1).idempotencyKey()), received::toString);
    }

    @Test
    void a429ThatOutlastsTheRetriesIsARateLimitedException() {
        for (int i = 0; i < 3; i++) {
            script.add(problem(429, THROTTLED, "1"));
        }
        script.add(job(200, "PENDING", ""));

        RateLimitedException e = assertThrows(RateLimitedException.class, () -> client(2).get(ID));

        assertEquals(3, received.size(), "the first call and 2 retries");
        assertEquals(429, e.status());
        assertEquals(Duration.ofSeconds(1), e.retryAfter());
        assertEquals("Too Many Requests", e.detail());
        assertTrue(received.get(2).atNanos() - received.get(0).atNanos() >= Duration.ofMillis(1900).toNanos());
    }

    @Test
    void a503ThenSuccessOnEachCall() {
        script.add(problem(503, UNAVAILABLE, "0"));
        script.add(new Answer(200, Map.of("Content-Type", "application/json"), "{\"events\": []}"));
        assertEquals(List.of(), client(1).events(ID));
        assertEquals(2, received.size());
    }

    @Test
    void aLostConnectionIsRetriedForAReadButNotForABatch() {
        script.add(new Answer(0, Map.of(), ""));
        script.add(job(200, "RUNNING", ""));
        assertEquals(JobState.RUNNING, client(2).get(ID).state());
        assertEquals(2, received.size());

        received.clear();
        script.clear();
        script.add(new Answer(0, Map.of(), ""));
        script.add(new Answer(202, Map.of("Content-Type", "application/json"), "{\"jobs\": []}"));
        assertThrows(ConveyorConnectionException.class,
                () -> client(2).submitBatch(List.of(JobRequest.of("echo", Map.of("message", "hi")))));
        assertEquals(1, received.size(), "a batch carries no idempotency key: a lost answer is not repeated");
    }

    @Test
    void anAnswerThatIsNotAProblemIsAnApiExceptionWithItsText() {
        script.add(new Answer(502, Map.of("Content-Type", "text/html"), "<h1>Bad Gateway</h1>"));
        ConveyorApiException e = assertThrows(ConveyorApiException.class, () -> client(3).get(ID));
        assertEquals(ConveyorApiException.class, e.getClass());
        assertEquals(502, e.status());
        assertEquals("<h1>Bad Gateway</h1>", e.detail());
        assertEquals(1, received.size(), "a 502 is not retried");
    }

    @Test
    void aProblemIsTyped() {
        script.add(problem(400, "{\"type\": \"about:blank\", \"title\": \"Bad Request\", \"status\": 400, "
                + "\"detail\": \"invalid job\", \"request_id\": \"r-9\", \"errors\": [{\"field\": \"max_retries\", "
                + "\"message\": \"must be at most 10\"}]}", null));
        ValidationException e = assertThrows(ValidationException.class,
                () -> client(3).submit(JobRequest.builder("echo").maxRetries(11).build()));
        assertEquals(List.of(new FieldError("max_retries", "must be at most 10")), e.errors());
        assertEquals("r-9", e.requestId());
        assertEquals("Bad Request", e.title());
        assertInstanceOf(ConveyorApiException.class, e);
    }

    @Test
    void aStateThisClientDoesNotKnowIsUnknownAndNewFieldsAreKept() {
        script.add(job(200, "PAUSED", ", \"priority\": 7"));
        Job job = client(0).get(ID);
        assertEquals(JobState.UNKNOWN, job.state());
        assertEquals("PAUSED", job.stateName());
        assertEquals(7, job.json().get("priority").asInt());
        assertEquals("hi", job.payload().get("message").asText());
    }
}

package dev.conveyor.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.standardwebhooks.Webhook;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * http jobs through the local runtime, against a receiver this test runs on 127.0.0.1 that verifies every request's
 * signature with the Standard Webhooks reference library and the secret the runtime generated.
 */
class HttpJobIT extends LocalRuntimeTest {
    private HttpServer receiver;
    private final Map<String, List<Instant>> arrivals = new ConcurrentHashMap<>();
    private final List<String> unverified = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startReceiver() throws IOException {
        Webhook verifier = new Webhook("whsec_" + runtime.secretValue("HttpSigningSecret"));
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            try {
                verifier.verify(body, exchange.getRequestHeaders());
            } catch (Exception e) {
                unverified.add(path + ": " + e.getMessage());
                answer(exchange, 401, "bad signature");
                return;
            }
            List<Instant> seen = arrivals.computeIfAbsent(path, k -> new CopyOnWriteArrayList<>());
            seen.add(Instant.now());
            switch (path) {
                case "/flaky" -> answer(exchange, seen.size() <= 2 ? 503 : 200, seen.size() <= 2 ? "later" : "done: " + body);
                case "/busy" -> {
                    if (seen.size() == 1) {
                        exchange.getResponseHeaders().add("Retry-After", "3");
                        answer(exchange, 429, "slow down");
                    } else {
                        answer(exchange, 200, "ok");
                    }
                }
                case "/slow" -> {
                    if (seen.size() == 1) {
                        sleep(3000);
                    }
                    answer(exchange, 200, "in time");
                }
                case "/moved" -> {
                    exchange.getResponseHeaders().add("Location", url("/elsewhere"));
                    answer(exchange, 301, "");
                }
                default -> answer(exchange, 404, "no hook here");
            }
        });
        receiver.start();
    }

    @AfterEach
    void stopReceiver() {
        receiver.stop(0);
        assertEquals(List.of(), unverified, "every request carried a valid signature");
    }

    private String url(String path) {
        return "http://127.0.0.1:" + receiver.getAddress().getPort() + path;
    }

    private static void answer(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
        exchange.close();
    }

    private static String submit(String body) {
        Http.Response accepted = http.postJson("/jobs", body);
        assertEquals(202, accepted.status(), accepted::toString);
        return accepted.json().get("id").asText();
    }

    private static JsonNode await(String id, String state) {
        return EndToEndIT.awaitState(http, id, state, Duration.ofSeconds(30), new ArrayList<>());
    }

    @Test
    void aReceiverThatFailsTwiceWith503GetsTheJobDoneOnTheThirdAttempt() {
        String id = submit("{\"type\": \"http\", \"payload\": {\"url\": \"" + url("/flaky")
                + "\", \"body\": {\"order\": 7}}, \"retry_delay_seconds\": 0.5}");
        JsonNode done = await(id, "SUCCESS");
        assertEquals(3, done.get("attempt").asInt());
        assertEquals(200, done.at("/result/status").asInt());
        assertEquals("done: {\"order\":7}", done.at("/result/body").asText());
        assertEquals(3, arrivals.get("/flaky").size());
    }

    @Test
    void retryAfterIsHonoured() {
        String id = submit("{\"type\": \"http\", \"payload\": {\"url\": \"" + url("/busy")
                + "\"}, \"retry_delay_seconds\": 0.1}");
        await(id, "SUCCESS");
        List<Instant> seen = arrivals.get("/busy");
        Duration gap = Duration.between(seen.get(0), seen.get(1));
        assertTrue(gap.compareTo(Duration.ofMillis(2900)) >= 0, "Retry-After: 3, and the retry came after " + gap);
    }

    @Test
    void aNotFoundFailsAtOnceAndARedirectIsNotFollowed() {
        JsonNode missing = await(submit("{\"type\": \"http\", \"payload\": {\"url\": \"" + url("/missing")
                + "\"}}"), "FAILED");
        assertEquals(1, missing.get("attempt").asInt());
        assertTrue(missing.get("last_error").asText().contains("404"), missing.toString());

        JsonNode moved = await(submit("{\"type\": \"http\", \"payload\": {\"url\": \"" + url("/moved") + "\"}}"),
                "FAILED");
        assertEquals(1, moved.get("attempt").asInt());
        assertTrue(moved.get("last_error").asText().contains(url("/elsewhere")), moved.toString());
        assertEquals(null, arrivals.get("/elsewhere"), "not followed");
    }

    @Test
    void aTimeoutIsRetried() {
        String id = submit("{\"type\": \"http\", \"payload\": {\"url\": \"" + url("/slow")
                + "\"}, \"timeout_seconds\": 1, \"retry_delay_seconds\": 0.1}");
        JsonNode done = await(id, "SUCCESS");
        assertEquals(2, done.get("attempt").asInt());
        assertEquals("in time", done.at("/result/body").asText());
    }

    /**
     * An address the guard refuses, chosen so that even a broken guard would send nothing off this machine: Linux
     * connects 0.0.0.0 to itself. Private, link-local and metadata addresses are refused in HttpHandlerTest, whose
     * requests are fenced to loopback.
     */
    @Test
    void anAddressTheGuardRefusesFailsTheJobWithoutAConnection() {
        JsonNode refused = await(submit("{\"type\": \"http\", \"payload\": {\"url\": \"http://0.0.0.0:"
                + receiver.getAddress().getPort() + "/flaky\"}}"), "FAILED");
        assertEquals(1, refused.get("attempt").asInt());
        assertTrue(refused.get("last_error").asText().startsWith("refused to connect to 0.0.0.0: 0.0.0.0 is an "
                + "unspecified address"), refused.toString());
        assertEquals(Map.of(), arrivals);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

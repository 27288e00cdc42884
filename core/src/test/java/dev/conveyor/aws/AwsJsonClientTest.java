package dev.conveyor.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveyor.config.Config;
import dev.conveyor.json.Json;
import dev.conveyor.testing.ScriptedHttpServer;
import dev.conveyor.testing.ScriptedHttpServer.Answer;
import dev.conveyor.testing.ScriptedHttpServer.Received;
import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The client against a scripted server, for the answers AWS gives and ElasticMQ does not (see AwsJsonClientIT). */
class AwsJsonClientTest {
    private static final AwsCredentials CREDENTIALS =
            new AwsCredentials("ASIATESTEXAMPLE", "secret/key+EXAMPLE", "session-token/EXAMPLE=");
    private static final Instant NOW = Instant.parse("2026-11-23T16:49:34Z");
    private static final ObjectNode REQUEST = Json.object()
            .put("QueueUrl", "https://sqs.eu-west-1.amazonaws.com/123456789012/conveyor-jobs")
            .set("AttributeNames", Json.mapper().createArrayNode().add("ApproximateNumberOfMessages"));

    /** How many attempts the client made: it reads the credentials once for each, to sign it. */
    private final AtomicInteger attempts = new AtomicInteger();

    private AwsJsonClient client(URI endpoint) {
        return new AwsJsonClient(AwsJsonClient.Service.SQS, endpoint, "eu-west-1", () -> {
            attempts.incrementAndGet();
            return CREDENTIALS;
        }, Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofSeconds(2), Duration.ofSeconds(5));
    }

    @Test
    void theRequestIsSignedAsItIsSent() {
        try (ScriptedHttpServer server = ScriptedHttpServer.answering(
                Answer.json(200, "{\"Attributes\":{\"ApproximateNumberOfMessages\":\"3\"}}"))) {
            JsonNode answer = client(server.uri()).call("GetQueueAttributes", REQUEST);

            assertEquals("3", answer.path("Attributes").path("ApproximateNumberOfMessages").asText());
            Received received = server.requests().get(0);
            assertEquals("POST", received.method());
            assertEquals("/", received.path());
            assertEquals("AmazonSQS.GetQueueAttributes", received.header("X-Amz-Target"));
            assertEquals("application/x-amz-json-1.0", received.header("Content-Type"));
            assertEquals("127.0.0.1:" + server.uri().getPort(), received.header("Host"));
            assertEquals("20261123T164934Z", received.header("X-Amz-Date"));
            assertEquals(CREDENTIALS.sessionToken(), received.header("X-Amz-Security-Token"));
            assertEquals(REQUEST, Json.parse(received.text()));

            String authorization = received.header("Authorization");
            String signedHeaders = authorization.replaceAll(".*SignedHeaders=([^,]*),.*", "$1");
            assertEquals("content-type;host;x-amz-date;x-amz-security-token;x-amz-target", signedHeaders);
            Map<String, String> asReceived = new LinkedHashMap<>();
            for (String name : signedHeaders.split(";")) {
                asReceived.put(name, received.header(name));
            }
            assertEquals(SigV4.sign("POST", received.path(), "", asReceived, received.body(), CREDENTIALS,
                    "eu-west-1", "sqs", NOW).get("Authorization"), authorization,
                    "the signature of what came over the wire, as the server works it out");
        }
    }

    @Test
    void aLargeAnswerIsReadWhole() {
        String body = "x".repeat(300 * 1024); // over the limit on what clients send; AWS's answers have no such
        try (ScriptedHttpServer server = ScriptedHttpServer.answering(
                Answer.json(200, "{\"Messages\":[{\"Body\":\"" + body + "\"}]}"))) {
            JsonNode answer = client(server.uri()).call("ReceiveMessage", REQUEST);

            assertEquals(body, answer.at("/Messages/0/Body").asText());
        }
    }

    @Test
    void aMalformedAnswerFailsWithoutTryingAgain() {
        try (ScriptedHttpServer server = ScriptedHttpServer.answering(Answer.json(200, "{\"Attributes\": "))) {
            AwsException e = assertThrows(AwsException.class,
                    () -> client(server.uri()).call("GetQueueAttributes", REQUEST));

            assertTrue(e.getMessage().contains("malformed JSON"), e.getMessage());
            assertFalse(e.retryable());
            assertEquals(1, server.requests().size());
        }
    }

    @Test
    void aServerErrorIsTriedAgain() {
        try (ScriptedHttpServer server = ScriptedHttpServer.answering(
                Answer.json(500, "{\"__type\":\"com.amazonaws.sqs#InternalError\",\"message\":\"internal error\"}"),
                Answer.json(200, "{\"Attributes\":{\"ApproximateNumberOfMessages\":\"7\"}}"))) {
            JsonNode answer = client(server.uri()).call("GetQueueAttributes", REQUEST);

            assertEquals("7", answer.path("Attributes").path("ApproximateNumberOfMessages").asText());
            assertEquals(2, server.requests().size());
            assertEquals(server.requests().get(0).text(), server.requests().get(1).text(), "the same request again");
        }
    }

    @Test
    void aServerErrorWithoutAnAwsCodeIsTriedAgain() {
        try (ScriptedHttpServer server = ScriptedHttpServer.answering(
                new Answer(503, Map.of("Content-Type", "text/html"), "<html>503 Service Unavailable</html>"),
                Answer.json(200, "{}"))) {
            assertEquals(Json.object(), client(server.uri()).call("GetQueueAttributes", REQUEST));

            assertEquals(2, server.requests().size());
        }
    }

    @Test
    void throttlingIsTriedThreeTimesInAll() {
        try (ScriptedHttpServer server = ScriptedHttpServer.answering(
                Answer.json(400, "{\"__type\":\"ThrottlingException\",\"message\":\"Rate exceeded\"}"))) {
            AwsException e = assertThrows(AwsException.class,
                    () -> client(server.uri()).call("GetQueueAttributes", REQUEST));

            assertEquals(3, server.requests().size());
            assertEquals(400, e.status());
            assertEquals("ThrottlingException", e.code());
            assertTrue(e.retryable(), "worth trying again later");
            assertTrue(e.getMessage().contains("AmazonSQS.GetQueueAttributes"), e.getMessage());
            assertTrue(e.getMessage().contains("Rate exceeded"), e.getMessage());
        }
    }

    @Test
    void aClientErrorFailsAtOnce() {
        try (ScriptedHttpServer server = ScriptedHttpServer.answering(
                Answer.json(400, "{\"__type\":\"com.amazonaws.sqs#InvalidAddress\",\"message\":\"bad queue url\"}"))) {
            AwsException e = assertThrows(AwsException.class,
                    () -> client(server.uri()).call("GetQueueAttributes", REQUEST));

            assertEquals(1, server.requests().size());
            assertEquals(400, e.status());
            assertEquals("InvalidAddress", e.code(), "the code after the namespace's #");
            assertFalse(e.retryable());
            assertTrue(e.getMessage().contains("bad queue url"), e.getMessage());
        }
    }

    @Test
    void theQueryCompatibleErrorCodeIsTheCode() {
        Answer noSuchQueue = new Answer(400, Map.of("Content-Type", "application/x-amz-json-1.0",
                "x-amzn-query-error", "AWS.SimpleQueueService.NonExistentQueue;Sender"),
                "{\"__type\":\"com.amazonaws.sqs#QueueDoesNotExist\",\"message\":\"The queue does not exist.\"}");
        try (ScriptedHttpServer server = ScriptedHttpServer.answering(noSuchQueue)) {
            AwsException e = assertThrows(AwsException.class,
                    () -> client(server.uri()).call("GetQueueAttributes", REQUEST));

            assertEquals("AWS.SimpleQueueService.NonExistentQueue", e.code());
            assertFalse(e.retryable());
            assertEquals(1, server.requests().size());
        }
    }

    @Test
    void aBodyThatIsNotJsonFailsAtOnce() {
        try (ScriptedHttpServer server = ScriptedHttpServer.answering(
                new Answer(200, Map.of("Content-Type", "text/html"), "<html>captive portal</html>"))) {
            AwsException e = assertThrows(AwsException.class,
                    () -> client(server.uri()).call("GetQueueAttributes", REQUEST));

            assertEquals(200, e.status());
            assertFalse(e.retryable());
            assertEquals(1, server.requests().size());
        }
    }

    @Test
    void anUnreachableEndpointFailsRetryablyAfterThreeAttempts() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        AwsException e = assertThrows(AwsException.class,
                () -> client(URI.create("http://127.0.0.1:" + closedPort)).call("GetQueueAttributes", REQUEST));

        assertEquals(3, attempts.get());
        assertEquals(0, e.status(), "no answer, no status");
        assertNull(e.code());
        assertTrue(e.retryable());
        assertInstanceOf(ConnectException.class, e.getCause());
    }

    @Test
    void theEndpointIsTheEnvironmentsOrTheRegions() {
        Map<String, String> env = new LinkedHashMap<>(Map.of("AWS_REGION", "eu-west-1",
                "AWS_ACCESS_KEY_ID", "AKID", "AWS_SECRET_ACCESS_KEY", "secret"));
        assertEquals(URI.create("https://sqs.eu-west-1.amazonaws.com/"), endpoint(AwsJsonClient.Service.SQS, env));
        assertEquals(URI.create("https://secretsmanager.eu-west-1.amazonaws.com/"),
                endpoint(AwsJsonClient.Service.SECRETS_MANAGER, env));
        env.put("AWS_ENDPOINT_URL", "http://localhost:4566");
        assertEquals(URI.create("http://localhost:4566/"), endpoint(AwsJsonClient.Service.SQS, env));
        env.put("AWS_ENDPOINT_URL_SQS", "http://127.0.0.1:9324");
        assertEquals(URI.create("http://127.0.0.1:9324/"), endpoint(AwsJsonClient.Service.SQS, env));
        assertEquals(URI.create("http://localhost:4566/"), endpoint(AwsJsonClient.Service.SECRETS_MANAGER, env));
        env.clear();
        env.putAll(Map.of("AWS_REGION", "cn-north-1", "AWS_ACCESS_KEY_ID", "AKID", "AWS_SECRET_ACCESS_KEY", "secret"));
        assertEquals(URI.create("https://sqs.cn-north-1.amazonaws.com.cn/"), endpoint(AwsJsonClient.Service.SQS, env));
    }

    private static URI endpoint(AwsJsonClient.Service service, Map<String, String> env) {
        return AwsJsonClient.of(service, new Config(env::get)).endpoint();
    }
}

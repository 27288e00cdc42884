package dev.conveyor.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveyor.config.Config;
import dev.conveyor.json.Json;
import dev.conveyor.testing.TestQueues;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.Message;

/** The client against a real SQS server (ElasticMQ). */
class AwsJsonClientIT {
    private final TestQueues.QueuePair queues = TestQueues.create(30, 5);
    private final AwsJsonClient sqs = AwsJsonClient.of(AwsJsonClient.Service.SQS,
            new Config(TestQueues.environment()::get));

    private static ObjectNode attributesOf(String queueUrl, String... names) {
        ObjectNode request = Json.object().put("QueueUrl", queueUrl);
        ArrayNode attributeNames = request.putArray("AttributeNames");
        for (String name : names) {
            attributeNames.add(name);
        }
        return request;
    }

    @Test
    void readsAQueuesAttributes() {
        queues.sqs().sendMessage(b -> b.queueUrl(queues.url()).messageBody("one"));

        JsonNode answer = sqs.call("GetQueueAttributes",
                attributesOf(queues.url(), "VisibilityTimeout", "ApproximateNumberOfMessages", "QueueArn"));

        JsonNode attributes = answer.path("Attributes");
        assertEquals("30", attributes.path("VisibilityTimeout").asText());
        assertEquals("1", attributes.path("ApproximateNumberOfMessages").asText());
        assertTrue(attributes.path("QueueArn").asText().endsWith(":" + queues.url().replaceAll(".*/", "")),
                attributes.toString());
    }

    @Test
    void sendsAMessageTheSdkReceivesUnchanged() {
        String body = "Grüße — ジョブ 🚚 \"quoted\" \\ back";

        JsonNode answer = sqs.call("SendMessage", Json.object().put("QueueUrl", queues.url()).put("MessageBody", body));

        List<Message> received = queues.sqs().receiveMessage(b -> b.queueUrl(queues.url()).waitTimeSeconds(1))
                .messages();
        assertEquals(1, received.size());
        assertEquals(answer.path("MessageId").asText(), received.get(0).messageId());
        assertEquals(body, received.get(0).body());
        assertEquals(received.get(0).md5OfBody(), answer.path("MD5OfMessageBody").asText());
    }

    @Test
    void aQueueThatDoesNotExistFailsAtOnce() {
        AtomicInteger attempts = new AtomicInteger();
        AwsJsonClient counting = new AwsJsonClient(AwsJsonClient.Service.SQS, URI.create(TestQueues.endpoint()),
                "us-east-1", () -> {
                    attempts.incrementAndGet(); // once per attempt, to sign it
                    return new AwsCredentials("test", "test", null);
                }, Clock.systemUTC(), Duration.ofSeconds(2), Duration.ofSeconds(5));
        String missing = TestQueues.endpoint() + "/000000000000/no-such-queue";

        AwsException e = assertThrows(AwsException.class,
                () -> counting.call("GetQueueAttributes", attributesOf(missing, "QueueArn")));

        assertEquals(1, attempts.get(), "no retries");
        assertEquals(400, e.status());
        // ElasticMQ answers x-amzn-query-error: com.amazonaws.sqs#QueueDoesNotExist; SQS itself
        // AWS.SimpleQueueService.NonExistentQueue;Sender (see AwsJsonClientTest)
        assertEquals("QueueDoesNotExist", e.code());
        assertFalse(e.retryable());
        assertTrue(e.getMessage().contains("AmazonSQS.GetQueueAttributes"), e.getMessage());
    }
}

package dev.conveyor.testing;

import com.typesafe.config.ConfigFactory;
import dev.conveyor.aws.AwsClients;
import dev.conveyor.config.Config;
import dev.conveyor.queue.SqsJobQueue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.ActorSystem;
import org.elasticmq.NodeAddress;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** A real SQS-compatible server for tests (ElasticMQ, embedded), and fresh queues on it. */
public final class TestQueues {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static int port;
    private static SQSRestServer server;

    /** A queue with a dead-letter queue behind it. */
    public record QueuePair(SqsClient sqs, String url, String deadLetterUrl) {
        /** The functions' queue on this pair, through their own client. */
        public SqsJobQueue jobQueue() {
            return new SqsJobQueue(AwsClients.sqs(new Config(environment()::get)), url, deadLetterUrl);
        }
    }

    private TestQueues() {
    }

    /** The server's endpoint, started on first use. */
    public static synchronized String endpoint() {
        if (server == null) {
            port = freePort();
            ActorSystem system = ActorSystem.create("test-sqs", ConfigFactory
                    .parseString("pekko.loglevel = WARNING\npekko.stdout-loglevel = WARNING")
                    .withFallback(ConfigFactory.load()));
            server = SQSRestServerBuilder.withActorSystem(system)
                    .withInterface("127.0.0.1")
                    .withPort(port)
                    .withServerAddress(new NodeAddress("http", "127.0.0.1", port, ""))
                    .withAWSRegion("us-east-1")
                    .start();
            server.waitUntilStarted();
        }
        return "http://127.0.0.1:" + port;
    }

    /** What a function needs to reach the test server. */
    public static Map<String, String> environment() {
        return Map.of(
                "AWS_REGION", "us-east-1",
                "AWS_ACCESS_KEY_ID", "test",
                "AWS_SECRET_ACCESS_KEY", "test",
                "AWS_ENDPOINT_URL_SQS", endpoint());
    }

    public static SqsClient client() {
        return AwsClients.sqs(new Config(environment()::get));
    }

    /** A new queue redriving to a new dead-letter queue after {@code maxReceiveCount} receives. */
    public static QueuePair create(int visibilityTimeoutSeconds, int maxReceiveCount) {
        SqsClient sqs = client();
        String name = "test-" + COUNTER.incrementAndGet();
        String dlq = sqs.createQueue(b -> b.queueName(name + "-dlq")).queueUrl();
        String dlqArn = sqs.getQueueAttributes(b -> b.queueUrl(dlq).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
        String url = sqs.createQueue(b -> b.queueName(name).attributes(Map.of(
                QueueAttributeName.VISIBILITY_TIMEOUT, Integer.toString(visibilityTimeoutSeconds),
                QueueAttributeName.REDRIVE_POLICY,
                "{\"deadLetterTargetArn\":\"" + dlqArn + "\",\"maxReceiveCount\":\"" + maxReceiveCount + "\"}")))
                .queueUrl();
        return new QueuePair(sqs, url, dlq);
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

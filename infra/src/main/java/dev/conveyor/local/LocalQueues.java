package dev.conveyor.local;

import com.typesafe.config.ConfigFactory;

import dev.conveyor.aws.AwsClients;
import dev.conveyor.config.Config;
import dev.conveyor.local.template.Stack;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorSystem;
import org.elasticmq.NodeAddress;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import scala.concurrent.Await;
import scala.concurrent.duration.Duration;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * A real SQS-compatible server (ElasticMQ, embedded) on 127.0.0.1, speaking the JSON protocol of AWS SDK v2, with
 * the template's queues. Its messages live in memory: the database is the source of truth, and the runtime sends
 * the messages of waiting jobs again when it starts.
 */
public final class LocalQueues implements AutoCloseable {
    static {
        // On Lambda each function instance has a JVM of its own; here they all share this one, whose HTTP client
        // keeps only 5 idle connections per server (http.maxConnections): every other call to the SQS server would
        // open a connection, and a new connection costs the server far more than the call. Read once, at the first
        // connection: set it before any.
        if (System.getProperty("http.maxConnections") == null) {
            System.setProperty("http.maxConnections", "128");
        }
    }

    private final int port;
    private final String endpoint;
    private final SqsClient client;
    private final Map<String, String> urlsByArn = new HashMap<>();
    private final Map<String, Stack.QueueSpec> created = new java.util.LinkedHashMap<>();
    private volatile ActorSystem system;
    private volatile SQSRestServer server;

    private LocalQueues(int port) {
        this.port = port;
        this.endpoint = "http://127.0.0.1:" + port;
        this.client = AwsClients.sqs(new Config(environment()::get));
    }

    public static LocalQueues start(int port) {
        LocalQueues queues = new LocalQueues(port == 0 ? freePort() : port);
        queues.startServer();
        return queues;
    }

    private void startServer() {
        int bound = port;
        ActorSystem system = ActorSystem.create("conveyor-sqs", ConfigFactory
                .parseString("pekko.loglevel = WARNING\npekko.stdout-loglevel = WARNING\n"
                        + "pekko.log-dead-letters = off\npekko.log-dead-letters-during-shutdown = off\n"
                        + "pekko.jvm-shutdown-hooks = off\npekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off\n"
                        // The AWS SDK's User-Agent and Authorization are not what pekko's typed parsers expect, and a
                        // failed parse (formatting its error) costs more than the request; ElasticMQ needs no typed
                        // header but those pekko always types (Host, Content-Type, ...).
                        + "pekko.http.server.parsing.modeled-header-parsing = off\n"
                        // pekko's default dispatcher runs at least 8 threads; on a machine of 2 cores they spend
                        // more time waking each other than serving: as many threads as there are cores (at least 2).
                        + "pekko.actor.default-dispatcher.fork-join-executor.parallelism-min = 2")
                .withFallback(ConfigFactory.load()));
        SQSRestServer server = SQSRestServerBuilder.withActorSystem(system)
                .withInterface("127.0.0.1")
                .withPort(bound)
                .withServerAddress(new NodeAddress("http", "127.0.0.1", bound, ""))
                .withAWSRegion(Stack.REGION)
                .withAWSAccountId(Stack.ACCOUNT)
                .start();
        server.waitUntilStarted();
        this.system = system;
        this.server = server;
    }

    /**
     * Stops the server, losing every message as a crash of it would, and starts it again with the same queues,
     * empty.
     */
    public synchronized void restart() {
        stopServer();
        startServer();
        created.values().forEach(this::create);
    }

    public String endpoint() {
        return endpoint;
    }

    /** What a function needs to reach this server, as Lambda would set it plus the endpoint. */
    public Map<String, String> environment() {
        return Map.of(
                "AWS_REGION", Stack.REGION,
                "AWS_DEFAULT_REGION", Stack.REGION,
                "AWS_ACCESS_KEY_ID", "local",
                "AWS_SECRET_ACCESS_KEY", "local",
                "AWS_ENDPOINT_URL_SQS", endpoint);
    }

    public SqsClient client() {
        return client;
    }

    /** A client of this server as the functions make theirs. */
    public SqsClient functionsClient() {
        return AwsClients.sqs(new Config(environment()::get));
    }

    /** Creates a queue with its attributes; returns its URL. */
    public synchronized String create(Stack.QueueSpec queue) {
        Map<String, String> attributes = new HashMap<>(queue.attributes());
        String url = client.createQueue(b -> b.queueName(queue.name()).attributesWithStrings(attributes)).queueUrl();
        urlsByArn.put(queue.arn(), url);
        created.put(queue.logicalId(), queue);
        return url;
    }

    /** The URL of a queue created here, by its ARN. */
    public String url(String arn) {
        String url = urlsByArn.get(arn);
        if (url == null) {
            throw new IllegalArgumentException("no local queue has the ARN " + arn);
        }
        return url;
    }

    /** The visibility timeout a queue was created with, in seconds. */
    public int visibilityTimeout(String url) {
        return Integer.parseInt(client.getQueueAttributes(b -> b.queueUrl(url)
                .attributeNames(QueueAttributeName.VISIBILITY_TIMEOUT)).attributes()
                .get(QueueAttributeName.VISIBILITY_TIMEOUT));
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        client.close();
        stopServer();
    }

    private synchronized void stopServer() {
        server.stopAndWait();
        try {
            Await.result(system.terminate(), Duration.create(10, TimeUnit.SECONDS));
        } catch (Exception e) {
            // the server has stopped; the actor system's threads are daemons
        }
    }
}

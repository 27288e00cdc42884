package dev.conveyor.config;

import dev.conveyor.api.JobRequests;
import dev.conveyor.api.JobsApi;
import dev.conveyor.aws.AwsJsonClient;
import dev.conveyor.deadletter.DeadLetters;
import dev.conveyor.dispatch.Dispatcher;
import dev.conveyor.handler.HandlerRegistry;
import dev.conveyor.job.ExponentialBackoff;
import dev.conveyor.job.RetryPolicy;
import dev.conveyor.process.JobProcessor;
import dev.conveyor.queue.JobQueue;
import dev.conveyor.queue.SqsJobQueue;
import dev.conveyor.store.JobStore;
import dev.conveyor.sweep.Sweeper;
import dev.conveyor.store.dataapi.DataApiJobStore;
import dev.conveyor.store.dataapi.DataApiMigrator;
import dev.conveyor.store.jdbc.JdbcJobStore;
import dev.conveyor.store.jdbc.JdbcMigrator;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.rdsdata.RdsDataClient;

/**
 * Builds Conveyor's collaborators from a function's environment, once per cold start. The AWS clients are given
 * their region, credentials and HTTP client explicitly: the SDK's discovery chains cost a cold start dearly.
 *
 * <p>Variables: {@code CONVEYOR_STORE} ({@code jdbc} or {@code dataapi}); for {@code jdbc},
 * {@code CONVEYOR_DB_URL}, {@code CONVEYOR_DB_SECRET_ARN} (or, locally, {@code CONVEYOR_DB_USER} and {@code CONVEYOR_DB_PASSWORD}), {@code CONVEYOR_DB_POOL_SIZE};
 * for {@code dataapi}, {@code CONVEYOR_DB_CLUSTER_ARN}, {@code CONVEYOR_DB_SECRET_ARN}, {@code CONVEYOR_DB_NAME};
 * {@code CONVEYOR_QUEUE_URL},
 * {@code CONVEYOR_DLQ_URL}, {@code CONVEYOR_CONSUMER_TIMEOUT_SECONDS}, {@code CONVEYOR_RETRY_DELAY_CAP_SECONDS},
 * {@code CONVEYOR_LEASE_GRACE_SECONDS}, {@code CONVEYOR_STALL_SECONDS}, {@code CONVEYOR_MAX_RECEIVE_COUNT}; and those Lambda sets: {@code AWS_REGION},
 * {@code AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY}, {@code AWS_SESSION_TOKEN}; and, to reach local
 * stand-ins, {@code AWS_ENDPOINT_URL_SQS}, {@code AWS_ENDPOINT_URL_RDS_DATA} or {@code AWS_ENDPOINT_URL}.
 */
public final class Wiring {
    /** The consumer function's timeout unless the environment says otherwise, as template.yaml's default. */
    public static final double DEFAULT_CONSUMER_TIMEOUT_SECONDS = 60;
    /** What a job's own timeout leaves of the consumer's: time to record the outcome and answer the batch. */
    public static final double CONSUMER_MARGIN_SECONDS = 5;

    private Wiring() {
    }

    /** The API behind the submit-job and get-job functions. */
    public static JobsApi jobsApi(Config config) {
        return jobsApi(config, store(config, 1), queue(config));
    }

    /** The API on a store and a queue the caller shares with other collaborators. */
    public static JobsApi jobsApi(Config config, JobStore store, JobQueue queue) {
        Clock clock = MicrosecondClock.systemUtc();
        JobRequests requests = new JobRequests(HandlerRegistry.load(),
                config.number("CONVEYOR_CONSUMER_TIMEOUT_SECONDS", DEFAULT_CONSUMER_TIMEOUT_SECONDS)
                        - CONSUMER_MARGIN_SECONDS, store.maxJsonBytes());
        return new JobsApi(store, new Dispatcher(queue, clock), requests, clock);
    }

    /** The batch processor behind the process-job function. */
    public static JobProcessor jobProcessor(Config config) {
        return jobProcessor(config, store(config, 2), queue(config));
    }

    /** The batch processor on a store and a queue the caller also uses. */
    public static JobProcessor jobProcessor(Config config, JobStore store, JobQueue queue) {
        JobProcessor.Settings defaults = JobProcessor.Settings.defaults();
        JobProcessor.Settings settings = new JobProcessor.Settings(
                config.seconds("CONVEYOR_LEASE_GRACE_SECONDS", defaults.leaseGrace()),
                defaults.deadlineMargin(),
                defaults.infrastructureBackoffCap());
        return new JobProcessor(store, queue, HandlerRegistry.load(), retryPolicy(config),
                MicrosecondClock.systemUtc(), settings);
    }

    /** The sweeper behind the sweep-jobs function. */
    public static Sweeper sweeper(Config config) {
        Clock clock = MicrosecondClock.systemUtc();
        return new Sweeper(store(config, 1), new Dispatcher(queue(config), clock), retryPolicy(config), clock,
                config.seconds("CONVEYOR_STALL_SECONDS", Duration.ofMinutes(5)), 1000);
    }

    /** The dead-letter queue's consumer behind the dead-letter function. */
    public static DeadLetters deadLetters(Config config) {
        return new DeadLetters(store(config, 1),
                new SqsJobQueue(sqs(config), config.required("CONVEYOR_DLQ_URL"), null),
                MicrosecondClock.systemUtc(), config.integer("CONVEYOR_MAX_RECEIVE_COUNT", 30));
    }

    /** The job store the environment names: {@code jdbc} (the default) or {@code dataapi}. */
    public static JobStore store(Config config, int defaultPoolSize) {
        String kind = config.get("CONVEYOR_STORE", "jdbc");
        return switch (kind) {
            case "jdbc" -> {
                DatabaseCredentials credentials = DatabaseCredentials.from(config);
                yield JdbcJobStore.connect(
                        config.required("CONVEYOR_DB_URL"),
                        credentials.user(),
                        credentials.password(),
                        config.integer("CONVEYOR_DB_POOL_SIZE", defaultPoolSize));
            }
            case "dataapi" -> new DataApiJobStore(
                    rdsData(config),
                    config.required("CONVEYOR_DB_CLUSTER_ARN"),
                    config.required("CONVEYOR_DB_SECRET_ARN"),
                    config.required("CONVEYOR_DB_NAME"));
            default -> throw new IllegalStateException("CONVEYOR_STORE must be jdbc or dataapi, not " + kind);
        };
    }

    /**
     * Applies the schema's migrations to the database the environment names, through the same store kind the
     * functions use: a deployment's step (see the migrate-schema function).
     *
     * @return the migration files applied now
     */
    public static List<String> migrate(Config config) {
        String kind = config.get("CONVEYOR_STORE", "jdbc");
        return switch (kind) {
            case "jdbc" -> {
                DatabaseCredentials credentials = DatabaseCredentials.from(config);
                yield JdbcMigrator.migrate(config.required("CONVEYOR_DB_URL"),
                        JdbcJobStore.connectionProperties(credentials.user(), credentials.password()));
            }
            case "dataapi" -> {
                try (RdsDataClient client = rdsData(config)) {
                    yield DataApiMigrator.migrate(client, config.required("CONVEYOR_DB_CLUSTER_ARN"),
                            config.required("CONVEYOR_DB_SECRET_ARN"), config.required("CONVEYOR_DB_NAME"));
                }
            }
            default -> throw new IllegalStateException("CONVEYOR_STORE must be jdbc or dataapi, not " + kind);
        };
    }

    /** A Data API client that does not retry: see {@link DataApiJobStore} for why. */
    public static RdsDataClient rdsData(Config config) {
        return configure(RdsDataClient.builder(), config, "RDS_DATA")
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build();
    }

    public static JobQueue queue(Config config) {
        return new SqsJobQueue(sqs(config), config.required("CONVEYOR_QUEUE_URL"), config.get("CONVEYOR_DLQ_URL"));
    }

    /** The functions' SQS client: see {@link AwsJsonClient} for why it is not the AWS SDK's. */
    public static AwsJsonClient sqs(Config config) {
        return AwsJsonClient.of(AwsJsonClient.Service.SQS, config);
    }

    /** Region, credentials, endpoint and the light HTTP client for an AWS SDK client (the Data API's). */
    public static <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C> B configure(
            B builder, Config config, String service) {
        builder.region(Region.of(config.required("AWS_REGION")))
                .credentialsProvider(credentials(config))
                .httpClientBuilder(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(2))
                        .socketTimeout(Duration.ofSeconds(25)));
        String endpoint = config.get("AWS_ENDPOINT_URL_" + service, config.get("AWS_ENDPOINT_URL"));
        if (endpoint != null) {
            builder.endpointOverride(URI.create(endpoint));
        }
        return builder;
    }

    /**
     * The credentials Lambda gives the function: as variables, or, with SnapStart (where variables would be stale
     * in a restored snapshot), through the container credentials endpoint, refreshed as they expire.
     */
    private static AwsCredentialsProvider credentials(Config config) {
        if (config.get("AWS_CONTAINER_CREDENTIALS_FULL_URI") != null) {
            return ContainerCredentialsProvider.builder().build();
        }
        String key = config.get("AWS_ACCESS_KEY_ID");
        String secret = config.get("AWS_SECRET_ACCESS_KEY");
        if (key == null || secret == null) {
            throw new IllegalStateException("no AWS credentials: neither AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
                    + "nor AWS_CONTAINER_CREDENTIALS_FULL_URI is set");
        }
        String token = config.get("AWS_SESSION_TOKEN");
        return StaticCredentialsProvider.create(token == null ? AwsBasicCredentials.create(key, secret)
                : AwsSessionCredentials.create(key, secret, token));
    }

    public static RetryPolicy retryPolicy(Config config) {
        Duration cap = config.seconds("CONVEYOR_RETRY_DELAY_CAP_SECONDS", ExponentialBackoff.DEFAULT_CAP);
        return new ExponentialBackoff(cap, () -> ThreadLocalRandom.current().nextDouble());
    }
}

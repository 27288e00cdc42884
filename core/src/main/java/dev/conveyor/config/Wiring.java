package dev.conveyor.config;

import dev.conveyor.api.Access;
import dev.conveyor.api.JobRequests;
import dev.conveyor.api.JobsApi;
import dev.conveyor.aws.AwsClients;
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
import dev.conveyor.store.jdbc.LoginSource;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ThreadLocalRandom;
import software.amazon.awssdk.services.rdsdata.RdsDataClient;

/**
 * Builds Conveyor's collaborators from a function's environment, once per cold start. The AWS clients are the
 * SDK's, built by {@link AwsClients} with everything given explicitly.
 *
 * <p>Variables: {@code CONVEYOR_STORE} ({@code jdbc} or {@code dataapi}); for {@code jdbc},
 * {@code CONVEYOR_DB_URL}, {@code CONVEYOR_DB_SECRET_ARN} (or {@code CONVEYOR_DB_USER} and
 * {@code CONVEYOR_DB_PASSWORD}), {@code CONVEYOR_DB_POOL_SIZE}; for {@code dataapi}, {@code CONVEYOR_DB_CLUSTER_ARN},
 * {@code CONVEYOR_DB_SECRET_ARN}, {@code CONVEYOR_DB_NAME}; {@code CONVEYOR_QUEUE_URL}, {@code CONVEYOR_DLQ_URL},
 * {@code CONVEYOR_CONSUMER_TIMEOUT_SECONDS}, {@code CONVEYOR_RETRY_DELAY_CAP_SECONDS},
 * {@code CONVEYOR_LEASE_GRACE_SECONDS}, {@code CONVEYOR_STALL_SECONDS}, {@code CONVEYOR_MAX_RECEIVE_COUNT},
 * {@code CONVEYOR_LOG_LEVEL}, {@code CONVEYOR_DEMO_JOB_TYPES}; those Lambda sets: {@code AWS_REGION} and
 * either {@code AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY}, {@code AWS_SESSION_TOKEN} or, with SnapStart,
 * {@code AWS_CONTAINER_CREDENTIALS_FULL_URI} and {@code AWS_CONTAINER_AUTHORIZATION_TOKEN}; and, to reach local
 * stand-ins, {@code AWS_ENDPOINT_URL_SQS}, {@code AWS_ENDPOINT_URL_SECRETS_MANAGER},
 * {@code AWS_ENDPOINT_URL_RDS_DATA} or {@code AWS_ENDPOINT_URL}.
 */
public final class Wiring {
    /** The consumer function's timeout unless the environment says otherwise, as template.yaml's default. */
    public static final double DEFAULT_CONSUMER_TIMEOUT_SECONDS = 60;
    /** What a job's own timeout leaves of the consumer's: time to record the outcome and answer the batch. */
    public static final double CONSUMER_MARGIN_SECONDS = 5;

    /** The stores built here, to reconnect after a SnapStart restore; held weakly, as tests build many. */
    private static final Set<JobStore> STORES = Collections.synchronizedSet(
            Collections.newSetFromMap(new WeakHashMap<>()));

    private Wiring() {
    }

    /**
     * After a SnapStart restore: fresh AWS credentials for the next call, and every store built here drops its
     * idle connections and reads its database secret again (the snapshot may be days old, the password rotated).
     */
    public static void afterRestore() {
        AwsClients.afterRestore();
        List<JobStore> stores;
        synchronized (STORES) {
            stores = List.copyOf(STORES);
        }
        stores.forEach(JobStore::reconnect);
    }

    /** The API behind the submit-job and get-job functions. */
    public static JobsApi jobsApi(Config config) {
        return jobsApi(config, store(config, 1), queue(config));
    }

    /** The API on a store and a queue the caller shares with other collaborators. */
    public static JobsApi jobsApi(Config config, JobStore store, JobQueue queue) {
        Clock clock = MicrosecondClock.systemUtc();
        JobRequests requests = new JobRequests(handlers(config),
                config.number("CONVEYOR_CONSUMER_TIMEOUT_SECONDS", DEFAULT_CONSUMER_TIMEOUT_SECONDS)
                        - CONSUMER_MARGIN_SECONDS, store.maxJsonBytes());
        return new JobsApi(store, new Dispatcher(queue, clock), requests, clock);
    }

    /**
     * The job types this function knows: every handler on its classpath, less the demonstration types
     * ({@code echo}, {@code sleep}, {@code fail}) when {@code CONVEYOR_DEMO_JOB_TYPES} is {@code Disabled}
     * (template.yaml's DemoJobTypes; {@code Enabled} by default).
     */
    public static HandlerRegistry handlers(Config config) {
        String demo = config.get("CONVEYOR_DEMO_JOB_TYPES", "Enabled");
        if (!demo.equalsIgnoreCase("Enabled") && !demo.equalsIgnoreCase("Disabled")) {
            throw new IllegalStateException("CONVEYOR_DEMO_JOB_TYPES must be Enabled or Disabled, not " + demo);
        }
        return HandlerRegistry.load(demo.equalsIgnoreCase("Enabled"));
    }

    /** Which API keys are read-only: the ids in {@code CONVEYOR_READ_ONLY_API_KEY_IDS}, comma-separated. */
    public static Access access(Config config) {
        return Access.readOnlyKeyIds(config.get("CONVEYOR_READ_ONLY_API_KEY_IDS"));
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
        return new JobProcessor(store, queue, handlers(config), retryPolicy(config),
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
                new SqsJobQueue(AwsClients.sqs(config), config.required("CONVEYOR_DLQ_URL"), null),
                MicrosecondClock.systemUtc(), config.integer("CONVEYOR_MAX_RECEIVE_COUNT", 30));
    }

    /** The job store the environment names: {@code jdbc} (the default) or {@code dataapi}. */
    public static JobStore store(Config config, int defaultPoolSize) {
        JobStore store = newStore(config, defaultPoolSize);
        STORES.add(store);
        return store;
    }

    private static JobStore newStore(Config config, int defaultPoolSize) {
        String kind = config.get("CONVEYOR_STORE", "jdbc");
        return switch (kind) {
            case "jdbc" -> JdbcJobStore.connect(
                    config.required("CONVEYOR_DB_URL"),
                    DatabaseLogin.from(config),
                    config.integer("CONVEYOR_DB_POOL_SIZE", defaultPoolSize));
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
                LoginSource.Login login = DatabaseLogin.from(config).login();
                yield JdbcMigrator.migrate(config.required("CONVEYOR_DB_URL"),
                        JdbcJobStore.connectionProperties(login.user(), login.password()));
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
        return AwsClients.rdsData(config);
    }

    public static JobQueue queue(Config config) {
        return new SqsJobQueue(AwsClients.sqs(config), config.required("CONVEYOR_QUEUE_URL"),
                config.get("CONVEYOR_DLQ_URL"));
    }

    public static RetryPolicy retryPolicy(Config config) {
        Duration cap = config.seconds("CONVEYOR_RETRY_DELAY_CAP_SECONDS", ExponentialBackoff.DEFAULT_CAP);
        return new ExponentialBackoff(cap, () -> ThreadLocalRandom.current().nextDouble());
    }
}

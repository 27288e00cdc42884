package dev.conveyor.aws;

import dev.conveyor.config.Config;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.rdsdata.RdsDataClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The functions' AWS SDK clients, built once per execution environment with everything given and nothing
 * discovered at call time: the region from {@code AWS_REGION}, the credentials Lambda provides (see
 * {@link #credentials}), the URL-connection HTTP client, and an endpoint override ({@code AWS_ENDPOINT_URL_<SERVICE>}
 * or {@code AWS_ENDPOINT_URL}) to reach a local stand-in. Each call's time is bounded by {@link CallDeadline}.
 */
public final class AwsClients {
    /** Opening a connection to an AWS endpoint in the same region: far longer means it is not coming. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    /** A socket read without a byte for this long: the connection is dead (the call's own bound is shorter). */
    static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(10);
    /**
     * The timer every client's call timeouts run on. Left to itself, each SDK client starts a scheduler of its
     * own, with threads that live as long as the JVM: a Lambda environment builds three clients, and the local
     * runtime, which hosts every environment in one JVM and replaces one after each crash, built hundreds.
     */
    private static final ScheduledExecutorService TIMER = Executors.newScheduledThreadPool(1, task -> {
        Thread thread = new Thread(task, "conveyor-aws-timer");
        thread.setDaemon(true);
        return thread;
    });

    private AwsClients() {
    }

    public static SqsClient sqs(Config config) {
        return configure(SqsClient.builder(), config, "SQS").build();
    }

    public static SecretsManagerClient secretsManager(Config config) {
        return configure(SecretsManagerClient.builder(), config, "SECRETS_MANAGER").build();
    }

    /** A Data API client that does not retry: see {@code DataApiJobStore} for why. */
    public static RdsDataClient rdsData(Config config) {
        return configure(RdsDataClient.builder(), config, "RDS_DATA")
                .overrideConfiguration(o -> o.scheduledExecutorService(TIMER)
                        .retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build();
    }

    /** Region, credentials, endpoint and the light HTTP client for any SDK client. */
    public static <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C> B configure(
            B builder, Config config, String service) {
        builder.region(Region.of(config.required("AWS_REGION")))
                .overrideConfiguration(o -> o.scheduledExecutorService(TIMER))
                .credentialsProvider(credentials(config))
                .httpClientBuilder(UrlConnectionHttpClient.builder()
                        .connectionTimeout(CONNECT_TIMEOUT)
                        .socketTimeout(SOCKET_TIMEOUT));
        String endpoint = config.get("AWS_ENDPOINT_URL_" + service, config.get("AWS_ENDPOINT_URL"));
        if (endpoint != null) {
            builder.endpointOverride(URI.create(endpoint));
        }
        return builder;
    }

    /**
     * The credentials Lambda gives the function: with SnapStart (or wherever Lambda sets
     * {@code AWS_CONTAINER_CREDENTIALS_FULL_URI}), from the container credentials endpoint, refreshed before they
     * expire and fetched anew after a restore ({@link RestorableCredentials}); otherwise the variables, which hold
     * for the life of the execution environment.
     */
    public static AwsCredentialsProvider credentials(Config config) {
        if (config.get("AWS_CONTAINER_CREDENTIALS_FULL_URI") != null) {
            return RestorableCredentials.INSTANCE;
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

    /** After a SnapStart restore: the next call fetches fresh credentials, whatever the snapshot held. */
    public static void afterRestore() {
        RestorableCredentials.INSTANCE.reset();
    }

    /**
     * The container credentials provider, replaced by a new one on {@link #reset()}: a restored snapshot may be
     * hours old, and the credentials it cached belong to the environment that took it.
     */
    static final class RestorableCredentials implements AwsCredentialsProvider {
        static final RestorableCredentials INSTANCE = new RestorableCredentials();

        private volatile ContainerCredentialsProvider delegate = ContainerCredentialsProvider.builder().build();

        @Override
        public AwsCredentials resolveCredentials() {
            return delegate.resolveCredentials();
        }

        void reset() {
            ContainerCredentialsProvider old = delegate;
            delegate = ContainerCredentialsProvider.builder().build();
            old.close();
        }
    }
}

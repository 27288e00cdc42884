package dev.conveyor.handler.http;

import dev.conveyor.aws.AwsClients;
import dev.conveyor.config.Config;
import dev.conveyor.handler.PermanentJobFailure;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * Where the key that signs {@code http} jobs' requests comes from: the Secrets Manager secret at
 * {@code CONVEYOR_HTTP_SIGNING_SECRET_ARN}, read at the first request (the submit function, which loads every
 * handler, never reads it) and again after {@link #REFRESH}, so that a new value is in use within minutes.
 */
public abstract class SigningSecret {
    public static final String ARN_VARIABLE = "CONVEYOR_HTTP_SIGNING_SECRET_ARN";
    static final Duration REFRESH = Duration.ofMinutes(5);

    /** The key to sign with now. */
    abstract byte[] key() throws PermanentJobFailure;

    /** A fixed secret ({@code whsec_...}), for tests. */
    public static SigningSecret fixed(String secret) {
        byte[] key = WebhookSignature.key(secret);
        return new SigningSecret() {
            @Override
            byte[] key() {
                return key.clone();
            }
        };
    }

    /** The secret the environment names, or one that fails every request when it names none. */
    public static SigningSecret from(Config config) {
        String arn = config.get(ARN_VARIABLE);
        if (arn == null) {
            return new SigningSecret() {
                @Override
                byte[] key() throws PermanentJobFailure {
                    throw new PermanentJobFailure("http jobs are signed, and this deployment has no signing secret ("
                            + ARN_VARIABLE + " is not set on the process-job function)");
                }
            };
        }
        return new FromSecretsManager(config, arn, Clock.systemUTC());
    }

    private static final class FromSecretsManager extends SigningSecret {
        private final Config config;
        private final String arn;
        private final Clock clock;
        private SecretsManagerClient client;
        private byte[] key;
        private Instant readAt;

        FromSecretsManager(Config config, String arn, Clock clock) {
            this.config = config;
            this.arn = arn;
            this.clock = clock;
        }

        @Override
        synchronized byte[] key() throws PermanentJobFailure {
            Instant now = clock.instant();
            if (key == null || !now.isBefore(readAt.plus(REFRESH))) {
                if (client == null) {
                    client = AwsClients.secretsManager(config);
                }
                String value = client.getSecretValue(b -> b.secretId(arn)).secretString();
                try {
                    key = WebhookSignature.key(value == null ? "" : value);
                } catch (IllegalArgumentException e) {
                    throw new PermanentJobFailure(e.getMessage() + " (secret " + arn + ")");
                }
                readAt = now;
            }
            return key.clone();
        }
    }
}

package dev.conveyor.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.aws.AwsClients;
import dev.conveyor.aws.CallDeadline;
import dev.conveyor.json.Json;
import dev.conveyor.log.Log;
import dev.conveyor.store.StoreException;
import dev.conveyor.store.jdbc.LoginSource;
import java.util.Objects;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * The user and password a JDBC store connects with: given directly ({@code CONVEYOR_DB_USER} and
 * {@code CONVEYOR_DB_PASSWORD}, for a database without a secret), else read from the Secrets Manager secret at
 * {@code CONVEYOR_DB_SECRET_ARN}, whose JSON holds {@code username} and {@code password} as RDS writes it: once in
 * the init, and again whenever the database refuses the login (a rotated password) or a SnapStart snapshot is
 * restored. The template never puts a password in a function's environment.
 */
final class DatabaseLogin implements LoginSource {
    private static final Log LOG = Log.of(DatabaseLogin.class);

    private final SecretsManagerClient secrets;
    private final String secretArn;
    private volatile Login login;

    private DatabaseLogin(SecretsManagerClient secrets, String secretArn) {
        this.secrets = secrets;
        this.secretArn = secretArn;
        this.login = read();
    }

    static LoginSource from(Config config) {
        String user = config.get("CONVEYOR_DB_USER");
        if (user != null) {
            return LoginSource.fixed(user, config.get("CONVEYOR_DB_PASSWORD"));
        }
        String secretArn = config.get("CONVEYOR_DB_SECRET_ARN");
        if (secretArn == null || secretArn.isEmpty()) {
            throw new IllegalStateException("the database credentials: set CONVEYOR_DB_SECRET_ARN (or "
                    + "CONVEYOR_DB_USER and CONVEYOR_DB_PASSWORD)");
        }
        return new DatabaseLogin(AwsClients.secretsManager(config), secretArn);
    }

    @Override
    public Login login() {
        return login;
    }

    /** Reads the secret again; at most one reader at a time, the others take what it read. */
    @Override
    public synchronized boolean reread() {
        Login before = login;
        Login now = read();
        login = now;
        boolean changed = !Objects.equals(before, now);
        LOG.info("read the database secret again", "secret", secretArn, "changed", changed);
        return changed;
    }

    private Login read() {
        String secret;
        try {
            secret = secrets.getSecretValue(b -> b.secretId(secretArn).overrideConfiguration(CallDeadline::bound))
                    .secretString();
        } catch (SdkException e) {
            String code = e instanceof AwsServiceException service ? service.awsErrorDetails().errorCode() + ": " : "";
            throw new StoreException("cannot read the database secret " + secretArn + ": " + code + e.getMessage(), e);
        }
        return parse(secretArn, secret);
    }

    /** The secret's {@code username} and {@code password}; never echoes the secret in an error. */
    static Login parse(String secretArn, String secret) {
        JsonNode node;
        try {
            node = secret == null ? null : Json.parse(secret);
        } catch (RuntimeException e) {
            node = null;
        }
        if (node == null || !node.path("username").isTextual() || !node.path("password").isTextual()) {
            throw new IllegalStateException("the database secret " + secretArn
                    + " must be JSON with string fields username and password, as RDS writes it");
        }
        return new Login(node.get("username").asText(), node.get("password").asText());
    }
}

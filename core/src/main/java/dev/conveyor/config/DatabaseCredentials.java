package dev.conveyor.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.aws.AwsException;
import dev.conveyor.aws.AwsJsonClient;
import dev.conveyor.json.Json;
import dev.conveyor.store.StoreException;

/**
 * The user and password a JDBC store connects with: given directly ({@code CONVEYOR_DB_USER} and
 * {@code CONVEYOR_DB_PASSWORD}, as the local runtime gives them), else read once per cold start from the Secrets
 * Manager secret at {@code CONVEYOR_DB_SECRET_ARN}, whose JSON holds {@code username} and {@code password} as RDS
 * writes it. The template never puts a password in a function's environment.
 */
record DatabaseCredentials(String user, String password) {

    static DatabaseCredentials from(Config config) {
        String user = config.get("CONVEYOR_DB_USER");
        if (user != null) {
            return new DatabaseCredentials(user, config.get("CONVEYOR_DB_PASSWORD"));
        }
        String secretArn = config.get("CONVEYOR_DB_SECRET_ARN");
        if (secretArn == null || secretArn.isEmpty()) {
            throw new IllegalStateException("the database credentials: set CONVEYOR_DB_SECRET_ARN (or, locally, "
                    + "CONVEYOR_DB_USER and CONVEYOR_DB_PASSWORD)");
        }
        try {
            AwsJsonClient secrets = AwsJsonClient.of(AwsJsonClient.Service.SECRETS_MANAGER, config);
            return parse(secretArn, secrets.call("GetSecretValue", Json.object().put("SecretId", secretArn))
                    .path("SecretString").asText(null));
        } catch (AwsException e) {
            throw new StoreException("cannot read the database secret " + secretArn + ": " + e.getMessage(), e);
        }
    }

    /** The secret's {@code username} and {@code password}; never echoes the secret in an error. */
    static DatabaseCredentials parse(String secretArn, String secret) {
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
        return new DatabaseCredentials(node.get("username").asText(), node.get("password").asText());
    }

    @Override
    public String toString() {
        return "DatabaseCredentials[user=" + user + ", password=***]";
    }
}

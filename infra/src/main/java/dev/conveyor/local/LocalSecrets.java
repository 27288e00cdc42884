package dev.conveyor.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveyor.json.Json;
import dev.conveyor.local.LocalHttpServer.Answer;
import dev.conveyor.local.LocalHttpServer.Exchange;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * AWS Secrets Manager on {@code http://127.0.0.1:<port>}, for the secrets the local runtime makes: the JSON 1.1
 * protocol the AWS SDK's {@code SecretsManagerClient} speaks ({@code POST /} with
 * {@code X-Amz-Target: secretsmanager.<Operation>}), {@code GetSecretValue} and {@code PutSecretValue} (so that a
 * secret can be rotated, by a test or with {@code aws secretsmanager put-secret-value --endpoint-url ...}), with
 * AWS's error shape. A secret is found by its ARN or its name; only its current version is kept. Not emulated:
 * request signing, IAM, version stages other than {@code AWSCURRENT}, creation and deletion through the API.
 */
public final class LocalSecrets implements AutoCloseable {
    private static final int MAX_REQUEST_BYTES = 1024 * 1024;

    private record Secret(String arn, String name, String value, String versionId, Instant created) {
    }

    private final Map<String, Secret> secrets = new ConcurrentHashMap<>();
    private volatile LocalHttpServer server;

    private LocalSecrets() {
    }

    /** Starts the endpoint on {@code port} of 127.0.0.1, 0 for a free one. */
    public static LocalSecrets start(int port) {
        LocalSecrets secrets = new LocalSecrets();
        secrets.server = LocalHttpServer.start("secrets-manager", port, 8, MAX_REQUEST_BYTES, secrets::handle);
        return secrets;
    }

    public String endpoint() {
        return "http://127.0.0.1:" + server.port();
    }

    /** Stores {@code value} as the secret's current version, creating the secret if it is new. */
    public void put(String arn, String value) {
        String name = arn.substring(arn.lastIndexOf(':') + 1);
        secrets.put(arn, new Secret(arn, name, value, UUID.randomUUID().toString(), Instant.now()));
    }

    private Answer handle(Exchange exchange) {
        String target = exchange.header("X-Amz-Target");
        if (!"POST".equals(exchange.method()) || target == null || !target.startsWith("secretsmanager.")) {
            return error(404, "UnknownOperationException", "not a Secrets Manager call");
        }
        JsonNode request;
        try {
            request = Json.parse(new String(exchange.body() == null ? new byte[0] : exchange.body(),
                    StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            return error(400, "SerializationException", "the request is not JSON");
        }
        String operation = target.substring("secretsmanager.".length());
        return switch (operation) {
            case "GetSecretValue" -> get(request);
            case "PutSecretValue" -> putValue(request);
            default -> error(400, "UnknownOperationException", "operation not supported locally: " + operation);
        };
    }

    private Answer get(JsonNode request) {
        Secret secret = find(request.path("SecretId").asText(""));
        if (secret == null) {
            return error(400, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.");
        }
        ObjectNode answer = Json.object()
                .put("ARN", secret.arn())
                .put("Name", secret.name())
                .put("VersionId", secret.versionId())
                .put("SecretString", secret.value())
                .put("CreatedDate", secret.created().toEpochMilli() / 1000.0);
        answer.putArray("VersionStages").add("AWSCURRENT");
        return json(200, answer);
    }

    private Answer putValue(JsonNode request) {
        Secret secret = find(request.path("SecretId").asText(""));
        if (secret == null) {
            return error(400, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.");
        }
        JsonNode value = request.get("SecretString");
        if (value == null || !value.isTextual()) {
            return error(400, "InvalidParameterException", "SecretString is required locally");
        }
        put(secret.arn(), value.asText());
        Secret now = secrets.get(secret.arn());
        ObjectNode answer = Json.object().put("ARN", now.arn()).put("Name", now.name())
                .put("VersionId", now.versionId());
        answer.putArray("VersionStages").add("AWSCURRENT");
        return json(200, answer);
    }

    private Secret find(String id) {
        Secret byArn = secrets.get(id);
        if (byArn != null) {
            return byArn;
        }
        return secrets.values().stream().filter(s -> s.name().equals(id)).findFirst().orElse(null);
    }

    private static Answer error(int status, String type, String message) {
        return json(status, Json.object().put("__type", type).put("message", message));
    }

    private static Answer json(int status, ObjectNode body) {
        return Answer.of(status, Map.of("Content-Type", "application/x-amz-json-1.1"),
                Json.write(body).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        server.close();
    }
}

package dev.conveyor.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conveyor.json.Json;
import dev.conveyor.store.StoreException;
import dev.conveyor.store.jdbc.LoginSource;
import dev.conveyor.testing.ScriptedHttpServer;
import dev.conveyor.testing.ScriptedHttpServer.Answer;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DatabaseLoginTest {
    private static final String ARN = "arn:aws:secretsmanager:us-east-1:000000000000:secret:conveyor-db-AbCdEf";

    @Test
    void aSecretAsRdsWritesItGivesTheUserAndPassword() {
        LoginSource.Login credentials = DatabaseLogin.parse(ARN,
                "{\"username\": \"conveyor\", \"password\": \"s3cr:t\\\"\", \"engine\": \"postgres\", \"port\": 5432}");
        assertEquals("conveyor", credentials.user());
        assertEquals("s3cr:t\"", credentials.password());
        assertFalse(credentials.toString().contains("s3cr"), "the password stays out of logs");
    }

    @Test
    void aSecretWithoutTheFieldsIsRefusedWithoutEchoingIt() {
        for (String secret : new String[] {"{\"username\": \"u\"}", "{\"username\": 1, \"password\": \"hunter2\"}",
                "hunter2", "", null}) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> DatabaseLogin.parse(ARN, secret));
            assertTrue(e.getMessage().contains(ARN), e.getMessage());
            assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
        }
    }

    @Test
    void directCredentialsWinAndNeitherIsAClearError() {
        LoginSource direct = DatabaseLogin.from(new Config(Map.of(
                "CONVEYOR_DB_USER", "local", "CONVEYOR_DB_PASSWORD", "", "CONVEYOR_DB_SECRET_ARN", ARN)::get));
        assertEquals("local", direct.login().user());
        IllegalStateException none = assertThrows(IllegalStateException.class,
                () -> DatabaseLogin.from(new Config(Map.<String, String>of()::get)));
        assertTrue(none.getMessage().contains("CONVEYOR_DB_SECRET_ARN"), none.getMessage());
    }

    /** A function's environment with Secrets Manager at {@code secretsManager}. */
    private static Config secretAt(ScriptedHttpServer secretsManager) {
        return new Config(Map.of("CONVEYOR_DB_SECRET_ARN", ARN, "AWS_REGION", "us-east-1",
                "AWS_ACCESS_KEY_ID", "ASIAEXAMPLE", "AWS_SECRET_ACCESS_KEY", "secret", "AWS_SESSION_TOKEN", "token",
                "AWS_ENDPOINT_URL_SECRETS_MANAGER", secretsManager.uri().toString())::get);
    }

    private static Answer secretValue(String secretString) {
        return new Answer(200, Map.of("Content-Type", "application/x-amz-json-1.1"), Json.write(Json.object()
                .put("ARN", ARN).put("Name", "conveyor-db").put("SecretString", secretString)
                .put("VersionId", "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111")));
    }

    @Test
    void theSecretIsReadWithGetSecretValue() {
        try (ScriptedHttpServer secretsManager = ScriptedHttpServer.answering(
                secretValue("{\"username\": \"conveyor\", \"password\": \"pa ss\", \"engine\": \"postgres\"}"))) {
            LoginSource.Login credentials = DatabaseLogin.from(secretAt(secretsManager)).login();

            assertEquals("conveyor", credentials.user());
            assertEquals("pa ss", credentials.password());
            assertEquals(1, secretsManager.requests().size());
            ScriptedHttpServer.Received request = secretsManager.requests().get(0);
            assertEquals("secretsmanager.GetSecretValue", request.header("X-Amz-Target"));
            assertEquals("application/x-amz-json-1.1", request.header("Content-Type"));
            assertEquals(Json.object().put("SecretId", ARN), Json.parse(request.text()));
            assertTrue(request.header("Authorization").contains("/us-east-1/secretsmanager/aws4_request,"),
                    request.header("Authorization"));
        }
    }

    @Test
    void aSecretThatIsNotThereIsAStoreExceptionNamingIt() {
        try (ScriptedHttpServer secretsManager = ScriptedHttpServer.answering(new Answer(400,
                Map.of("Content-Type", "application/x-amz-json-1.1"),
                "{\"__type\":\"ResourceNotFoundException\",\"Message\":\"Secrets Manager can't find the specified "
                        + "secret.\"}"))) {
            StoreException e = assertThrows(StoreException.class,
                    () -> DatabaseLogin.from(secretAt(secretsManager)));

            assertTrue(e.getMessage().contains(ARN), e.getMessage());
            assertTrue(e.getMessage().contains("ResourceNotFoundException"), e.getMessage());
            assertEquals(1, secretsManager.requests().size(), "not a failure to try again");
        }
    }

    @Test
    void aSecretWithoutThePasswordIsRefusedWithoutEchoingIt() {
        try (ScriptedHttpServer secretsManager = ScriptedHttpServer.answering(
                secretValue("{\"username\": \"conveyor\", \"pass\": \"hunter2\"}"))) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> DatabaseLogin.from(secretAt(secretsManager)));

            assertTrue(e.getMessage().contains(ARN), e.getMessage());
            assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
        }
    }
}

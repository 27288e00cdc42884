package dev.conveyor.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class DatabaseCredentialsTest {
    private static final String ARN = "arn:aws:secretsmanager:us-east-1:000000000000:secret:conveyor-db-AbCdEf";

    @Test
    void aSecretAsRdsWritesItGivesTheUserAndPassword() {
        DatabaseCredentials credentials = DatabaseCredentials.parse(ARN,
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
                    () -> DatabaseCredentials.parse(ARN, secret));
            assertTrue(e.getMessage().contains(ARN), e.getMessage());
            assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
        }
    }

    @Test
    void directCredentialsWinAndNeitherIsAClearError() {
        DatabaseCredentials direct = DatabaseCredentials.from(new Config(Map.of(
                "CONVEYOR_DB_USER", "local", "CONVEYOR_DB_PASSWORD", "", "CONVEYOR_DB_SECRET_ARN", ARN)::get));
        assertEquals("local", direct.user());
        IllegalStateException none = assertThrows(IllegalStateException.class,
                () -> DatabaseCredentials.from(new Config(Map.<String, String>of()::get)));
        assertTrue(none.getMessage().contains("CONVEYOR_DB_SECRET_ARN"), none.getMessage());
    }
}

package dev.conveyor.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conveyor.config.Config;
import dev.conveyor.testing.ScriptedHttpServer;
import dev.conveyor.testing.ScriptedHttpServer.Answer;
import dev.conveyor.testing.SettableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CredentialsSourceTest {
    private static final Instant NOW = Instant.parse("2026-11-23T16:00:00Z");

    private static CredentialsSource from(Map<String, String> env) {
        return CredentialsSource.from(new Config(env::get));
    }

    /** What Lambda's container credentials endpoint answers. */
    private static Answer credentials(String accessKeyId, String secret, String token, Instant expiration) {
        return new Answer(200, Map.of("Content-Type", "application/json"), "{\"AccessKeyId\":\"" + accessKeyId
                + "\",\"SecretAccessKey\":\"" + secret + "\",\"Token\":\"" + token + "\",\"Expiration\":\""
                + expiration + "\"}");
    }

    @Test
    void variablesWithoutASessionToken() {
        AwsCredentials credentials = from(Map.of("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE",
                "AWS_SECRET_ACCESS_KEY", "secret")).get();

        assertEquals(new AwsCredentials("AKIDEXAMPLE", "secret", null), credentials);
    }

    @Test
    void variablesWithASessionToken() {
        AwsCredentials credentials = from(Map.of("AWS_ACCESS_KEY_ID", "ASIAEXAMPLE",
                "AWS_SECRET_ACCESS_KEY", "secret", "AWS_SESSION_TOKEN", "token")).get();

        assertEquals(new AwsCredentials("ASIAEXAMPLE", "secret", "token"), credentials);
    }

    @Test
    void neitherVariablesNorAnEndpointIsAClearError() {
        for (Map<String, String> env : List.of(Map.<String, String>of(),
                Map.of("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"), Map.of("AWS_SECRET_ACCESS_KEY", "s3cr3t-value"))) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> from(env));
            assertTrue(e.getMessage().contains("AWS_ACCESS_KEY_ID"), e.getMessage());
            assertTrue(e.getMessage().contains("AWS_CONTAINER_CREDENTIALS_FULL_URI"), e.getMessage());
            assertFalse(e.getMessage().contains("s3cr3t-value"), e.getMessage());
        }
    }

    @Test
    void theContainerEndpointIsAskedWithItsTokenAndWinsOverVariables() {
        try (ScriptedHttpServer endpoint = ScriptedHttpServer.answering(credentials("ASIAFROMENDPOINT",
                "endpoint-secret", "endpoint-token", Instant.now().plus(Duration.ofHours(6))))) {
            CredentialsSource source = from(Map.of(
                    "AWS_CONTAINER_CREDENTIALS_FULL_URI", endpoint.uri() + "2021-01-01/credentials",
                    "AWS_CONTAINER_AUTHORIZATION_TOKEN", "authorization-token",
                    "AWS_ACCESS_KEY_ID", "AKIDSTALE", "AWS_SECRET_ACCESS_KEY", "stale"));
            assertEquals(0, endpoint.requests().size(), "fetched when first needed");

            assertEquals(new AwsCredentials("ASIAFROMENDPOINT", "endpoint-secret", "endpoint-token"), source.get());
            assertEquals(new AwsCredentials("ASIAFROMENDPOINT", "endpoint-secret", "endpoint-token"), source.get());

            assertEquals(1, endpoint.requests().size(), "hours before they expire, once is enough");
            ScriptedHttpServer.Received request = endpoint.requests().get(0);
            assertEquals("GET", request.method());
            assertEquals("/2021-01-01/credentials", request.path());
            assertEquals("authorization-token", request.header("Authorization"));
        }
    }

    @Test
    void fetchedAgainFiveMinutesBeforeTheyExpireAndNotBefore() {
        SettableClock clock = new SettableClock(NOW);
        Instant firstExpiry = NOW.plus(Duration.ofHours(1));
        try (ScriptedHttpServer endpoint = ScriptedHttpServer.answering(
                credentials("ASIA1", "secret1", "token1", firstExpiry),
                credentials("ASIA2", "secret2", "token2", firstExpiry.plus(Duration.ofHours(1))))) {
            CredentialsSource source = new CredentialsSource.Container(endpoint.uri(), "t", clock);

            assertEquals("ASIA1", source.get().accessKeyId());
            clock.set(firstExpiry.minus(Duration.ofMinutes(5)).minusMillis(1));
            assertEquals("ASIA1", source.get().accessKeyId());
            assertEquals(1, endpoint.requests().size(), "not yet");

            clock.set(firstExpiry.minus(Duration.ofMinutes(5)));
            assertEquals(new AwsCredentials("ASIA2", "secret2", "token2"), source.get());
            assertEquals(2, endpoint.requests().size());

            clock.advance(Duration.ofMinutes(30));
            assertEquals("ASIA2", source.get().accessKeyId());
            assertEquals(2, endpoint.requests().size(), "the new ones hold for another hour");
        }
    }

    @Test
    void anEndpointThatFailsIsAnAwsException() {
        try (ScriptedHttpServer endpoint = ScriptedHttpServer.answering(
                new Answer(500, Map.of("Content-Type", "application/json"), "{\"message\":\"unavailable\"}"))) {
            CredentialsSource source = new CredentialsSource.Container(endpoint.uri(), "t", new SettableClock(NOW));

            AwsException e = assertThrows(AwsException.class, source::get);

            assertEquals(500, e.status());
            assertTrue(e.retryable());
        }
    }

    @Test
    void aFailedRefreshKeepsTheCredentialsWhileTheyHold() {
        SettableClock clock = new SettableClock(NOW);
        Instant expiry = NOW.plus(Duration.ofHours(1));
        Answer unavailable = new Answer(500, Map.of(), "");
        try (ScriptedHttpServer endpoint = ScriptedHttpServer.answering(credentials("ASIA1", "secret1", "token1",
                expiry), unavailable, credentials("ASIA2", "secret2", "token2", expiry.plus(Duration.ofHours(1))))) {
            CredentialsSource source = new CredentialsSource.Container(endpoint.uri(), "t", clock);
            source.get();

            clock.set(expiry.minus(Duration.ofMinutes(2)));
            assertEquals("ASIA1", source.get().accessKeyId(), "still good for two minutes");
            assertEquals(2, endpoint.requests().size());
            assertEquals("ASIA2", source.get().accessKeyId(), "asked again on the next call");
        }
    }

    @Test
    void aFailedRefreshOnceTheyHaveExpiredFails() {
        SettableClock clock = new SettableClock(NOW);
        Instant expiry = NOW.plus(Duration.ofHours(1));
        try (ScriptedHttpServer endpoint = ScriptedHttpServer.answering(
                credentials("ASIA1", "secret1", "token1", expiry), new Answer(500, Map.of(), ""))) {
            CredentialsSource source = new CredentialsSource.Container(endpoint.uri(), "t", clock);
            source.get();

            clock.set(expiry);
            assertEquals(500, assertThrows(AwsException.class, source::get).status());
        }
    }

    @Test
    void credentialsNeverShowTheSecretOrTheToken() {
        String shown = new AwsCredentials("ASIAEXAMPLE", "the-secret-key", "the-session-token").toString();

        assertTrue(shown.contains("ASIAEXAMPLE"), shown);
        assertFalse(shown.contains("the-secret-key"), shown);
        assertFalse(shown.contains("the-session-token"), shown);
    }
}

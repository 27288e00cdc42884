package dev.conveyor.aws;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.config.Config;
import dev.conveyor.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * The credentials Lambda gives a function: as variables ({@code AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY},
 * {@code AWS_SESSION_TOKEN}), or, with SnapStart, where variables read at the snapshot would be stale after a
 * restore, from the container credentials endpoint ({@code AWS_CONTAINER_CREDENTIALS_FULL_URI} with
 * {@code AWS_CONTAINER_AUTHORIZATION_TOKEN}), fetched when first needed and again before they expire.
 */
public interface CredentialsSource {
    AwsCredentials get();

    /** The endpoint when Lambda gives one, else the variables; fails now if there are neither. */
    static CredentialsSource from(Config config) {
        String uri = config.get("AWS_CONTAINER_CREDENTIALS_FULL_URI");
        if (uri != null && !uri.isEmpty()) {
            return new Container(URI.create(uri), config.get("AWS_CONTAINER_AUTHORIZATION_TOKEN"), Clock.systemUTC());
        }
        String key = config.get("AWS_ACCESS_KEY_ID");
        String secret = config.get("AWS_SECRET_ACCESS_KEY");
        if (key == null || secret == null) {
            throw new IllegalStateException("no AWS credentials: neither AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
                    + "nor AWS_CONTAINER_CREDENTIALS_FULL_URI is set");
        }
        AwsCredentials credentials = new AwsCredentials(key, secret, config.get("AWS_SESSION_TOKEN"));
        return () -> credentials;
    }

    /** Credentials from an HTTP endpoint answering {@code AccessKeyId}, {@code SecretAccessKey}, {@code Token}. */
    final class Container implements CredentialsSource {
        /** Fetched again this long before they expire. */
        static final Duration REFRESH_BEFORE = Duration.ofMinutes(5);

        private final URI uri;
        private final String token;
        private final Clock clock;
        private AwsCredentials current;
        private Instant expires = Instant.MIN;

        Container(URI uri, String token, Clock clock) {
            this.uri = uri;
            this.token = token;
            this.clock = clock;
        }

        /**
         * The credentials, fetched again from {@link #REFRESH_BEFORE} before they expire; while they still hold, a
         * fetch that fails keeps them, to be tried again on the next call.
         */
        @Override
        public synchronized AwsCredentials get() {
            Instant now = clock.instant();
            if (current == null || !now.isBefore(expires.minus(REFRESH_BEFORE))) {
                try {
                    fetch();
                } catch (AwsException e) {
                    if (current == null || !now.isBefore(expires)) {
                        throw e;
                    }
                }
            }
            return current;
        }

        private void fetch() {
            try {
                HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
                connection.setConnectTimeout(2000);
                connection.setReadTimeout(5000);
                if (token != null && !token.isEmpty()) {
                    connection.setRequestProperty("Authorization", token);
                }
                int status = connection.getResponseCode();
                String body;
                try (InputStream in = status < 400 ? connection.getInputStream() : connection.getErrorStream()) {
                    body = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
                if (status != 200) {
                    throw new AwsException("the container credentials endpoint answered " + status, status, null,
                            true);
                }
                JsonNode node = Json.parse(body);
                AwsCredentials fetched = new AwsCredentials(node.path("AccessKeyId").asText(null),
                        node.path("SecretAccessKey").asText(null), node.path("Token").asText(null));
                String expiration = node.path("Expiration").asText(null);
                expires = expiration == null ? Instant.MAX : Instant.parse(expiration);
                current = fetched;
            } catch (IOException | RuntimeException e) {
                if (e instanceof AwsException aws) {
                    throw aws;
                }
                throw new AwsException("cannot read credentials from the container endpoint: " + e.getMessage(), 0,
                        null, true, e);
            }
        }
    }
}

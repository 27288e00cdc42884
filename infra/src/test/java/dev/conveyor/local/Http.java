package dev.conveyor.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/** A plain HTTP client for tests that talk to the local runtime as a user would. */
final class Http {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final String apiKey;

    /** A client that sends no API key. */
    Http(String base) {
        this(base, null);
    }

    /** A client that sends {@code apiKey} as {@code x-api-key} on every request that does not name its own. */
    Http(String base, String apiKey) {
        this.base = base;
        this.apiKey = apiKey;
    }

    /** The URL the paths are relative to. */
    String base() {
        return base;
    }

    /** The same client without the API key. */
    Http withoutKey() {
        return new Http(base, null);
    }

    record Response(int status, java.net.http.HttpHeaders headers, String text) {
        JsonNode json() {
            try {
                return JSON.readTree(text);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + text, e);
            }
        }

        Optional<String> header(String name) {
            return headers.firstValue(name);
        }

        @Override
        public String toString() {
            return status + " " + text;
        }
    }

    Response post(String path, String contentType, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        return send(request.build());
    }

    Response postJson(String path, String body) {
        return post(path, "application/json", body);
    }

    Response get(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30)).GET().build());
    }

    Response send(HttpRequest request) {
        if (apiKey != null && request.headers().firstValue("x-api-key").isEmpty()) {
            request = HttpRequest.newBuilder(request, (name, value) -> true).header("x-api-key", apiKey).build();
        }
        try {
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response.headers(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

package dev.conveyor.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** Conveyor's HTTP API as a client sees it: one HTTP/1.1 client, its connections shared by the bench's threads. */
final class Api {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final String base;
    private final String apiKey;
    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    Api(String base, String apiKey) {
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        this.apiKey = apiKey;
    }

    String base() {
        return base;
    }

    /** The key sent as {@code x-api-key}; null: none. */
    String apiKey() {
        return apiKey;
    }

    record Response(int status, String body) {
        JsonNode json() {
            return Json.parse(body);
        }

        @Override
        public String toString() {
            return status + " " + (body.length() > 300 ? body.substring(0, 300) + "..." : body);
        }
    }

    Response post(String path, String json) throws IOException, InterruptedException {
        return send(postRequest(path, json));
    }

    CompletableFuture<Response> postAsync(String path, String json) {
        return client.sendAsync(postRequest(path, json), HttpResponse.BodyHandlers.ofString())
                .thenApply(r -> new Response(r.statusCode(), r.body()));
    }

    Response get(String pathAndQuery) throws IOException, InterruptedException {
        return send(request(pathAndQuery).GET().build());
    }

    private HttpRequest postRequest(String path, String json) {
        return request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build();
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + path)).timeout(TIMEOUT);
        if (apiKey != null) {
            builder.header("x-api-key", apiKey);
        }
        return builder;
    }

    private Response send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        return new Response(response.statusCode(), response.body());
    }
}

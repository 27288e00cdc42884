package dev.conveyor.local;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/**
 * A custom resource provider for tests: answers its {@code Answer} property ({@code SUCCESS}, {@code FAILED}, or
 * {@code SILENT} for no answer at all) and echoes the request type as its data.
 */
public final class ScriptedCustomResource implements RequestStreamHandler {
    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        JsonNode event = Json.mapper().readTree(input);
        String answer = event.path("ResourceProperties").path("Answer").asText();
        if (answer.equals("SILENT")) {
            return;
        }
        var body = Json.object()
                .put("Status", answer)
                .put("Reason", "scripted " + answer)
                .put("PhysicalResourceId", "thing-1")
                .put("StackId", event.path("StackId").asText())
                .put("RequestId", event.path("RequestId").asText())
                .put("LogicalResourceId", event.path("LogicalResourceId").asText());
        body.putObject("Data").put("RequestType", event.path("RequestType").asText())
                .put("PhysicalResourceId", event.path("PhysicalResourceId").asText("none"));
        try {
            HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(event.path("ResponseURL").asText()))
                    .PUT(HttpRequest.BodyPublishers.ofString(Json.write(body))).build(),
                    HttpResponse.BodyHandlers.discarding());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}

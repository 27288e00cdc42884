package dev.conveyor.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveyor.json.Json;
import dev.conveyor.local.template.Stack;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Does for the template's custom resources what CloudFormation does at a deployment: invokes the function each
 * names with a {@code Create} event the first time, an {@code Update} with the physical id it answered then on
 * later starts (kept in {@code stack.json} in the data directory), gives it a response URL, and fails the start
 * when the function answers {@code FAILED} or not at all, as a deployment would roll back.
 */
final class LocalCustomResources {
    /** A custom resource's answer: its data ({@code Data}), by name. */
    record Answer(String logicalId, Map<String, String> data) {
    }

    private LocalCustomResources() {
    }

    /**
     * Runs each custom resource once, in order.
     *
     * @param state where the physical ids of the resources created are kept between starts
     * @throws IllegalStateException when one fails, naming it and the function's reason
     */
    static List<Answer> run(List<Stack.CustomResourceSpec> resources, List<LocalFunction> functions,
                            String stackId, Path state) {
        if (resources.isEmpty()) {
            return List.of();
        }
        Map<String, String> physicalIds = read(state);
        Map<String, JsonNode> answers = new ConcurrentHashMap<>();
        LocalHttpServer server = responseServer(answers);
        try {
            List<Answer> results = new ArrayList<>();
            for (Stack.CustomResourceSpec resource : resources) {
                LocalFunction function = functions.stream()
                        .filter(f -> f.spec().logicalId().equals(resource.functionLogicalId()))
                        .findFirst()
                        .orElseThrow(() -> new IllegalStateException(resource.logicalId() + ": no function "
                                + resource.functionLogicalId()));
                String requestId = UUID.randomUUID().toString();
                String event = Json.write(event(resource, stackId, requestId, physicalIds.get(resource.logicalId()),
                        "http://127.0.0.1:" + server.port() + "/" + requestId));
                try {
                    function.invoke(event);
                } catch (LocalFunction.InvocationException e) {
                    throw new IllegalStateException(resource.logicalId() + " (" + resource.type() + ") failed: "
                            + e.getMessage(), e);
                }
                JsonNode answer = answers.get(requestId);
                if (answer == null) {
                    throw new IllegalStateException(resource.logicalId() + " (" + resource.type() + "): "
                            + resource.functionLogicalId() + " returned without answering its response URL");
                }
                if (!"SUCCESS".equals(answer.path("Status").asText())) {
                    throw new IllegalStateException(resource.logicalId() + " (" + resource.type() + ") failed: "
                            + answer.path("Reason").asText("no reason given"));
                }
                physicalIds.put(resource.logicalId(), answer.path("PhysicalResourceId").asText());
                write(state, physicalIds);
                Map<String, String> data = new LinkedHashMap<>();
                answer.path("Data").fields().forEachRemaining(f -> data.put(f.getKey(), f.getValue().asText()));
                results.add(new Answer(resource.logicalId(), data));
            }
            return results;
        } finally {
            server.stop(Duration.ZERO);
        }
    }

    private static ObjectNode event(Stack.CustomResourceSpec resource, String stackId, String requestId,
                                    String physicalId, String responseUrl) {
        ObjectNode event = Json.object()
                .put("RequestType", physicalId == null ? "Create" : "Update")
                .put("ServiceToken", String.valueOf(resource.properties().get("ServiceToken")))
                .put("ResponseURL", responseUrl)
                .put("StackId", stackId)
                .put("RequestId", requestId)
                .put("ResourceType", resource.type())
                .put("LogicalResourceId", resource.logicalId());
        event.set("ResourceProperties", Json.mapper().valueToTree(resource.properties()));
        if (physicalId != null) {
            event.put("PhysicalResourceId", physicalId);
            event.set("OldResourceProperties", Json.mapper().valueToTree(resource.properties()));
        }
        return event;
    }

    private static Map<String, String> read(Path state) {
        Map<String, String> ids = new LinkedHashMap<>();
        if (Files.exists(state)) {
            try {
                Json.mapper().readTree(state.toFile()).path("PhysicalResourceIds").fields()
                        .forEachRemaining(f -> ids.put(f.getKey(), f.getValue().asText()));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + state + " (delete it, or start with --fresh)", e);
            }
        }
        return ids;
    }

    private static void write(Path state, Map<String, String> physicalIds) {
        ObjectNode root = Json.object();
        root.set("PhysicalResourceIds", Json.mapper().valueToTree(physicalIds));
        try {
            Files.createDirectories(state.getParent());
            Files.writeString(state, Json.write(root));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + state, e);
        }
    }

    /** The response URL's endpoint (an S3 presigned URL on AWS): each answer PUT there, by request id. */
    private static LocalHttpServer responseServer(Map<String, JsonNode> answers) {
        return LocalHttpServer.start("custom-resources", 0, 2, 1024 * 1024, exchange -> {
            if (!exchange.method().equals("PUT")) {
                return new LocalHttpServer.Answer(405, Map.of(), new byte[0]);
            }
            try {
                answers.put(exchange.path().substring(1), Json.mapper().readTree(exchange.body()));
                return new LocalHttpServer.Answer(200, Map.of(), new byte[0]);
            } catch (IOException | RuntimeException e) {
                return new LocalHttpServer.Answer(400, Map.of(), new byte[0]);
            }
        });
    }
}

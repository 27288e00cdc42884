package dev.conveyor.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveyor.bench.harness.ColdStartHarness;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobState;
import dev.conveyor.job.NewJob;
import dev.conveyor.json.Json;
import dev.conveyor.local.template.Stack;
import dev.conveyor.queue.JobQueue;
import dev.conveyor.queue.SqsJobQueue;
import dev.conveyor.store.JobStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * Each API and consumer function's cold start: the time from starting a fresh JVM to the end of its first
 * invocation, with nothing on the classpath but the function's deployment artifact (unzipped as Lambda unzips it:
 * classes at the root, {@code lib/*.jar}) and {@link ColdStartHarness}, the JVM flags and environment the template
 * gives the function, a real PostgreSQL and SQS server, and a realistic event: {@code POST /jobs} for submit-job,
 * {@code GET /jobs/{id}} of a stored job for get-job, an SQS batch with the real message of a waiting job for
 * process-job (which runs it to SUCCESS). Each is run several times; the median counts.
 */
final class ColdStarts {
    static final List<String> FUNCTIONS = List.of("submit-job", "get-job", "process-job");
    private static final String API_EVENT = "com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent";
    private static final String SQS_EVENT = "com.amazonaws.services.lambda.runtime.events.SQSEvent";
    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(60);

    private final Path work;
    private final Path templateDirectory;
    private final Map<String, Stack.FunctionSpec> specs;
    private final Map<String, String> lambdaEnvironment;
    private final JobStore store;
    private final SqsClient sqs;
    private final SqsClient functionsSqs;
    private final String eventQueueUrl;
    private final String eventQueueArn;
    private Job storedJob;
    private Job waitingJob;

    /** One function's figures. */
    record Result(String function, List<Double> totalMs, List<Double> initMs,
                  List<Double> invokeMs, String javaToolOptions) {
        double medianMs() {
            return Percentiles.median(totalMs);
        }
    }

    /**
     * @param stack the template resolved for the local PostgreSQL and SQS server, its queues created
     * @param lambdaEnvironment what Lambda sets (region, credentials) and the local endpoints
     */
    ColdStarts(Path work, Path template, Stack stack, Map<String, String> lambdaEnvironment, JobStore store,
               SqsClient sqs, SqsClient functionsSqs) {
        this.work = work;
        this.templateDirectory = template.toAbsolutePath().getParent();
        this.specs = new HashMap<>();
        for (Stack.FunctionSpec spec : stack.functions()) {
            String codeUri = String.valueOf(spec.properties().get("CodeUri"));
            for (String function : FUNCTIONS) {
                if (codeUri.endsWith("/conveyor-" + function + ".zip")) {
                    specs.put(function, spec);
                }
            }
        }
        this.lambdaEnvironment = Map.copyOf(lambdaEnvironment);
        this.store = store;
        this.sqs = sqs;
        this.functionsSqs = functionsSqs;
        String queueName = "conveyor-bench-cold-start";
        this.eventQueueUrl = sqs.createQueue(b -> b.queueName(queueName)
                .attributesWithStrings(Map.of("VisibilityTimeout", "360"))).queueUrl();
        this.eventQueueArn = "arn:aws:sqs:" + Stack.REGION + ":" + Stack.ACCOUNT + ":" + queueName;
    }

    /** The artifact a function deploys, as the template's {@code CodeUri} names it. */
    Path artifact(String function) {
        Stack.FunctionSpec spec = spec(function);
        return templateDirectory.resolve(String.valueOf(spec.properties().get("CodeUri")));
    }

    Result measure(String function, int runs) throws IOException, InterruptedException {
        Stack.FunctionSpec spec = spec(function);
        Path artifact = artifact(function);
        Path task = work.resolve(function);
        unzip(artifact, task);
        Path harness = harnessDirectory();
        Map<String, String> environment = new HashMap<>(lambdaEnvironment);
        environment.putAll(spec.environment());
        environment.put("AWS_LAMBDA_FUNCTION_NAME", spec.name());
        environment.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", Integer.toString(spec.memoryMb()));
        environment.put("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
        String handler = spec.handler().contains("::") ? spec.handler().substring(0, spec.handler().indexOf("::"))
                : spec.handler();
        List<Double> total = new ArrayList<>();
        List<Double> init = new ArrayList<>();
        List<Double> invoke = new ArrayList<>();
        for (int run = 0; run < runs; run++) {
            Path event = work.resolve(function + "-event-" + run + ".json");
            Files.writeString(event, event(function), StandardCharsets.UTF_8);
            List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", task + ":" + task.resolve("lib") + "/*:" + harness,
                    ColdStartHarness.class.getName(), handler, function.equals("process-job") ? SQS_EVENT : API_EVENT,
                    event.toString(), Integer.toString(spec.timeoutSeconds()));
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectError(work.resolve(function + "-" + run + ".err").toFile());
            builder.environment().clear();
            builder.environment().putAll(environment);
            long start = System.nanoTime();
            Process process = builder.start();
            String line = markerLine(process);
            double millis = (System.nanoTime() - start) / 1e6;
            if (!process.waitFor(RUN_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            if (line == null) {
                throw new IllegalStateException(function + " did not complete its first invocation; stderr:\n"
                        + Files.readString(work.resolve(function + "-" + run + ".err")));
            }
            check(function, line);
            total.add(millis);
            init.add(Double.parseDouble(field(line, "init_ms")));
            invoke.add(Double.parseDouble(field(line, "invoke_ms")));
        }
        return new Result(function, total, init, invoke,
                environment.getOrDefault("JAVA_TOOL_OPTIONS", ""));
    }

    private Stack.FunctionSpec spec(String function) {
        Stack.FunctionSpec spec = specs.get(function);
        if (spec == null) {
            throw new IllegalStateException("the template has no function whose CodeUri is conveyor-" + function
                    + ".zip");
        }
        return spec;
    }

    /** A realistic first event for the function; for process-job, a waiting job's real message. */
    private String event(String function) throws IOException {
        switch (function) {
            case "submit-job":
                return resource("submit-job.json");
            case "get-job":
                return resource("get-job.json").replace("{{id}}", storedJob().id().toString());
            case "process-job":
                return sqsEvent(waitingJobMessage());
            default:
                throw new IllegalArgumentException(function);
        }
    }

    private Job storedJob() {
        if (storedJob == null) {
            storedJob = store.insert(List.of(echo()), Instant.now()).get(0).job();
        }
        return storedJob;
    }

    private static NewJob echo() {
        return new NewJob("echo", Json.object().put("message", "cold start"), NewJob.DEFAULT_MAX_RETRIES,
                NewJob.DEFAULT_RETRY_DELAY_SECONDS, NewJob.DEFAULT_TIMEOUT_SECONDS, 0, null);
    }

    /** A new waiting job, its message sent and received as the event source mapping receives it. */
    private Message waitingJobMessage() {
        waitingJob = store.insert(List.of(echo()), Instant.now()).get(0).job();
        new SqsJobQueue(functionsSqs, eventQueueUrl, null).send(List.of(new JobQueue.Dispatch(waitingJob.id(), Duration.ZERO)));
        List<Message> messages = sqs.receiveMessage(b -> b.queueUrl(eventQueueUrl).maxNumberOfMessages(1)
                .waitTimeSeconds(5).messageSystemAttributeNames(MessageSystemAttributeName.ALL)
                .messageAttributeNames("All")).messages();
        if (messages.isEmpty()) {
            throw new IllegalStateException("the job's message did not arrive");
        }
        return messages.get(0);
    }

    /** The SQS event Lambda sends for one message (as the local runtime's event source mapping builds it). */
    private String sqsEvent(Message message) {
        ObjectNode event = Json.object();
        ObjectNode record = event.putArray("Records").addObject();
        record.put("messageId", message.messageId());
        record.put("receiptHandle", message.receiptHandle());
        record.put("body", message.body());
        ObjectNode attributes = record.putObject("attributes");
        message.attributesAsStrings().forEach(attributes::put);
        record.putObject("messageAttributes");
        record.put("md5OfBody", message.md5OfBody());
        record.put("eventSource", "aws:sqs");
        record.put("eventSourceARN", eventQueueArn);
        record.put("awsRegion", Stack.REGION);
        return Json.write(event);
    }

    /** The invocation must have done its work: 202, 200, or the job run to SUCCESS with no failed item. */
    private void check(String function, String line) {
        JsonNode response = Json.parse(line.substring(line.indexOf("response=") + "response=".length()));
        boolean ok = switch (function) {
            case "submit-job" -> response.path("statusCode").asInt() == 202;
            case "get-job" -> response.path("statusCode").asInt() == 200;
            default -> response.path("batchItemFailures").isEmpty();
        };
        if (function.equals("process-job")) {
            ok &= store.find(waitingJob.id()).map(Job::state).orElse(null) == JobState.SUCCESS;
        }
        if (!ok) {
            throw new IllegalStateException(function + "'s first invocation did not do its work: " + line);
        }
    }

    private static String markerLine(Process process) throws IOException {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (line.startsWith(ColdStartHarness.MARKER + " ")) {
                    return line;
                }
            }
        }
        return null;
    }

    private static String field(String line, String name) {
        int start = line.indexOf(name + "=") + name.length() + 1;
        int end = line.indexOf(' ', start);
        return line.substring(start, end < 0 ? line.length() : end);
    }

    /** A directory holding only the harness class, copied from this module. */
    private Path harnessDirectory() throws IOException {
        String name = ColdStartHarness.class.getName().replace('.', '/') + ".class";
        Path directory = work.resolve("harness");
        Path file = directory.resolve(name);
        if (!Files.exists(file)) {
            Files.createDirectories(file.getParent());
            try (InputStream in = ColdStarts.class.getClassLoader().getResourceAsStream(name)) {
                if (in == null) {
                    throw new IllegalStateException("no " + name + " on the classpath");
                }
                Files.copy(in, file);
            }
        }
        return directory;
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = ColdStarts.class.getResourceAsStream("events/" + name)) {
            if (in == null) {
                throw new IllegalStateException("no event resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static void unzip(Path zip, Path target) throws IOException {
        if (!Files.exists(zip)) {
            throw new IllegalStateException("no artifact " + zip + ": build it with ./mvnw -DskipTests package");
        }
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
            for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                Path path = target.resolve(entry.getName()).normalize();
                if (!path.startsWith(target)) {
                    throw new IOException("zip entry outside the target: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(path);
                } else {
                    Files.createDirectories(path.getParent());
                    Files.copy(in, path);
                }
            }
        }
    }
}

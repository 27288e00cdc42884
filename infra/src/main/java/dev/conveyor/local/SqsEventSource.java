package dev.conveyor.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveyor.aws.AwsException;
import dev.conveyor.aws.AwsJsonClient;
import dev.conveyor.json.Json;
import dev.conveyor.local.template.Stack;
import dev.conveyor.log.Log;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An SQS event source mapping, run as Lambda runs one: several pollers, each receiving a batch (up to the batch
 * size, waiting up to the batching window to fill it), invoking the function with it, and deleting what
 * succeeded. With {@code ReportBatchItemFailures} the function's answer names the messages to keep; an answer
 * Lambda cannot use (an empty or unknown item identifier, a response that is not the expected JSON) fails the
 * whole batch. A function that throws or times out deletes nothing: the messages come back when their visibility
 * timeout ends.
 *
 * <p>It calls the SQS server with the functions' own light client ({@link AwsJsonClient}): the AWS SDK's cost
 * several times its CPU per call, on the machine the runtime shares with everything it runs.
 */
public final class SqsEventSource implements AutoCloseable {
    private static final Log LOG = Log.of(SqsEventSource.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int RECEIVE_WAIT_SECONDS = 1;

    private final Stack.SqsSource source;
    private final String queueUrl;
    private final AwsJsonClient sqs;
    private final LocalFunction function;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final CountDownLatch stopped;
    private final AtomicLong invocations = new AtomicLong();
    private final AtomicLong failedInvocations = new AtomicLong();
    private final List<Thread> pollers = new ArrayList<>();

    /** Starts {@code pollers} concurrent pollers (at most the mapping's maximum concurrency). */
    public SqsEventSource(Stack.SqsSource source, String queueUrl, AwsJsonClient sqs, LocalFunction function,
                          int pollers) {
        this.source = source;
        this.queueUrl = queueUrl;
        this.sqs = sqs;
        this.function = function;
        int count = Math.max(1, Math.min(pollers, source.maximumConcurrency()));
        this.stopped = new CountDownLatch(count);
        for (int i = 0; i < count; i++) {
            Thread thread = new Thread(this::poll, function.spec().logicalId() + "-" + source.eventName() + "-" + i);
            thread.setDaemon(true);
            this.pollers.add(thread);
        }
        this.pollers.forEach(Thread::start);
    }

    public long invocations() {
        return invocations.get();
    }

    public long failedInvocations() {
        return failedInvocations.get();
    }

    private void poll() {
        try {
            while (running.get()) {
                try {
                    List<JsonNode> batch = receive();
                    if (!batch.isEmpty()) {
                        deliver(batch);
                    }
                } catch (RuntimeException e) {
                    if (running.get()) {
                        LOG.warn("polling the queue failed", e, "queue", queueUrl);
                        sleep(1000);
                    }
                }
            }
        } finally {
            stopped.countDown();
        }
    }

    /** One batch: what one receive returns, topped up until the batch is full or the batching window ends. */
    private List<JsonNode> receive() {
        List<JsonNode> batch = new ArrayList<>(receive(RECEIVE_WAIT_SECONDS, source.batchSize()));
        if (batch.isEmpty() || source.batchingWindowSeconds() == 0) {
            return batch;
        }
        long windowEnds = System.nanoTime() + TimeUnit.SECONDS.toNanos(source.batchingWindowSeconds());
        while (batch.size() < source.batchSize() && running.get()) {
            long left = windowEnds - System.nanoTime();
            if (left <= 0) {
                break;
            }
            int wait = (int) Math.min(RECEIVE_WAIT_SECONDS, TimeUnit.NANOSECONDS.toSeconds(left));
            List<JsonNode> more = receive(wait, source.batchSize() - batch.size());
            batch.addAll(more);
            if (more.isEmpty() && wait == 0) {
                sleep(50);
            }
        }
        return batch;
    }

    /** Messages as SQS's JSON protocol gives them: {@code MessageId}, {@code ReceiptHandle}, {@code Body}, ... */
    private List<JsonNode> receive(int waitSeconds, int wanted) {
        ObjectNode request = Json.object().put("QueueUrl", queueUrl)
                .put("MaxNumberOfMessages", Math.min(10, wanted))
                .put("WaitTimeSeconds", waitSeconds);
        request.putArray("MessageSystemAttributeNames").add("All");
        request.putArray("MessageAttributeNames").add("All");
        List<JsonNode> messages = new ArrayList<>();
        sqs.call("ReceiveMessage", request).path("Messages").forEach(messages::add);
        return messages;
    }

    private void deliver(List<JsonNode> batch) {
        invocations.incrementAndGet();
        String response;
        try {
            response = function.invoke(JSON.writeValueAsString(event(batch)));
        } catch (LocalFunction.InvocationException | IOException e) {
            failedInvocations.incrementAndGet();
            LOG.warn("the batch failed; its messages return when their visibility timeout ends", e,
                    "function", function.spec().logicalId(), "messages", batch.size());
            return;
        }
        Set<String> keep = source.reportBatchItemFailures() ? failures(response, batch) : Set.of();
        if (keep == null) {
            failedInvocations.incrementAndGet();
            LOG.warn("the function's batch response is invalid; the whole batch failed",
                    "function", function.spec().logicalId(), "response", response);
            return;
        }
        delete(batch.stream().filter(m -> !keep.contains(id(m))).toList());
    }

    /**
     * The message ids the function reported failed, as Lambda reads a partial batch response; null when the
     * response makes the whole batch fail.
     */
    static Set<String> failures(String response, List<JsonNode> batch) {
        if (response == null || response.isBlank() || response.strip().equals("null")) {
            return Set.of();
        }
        JsonNode node;
        try {
            node = JSON.readTree(response);
        } catch (IOException e) {
            return null;
        }
        if (node == null || node.isNull() || (node.isObject() && node.isEmpty())) {
            return Set.of();
        }
        JsonNode items = node.get("batchItemFailures");
        if (items == null || items.isNull()) {
            return Set.of();
        }
        if (!items.isArray()) {
            return null;
        }
        Set<String> ids = new HashSet<>();
        batch.forEach(m -> ids.add(id(m)));
        Set<String> failed = new HashSet<>();
        for (JsonNode item : items) {
            JsonNode id = item.get("itemIdentifier");
            if (id == null || !id.isTextual() || id.asText().isEmpty() || !ids.contains(id.asText())) {
                return null;
            }
            failed.add(id.asText());
        }
        return failed;
    }

    private void delete(List<JsonNode> done) {
        for (int i = 0; i < done.size(); i += 10) {
            ObjectNode request = Json.object().put("QueueUrl", queueUrl);
            ArrayNode entries = request.putArray("Entries");
            for (JsonNode message : done.subList(i, Math.min(done.size(), i + 10))) {
                entries.addObject().put("Id", Integer.toString(entries.size()))
                        .put("ReceiptHandle", message.path("ReceiptHandle").asText());
            }
            try {
                JsonNode failed = sqs.call("DeleteMessageBatch", request).path("Failed");
                if (!failed.isEmpty()) {
                    LOG.warn("some processed messages could not be deleted; they will be delivered again",
                            "count", failed.size());
                }
            } catch (AwsException e) {
                LOG.warn("processed messages could not be deleted; they will be delivered again", e);
            }
        }
    }

    private static String id(JsonNode message) {
        return message.path("MessageId").asText();
    }

    /** The SQS event Lambda sends: one record per message, with its attributes. */
    private ObjectNode event(List<JsonNode> batch) {
        ObjectNode event = JSON.createObjectNode();
        ArrayNode records = event.putArray("Records");
        for (JsonNode message : batch) {
            ObjectNode record = records.addObject();
            record.put("messageId", id(message));
            record.put("receiptHandle", message.path("ReceiptHandle").asText());
            record.put("body", message.path("Body").asText());
            ObjectNode attributes = record.putObject("attributes");
            message.path("Attributes").properties().forEach(e -> attributes.put(e.getKey(), e.getValue().asText()));
            ObjectNode messageAttributes = record.putObject("messageAttributes");
            message.path("MessageAttributes").properties().forEach(e -> {
                ObjectNode attribute = messageAttributes.putObject(e.getKey());
                attribute.put("stringValue", e.getValue().path("StringValue").asText(null));
                attribute.putArray("stringListValues");
                attribute.putArray("binaryListValues");
                attribute.put("dataType", e.getValue().path("DataType").asText(null));
            });
            record.put("md5OfBody", message.path("MD5OfBody").asText());
            record.put("eventSource", "aws:sqs");
            record.put("eventSourceARN", source.queueArn());
            record.put("awsRegion", Stack.REGION);
        }
        return event;
    }

    /** Takes no new batch; those being processed go on. */
    public void stopReceiving() {
        running.set(false);
    }

    /** Stops receiving; waits up to {@code graceSeconds} for the batches being processed. */
    public void stop(int graceSeconds) {
        running.set(false);
        try {
            stopped.await(graceSeconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop(function.spec().timeoutSeconds() + RECEIVE_WAIT_SECONDS + 1);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

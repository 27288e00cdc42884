package dev.conveyor.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * An SQS event source mapping, run as Lambda runs one: several pollers, each receiving a batch (up to the batch
 * size, waiting up to the batching window to fill it), invoking the function with it, and deleting what
 * succeeded. With {@code ReportBatchItemFailures} the function's answer names the messages to keep; an answer
 * Lambda cannot use (an empty or unknown item identifier, a response that is not the expected JSON) fails the
 * whole batch. A function that throws or times out deletes nothing: the messages come back when their visibility
 * timeout ends.
 */
public final class SqsEventSource implements AutoCloseable {
    private static final Log LOG = Log.of(SqsEventSource.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int RECEIVE_WAIT_SECONDS = 1;

    private final Stack.SqsSource source;
    private final String queueUrl;
    private final SqsClient sqs;
    private final LocalFunction function;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final CountDownLatch stopped;
    private final AtomicLong invocations = new AtomicLong();
    private final AtomicLong failedInvocations = new AtomicLong();
    private final List<Thread> pollers = new ArrayList<>();

    /** Starts {@code pollers} concurrent pollers (at most the mapping's maximum concurrency). */
    public SqsEventSource(Stack.SqsSource source, String queueUrl, SqsClient sqs, LocalFunction function,
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
                    List<Message> batch = receive();
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
    private List<Message> receive() {
        List<Message> batch = new ArrayList<>(receive(RECEIVE_WAIT_SECONDS, source.batchSize()));
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
            List<Message> more = receive(wait, source.batchSize() - batch.size());
            batch.addAll(more);
            if (more.isEmpty() && wait == 0) {
                sleep(50);
            }
        }
        return batch;
    }

    private List<Message> receive(int waitSeconds, int wanted) {
        return sqs.receiveMessage(b -> b.queueUrl(queueUrl)
                .maxNumberOfMessages(Math.min(10, wanted))
                .waitTimeSeconds(waitSeconds)
                .messageSystemAttributeNames(MessageSystemAttributeName.ALL)
                .messageAttributeNames("All")).messages();
    }

    private void deliver(List<Message> batch) {
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
        delete(batch.stream().filter(m -> !keep.contains(m.messageId())).toList());
    }

    /**
     * The message ids the function reported failed, as Lambda reads a partial batch response; null when the
     * response makes the whole batch fail.
     */
    static Set<String> failures(String response, List<Message> batch) {
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
        batch.forEach(m -> ids.add(m.messageId()));
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

    private void delete(List<Message> done) {
        for (int i = 0; i < done.size(); i += 10) {
            List<DeleteMessageBatchRequestEntry> entries = new ArrayList<>();
            for (Message message : done.subList(i, Math.min(done.size(), i + 10))) {
                entries.add(DeleteMessageBatchRequestEntry.builder().id(Integer.toString(entries.size()))
                        .receiptHandle(message.receiptHandle()).build());
            }
            try {
                int failed = sqs.deleteMessageBatch(b -> b.queueUrl(queueUrl).entries(entries)).failed().size();
                if (failed > 0) {
                    LOG.warn("some processed messages could not be deleted; they will be delivered again",
                            "count", failed);
                }
            } catch (SdkException e) {
                LOG.warn("processed messages could not be deleted; they will be delivered again", e);
            }
        }
    }

    /** The SQS event Lambda sends: one record per message, with its attributes. */
    private ObjectNode event(List<Message> batch) {
        ObjectNode event = JSON.createObjectNode();
        ArrayNode records = event.putArray("Records");
        for (Message message : batch) {
            ObjectNode record = records.addObject();
            record.put("messageId", message.messageId());
            record.put("receiptHandle", message.receiptHandle());
            record.put("body", message.body());
            ObjectNode attributes = record.putObject("attributes");
            message.attributesAsStrings().forEach(attributes::put);
            ObjectNode messageAttributes = record.putObject("messageAttributes");
            message.messageAttributes().forEach((name, value) -> {
                ObjectNode attribute = messageAttributes.putObject(name);
                attribute.put("stringValue", value.stringValue());
                attribute.putArray("stringListValues");
                attribute.putArray("binaryListValues");
                attribute.put("dataType", value.dataType());
            });
            record.put("md5OfBody", message.md5OfBody());
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

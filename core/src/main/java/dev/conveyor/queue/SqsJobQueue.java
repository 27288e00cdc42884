package dev.conveyor.queue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveyor.aws.AwsException;
import dev.conveyor.aws.AwsJsonClient;
import dev.conveyor.job.JobId;
import dev.conveyor.json.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * {@link JobQueue} on Amazon SQS (or anything that speaks its JSON protocol, such as ElasticMQ), through
 * {@link AwsJsonClient}: {@code SendMessageBatch}, {@code ChangeMessageVisibilityBatch}, {@code GetQueueAttributes}.
 */
public final class SqsJobQueue implements JobQueue {
    /** SQS takes at most ten entries per batch call. */
    static final int BATCH = 10;
    static final long MAX_DELAY_SECONDS = 900;
    static final long MAX_VISIBILITY_SECONDS = 12 * 3600;

    private final AwsJsonClient sqs;
    private final String queueUrl;
    private final String deadLetterQueueUrl;

    /** @param deadLetterQueueUrl the DLQ, for {@link #depth()}; may be null */
    public SqsJobQueue(AwsJsonClient sqs, String queueUrl, String deadLetterQueueUrl) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
        this.deadLetterQueueUrl = deadLetterQueueUrl;
    }

    @Override
    public Set<JobId> send(List<Dispatch> dispatches) {
        return batches(dispatches, "SendMessageBatch", Dispatch::id, (entry, dispatch) -> entry
                .put("MessageBody", JobMessage.encode(dispatch.id()))
                .put("DelaySeconds", wholeSeconds(dispatch.delay(), MAX_DELAY_SECONDS)));
    }

    @Override
    public Set<String> hide(List<Hide> hides) {
        return batches(hides, "ChangeMessageVisibilityBatch", Hide::receiptHandle, (entry, hide) -> entry
                .put("ReceiptHandle", hide.receiptHandle())
                .put("VisibilityTimeout", wholeSeconds(hide.delay(), MAX_VISIBILITY_SECONDS)));
    }

    private interface Entry<T> {
        void fill(ObjectNode entry, T item);
    }

    /** Calls a batch operation ten items at a time; answers the keys of the items it did not take. */
    private <T, K> Set<K> batches(List<T> items, String operation, Function<T, K> key, Entry<T> entry) {
        Set<K> failed = new HashSet<>();
        for (int start = 0; start < items.size(); start += BATCH) {
            List<T> chunk = items.subList(start, Math.min(start + BATCH, items.size()));
            ObjectNode request = Json.object().put("QueueUrl", queueUrl);
            ArrayNode entries = request.putArray("Entries");
            for (int i = 0; i < chunk.size(); i++) {
                entry.fill(entries.addObject().put("Id", Integer.toString(i)), chunk.get(i));
            }
            try {
                JsonNode response = sqs.call(operation, request);
                for (JsonNode error : response.path("Failed")) {
                    failed.add(key.apply(chunk.get(Integer.parseInt(error.path("Id").asText()))));
                }
            } catch (AwsException | NumberFormatException | IndexOutOfBoundsException e) {
                chunk.forEach(item -> failed.add(key.apply(item)));
            }
        }
        return failed;
    }

    @Override
    public QueueDepth depth() {
        JsonNode jobs = attributes(queueUrl, "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
                "ApproximateNumberOfMessagesDelayed");
        long dead = deadLetterQueueUrl == null ? 0
                : count(attributes(deadLetterQueueUrl, "ApproximateNumberOfMessages"), "ApproximateNumberOfMessages");
        return new QueueDepth(
                count(jobs, "ApproximateNumberOfMessages"),
                count(jobs, "ApproximateNumberOfMessagesNotVisible"),
                count(jobs, "ApproximateNumberOfMessagesDelayed"),
                dead);
    }

    @Override
    public void prime() {
        sqs.prime("SendMessageBatch");
    }

    @Override
    public void ping() {
        attributes(queueUrl, "QueueArn");
    }

    private JsonNode attributes(String url, String... names) {
        ObjectNode request = Json.object().put("QueueUrl", url);
        ArrayNode attributeNames = request.putArray("AttributeNames");
        for (String name : names) {
            attributeNames.add(name);
        }
        try {
            return sqs.call("GetQueueAttributes", request).path("Attributes");
        } catch (AwsException e) {
            throw new QueueException("queue " + url + " did not answer: " + e.getMessage(), e);
        }
    }

    private static long count(JsonNode attributes, String name) {
        JsonNode value = attributes.get(name);
        return value == null ? 0 : Long.parseLong(value.asText());
    }

    /** Whole seconds, rounded up so that nothing becomes visible early, within SQS's bounds. */
    static long wholeSeconds(Duration delay, long max) {
        if (delay.isNegative() || delay.isZero()) {
            return 0;
        }
        long seconds = delay.getSeconds() + (delay.getNano() > 0 ? 1 : 0);
        return Math.min(seconds, max);
    }

    @Override
    public void close() {
        // each call opens (or reuses from the JVM's keep-alive cache) its own connection: nothing to release
    }
}

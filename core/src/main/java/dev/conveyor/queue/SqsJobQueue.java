package dev.conveyor.queue;

import dev.conveyor.aws.CallDeadline;
import dev.conveyor.job.JobId;
import dev.conveyor.trace.TraceContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeNameForSends;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeValue;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

/**
 * {@link JobQueue} on Amazon SQS (or anything that speaks its protocol, such as ElasticMQ) through the AWS SDK:
 * {@code SendMessageBatch}, {@code ChangeMessageVisibilityBatch}, {@code GetQueueAttributes}. Each call is bounded
 * by {@link CallDeadline}.
 *
 * <p>A message carries the job's id and its trace: a W3C {@code traceparent} message attribute and X-Ray's
 * {@code AWSTraceHeader} system attribute, so that the trace of a submission crosses the queue whoever sends the
 * message (the submission itself, or the sweeper minutes later).
 */
public final class SqsJobQueue implements JobQueue {
    /** SQS takes at most ten entries per batch call. */
    static final int BATCH = 10;
    static final long MAX_DELAY_SECONDS = 900;
    static final long MAX_VISIBILITY_SECONDS = 12 * 3600;
    /** The message attribute that carries a job's W3C trace context. */
    public static final String TRACEPARENT = "traceparent";

    private final SqsClient sqs;
    private final String queueUrl;
    private final String deadLetterQueueUrl;

    /** @param deadLetterQueueUrl the DLQ, for {@link #depth()}; may be null */
    public SqsJobQueue(SqsClient sqs, String queueUrl, String deadLetterQueueUrl) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
        this.deadLetterQueueUrl = deadLetterQueueUrl;
    }

    @Override
    public Set<JobId> send(List<Dispatch> dispatches) {
        return batches(dispatches, Dispatch::id, chunk -> {
            List<SendMessageBatchRequestEntry> entries = new ArrayList<>(chunk.size());
            for (int i = 0; i < chunk.size(); i++) {
                entries.add(entry(Integer.toString(i), chunk.get(i)));
            }
            var response = sqs.sendMessageBatch(b -> b.queueUrl(queueUrl).entries(entries)
                    .overrideConfiguration(CallDeadline::bound));
            return new Answer(response.successful().stream().map(e -> e.id()).toList(), response.failed());
        });
    }

    private static SendMessageBatchRequestEntry entry(String id, Dispatch dispatch) {
        SendMessageBatchRequestEntry.Builder entry = SendMessageBatchRequestEntry.builder()
                .id(id)
                .messageBody(JobMessage.encode(dispatch.id()))
                .delaySeconds((int) wholeSeconds(dispatch.delay(), MAX_DELAY_SECONDS));
        TraceContext trace = dispatch.trace();
        if (trace != null) {
            entry.messageAttributes(Map.of(TRACEPARENT, MessageAttributeValue.builder()
                    .dataType("String").stringValue(trace.traceparent()).build()));
            entry.messageSystemAttributes(Map.of(MessageSystemAttributeNameForSends.AWS_TRACE_HEADER,
                    MessageSystemAttributeValue.builder().dataType("String").stringValue(trace.xrayHeader()).build()));
        }
        return entry.build();
    }

    @Override
    public Set<String> hide(List<Hide> hides) {
        return batches(hides, Hide::receiptHandle, chunk -> {
            List<ChangeMessageVisibilityBatchRequestEntry> entries = new ArrayList<>(chunk.size());
            for (int i = 0; i < chunk.size(); i++) {
                entries.add(ChangeMessageVisibilityBatchRequestEntry.builder()
                        .id(Integer.toString(i))
                        .receiptHandle(chunk.get(i).receiptHandle())
                        .visibilityTimeout((int) wholeSeconds(chunk.get(i).delay(), MAX_VISIBILITY_SECONDS))
                        .build());
            }
            var response = sqs.changeMessageVisibilityBatch(b -> b.queueUrl(queueUrl).entries(entries)
                    .overrideConfiguration(CallDeadline::bound));
            return new Answer(response.successful().stream().map(e -> e.id()).toList(), response.failed());
        });
    }

    /** What a batch call answered: the entry ids it took and those it refused. */
    private record Answer(List<String> successful, List<BatchResultErrorEntry> failed) {
    }

    /**
     * Calls a batch operation ten items at a time; answers the keys of the items it did not take. An item counts
     * as taken only when the answer lists it among the successful ones: one it names nowhere was not taken.
     */
    private static <T, K> Set<K> batches(List<T> items, Function<T, K> key, Function<List<T>, Answer> call) {
        Set<K> failed = new HashSet<>();
        for (int start = 0; start < items.size(); start += BATCH) {
            List<T> chunk = items.subList(start, Math.min(start + BATCH, items.size()));
            Map<String, T> byId = new HashMap<>();
            for (int i = 0; i < chunk.size(); i++) {
                byId.put(Integer.toString(i), chunk.get(i));
            }
            try {
                call.apply(chunk).successful().forEach(byId::remove);
            } catch (SdkException e) {
                // none taken, as far as anyone can tell: a resend is a duplicate the consumers already absorb
            }
            byId.values().forEach(item -> failed.add(key.apply(item)));
        }
        return failed;
    }

    @Override
    public QueueDepth depth() {
        Map<QueueAttributeName, String> jobs = attributes(queueUrl,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED);
        long dead = deadLetterQueueUrl == null ? 0 : count(attributes(deadLetterQueueUrl,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES), QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES);
        return new QueueDepth(
                count(jobs, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES),
                count(jobs, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE),
                count(jobs, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED),
                dead);
    }

    /** A real call that changes nothing: the SDK's request, signing, HTTP and response code, loaded and run. */
    @Override
    public void prime() {
        ping();
    }

    @Override
    public void ping() {
        attributes(queueUrl, QueueAttributeName.QUEUE_ARN);
    }

    private Map<QueueAttributeName, String> attributes(String url, QueueAttributeName... names) {
        try {
            return sqs.getQueueAttributes(b -> b.queueUrl(url).attributeNames(names)
                    .overrideConfiguration(CallDeadline::bound)).attributes();
        } catch (SdkException e) {
            throw new QueueException("queue " + url + " did not answer: " + e.getMessage(), e);
        }
    }

    private static long count(Map<QueueAttributeName, String> attributes, QueueAttributeName name) {
        String value = attributes.get(name);
        return value == null ? 0 : Long.parseLong(value);
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
        sqs.close();
    }
}

package dev.conveyor.queue;

import dev.conveyor.job.JobId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchResponse;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;

/** {@link JobQueue} on Amazon SQS (or anything that speaks its protocol, such as ElasticMQ). */
public final class SqsJobQueue implements JobQueue {
    /** SQS takes at most ten entries per batch call. */
    static final int BATCH = 10;
    static final long MAX_DELAY_SECONDS = 900;
    static final long MAX_VISIBILITY_SECONDS = 12 * 3600;

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
        Set<JobId> failed = new HashSet<>();
        for (int start = 0; start < dispatches.size(); start += BATCH) {
            List<Dispatch> chunk = dispatches.subList(start, Math.min(start + BATCH, dispatches.size()));
            List<SendMessageBatchRequestEntry> entries = new ArrayList<>(chunk.size());
            for (int i = 0; i < chunk.size(); i++) {
                Dispatch dispatch = chunk.get(i);
                entries.add(SendMessageBatchRequestEntry.builder()
                        .id(Integer.toString(i))
                        .messageBody(JobMessage.encode(dispatch.id()))
                        .delaySeconds((int) wholeSeconds(dispatch.delay(), MAX_DELAY_SECONDS))
                        .build());
            }
            try {
                SendMessageBatchResponse response = sqs.sendMessageBatch(b -> b.queueUrl(queueUrl).entries(entries));
                for (BatchResultErrorEntry error : response.failed()) {
                    failed.add(chunk.get(Integer.parseInt(error.id())).id());
                }
            } catch (SdkException e) {
                chunk.forEach(d -> failed.add(d.id()));
            }
        }
        return failed;
    }

    @Override
    public Set<String> hide(List<Hide> hides) {
        Set<String> failed = new HashSet<>();
        for (int start = 0; start < hides.size(); start += BATCH) {
            List<Hide> chunk = hides.subList(start, Math.min(start + BATCH, hides.size()));
            List<ChangeMessageVisibilityBatchRequestEntry> entries = new ArrayList<>(chunk.size());
            for (int i = 0; i < chunk.size(); i++) {
                entries.add(ChangeMessageVisibilityBatchRequestEntry.builder()
                        .id(Integer.toString(i))
                        .receiptHandle(chunk.get(i).receiptHandle())
                        .visibilityTimeout((int) wholeSeconds(chunk.get(i).delay(), MAX_VISIBILITY_SECONDS))
                        .build());
            }
            try {
                ChangeMessageVisibilityBatchResponse response =
                        sqs.changeMessageVisibilityBatch(b -> b.queueUrl(queueUrl).entries(entries));
                for (BatchResultErrorEntry error : response.failed()) {
                    failed.add(chunk.get(Integer.parseInt(error.id())).receiptHandle());
                }
            } catch (SdkException e) {
                chunk.forEach(h -> failed.add(h.receiptHandle()));
            }
        }
        return failed;
    }

    @Override
    public QueueDepth depth() {
        Map<QueueAttributeName, String> jobs = attributes(queueUrl, List.of(
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED));
        long dead = deadLetterQueueUrl == null ? 0 : count(attributes(deadLetterQueueUrl,
                List.of(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)), QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES);
        return new QueueDepth(
                count(jobs, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES),
                count(jobs, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE),
                count(jobs, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED),
                dead);
    }

    @Override
    public void ping() {
        attributes(queueUrl, List.of(QueueAttributeName.QUEUE_ARN));
    }

    private Map<QueueAttributeName, String> attributes(String url, List<QueueAttributeName> names) {
        try {
            return sqs.getQueueAttributes(b -> b.queueUrl(url).attributeNames(names)).attributes();
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

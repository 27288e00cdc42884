package dev.conveyor.local;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A consumer for tests of the event source mapping: per message, its body says what to answer. {@code ok...}
 * succeeds, {@code fail...} is reported failed, {@code empty...} is reported with an empty identifier,
 * {@code unknown...} with one not in the batch, {@code throw...} makes the invocation throw. Every delivery is noted.
 */
public final class ScriptedConsumer implements RequestHandler<SQSEvent, SQSBatchResponse> {
    static final Map<String, List<Long>> DELIVERIES = new ConcurrentHashMap<>();

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
        boolean fail = false;
        for (SQSEvent.SQSMessage message : event.getRecords()) {
            String body = message.getBody();
            DELIVERIES.computeIfAbsent(body, b -> new CopyOnWriteArrayList<>()).add(System.nanoTime());
            if (!message.getEventSourceArn().startsWith("arn:aws:sqs:us-east-1:000000000000:")
                    || message.getAttributes().get("ApproximateReceiveCount") == null) {
                throw new IllegalStateException("not an SQS record as Lambda sends it: " + message);
            }
            if (body.startsWith("fail")) {
                failures.add(new SQSBatchResponse.BatchItemFailure(message.getMessageId()));
            } else if (body.startsWith("empty")) {
                failures.add(new SQSBatchResponse.BatchItemFailure(""));
            } else if (body.startsWith("unknown")) {
                failures.add(new SQSBatchResponse.BatchItemFailure("not-a-message-of-this-batch"));
            } else if (body.startsWith("throw")) {
                fail = true;
            }
        }
        if (fail) {
            throw new IllegalStateException("scripted failure");
        }
        return new SQSBatchResponse(failures);
    }
}

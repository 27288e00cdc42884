package dev.conveyor.functions;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.conveyor.queue.ReceivedMessage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** SQS events in, partial batch responses out: one {@code BatchItemFailure} per message to keep. */
public final class SqsBatch {
    private SqsBatch() {
    }

    public static List<ReceivedMessage> messages(SQSEvent event) {
        List<ReceivedMessage> messages = new ArrayList<>();
        if (event.getRecords() != null) {
            for (SQSEvent.SQSMessage record : event.getRecords()) {
                messages.add(new ReceivedMessage(record.getMessageId(), record.getReceiptHandle(), record.getBody(),
                        receiveCount(record.getAttributes())));
            }
        }
        return messages;
    }

    public static SQSBatchResponse failures(Set<String> messageIds) {
        List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>(messageIds.size());
        messageIds.forEach(id -> failures.add(new SQSBatchResponse.BatchItemFailure(id)));
        return new SQSBatchResponse(failures);
    }

    /** When this invocation times out. */
    public static Instant deadline(Context context) {
        return Instant.now().plusMillis(context.getRemainingTimeInMillis());
    }

    private static int receiveCount(Map<String, String> attributes) {
        try {
            return attributes == null ? 1 : Integer.parseInt(attributes.getOrDefault("ApproximateReceiveCount", "1"));
        } catch (NumberFormatException e) {
            return 1;
        }
    }
}

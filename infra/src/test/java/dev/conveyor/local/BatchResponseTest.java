package dev.conveyor.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.Message;

/** How Lambda reads a partial batch response (AWS Lambda developer guide, "Handling errors for an SQS event source"). */
class BatchResponseTest {
    private static final List<Message> BATCH = List.of(
            Message.builder().messageId("m1").build(), Message.builder().messageId("m2").build());

    @Test
    void nothingReportedIsCompleteSuccess() {
        for (String response : new String[] {"", "null", "{}", "{\"batchItemFailures\": null}",
                "{\"batchItemFailures\": []}"}) {
            assertEquals(Set.of(), SqsEventSource.failures(response, BATCH), response);
        }
    }

    @Test
    void reportedIdsAreKept() {
        assertEquals(Set.of("m2"), SqsEventSource.failures(
                "{\"batchItemFailures\": [{\"itemIdentifier\": \"m2\"}]}", BATCH));
    }

    @Test
    void anUnusableReportFailsTheWholeBatch() {
        for (String response : new String[] {"not json", "{\"batchItemFailures\": {}}",
                "{\"batchItemFailures\": [{\"itemIdentifier\": \"\"}]}",
                "{\"batchItemFailures\": [{\"itemIdentifier\": null}]}",
                "{\"batchItemFailures\": [{\"id\": \"m1\"}]}",
                "{\"batchItemFailures\": [{\"itemIdentifier\": \"m1\"}, {\"itemIdentifier\": \"m3\"}]}"}) {
            assertNull(SqsEventSource.failures(response, BATCH), response);
        }
    }
}

package dev.conveyor.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conveyor.aws.AwsClients;
import dev.conveyor.config.Config;
import dev.conveyor.job.JobId;
import dev.conveyor.testing.ScriptedHttpServer;
import dev.conveyor.testing.TestQueues;
import dev.conveyor.trace.TraceContext;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

class SqsJobQueueIT {
    private final TestQueues.QueuePair queues = TestQueues.create(30, 5);
    private final SqsJobQueue queue = queues.jobQueue();

    private List<Message> receive(int max) {
        return queues.sqs().receiveMessage(b -> b.queueUrl(queues.url()).maxNumberOfMessages(max).waitTimeSeconds(1))
                .messages();
    }

    @Test
    void sendsEveryJobInBatchesOfTen() {
        List<JobQueue.Dispatch> dispatches = new ArrayList<>();
        Set<JobId> ids = new HashSet<>();
        for (int i = 0; i < 23; i++) {
            JobId id = JobId.newId(Instant.now());
            ids.add(id);
            dispatches.add(new JobQueue.Dispatch(id, Duration.ZERO));
        }
        assertEquals(Set.of(), queue.send(dispatches));

        Set<JobId> received = new HashSet<>();
        for (int i = 0; i < 10 && received.size() < 23; i++) {
            receive(10).forEach(m -> received.add(JobMessage.decode(m.body()).orElseThrow()));
        }
        assertEquals(ids, received);
    }

    @Test
    void aDelayedMessageArrivesLater() {
        JobId id = JobId.newId(Instant.now());
        queue.send(List.of(new JobQueue.Dispatch(id, Duration.ofMillis(1500))));

        assertEquals(List.of(), queues.sqs().receiveMessage(b -> b.queueUrl(queues.url())).messages());
        assertEquals(1, queue.depth().delayed());
        long start = System.nanoTime();
        List<Message> messages = List.of();
        while (messages.isEmpty() && System.nanoTime() - start < 5e9) {
            messages = receive(1);
        }
        assertEquals(Optional.of(id), JobMessage.decode(messages.get(0).body()));
        assertTrue(System.nanoTime() - start >= 0.9e9, "delayed by the whole second the delay rounds up to");
    }

    @Test
    void hideKeepsAMessageAwayForItsDelay() {
        queue.send(List.of(new JobQueue.Dispatch(JobId.newId(Instant.now()), Duration.ZERO)));
        Message message = receive(1).get(0);

        assertEquals(Set.of(), queue.hide(List.of(new JobQueue.Hide(message.receiptHandle(), Duration.ofSeconds(2)))));
        assertEquals(List.of(), receive(1), "hidden for 2 s");
        List<Message> again = List.of();
        long start = System.nanoTime();
        while (again.isEmpty() && System.nanoTime() - start < 6e9) {
            again = receive(1);
        }
        assertEquals(message.messageId(), again.get(0).messageId());
    }

    @Test
    void hideReportsAnUnknownReceiptHandle() {
        Set<String> failed = queue.hide(List.of(new JobQueue.Hide("not-a-handle", Duration.ofSeconds(1))));
        assertEquals(Set.of("not-a-handle"), failed);
    }

    @Test
    void depthCountsVisibleAndInFlightMessages() {
        queue.send(List.of(new JobQueue.Dispatch(JobId.newId(Instant.now()), Duration.ZERO),
                new JobQueue.Dispatch(JobId.newId(Instant.now()), Duration.ZERO)));
        receive(1);

        JobQueue.QueueDepth depth = queue.depth();
        assertEquals(1, depth.visible());
        assertEquals(1, depth.inFlight());
        assertEquals(0, depth.deadLettered());
    }

    @Test
    void roundsDelaysUpToWholeSeconds() {
        assertEquals(0, SqsJobQueue.wholeSeconds(Duration.ZERO, 900));
        assertEquals(1, SqsJobQueue.wholeSeconds(Duration.ofMillis(1), 900));
        assertEquals(2, SqsJobQueue.wholeSeconds(Duration.ofMillis(1001), 900));
        assertEquals(900, SqsJobQueue.wholeSeconds(Duration.ofHours(1), 900));
        assertEquals(0, SqsJobQueue.wholeSeconds(Duration.ofSeconds(-3), 900));
    }

    @Test
    void messagesCarryOnlyTheJobId() {
        JobId id = JobId.newId(Instant.now());
        assertEquals("{\"job_id\":\"" + id + "\"}", JobMessage.encode(id));
        assertEquals(Optional.of(id), JobMessage.decode(JobMessage.encode(id)));
        assertEquals(Optional.empty(), JobMessage.decode("not json"));
        assertEquals(Optional.empty(), JobMessage.decode("{\"job_id\":\"nope\"}"));
        assertEquals(Optional.empty(), JobMessage.decode("{\"job_id\":\"" + id + "\",\"x\":1}"));
    }

    @Test
    void aMessageCarriesItsJobsTraceAsTraceparentAndAwsTraceHeader() {
        TraceContext trace = TraceContext.fromTraceparent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        queue.send(List.of(new JobQueue.Dispatch(JobId.newId(Instant.now()), Duration.ZERO, trace)));

        Message message = queues.sqs().receiveMessage(b -> b.queueUrl(queues.url()).waitTimeSeconds(1)
                .messageAttributeNames("All").messageSystemAttributeNames(MessageSystemAttributeName.ALL))
                .messages().get(0);
        assertEquals(trace.traceparent(), message.messageAttributes().get(SqsJobQueue.TRACEPARENT).stringValue());
        assertEquals("Root=1-0af76519-16cd43dd8448eb211c80319c;Parent=b7ad6b7169203331;Sampled=1",
                message.attributes().get(MessageSystemAttributeName.AWS_TRACE_HEADER));
    }

    /** SQS lists each entry as successful or failed; one it lists as neither was not sent (nor counted as sent). */
    @Test
    void anEntryTheAnswerDoesNotListAsSuccessfulWasNotSent() {
        JobId first = JobId.newId(Instant.now());
        JobId second = JobId.newId(Instant.now());
        String onlyTheFirst = "{\"Successful\": [{\"Id\": \"0\", \"MessageId\": \"m0\","
                + " \"MD5OfMessageBody\": \"" + md5(JobMessage.encode(first)) + "\"}]}";
        for (String answer : new String[] {onlyTheFirst, "{}"}) {
            try (ScriptedHttpServer sqs = ScriptedHttpServer.answering(ScriptedHttpServer.Answer.json(200, answer))) {
                Map<String, String> env = new HashMap<>(TestQueues.environment());
                env.put("AWS_ENDPOINT_URL_SQS", sqs.uri().toString());
                SqsJobQueue scripted = new SqsJobQueue(AwsClients.sqs(new Config(env::get)), sqs.uri() + "/q", null);

                Set<JobId> failed = scripted.send(List.of(new JobQueue.Dispatch(first, Duration.ZERO),
                        new JobQueue.Dispatch(second, Duration.ZERO)));

                assertEquals(answer.equals("{}") ? Set.of(first, second) : Set.of(second), failed, answer);
            }
        }
    }

    private static String md5(String text) {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(digest);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

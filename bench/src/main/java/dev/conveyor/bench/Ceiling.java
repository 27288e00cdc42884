package dev.conveyor.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobId;
import dev.conveyor.job.NewJob;
import dev.conveyor.job.Submission;
import dev.conveyor.json.Json;
import dev.conveyor.queue.JobMessage;
import dev.conveyor.queue.JobQueue;
import dev.conveyor.queue.SqsJobQueue;
import dev.conveyor.store.JobStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * What the bare local infrastructure carries of the work one job needs, with the runtime's batching, measured with
 * nothing else running: PostgreSQL running the job store's own statements (insert, claim, finish: {@link JobStore}
 * on JDBC, in batches of 10, the consumer's batch size), and the SQS server sending, receiving and deleting job
 * messages in batches of 10 (SQS's limit). Each is a pipeline of {@code threads} producers and {@code threads}
 * consumers, as submit-job and process-job are; each runs alone, on the whole machine. The ceiling is the lower
 * rate: no arrangement of these servers finishes jobs faster.
 */
final class Ceiling {
    static final int BATCH = 10;
    private static final Duration LEASE_GRACE = Duration.ofSeconds(10);
    private static final JsonNode RESULT = Json.object().put("message", "bench");

    private Ceiling() {
    }

    /**
     * Jobs per second each server carries, and the lower of the two; and, for comparison with {@code POST /jobs}
     * (one job, so one message, per send), ElasticMQ when every send carries one message.
     */
    record Result(double postgresJobsPerSecond, double sqsJobsPerSecond, double sqsSingleSendJobsPerSecond, int jobs,
                  int threads) {
        double jobsPerSecond() {
            return Math.min(postgresJobsPerSecond, sqsJobsPerSecond);
        }

        String limitedBy() {
            return postgresJobsPerSecond <= sqsJobsPerSecond ? "PostgreSQL" : "ElasticMQ";
        }
    }

    /**
     * Each pipeline runs twice with {@code jobs} jobs, and the second run counts: the servers' code (and the
     * clients') is compiled by then, as the runtime's is by the time its phases are measured.
     */
    static Result measure(JobStore store, SqsClient sqs, String queueUrl, int jobs, int threads)
            throws InterruptedException {
        postgres(store, jobs, threads);
        double postgres = postgres(store, jobs, threads);
        sqs(sqs, queueUrl, jobs, threads, BATCH);
        double queue = sqs(sqs, queueUrl, jobs, threads, BATCH);
        sqs(sqs, queueUrl, jobs, threads, 1);
        double singles = sqs(sqs, queueUrl, jobs, threads, 1);
        return new Result(postgres, queue, singles, jobs, threads);
    }

    /** Jobs per second through insert, claim and finish, {@code threads} inserting and {@code threads} running. */
    static double postgres(JobStore store, int jobs, int threads) throws InterruptedException {
        BlockingQueue<List<JobId>> inserted = new LinkedBlockingQueue<>();
        AtomicInteger toInsert = new AtomicInteger(jobs);
        AtomicInteger toFinish = new AtomicInteger(jobs);
        NewJob echo = new NewJob("echo", Json.object().put("message", "bench"), NewJob.DEFAULT_MAX_RETRIES,
                NewJob.DEFAULT_RETRY_DELAY_SECONDS, NewJob.DEFAULT_TIMEOUT_SECONDS, 0, null);
        return pipeline(threads, toFinish, () -> {
            int n;
            while ((n = take(toInsert, BATCH)) > 0) {
                List<Submission> stored = store.insert(Collections.nCopies(n, echo), Instant.now());
                inserted.add(stored.stream().map(s -> s.job().id()).toList());
            }
        }, () -> {
            while (toFinish.get() > 0) {
                List<JobId> ids = inserted.poll(50, TimeUnit.MILLISECONDS);
                if (ids == null) {
                    continue;
                }
                List<Job> claimed = store.claim(ids, Instant.now(), LEASE_GRACE);
                List<JobStore.Finish> finishes = new ArrayList<>(claimed.size());
                claimed.forEach(job -> finishes.add(JobStore.Finish.succeeded(job.id(), job.attempt(), RESULT)));
                int recorded = store.finish(finishes, Instant.now()).size();
                if (recorded != ids.size()) {
                    throw new IllegalStateException("claimed and finished " + recorded + " of " + ids.size() + " jobs");
                }
                toFinish.addAndGet(-recorded);
            }
        });
    }

    /**
     * Messages per second through SendMessageBatch, ReceiveMessage and DeleteMessageBatch, {@code threads} sending
     * (through the functions' own {@link SqsJobQueue}) and {@code threads} receiving and deleting (as the event
     * source mapping's pollers do, with the same client); each send carries {@code perSend} messages.
     */
    static double sqs(SqsClient sqs, String queueUrl, int jobs, int threads, int perSend)
            throws InterruptedException {
        JobQueue queue = new SqsJobQueue(sqs, queueUrl, null);
        AtomicInteger toSend = new AtomicInteger(jobs);
        AtomicInteger toDelete = new AtomicInteger(jobs);
        return pipeline(threads, toDelete, () -> {
            int n;
            while ((n = take(toSend, perSend)) > 0) {
                List<JobQueue.Dispatch> dispatches = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    dispatches.add(new JobQueue.Dispatch(JobId.newId(Instant.now()), Duration.ZERO));
                }
                if (!queue.send(dispatches).isEmpty()) {
                    throw new IllegalStateException("the SQS server refused messages");
                }
            }
        }, () -> {
            while (toDelete.get() > 0) {
                List<Message> messages = sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(BATCH)
                        .waitTimeSeconds(1).messageSystemAttributeNames(MessageSystemAttributeName.ALL)
                        .messageAttributeNames("All")).messages();
                if (messages.isEmpty()) {
                    continue;
                }
                List<DeleteMessageBatchRequestEntry> entries = new ArrayList<>();
                for (Message message : messages) {
                    JobMessage.decode(message.body()).orElseThrow();
                    entries.add(DeleteMessageBatchRequestEntry.builder().id(Integer.toString(entries.size()))
                            .receiptHandle(message.receiptHandle()).build());
                }
                if (!sqs.deleteMessageBatch(b -> b.queueUrl(queueUrl).entries(entries)).failed().isEmpty()) {
                    throw new IllegalStateException("the SQS server did not delete messages");
                }
                toDelete.addAndGet(-messages.size());
            }
        });
    }

    private interface Work {
        void run() throws Exception;
    }

    /** Runs the producers and consumers; answers how many jobs per second the consumers got through. */
    private static double pipeline(int threads, AtomicInteger left, Work producer, Work consumer)
            throws InterruptedException {
        int jobs = left.get();
        CountDownLatch done = new CountDownLatch(2 * threads);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> all = new ArrayList<>();
        for (int i = 0; i < 2 * threads; i++) {
            Work work = i < threads ? producer : consumer;
            all.add(new Thread(() -> {
                try {
                    work.run();
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                    left.set(0);
                } finally {
                    done.countDown();
                }
            }, "bench-ceiling-" + i));
        }
        long start = System.nanoTime();
        all.forEach(Thread::start);
        done.await();
        double seconds = (System.nanoTime() - start) / 1e9;
        if (failure.get() != null) {
            throw new IllegalStateException("measuring the ceiling failed: " + failure.get(), failure.get());
        }
        return jobs / seconds;
    }

    private static int take(AtomicInteger left, int most) {
        while (true) {
            int now = left.get();
            int take = Math.min(now, most);
            if (take <= 0) {
                return 0;
            }
            if (left.compareAndSet(now, now - take)) {
                return take;
            }
        }
    }
}

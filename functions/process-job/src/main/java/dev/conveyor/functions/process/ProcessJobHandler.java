package dev.conveyor.functions.process;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.conveyor.config.Config;
import dev.conveyor.config.Wiring;
import dev.conveyor.functions.Priming;
import dev.conveyor.functions.Snapshots;
import dev.conveyor.functions.SqsBatch;
import dev.conveyor.process.JobProcessor;
import dev.conveyor.queue.JobQueue;
import dev.conveyor.store.JobStore;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;

/**
 * The {@code jobs} queue's consumer: runs a batch of jobs concurrently and reports, per message, what the queue
 * must keep ({@code ReportBatchItemFailures}).
 */
public final class ProcessJobHandler implements RequestStreamHandler {
    private final JobProcessor processor;

    /** Wires the store, the queue and the job handlers from the environment, once per cold start; warms up. */
    public ProcessJobHandler() {
        this(Config.fromEnvironment());
    }

    private ProcessJobHandler(Config config) {
        this(config, Wiring.store(config, 2), Wiring.queue(config));
    }

    private ProcessJobHandler(Config config, JobStore store, JobQueue queue) {
        this(Wiring.jobProcessor(config, store, queue));
        Priming.run(Map.of(
                "database", store::ping,
                "queue", queue::prime,
                "batch", SqsBatch::prime));
        Snapshots.register("process-job", SqsBatch::prime);
    }

    public ProcessJobHandler(JobProcessor processor) {
        this.processor = processor;
    }

    @Override
    public void handleRequest(InputStream event, OutputStream response, Context context) {
        SqsBatch.write(processor.process(SqsBatch.read(event), SqsBatch.deadline(context)), response);
    }
}

package dev.conveyor.functions.process;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.conveyor.config.Config;
import dev.conveyor.config.Wiring;
import dev.conveyor.functions.SqsBatch;
import dev.conveyor.process.JobProcessor;

/**
 * The {@code jobs} queue's consumer: runs a batch of jobs concurrently and reports, per message, what the queue
 * must keep ({@code ReportBatchItemFailures}).
 */
public final class ProcessJobHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {
    private final JobProcessor processor;

    /** Wires the store, the queue and the job handlers from the environment, once per cold start. */
    public ProcessJobHandler() {
        this(Wiring.jobProcessor(Config.fromEnvironment()));
    }

    public ProcessJobHandler(JobProcessor processor) {
        this.processor = processor;
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        return SqsBatch.failures(processor.process(SqsBatch.messages(event), SqsBatch.deadline(context)));
    }
}

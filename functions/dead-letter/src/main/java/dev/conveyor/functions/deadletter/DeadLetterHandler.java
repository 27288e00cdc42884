package dev.conveyor.functions.deadletter;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.conveyor.config.Config;
import dev.conveyor.config.Wiring;
import dev.conveyor.deadletter.DeadLetters;
import dev.conveyor.functions.SqsBatch;

/** The {@code jobs-dlq} consumer: dead-letters jobs, keeps (reports) what it cannot (see {@link DeadLetters}). */
public final class DeadLetterHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {
    private final DeadLetters deadLetters;

    /** Wires the store and the dead-letter queue from the environment, once per cold start. */
    public DeadLetterHandler() {
        this(Wiring.deadLetters(Config.fromEnvironment()));
    }

    public DeadLetterHandler(DeadLetters deadLetters) {
        this.deadLetters = deadLetters;
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        return SqsBatch.failures(deadLetters.process(SqsBatch.messages(event)));
    }
}

package dev.conveyor.functions.deadletter;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.conveyor.config.Config;
import dev.conveyor.config.Wiring;
import dev.conveyor.deadletter.DeadLetters;
import dev.conveyor.functions.Snapshots;
import dev.conveyor.functions.SqsBatch;
import java.io.InputStream;
import java.io.OutputStream;

/** The {@code jobs-dlq} consumer: dead-letters jobs, keeps (reports) what it cannot (see {@link DeadLetters}). */
public final class DeadLetterHandler implements RequestStreamHandler {
    private final DeadLetters deadLetters;

    /** Wires the store and the dead-letter queue from the environment, once per cold start. */
    public DeadLetterHandler() {
        this(Wiring.deadLetters(Config.fromEnvironment()));
        Snapshots.register("dead-letter", () -> { });
    }

    public DeadLetterHandler(DeadLetters deadLetters) {
        this.deadLetters = deadLetters;
    }

    @Override
    public void handleRequest(InputStream event, OutputStream response, Context context) {
        SqsBatch.write(deadLetters.process(SqsBatch.read(event)), response);
    }
}

package dev.conveyor.functions.sweep;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.conveyor.config.Config;
import dev.conveyor.config.Wiring;
import dev.conveyor.functions.Snapshots;
import dev.conveyor.json.Json;
import dev.conveyor.sweep.Sweeper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Runs on a schedule: sends the messages waiting jobs are owed and settles expired leases (see {@link Sweeper}).
 * The schedule's event says nothing the sweep needs, so it is not read (a stream handler: Lambda's runtime does
 * not map it by reflection); the answer is the sweep's counts, {@code {"sent": n, "unsent": n,
 * "leases_settled": n}}.
 */
public final class SweepJobsHandler implements RequestStreamHandler {
    private final Sweeper sweeper;

    /** Wires the store and the queue from the environment, once per cold start. */
    public SweepJobsHandler() {
        this(Wiring.sweeper(Config.fromEnvironment()));
        Snapshots.register("sweep-jobs", () -> { });
    }

    public SweepJobsHandler(Sweeper sweeper) {
        this.sweeper = sweeper;
    }

    @Override
    public void handleRequest(InputStream event, OutputStream response, Context context) throws IOException {
        Sweeper.Sweep sweep = sweeper.sweep();
        response.write(Json.write(Json.object()
                .put("sent", sweep.sent())
                .put("unsent", sweep.unsent())
                .put("leases_settled", sweep.leasesSettled())).getBytes(StandardCharsets.UTF_8));
    }
}

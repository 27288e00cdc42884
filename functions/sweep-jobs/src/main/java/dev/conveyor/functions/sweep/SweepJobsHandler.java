package dev.conveyor.functions.sweep;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import dev.conveyor.config.Config;
import dev.conveyor.config.Wiring;
import dev.conveyor.sweep.Sweeper;
import java.util.Map;

/** Runs on a schedule: sends the messages waiting jobs are owed and settles expired leases (see {@link Sweeper}). */
public final class SweepJobsHandler implements RequestHandler<ScheduledEvent, Map<String, Integer>> {
    private final Sweeper sweeper;

    /** Wires the store and the queue from the environment, once per cold start. */
    public SweepJobsHandler() {
        this(Wiring.sweeper(Config.fromEnvironment()));
    }

    public SweepJobsHandler(Sweeper sweeper) {
        this.sweeper = sweeper;
    }

    @Override
    public Map<String, Integer> handleRequest(ScheduledEvent event, Context context) {
        Sweeper.Sweep sweep = sweeper.sweep();
        return Map.of("sent", sweep.sent(), "unsent", sweep.unsent(), "leases_settled", sweep.leasesSettled());
    }
}

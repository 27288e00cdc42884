package dev.conveyor.functions;

import dev.conveyor.config.Env;
import dev.conveyor.config.Wiring;
import dev.conveyor.log.Log;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.crac.Context;
import org.crac.Core;
import org.crac.Resource;

/**
 * Lambda SnapStart's hooks, through CRaC's {@code org.crac} API, which Lambda calls around a snapshot (and which
 * never run anywhere else). Before the snapshot a function primes itself harder than an on-demand init can afford
 * to ({@code beforeCheckpoint}): the snapshot keeps the classes loaded and the code compiled. After a restore
 * ({@code afterRestore}) what the snapshot froze is renewed: the AWS credentials (the next call fetches its own),
 * the database connections and the database secret (see {@link Wiring#afterRestore()}).
 *
 * <p>CRaC holds a resource weakly: the registered hooks are kept here, for the life of the environment.
 */
public final class Snapshots implements Resource {
    /** How often the priming round runs before a snapshot: enough calls for the JIT to compile its path. */
    static final int ROUNDS = 300;
    private static final Log LOG = Log.of(Snapshots.class);
    private static final List<Snapshots> REGISTERED = new CopyOnWriteArrayList<>();

    private final String function;
    private final Runnable priming;

    private Snapshots(String function, Runnable priming) {
        this.function = function;
        this.priming = priming;
    }

    /**
     * Registers a function's hooks when Lambda initializes it for a snapshot
     * ({@code AWS_LAMBDA_INITIALIZATION_TYPE=snap-start}); anywhere else they would never be called.
     *
     * @param round run {@link #ROUNDS} times before the snapshot: the function's made-up requests (that change
     *     nothing), so that the snapshot holds their code compiled; a failure is logged, and the snapshot taken
     */
    public static void register(String function, Runnable round) {
        if ("snap-start".equals(Env.get("AWS_LAMBDA_INITIALIZATION_TYPE"))) {
            Snapshots hooks = hooks(function, round);
            REGISTERED.add(hooks);
            Core.getGlobalContext().register(hooks);
        }
    }

    static Snapshots hooks(String function, Runnable round) {
        return new Snapshots(function, () -> {
            for (int i = 0; i < ROUNDS; i++) {
                round.run();
            }
        });
    }

    @Override
    public void beforeCheckpoint(Context<? extends Resource> context) {
        long start = System.nanoTime();
        try {
            priming.run();
        } catch (RuntimeException e) {
            LOG.warn("priming before the snapshot failed; the snapshot is taken anyway", e, "function", function);
        }
        LOG.info("primed before the snapshot", "function", function,
                "ms", (System.nanoTime() - start) / 1_000_000);
    }

    @Override
    public void afterRestore(Context<? extends Resource> context) {
        long start = System.nanoTime();
        try {
            Wiring.afterRestore();
        } catch (RuntimeException e) {
            // The first call meets the same failure and answers for it (a database down is its 503).
            LOG.warn("renewing after the restore failed", e, "function", function);
            return;
        }
        LOG.info("restored: credentials, connections and the database secret renewed", "function", function,
                "ms", (System.nanoTime() - start) / 1_000_000);
    }
}

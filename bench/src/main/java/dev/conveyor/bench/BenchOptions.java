package dev.conveyor.bench;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What to run; every option has a default, so that {@code ./conveyor bench} alone runs the whole benchmark.
 *
 * @param openModel the open-model phase's arrival phases, before {@code openModelScale}; null: no such phase
 * @param openModelScale what every arrival phase's duration is multiplied by (a quick run: 0.05)
 * @param url an API to measure instead of starting the local runtime (with {@code apiKey}); null: the local runtime
 * @param root the repository: template.yaml and the built functions
 */
record BenchOptions(int jobs, int clients, int batchSize, int warmup, double pacedRate, int pacedJobs,
                    OpenModel.Profile openModel, double openModelScale, int coldStartRuns, int ceilingJobs,
                    int ceilingThreads, int pollers, int apiRateLimit, String url, String apiKey, boolean json,
                    Path root) {

    static BenchOptions defaults(Path root) {
        return new BenchOptions(10_000, 16, 100, 2_000, 100, 1_000, OpenModel.Profile.parse(OpenModel.Profile.DEFAULT),
                1, 5, 10_000, 4, 8, 1_000_000, null, null, false, root);
    }

    static String usage() {
        return """
                usage: ./conveyor bench [options]
                  --jobs N              echo jobs per throughput phase (default 10000)
                  --clients C           concurrent HTTP clients (default 16)
                  --batch-size B        jobs per POST /jobs/batch (default 100, the API's most)
                  --warmup N            jobs submitted and finished before measuring, not counted (default 2000)
                  --paced-rate R        jobs/s offered in the latency phase, an open loop (default 100)
                  --paced-jobs N        jobs in the latency phase (default 1000)
                  --open-model SPEC     the client-side latency phase's arrival phases, RATExSECONDS,...: new users
                                        a second for how long, one after another; each user opens a connection,
                                        sends POST /jobs then GET /jobs/{id} on it, and closes it (default
                                        10x60,50x120,100x60); none: skip the phase
                  --open-model-scale F  multiply every arrival phase's duration by F, its rate unchanged
                                        (default 1; 0.05 for a quick run)
                  --cold-start-runs K   fresh JVMs per function; the median counts (default 5)
                  --ceiling-jobs N      jobs through bare PostgreSQL and ElasticMQ for the ceiling, after as many
                                        unmeasured (default 10000)
                  --ceiling-threads T   producer and consumer threads each for the ceiling (default 4)
                  --pollers P           the local runtime's pollers per SQS event source (default 8)
                  --api-rate-limit R    the usage plan's rate and burst for this run (default 1000000)
                  --url URL --api-key K measure this API instead of starting the local runtime
                  --root DIR            the repository (default: the current directory)
                  --json                print the figures as one JSON object on the last line of stdout""";
    }

    static BenchOptions parse(String[] args, BenchOptions d) {
        Map<String, String> given = new HashMap<>();
        boolean json = d.json;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--json")) {
                json = true;
            } else if (arg.equals("--help") || arg.equals("-h")) {
                throw new IllegalArgumentException("");
            } else if (!OPTIONS.contains(arg)) {
                throw new IllegalArgumentException("unknown option " + arg);
            } else if (i + 1 >= args.length) {
                throw new IllegalArgumentException(arg + " needs a value");
            } else {
                given.put(arg, args[++i]);
            }
        }
        BenchOptions o = new BenchOptions(
                integer(given, "--jobs", d.jobs, 1),
                integer(given, "--clients", d.clients, 1),
                integer(given, "--batch-size", d.batchSize, 2),
                integer(given, "--warmup", d.warmup, 0),
                number(given, "--paced-rate", d.pacedRate),
                integer(given, "--paced-jobs", d.pacedJobs, 1),
                given.containsKey("--open-model") ? openModel(given.get("--open-model")) : d.openModel,
                number(given, "--open-model-scale", d.openModelScale),
                integer(given, "--cold-start-runs", d.coldStartRuns, 1),
                integer(given, "--ceiling-jobs", d.ceilingJobs, 1),
                integer(given, "--ceiling-threads", d.ceilingThreads, 1),
                integer(given, "--pollers", d.pollers, 1),
                integer(given, "--api-rate-limit", d.apiRateLimit, 1),
                given.getOrDefault("--url", d.url),
                given.getOrDefault("--api-key", d.apiKey),
                json,
                given.containsKey("--root") ? Path.of(given.get("--root")).toAbsolutePath() : d.root);
        if (o.batchSize > 100) {
            throw new IllegalArgumentException("--batch-size must be 100 or less: the API takes at most 100 jobs");
        }
        if ((o.url == null) != (o.apiKey == null)) {
            throw new IllegalArgumentException("--url and --api-key go together");
        }
        if (o.openModel != null) {
            List<OpenModel.ArrivalPhase> asGiven = o.openModel.phases();
            List<OpenModel.ArrivalPhase> scaled = o.openModelScaled().phases();
            for (int i = 0; i < asGiven.size(); i++) {
                if (scaled.get(i).users() < 1) {
                    throw new IllegalArgumentException("--open-model: " + asGiven.get(i).spec() + " at"
                            + " --open-model-scale " + o.openModelScale + " is " + scaled.get(i).label()
                            + ", which starts no user; give a longer phase or a larger scale");
                }
                if (scaled.get(i).usersPerSecond() * scaled.get(i).seconds() > MAX_OPEN_MODEL_USERS) {
                    throw new IllegalArgumentException("--open-model: " + scaled.get(i).label() + " starts more than"
                            + " " + MAX_OPEN_MODEL_USERS + " users, the most a phase may");
                }
            }
        }
        return o;
    }

    private static final int MAX_OPEN_MODEL_USERS = 1_000_000;
    private static final Set<String> OPTIONS = Set.of("--jobs", "--clients", "--batch-size", "--warmup",
            "--paced-rate", "--paced-jobs", "--open-model", "--open-model-scale", "--cold-start-runs", "--ceiling-jobs",
            "--ceiling-threads", "--pollers", "--api-rate-limit", "--url", "--api-key", "--root");

    /** The open-model phase's arrival phases as they run (durations scaled); null when the phase is skipped. */
    OpenModel.Profile openModelScaled() {
        return openModel == null ? null : openModel.scaled(openModelScale);
    }

    private static OpenModel.Profile openModel(String spec) {
        return spec.equals("none") ? null : OpenModel.Profile.parse(spec);
    }

    private static int integer(Map<String, String> given, String option, int fallback, int min) {
        String value = given.get(option);
        if (value == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(value);
            if (n < min) {
                throw new IllegalArgumentException(option + " must be at least " + min + ", not " + value);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " takes a whole number, not " + value);
        }
    }

    private static double number(Map<String, String> given, String option, double fallback) {
        String value = given.get(option);
        if (value == null) {
            return fallback;
        }
        try {
            double n = Double.parseDouble(value);
            if (!(n > 0) || Double.isInfinite(n)) {
                throw new IllegalArgumentException(option + " must be above 0, not " + value);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " takes a number, not " + value);
        }
    }
}

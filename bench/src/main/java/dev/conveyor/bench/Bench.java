package dev.conveyor.bench;

import dev.conveyor.local.LocalDataApi;
import dev.conveyor.local.LocalPostgres;
import dev.conveyor.local.LocalQueues;
import dev.conveyor.local.LocalRuntime;
import dev.conveyor.local.LocalSecrets;
import dev.conveyor.local.template.Stack;
import dev.conveyor.local.template.Template;
import dev.conveyor.store.jdbc.JdbcJobStore;
import dev.conveyor.store.jdbc.JdbcMigrator;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One run of the benchmark, in an order that keeps what is measured alone on the machine: first the bare
 * infrastructure's ceiling and the functions' cold starts (on a PostgreSQL and an SQS server of the bench's own),
 * stopped before the local runtime starts; then the runtime in a child JVM and the load phases against it over
 * HTTP: a warm-up, {@code POST /jobs} from concurrent clients, {@code POST /jobs/batch}, the paced latency phase,
 * and the open model (request latency on the client's clock).
 */
final class Bench {
    private static final Pattern ARTIFACT = Pattern.compile("conveyor-([a-z-]+)\\.zip$");

    private final BenchOptions options;
    private final PrintStream progress;

    Bench(BenchOptions options, PrintStream progress) {
        this.options = options;
        this.progress = progress;
    }

    Results run() throws IOException, InterruptedException {
        long started = System.nanoTime();
        double load = Machine.loadAverage();
        Path template = options.root().resolve("template.yaml");
        Path work = Files.createTempDirectory("conveyor-bench-");
        try {
            Machine machine = Machine.describe();
            progress.printf("Machine: %s; load average %.2f%n", machine, load);
            Ceiling.Result ceiling;
            List<ColdStarts.Result> coldStarts = new ArrayList<>();
            Map<String, Long> artifacts;
            LocalPostgres postgres = LocalPostgres.start(work.resolve("infrastructure").resolve("postgres"), true);
            // The bench's own database, with no stack to migrate it: the schema directly, as ./conveyor migrate.
            JdbcMigrator.migrate(postgres.jdbcUrl(), JdbcJobStore.connectionProperties(LocalPostgres.USER, null));
            try (LocalQueues queues = LocalQueues.start(0);
                 LocalSecrets secrets = LocalSecrets.start(0);
                 JdbcJobStore store = JdbcJobStore.connect(postgres.jdbcUrl(), LocalPostgres.USER, null,
                         2 * options.ceilingThreads())) {
                progress.printf("Measuring the ceiling: %,d jobs through bare PostgreSQL, then ElasticMQ...%n",
                        options.ceilingJobs());
                String queueUrl = queues.client().createQueue(b -> b.queueName("conveyor-bench-ceiling")
                        .attributesWithStrings(Map.of("VisibilityTimeout", "360"))).queueUrl();
                ceiling = Ceiling.measure(store, queues.functionsClient(), queueUrl, options.ceilingJobs(),
                        options.ceilingThreads());
                progress.printf("  PostgreSQL %.0f jobs/s, ElasticMQ %.0f jobs/s%n", ceiling.postgresJobsPerSecond(),
                        ceiling.sqsJobsPerSecond());

                Stack stack = Stack.of(Template.load(template), "conveyor", Map.of(
                        "Store", "jdbc",
                        "DatabaseUrl", postgres.jdbcUrl(),
                        "DatabaseSecretArn", LocalDataApi.SECRET_ARN,
                        "DatabaseClusterArn", LocalDataApi.CLUSTER_ARN));
                for (Stack.QueueSpec queue : stack.queues()) {
                    stack.queueCreated(queue.logicalId(), queues.create(queue));
                }
                artifacts = artifactBytes(template, stack);
                Map<String, String> lambda = new HashMap<>(queues.environment());
                lambda.put("TZ", ":UTC");
                // The path a function takes on AWS: its database login read from Secrets Manager in its init.
                secrets.put(LocalDataApi.SECRET_ARN, LocalRuntime.databaseSecret(postgres));
                lambda.put("AWS_ENDPOINT_URL_SECRETS_MANAGER", secrets.endpoint());
                ColdStarts cold = new ColdStarts(Files.createDirectories(work.resolve("cold-starts")), template, stack,
                        lambda, store, queues.client(), queues.functionsClient());
                for (String function : ColdStarts.FUNCTIONS) {
                    progress.printf("Cold starts of %s: %d fresh JVMs...%n", function, options.coldStartRuns());
                    coldStarts.add(cold.measure(function, options.coldStartRuns()));
                }
            } finally {
                postgres.close();
            }

            RuntimeProcess runtime = null;
            Api api;
            String target;
            if (options.url() == null) {
                progress.println("Starting the local runtime...");
                String limit = Integer.toString(options.apiRateLimit());
                runtime = RuntimeProcess.start(template, work.resolve("runtime"), options.pollers(),
                        Map.of("ApiRateLimit", limit, "ApiBurstLimit", limit));
                api = new Api(runtime.url(), runtime.apiKey());
                target = "the local runtime (" + runtime.url() + ")";
            } else {
                api = new Api(options.url(), options.apiKey());
                target = options.url();
            }
            try {
                List<Long> ours = new ArrayList<>(List.of(ProcessHandle.current().pid()));
                if (runtime != null) {
                    ours.addAll(runtime.pids());
                }
                CpuShare cpu = CpuShare.start(ours);
                if (options.warmup() > 0) {
                    progress.printf("Warming up: %,d jobs...%n", options.warmup());
                    phase("warm-up", Load.closedLoop(api, options.warmup(), options.clients(), 1), api);
                }
                progress.printf("POST /jobs: %,d jobs from %d clients...%n", options.jobs(), options.clients());
                Phase single = phase("POST /jobs, " + options.clients() + " clients",
                        Load.closedLoop(api, options.jobs(), options.clients(), 1), api);
                progress.printf("POST /jobs/batch: %,d jobs, %d per request...%n", options.jobs(), options.batchSize());
                Phase batch = phase("POST /jobs/batch, " + options.batchSize() + " per request",
                        Load.closedLoop(api, options.jobs(), options.clients(), options.batchSize()), api);
                progress.printf("Paced: %,d jobs at %.0f/s...%n", options.pacedJobs(), options.pacedRate());
                Phase paced = phase(String.format("paced, %.0f jobs/s offered", options.pacedRate()),
                        Load.paced(api, options.pacedJobs(), options.pacedRate()), api);
                // Read before the open model, so that the peaks are those of the phases above, as they always were.
                RuntimeProcess.Memory memory = runtime == null ? null : runtime.memory();
                OpenModel.Result openModel = openModel(api);
                if (runtime != null) {
                    ours = new ArrayList<>(List.of(ProcessHandle.current().pid()));
                    ours.addAll(runtime.pids()); // with the PostgreSQL backends opened since
                }
                double others = cpu.othersSince(ours);
                return new Results(options, machine, load, others, target, ceiling, coldStarts, artifacts, single,
                        batch, paced, openModel, memory, (System.nanoTime() - started) / 1e9);
            } catch (RuntimeException | IOException | InterruptedException e) {
                if (runtime != null) {
                    progress.println("The local runtime's last output:\n" + runtime.logTail());
                }
                throw e;
            } finally {
                if (runtime != null) {
                    progress.println("Stopping the local runtime...");
                    runtime.close();
                }
            }
        } finally {
            deleteRecursively(work);
        }
    }

    private Phase phase(String label, Load.Submitted submitted, Api api) throws IOException, InterruptedException {
        Duration timeout = Duration.ofSeconds(Math.max(60, submitted.ids().size() / 50));
        Map<String, JobTimes.Job> jobs = JobTimes.awaitFinished(api, submitted.ids(), timeout);
        Phase phase = Phase.of(label, submitted, jobs);
        progress.printf("  submit %.0f jobs/s, e2e %.0f jobs/s, p50 %.1f ms%n", submitted.jobsPerSecond(),
                phase.e2eJobsPerSecond(), phase.latencyMs().p50());
        return phase;
    }

    /** The open-model phase, if it runs: request latency as the client measures it. */
    private OpenModel.Result openModel(Api api) throws InterruptedException {
        OpenModel.Profile profile = options.openModelScaled();
        if (profile == null) {
            return null;
        }
        progress.printf("Open model: %,d users (%s, users/s x seconds), each POST /jobs then GET /jobs/{id} on a new"
                + " connection...%n", profile.users(), profile.spec());
        OpenModel.Result result;
        try (OpenModelClient client = OpenModelClient.start(api.base(), api.apiKey())) {
            result = OpenModel.run(client, profile);
        }
        progress.printf("  %d errors; p95 POST %s, GET %s%n", result.post().errors() + result.get().errors(),
                Report.millis(result.post().latencyMs(), Percentiles::p95),
                Report.millis(result.get().latencyMs(), Percentiles::p95));
        return result;
    }

    /** Every function's deployment artifact, as the template's {@code CodeUri} names it, by function name. */
    static Map<String, Long> artifactBytes(Path template, Stack stack) throws IOException {
        Map<String, Long> sizes = new TreeMap<>();
        for (Stack.FunctionSpec spec : stack.functions()) {
            String codeUri = String.valueOf(spec.properties().get("CodeUri"));
            Matcher name = ARTIFACT.matcher(codeUri);
            Path artifact = template.toAbsolutePath().getParent().resolve(codeUri);
            if (name.find() && Files.exists(artifact)) {
                sizes.put(name.group(1), Files.size(artifact));
            }
        }
        return sizes;
    }

    private static void deleteRecursively(Path directory) throws IOException {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}

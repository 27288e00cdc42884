package dev.conveyor.local;

import dev.conveyor.json.Json;
import dev.conveyor.local.template.Stack;
import dev.conveyor.local.template.Template;
import dev.conveyor.log.Log;
import dev.conveyor.queue.SqsJobQueue;
import dev.conveyor.store.jdbc.JdbcJobStore;
import dev.conveyor.handler.http.AddressGuard;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Conveyor on one machine with no Docker and no AWS account, wired from template.yaml: PostgreSQL and the RDS Data
 * API in front of it, the SQS server and its queues, the functions, the API gateway and the event source mappings.
 * Started in that order and stopped in the reverse: first no new requests or batches, then the batches in flight
 * finish, then the servers stop. The template's {@code Store} says which way the functions reach the database.
 */
public final class LocalRuntime implements AutoCloseable {
    private static final Log LOG = Log.of(LocalRuntime.class);

    /** How to run: the template, where data lives, the ports, and template parameters to override. */
    public record Options(Path template, Path dataDirectory, boolean fresh, int port, int sqsPort,
                          Map<String, String> parameters, int pollers, String stackName) {
        public Options {
            parameters = Map.copyOf(parameters);
        }

        public static Options defaults(Path root) {
            return new Options(root.resolve("template.yaml"), root.resolve(".conveyor"), false, 3000, 0, Map.of(),
                    8, "conveyor");
        }

        public Options withFresh(boolean value) {
            return new Options(template, dataDirectory, value, port, sqsPort, parameters, pollers, stackName);
        }

        public Options withPort(int value) {
            return new Options(template, dataDirectory, fresh, value, sqsPort, parameters, pollers, stackName);
        }

        public Options withDataDirectory(Path value) {
            return new Options(template, value, fresh, port, sqsPort, parameters, pollers, stackName);
        }

        public Options withParameters(Map<String, String> value) {
            return new Options(template, dataDirectory, fresh, port, sqsPort, value, pollers, stackName);
        }

        public Options withPollers(int value) {
            return new Options(template, dataDirectory, fresh, port, sqsPort, parameters, value, stackName);
        }
    }

    private final Options options;
    private final LocalPostgres postgres;
    private final LocalDataApi dataApi;
    private final LocalSecrets secrets;
    private final LocalQueues queues;
    private final List<Stack.QueueSpec> queueSpecs;
    private final List<LocalFunction> functions;
    private final List<SqsEventSource> sources;
    private final List<LocalSchedule> schedules;
    private final LocalGateway gateway;
    private final int redispatched;
    private final ApiKey apiKey;
    private final ApiKey readOnlyApiKey;
    private final Stack.ApiSpec api;
    private final List<LocalCustomResources.Answer> customResources;

    private LocalRuntime(Options options, LocalPostgres postgres, LocalDataApi dataApi, LocalSecrets secrets,
                         LocalQueues queues,
                         List<Stack.QueueSpec> queueSpecs, List<LocalFunction> functions, List<SqsEventSource> sources,
                         List<LocalSchedule> schedules, LocalGateway gateway, int redispatched, ApiKey apiKey,
                         ApiKey readOnlyApiKey, Stack.ApiSpec api, List<LocalCustomResources.Answer> customResources) {
        this.options = options;
        this.postgres = postgres;
        this.dataApi = dataApi;
        this.secrets = secrets;
        this.queues = queues;
        this.queueSpecs = queueSpecs;
        this.functions = functions;
        this.sources = sources;
        this.schedules = schedules;
        this.gateway = gateway;
        this.redispatched = redispatched;
        this.apiKey = apiKey;
        this.readOnlyApiKey = readOnlyApiKey;
        this.api = api;
        this.customResources = customResources;
    }

    public static LocalRuntime start(Options options) {
        Template template = Template.load(options.template());
        LocalPostgres postgres = LocalPostgres.start(options.dataDirectory().resolve("postgres"), options.fresh());
        LocalDataApi dataApi = null;
        LocalSecrets secrets = null;
        LocalQueues queues = null;
        List<LocalFunction> functions = new ArrayList<>();
        List<SqsEventSource> sources = new ArrayList<>();
        List<LocalSchedule> schedules = new ArrayList<>();
        try {
            dataApi = LocalDataApi.start(0, postgres.serverUrl(), JdbcJobStore.connectionProperties(LocalPostgres.USER,
                    null), LocalPostgres.DATABASE);
            secrets = LocalSecrets.start(0);
            secrets.put(LocalDataApi.SECRET_ARN, databaseSecret(postgres));
            queues = LocalQueues.start(options.sqsPort());
            Stack stack = Stack.of(template, options.stackName(), parameters(template, postgres, options));
            List<Stack.QueueSpec> queueSpecs = stack.queues();
            for (Stack.QueueSpec queue : queueSpecs) {
                stack.queueCreated(queue.logicalId(), queues.create(queue));
            }
            for (Stack.SecretSpec secret : stack.secrets()) {
                secrets.put(secret.arn(), generatedSecret(secret, options.dataDirectory()));
            }
            Map<String, String> lambdaEnvironment = new HashMap<>(queues.environment());
            lambdaEnvironment.put("TZ", ":UTC");
            // As on AWS, the JDBC functions read the database's login from the secret at CONVEYOR_DB_SECRET_ARN.
            lambdaEnvironment.put("AWS_ENDPOINT_URL_SECRETS_MANAGER", secrets.endpoint());
            lambdaEnvironment.put("AWS_ENDPOINT_URL_RDS_DATA", dataApi.endpoint());
            List<LocalGateway.Route> routes = new ArrayList<>();
            for (Stack.FunctionSpec spec : stack.functions()) {
                LocalFunction function = new LocalFunction(spec, lambdaEnvironment);
                functions.add(function);
                function.warm();
                spec.routes().forEach(r -> routes.add(
                        new LocalGateway.Route(r.method(), r.path(), function, r.apiKeyRequired())));
            }
            // As a deployment does: the custom resources (the schema's migration) before anything takes traffic.
            Path state = options.dataDirectory().resolve("stack.json");
            if (options.fresh()) {
                state.toFile().delete(); // a fresh database is a new stack
            }
            List<LocalCustomResources.Answer> customResources = LocalCustomResources.run(stack.customResources(),
                    functions, Stack.stackId(options.stackName()), state);
            int redispatched = redispatch(functions, queues, postgres);
            for (LocalFunction function : functions) {
                for (Stack.SqsSource source : function.spec().queues()) {
                    if (!source.enabled()) {
                        continue;
                    }
                    String url = queues.url(source.queueArn());
                    int visibility = queues.visibilityTimeout(url);
                    if (visibility < function.spec().timeoutSeconds()) {
                        throw new IllegalArgumentException("Queue visibility timeout: " + visibility
                                + " seconds is less than Function timeout: " + function.spec().timeoutSeconds()
                                + " seconds (" + function.spec().logicalId() + "." + source.eventName() + ")");
                    }
                    sources.add(new SqsEventSource(source, url, queues.functionsClient(), function,
                            options.pollers()));
                }
            }
            for (LocalFunction function : functions) {
                for (Stack.ScheduleSource source : function.spec().schedules()) {
                    LocalSchedule schedule = source.enabled() ? LocalSchedule.start(source, function) : null;
                    if (schedule != null) {
                        schedules.add(schedule);
                    }
                }
            }
            Stack.ApiSpec api = stack.api();
            boolean keyed = routes.stream().anyMatch(LocalGateway.Route::apiKeyRequired);
            ApiKey apiKey = keyed ? apiKey(ApiKey.READ_WRITE, Stack.apiKeyId(api.logicalId() + "ApiKey"), options)
                    : null;
            ApiKey readOnlyApiKey = keyed ? readOnlyApiKey(stack, options) : null;
            if (readOnlyApiKey != null && readOnlyApiKey.value().equals(apiKey.value())) {
                throw new IllegalArgumentException("the read-only API key is the read-write one: give "
                        + ApiKey.READ_ONLY.variable() + " (or .conveyor/" + ApiKey.READ_ONLY.file()
                        + ") a key of its own");
            }
            Map<String, String> keys = new HashMap<>();
            for (ApiKey key : new ApiKey[] {apiKey, readOnlyApiKey}) {
                if (key != null) {
                    keys.put(key.value(), key.id());
                }
            }
            LocalGateway gateway = LocalGateway.start(options.port(), routes, 64, new LocalGateway.Settings(
                    keys, api.throttle(), api.gatewayResponses()));
            return new LocalRuntime(options, postgres, dataApi, secrets, queues, queueSpecs, functions, sources, schedules,
                    gateway, redispatched, apiKey, readOnlyApiKey, api, customResources);
        } catch (IOException e) {
            schedules.forEach(LocalSchedule::close);
            close(sources, functions, queues, dataApi, secrets, postgres);
            throw new UncheckedIOException("cannot start the API gateway on port " + options.port(), e);
        } catch (LocalFunction.InvocationException | RuntimeException e) {
            schedules.forEach(LocalSchedule::close);
            close(sources, functions, queues, dataApi, secrets, postgres);
            throw e instanceof RuntimeException r ? r : new IllegalStateException(e.getMessage(), e);
        }
    }

    /** The local default of HttpAllow: {@code CONVEYOR_HTTP_ALLOW} if set, else loopback. */
    static String httpAllow() {
        String allow = System.getenv(AddressGuard.ALLOW_VARIABLE);
        return allow == null || allow.isBlank() ? "loopback" : allow.strip();
    }

    /**
     * The value of a secret the template has Secrets Manager generate: letters and digits, made once and kept in
     * the data directory, so that a receiver configured with it keeps working across restarts.
     */
    private static String generatedSecret(Stack.SecretSpec secret, Path dataDirectory) {
        Path file = dataDirectory.resolve("secret-" + secret.logicalId());
        try {
            if (Files.exists(file)) {
                return Files.readString(file, StandardCharsets.UTF_8).strip();
            }
            String letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
            SecureRandom random = new SecureRandom();
            StringBuilder value = new StringBuilder();
            for (int i = 0; i < secret.length(); i++) {
                value.append(letters.charAt(random.nextInt(letters.length())));
            }
            Files.createDirectories(dataDirectory);
            Files.writeString(file, value.toString(), StandardCharsets.UTF_8);
            return value.toString();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the secret " + secret.logicalId() + " in " + file, e);
        }
    }

    /** The value of the secret a template's resource created, by logical id: the http signing secret, say. */
    public String secretValue(String logicalId) {
        if (!Files.exists(options.dataDirectory().resolve("secret-" + logicalId))) {
            throw new IllegalArgumentException("the template creates no secret " + logicalId);
        }
        return generatedSecret(new Stack.SecretSpec(logicalId, "", 0), options.dataDirectory());
    }

    private static ApiKey apiKey(ApiKey.Kind kind, String id, Options options) {
        return ApiKey.resolve(kind, System.getenv(kind.variable()), options.dataDirectory(), id);
    }

    /**
     * The key the template declares itself ({@code ReadOnlyApiKey}, beside the usage plan's key SAM makes), whose
     * id the functions get from its {@code Ref}; null when it declares none.
     */
    private static ApiKey readOnlyApiKey(Stack stack, Options options) {
        List<String> declared = stack.apiKeys();
        if (declared.size() > 1) {
            throw new IllegalArgumentException("template: the local runtime serves the usage plan's API key and one "
                    + "more, read-only; the template declares " + declared);
        }
        return declared.isEmpty() ? null : apiKey(ApiKey.READ_ONLY, Stack.apiKeyId(declared.get(0)), options);
    }

    /**
     * The template's database parameters point at the local server, over JDBC and over the Data API, unless the
     * caller overrides them; the caller's {@code Store} picks between the two. The secret is the local Data API's
     * (it compares ARNs, never resolves them); the JDBC functions get the local credentials in their environment.
     */
    private static Map<String, String> parameters(Template template, LocalPostgres postgres, Options options) {
        Map<String, String> local = new LinkedHashMap<>();
        local.put("DatabaseUrl", postgres.jdbcUrl());
        local.put("DatabaseClusterArn", LocalDataApi.CLUSTER_ARN);
        local.put("DatabaseSecretArn", LocalDataApi.SECRET_ARN);
        local.put("DatabaseName", LocalPostgres.DATABASE);
        // For development, http jobs may call servers on this machine; a deployment's default allows nothing of the kind.
        local.put("HttpAllow", httpAllow());
        Map<String, String> values = new LinkedHashMap<>();
        local.forEach((name, value) -> {
            if (template.parameters().containsKey(name)) {
                values.put(name, value);
            }
        });
        values.putAll(options.parameters());
        return values;
    }

    /**
     * Sends the messages of waiting jobs to the queue their consumer reads (see {@link Redispatch}): the queue a
     * function both consumes and names as {@code CONVEYOR_QUEUE_URL}.
     */
    private static int redispatch(List<LocalFunction> functions, LocalQueues queues, LocalPostgres postgres) {
        java.util.Set<String> jobQueues = new java.util.LinkedHashSet<>();
        for (LocalFunction function : functions) {
            String queueUrl = function.environment().get("CONVEYOR_QUEUE_URL");
            for (Stack.SqsSource source : function.spec().queues()) {
                if (queues.url(source.queueArn()).equals(queueUrl)) {
                    jobQueues.add(queueUrl);
                }
            }
        }
        int sent = 0;
        for (String queueUrl : jobQueues) {
            sent += Redispatch.waitingJobs(postgres.jdbcUrl(),
                    JdbcJobStore.connectionProperties(LocalPostgres.USER, null),
                    new SqsJobQueue(queues.functionsClient(), queueUrl, null));
        }
        return sent;
    }

    /** Restarts PostgreSQL, down for {@code downtime}: for fault-injection tests. */
    public void restartDatabase(java.time.Duration downtime) {
        postgres.restart(downtime);
    }

    /**
     * Restarts the queue server, losing its messages, for fault-injection tests. Unlike a start, it sends nothing
     * again: finding what was lost is the sweeper's work, and the test's to check.
     */
    public void restartQueues() {
        queues.restart();
    }

    public String url() {
        return "http://127.0.0.1:" + gateway.port();
    }

    /** The read-write key the API's keyed routes take in {@code x-api-key}; null when no route wants one. */
    public String apiKey() {
        return apiKey == null ? null : apiKey.value();
    }

    /**
     * The read-only key the API's keyed routes take too (the functions refuse it every change); null when no route
     * wants a key or the template declares no second one.
     */
    public String readOnlyApiKey() {
        return readOnlyApiKey == null ? null : readOnlyApiKey.value();
    }

    /** The ids the gateway gives the keys in {@code requestContext.identity.apiKeyId}: read-write, read-only. */
    public List<String> apiKeyIds() {
        return Stream.of(apiKey, readOnlyApiKey).filter(Objects::nonNull)
                .map(ApiKey::id).toList();
    }

    public String jdbcUrl() {
        return postgres.jdbcUrl();
    }

    /** The database secret as RDS writes it, for {@link LocalPostgres#APP_USER} and its current password. */
    public static String databaseSecret(LocalPostgres postgres) {
        return Json.write(Json.object()
                .put("engine", "postgres")
                .put("host", "127.0.0.1")
                .put("port", postgres.port())
                .put("dbname", LocalPostgres.DATABASE)
                .put("username", LocalPostgres.APP_USER)
                .put("password", postgres.appPassword()));
    }

    /**
     * Rotates the functions' database password as Secrets Manager's rotation does: a new password set on the
     * server, then stored in the secret. Running functions keep their open connections and read the secret again
     * when a new connection is refused.
     */
    public void rotateDatabasePassword() {
        postgres.changeAppPassword(LocalPostgres.newPassword());
        secrets.put(LocalDataApi.SECRET_ARN, databaseSecret(postgres));
    }

    public LocalPostgres postgres() {
        return postgres;
    }

    public String secretsManagerEndpoint() {
        return secrets.endpoint();
    }

    public String dataApiEndpoint() {
        return dataApi.endpoint();
    }

    /** The store the functions use, {@code jdbc} or {@code dataapi}: their {@code CONVEYOR_STORE}. */
    public String store() {
        return functions.isEmpty() ? "jdbc" : functions.get(0).environment().getOrDefault("CONVEYOR_STORE", "jdbc");
    }

    public String sqsEndpoint() {
        return queues.endpoint();
    }

    public LocalQueues queues() {
        return queues;
    }

    public List<LocalFunction> functions() {
        return functions;
    }

    /** What is running, for the console. */
    public String describe() {
        StringBuilder out = new StringBuilder();
        out.append("Conveyor is running locally (template ").append(options.template().getFileName())
                .append(", stack ").append(options.stackName()).append(")\n");
        out.append("  PostgreSQL  ").append(postgres.jdbcUrl()).append("  (data in ")
                .append(options.dataDirectory().resolve("postgres")).append(")\n");
        out.append("  Data API    ").append(dataApi.endpoint()).append("  (cluster ").append(LocalDataApi.CLUSTER_ARN)
                .append(")\n");
        out.append("  Secrets     ").append(secrets.endpoint()).append("  (the database login, ")
                .append(LocalDataApi.SECRET_ARN).append(")\n");
        String allowed = functions.stream().map(f -> f.environment().get(AddressGuard.ALLOW_VARIABLE))
                .filter(a -> a != null && !a.isBlank()).findFirst().orElse("nothing");
        out.append("  HTTP jobs   may call ").append(allowed).append(" as well as public addresses (parameter")
                .append(" HttpAllow; a deployment's default allows public addresses only)");
        if (Files.exists(options.dataDirectory().resolve("secret-HttpSigningSecret"))) {
            out.append("; receivers verify signatures with whsec_").append(secretValue("HttpSigningSecret"));
        }
        out.append('\n');
        out.append("  Store       ").append(store().equals("dataapi")
                ? "dataapi: the functions call the RDS Data API above (CONVEYOR_STORE=dataapi)"
                : "jdbc: the functions connect to PostgreSQL (CONVEYOR_STORE=jdbc; --store dataapi for the Data API)")
                .append('\n');
        out.append("  SQS         ").append(queues.endpoint()).append("  queues: ");
        out.append(String.join(", ", queueSpecs.stream().map(q -> q.name() + " " + q.attributes()).toList()))
                .append('\n');
        for (LocalFunction function : functions) {
            Stack.FunctionSpec spec = function.spec();
            out.append("  function    ").append(spec.logicalId()).append(" (").append(spec.handler())
                    .append(", timeout ").append(spec.timeoutSeconds()).append(" s)");
            spec.routes().stream().filter(r -> !r.method().equals("ANY"))
                    .forEach(r -> out.append("  ").append(r.method()).append(' ').append(r.path()));
            long others = spec.routes().stream().filter(r -> r.method().equals("ANY")).count();
            if (others > 0) {
                out.append("  ANY on ").append(others).append(" resources (405, 404)");
            }
            spec.schedules().forEach(q -> out.append("  on ").append(q.expression()));
            spec.queues().forEach(q -> out.append("  <- ").append(q.queueArn().substring(q.queueArn().lastIndexOf(':') + 1))
                    .append(" (batch ").append(q.batchSize()).append(", window ").append(q.batchingWindowSeconds())
                    .append(" s, ").append(Math.min(options.pollers(), q.maximumConcurrency())).append(" pollers")
                    .append(q.reportBatchItemFailures() ? ", ReportBatchItemFailures)" : ")"));
            out.append('\n');
        }
        for (LocalCustomResources.Answer answer : customResources) {
            out.append("  deployed    ").append(answer.logicalId()).append(' ').append(answer.data()).append('\n');
        }
        if (redispatched > 0) {
            out.append("  re-sent the messages of ").append(redispatched).append(" waiting jobs\n");
        }
        out.append("  API         ").append(url());
        if (api.throttle() != null) {
            out.append("  (usage plan: ").append(Math.round(api.throttle().rateLimit())).append(" requests/s, burst ")
                    .append(api.throttle().burstLimit()).append(')');
        }
        out.append('\n');
        String key = "";
        if (apiKey != null) {
            out.append("  API key     ").append(apiKey.value()).append("  (").append(apiKey.source())
                    .append("; send it as the x-api-key header)\n");
            key = " -H \"x-api-key: " + apiKey.value() + "\"";
        }
        if (readOnlyApiKey != null) {
            out.append("  read-only   ").append(readOnlyApiKey.value()).append("  (").append(readOnlyApiKey.source())
                    .append("; reads jobs, may not submit, retry or cancel)\n");
        }
        if (gateway.routes().stream().anyMatch(r -> r.resource().equals("/dashboard"))) {
            out.append("  Dashboard   ").append(url()).append("/dashboard  (sign in with either key)\n");
        }
        if (gateway.routes().stream().anyMatch(r -> r.resource().equals("/docs"))) {
            out.append("  API docs    ").append(url()).append("/docs  (Swagger UI on ").append(url())
                    .append("/openapi.yaml)\n");
        }
        out.append("\nTry it:\n");
        out.append("  curl -s -X POST ").append(url()).append("/jobs").append(key)
                .append(" -H 'Content-Type: application/json' \\\n")
                .append("       -d '{\"type\": \"echo\", \"payload\": {\"message\": \"hello\"}}'\n");
        out.append("  curl -s ").append(url()).append("/jobs/<id from the answer>").append(key).append('\n');
        out.append("\nCtrl-C stops it.\n");
        return out.toString();
    }

    @Override
    public void close() {
        gateway.stop(30);
        schedules.forEach(LocalSchedule::close);
        close(sources, functions, queues, dataApi, secrets, postgres);
        LOG.info("stopped");
    }

    private static void close(List<SqsEventSource> sources, List<LocalFunction> functions, LocalQueues queues,
                              LocalDataApi dataApi, LocalSecrets secrets, LocalPostgres postgres) {
        sources.forEach(SqsEventSource::stopReceiving);
        sources.forEach(SqsEventSource::close);
        functions.forEach(LocalFunction::close);
        if (queues != null) {
            queues.close();
        }
        if (dataApi != null) {
            dataApi.close();
        }
        if (secrets != null) {
            secrets.close();
        }
        postgres.close();
    }
}

package dev.conveyor.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.store.jdbc.JdbcJobStore;
import dev.conveyor.store.jdbc.JdbcMigrator;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.ComposeContainer;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * Conveyor deployed to LocalStack the way localstack/README.md tells a user to: {@code localstack/docker-compose.yml}
 * brought up with Docker Compose (PostgreSQL, LocalStack, and the ready hook that packages and deploys
 * template.yaml, whose SchemaMigration custom resource migrates PostgreSQL; {@code ./conveyor migrate}'s code,
 * run from here, then finds nothing to apply), then an echo job submitted
 * over the API with the API key and followed to {@code SUCCESS}.
 *
 * <p>Needs a Docker engine and the {@code docker compose} plugin, and the functions' zips built (the reactor's
 * {@code verify} builds them first). Without Docker it is skipped and says why; it runs on free host ports and its
 * own network, so a LocalStack of yours may keep running.
 */
@ExtendWith(LocalStackIT.DockerComposeAvailable.class)
@Testcontainers(disabledWithoutDocker = true)
class LocalStackIT {
    private static final Path REPOSITORY = Path.of("..").toAbsolutePath().normalize();
    private static final Path COMPOSE_FILE = REPOSITORY.resolve("localstack/docker-compose.yml");
    private static final Duration DEPLOY_TIMEOUT = Duration.ofMinutes(10);
    private static final Duration JOB_TIMEOUT = Duration.ofMinutes(3);

    private static ComposeContainer compose;
    private static final StringBuffer localstackLog = new StringBuffer();
    private static int localstackPort;
    private static int postgresPort;
    private static Http http;

    @BeforeAll
    static void deploy() throws Exception {
        assertFunctionsBuilt();
        localstackPort = freePort();
        postgresPort = freePort();
        compose = new ComposeContainer(COMPOSE_FILE.toFile())
                .withEnv(Map.of(
                        "CONVEYOR_LOCALSTACK_PORT", String.valueOf(localstackPort),
                        "CONVEYOR_POSTGRES_PORT", String.valueOf(postgresPort),
                        "CONVEYOR_LOCALSTACK_NETWORK", "conveyor-localstack-it-" + UUID.randomUUID()))
                .withLogConsumer("localstack", frame -> localstackLog.append(frame.getUtf8String()))
                .withStartupTimeout(DEPLOY_TIMEOUT);
        compose.start();

        awaitReadyHooks();
        List<String> applied = JdbcMigrator.migrate("jdbc:postgresql://127.0.0.1:" + postgresPort + "/conveyor",
                JdbcJobStore.connectionProperties("conveyor", "conveyor"));
        assertEquals(List.of(), applied, "the deployment's SchemaMigration custom resource applied the schema");

        Properties api = apiEnv();
        http = new Http(api.getProperty("CONVEYOR_API_URL"), api.getProperty("CONVEYOR_API_KEY"));
    }

    @AfterAll
    static void tearDown() {
        if (compose != null) {
            compose.stop();
        }
    }

    @Test
    void anEchoJobSubmittedWithTheApiKeyRunsToSuccess() {
        // The first calls meet cold starts (a container and a JVM per function): retried until the API answers.
        Http.Response health = eventually(() -> http.withoutKey().get("/health"), r -> r.status() == 200,
                Duration.ofMinutes(3));
        assertEquals("ok", health.json().get("status").asText(), health::toString);

        Http.Response refused = http.withoutKey().postJson("/jobs",
                "{\"type\": \"echo\", \"payload\": {\"message\": \"no key\"}}");
        assertEquals(403, refused.status(), refused::toString);

        // An Idempotency-Key makes the retried submission safe: a second 202 is the same job.
        HttpRequest submit = HttpRequest.newBuilder(URI.create(http.base() + "/jobs"))
                .timeout(Duration.ofSeconds(35))
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", UUID.randomUUID().toString())
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"type\": \"echo\", \"payload\": {\"message\": \"hello from LocalStack\"}}"))
                .build();
        Http.Response accepted = eventually(() -> http.send(submit), r -> r.status() < 500, Duration.ofMinutes(2));
        assertEquals(202, accepted.status(), accepted::toString);
        String id = accepted.json().get("id").asText();

        Http.Response done = eventually(() -> http.get("/jobs/" + id),
                r -> r.status() == 200 && r.json().get("state").asText().equals("SUCCESS"), JOB_TIMEOUT);
        assertEquals("hello from LocalStack", done.json().at("/result/message").asText(), done::toString);
        assertEquals(1, done.json().get("attempt").asInt(), done::toString);
    }

    /** The zips template.yaml's CodeUri names, which the hook uploads; a stale or missing build is named. */
    private static void assertFunctionsBuilt() throws IOException {
        Matcher codeUris = Pattern.compile("functions/[a-z-]+/target/conveyor-[a-z-]+\\.zip")
                .matcher(Files.readString(REPOSITORY.resolve("template.yaml")));
        while (codeUris.find()) {
            assertTrue(Files.isRegularFile(REPOSITORY.resolve(codeUris.group())),
                    codeUris.group() + " is not built: run ./mvnw -DskipTests package first");
        }
    }

    /** Polls LocalStack's init endpoint until the deploy hook has finished; fails at once if it failed. */
    private static void awaitReadyHooks() throws InterruptedException {
        Http localstack = new Http("http://127.0.0.1:" + localstackPort);
        Instant deadline = Instant.now().plus(DEPLOY_TIMEOUT);
        String last = "no answer";
        while (Instant.now().isBefore(deadline)) {
            try {
                Http.Response response = localstack.get("/_localstack/init/ready");
                last = response.toString();
                if (response.status() == 200) {
                    JsonNode ready = response.json();
                    for (JsonNode script : ready.path("scripts")) {
                        if (script.path("state").asText().equals("ERROR")) {
                            fail("the deploy hook failed: " + ready + "\nLocalStack's log:\n" + localstackLog);
                        }
                    }
                    if (ready.path("completed").asBoolean() && !ready.path("scripts").isEmpty()) {
                        return;
                    }
                }
            } catch (UncheckedIOException e) {
                last = e.toString(); // not listening yet
            }
            TimeUnit.SECONDS.sleep(2);
        }
        fail("the deploy hook did not finish within " + DEPLOY_TIMEOUT + " (" + last + ")\nLocalStack's log:\n"
                + localstackLog);
    }

    /** The API's URL and key as the hook wrote them, read as the README reads them. */
    private static Properties apiEnv() throws Exception {
        ExecResult cat = compose.getContainerByServiceName("localstack").orElseThrow()
                .execInContainer("cat", "/tmp/conveyor/api.env");
        assertEquals(0, cat.getExitCode(), cat::getStderr);
        Properties env = new Properties();
        env.load(new StringReader(cat.getStdout()));
        assertTrue(env.getProperty("CONVEYOR_API_URL", "").endsWith("/Prod"), env::toString);
        return env;
    }

    private static Http.Response eventually(Supplier<Http.Response> call,
            Predicate<Http.Response> done, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        String last = "no answer";
        while (Instant.now().isBefore(deadline)) {
            try {
                Http.Response response = call.get();
                if (done.test(response)) {
                    return response;
                }
                last = response.toString();
            } catch (UncheckedIOException e) {
                last = e.toString();
            }
            try {
                TimeUnit.MILLISECONDS.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new AssertionError("no answer as expected within " + timeout + "; the last: " + last
                + "\nLocalStack's log:\n" + localstackLog);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /**
     * Skips the class, saying why, where there is no Docker engine or no {@code docker compose}: the LocalStack
     * profile needs both, and the local runtime's own tests cover the platform without them.
     */
    static final class DockerComposeAvailable implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            // Testcontainers logs each failed way of finding Docker as an ERROR; on a machine without Docker (the
            // project's default) that is noise in a green build, and the reason below says the same.
            System.setProperty("org.slf4j.simpleLogger.log.org.testcontainers.dockerclient", "off");
            String missing = null;
            if (!DockerClientFactory.instance().isDockerAvailable()) {
                missing = "no Docker engine is reachable (Testcontainers found no DOCKER_HOST and no Docker socket)";
            } else if (!composePluginRuns()) {
                missing = "`docker compose version` does not run (the Compose v2 plugin is missing)";
            }
            if (missing == null) {
                return ConditionEvaluationResult.enabled("Docker and docker compose are available");
            }
            String reason = "LocalStackIT skipped: " + missing + ". It deploys template.yaml to LocalStack in"
                    + " Docker (localstack/README.md); run it where Docker runs with"
                    + " ./mvnw -pl infra verify -Dit.test=LocalStackIT";
            System.err.println(reason);
            return ConditionEvaluationResult.disabled(reason);
        }

        private static boolean composePluginRuns() {
            try {
                Process process = new ProcessBuilder("docker", "compose", "version")
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    return false;
                }
                return process.exitValue() == 0;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }
}

package dev.conveyor.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What each function's deployment artifact holds, as the reactor built it before this module: AWS calls through
 * the SDK's own clients (no signer of ours), its warnings to a real logger, the CRaC API SnapStart's hooks need,
 * and one HTTP client, the URL-connection one.
 */
class ArtifactsIT {
    private static final Path FUNCTIONS = Path.of("..", "functions").toAbsolutePath().normalize();

    @ParameterizedTest
    @ValueSource(strings = {"submit-job", "get-job", "manage-job", "process-job", "sweep-jobs", "dead-letter",
            "migrate-schema"})
    void theArtifactHoldsTheSdkAndNothingOfItsOwnForAws(String function) throws IOException {
        Path zip = FUNCTIONS.resolve(function).resolve("target").resolve("conveyor-" + function + ".zip");
        assertTrue(Files.exists(zip), zip + " was not built");
        List<String> names = new ArrayList<>();
        try (ZipFile file = new ZipFile(zip.toFile())) {
            file.stream().map(ZipEntry::getName).forEach(names::add);
            try (ZipFile core = coreJar(file, names)) {
                assertEquals(List.of(), core.stream().map(ZipEntry::getName)
                        .filter(n -> n.matches("dev/conveyor/aws/(SigV4|AwsJsonClient|CredentialsSource).*"))
                        .toList(), "a signer or protocol client of our own");
            }
        }
        for (String jar : List.of("sqs-", "secretsmanager-", "rdsdata-", "url-connection-client-", "org-crac-",
                "slf4j-simple-")) {
            assertTrue(names.stream().anyMatch(n -> n.startsWith("lib/" + jar)), function + " lacks lib/" + jar + "*");
        }
        for (String jar : List.of("apache-client-", "apache5-client-", "netty-nio-client-", "httpclient5-")) {
            assertTrue(names.stream().noneMatch(n -> n.startsWith("lib/" + jar)), function + " ships lib/" + jar + "*");
        }
    }

    /** The team's job types ride in the two functions that need them, listed for ServiceLoader; the test kit does not. */
    @ParameterizedTest
    @ValueSource(strings = {"submit-job", "process-job"})
    void theArtifactHoldsTheTeamsJobTypes(String function) throws IOException {
        Path zip = FUNCTIONS.resolve(function).resolve("target").resolve("conveyor-" + function + ".zip");
        try (ZipFile file = new ZipFile(zip.toFile())) {
            List<String> names = file.stream().map(ZipEntry::getName).toList();
            String jar = names.stream().filter(n -> n.startsWith("lib/conveyor-job-types-")).findFirst()
                    .orElseThrow(() -> new AssertionError(function + " lacks lib/conveyor-job-types-*"));
            assertTrue(names.stream().noneMatch(n -> n.startsWith("lib/conveyor-test-kit-")), function + " ships the test kit");
            Path copy = Files.createTempFile("conveyor-job-types-", ".jar");
            copy.toFile().deleteOnExit();
            try (var in = file.getInputStream(file.getEntry(jar))) {
                Files.copy(in, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            try (ZipFile types = new ZipFile(copy.toFile());
                 var services = types.getInputStream(types.getEntry("META-INF/services/dev.conveyor.handler.JobHandler"))) {
                assertTrue(new String(services.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
                        .contains("dev.conveyor.jobtypes.CsvSummaryHandler"), function);
            }
        }
    }

    /** The dashboard's artifact: its handler, its files, the repository's openapi.yaml and the two WebJars. */
    @Test
    void theDashboardArtifactHoldsItsFilesTheApisDescriptionAndTheWebJars() throws IOException {
        Path zip = FUNCTIONS.resolve("dashboard").resolve("target").resolve("conveyor-dashboard.zip");
        assertTrue(Files.exists(zip), zip + " was not built");
        try (ZipFile file = new ZipFile(zip.toFile())) {
            List<String> names = file.stream().map(ZipEntry::getName).toList();
            for (String name : List.of("dev/conveyor/functions/dashboard/DashboardHandler.class", "dashboard/index.html",
                    "docs/index.html", "docs/swagger-initializer.js", "openapi/openapi.yaml")) {
                assertTrue(names.contains(name), "the dashboard's artifact lacks " + name);
            }
            for (String jar : List.of("uplot-1.6.30.jar", "swagger-ui-5.34.1.jar", "conveyor-function-support-")) {
                assertTrue(names.stream().anyMatch(n -> n.startsWith("lib/" + jar)), "the dashboard lacks lib/" + jar);
            }
            try (var in = file.getInputStream(file.getEntry("openapi/openapi.yaml"))) {
                assertEquals(Files.readString(FUNCTIONS.resolveSibling("openapi.yaml")),
                        new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
            }
        }
    }

    /** conveyor-core's jar from the artifact, copied out to read it. */
    private static ZipFile coreJar(ZipFile artifact, List<String> names) throws IOException {
        String core = names.stream().filter(n -> n.startsWith("lib/conveyor-core-")).findFirst()
                .orElseThrow(() -> new AssertionError("no conveyor-core in the artifact"));
        Path copy = Files.createTempFile("conveyor-core-", ".jar");
        copy.toFile().deleteOnExit();
        try (var in = artifact.getInputStream(artifact.getEntry(core))) {
            Files.copy(in, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        return new ZipFile(copy.toFile());
    }
}

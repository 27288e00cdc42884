package dev.conveyor.local.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * template.yaml against the code it deploys (see {@link TemplateStructure}); and the same check on broken copies
 * of template.yaml, each of which it must reject, so that it cannot pass by checking nothing. The copies are made
 * from the current template.yaml by one edit each (an edit whose text the template no longer has fails the test).
 */
class TemplateStructureTest {
    private static final Path TEMPLATE = Path.of("..", "template.yaml").toAbsolutePath().normalize();
    private static final Map<String, String> PARAMETERS = Map.of(
            "DatabaseUrl", "jdbc:postgresql://db/conveyor",
            "DatabaseSecretArn", "arn:aws:secretsmanager:us-east-1:000000000000:secret:conveyor-db-AbCdEf");
    private static final List<String> FUNCTIONS = List.of("DashboardFunction", "DeadLetterFunction", "GetJobFunction",
            "ManageJobFunction", "MigrateSchemaFunction", "ProcessJobFunction", "SubmitJobFunction", "SweepJobsFunction");
    /** The functions that reach the database. */
    private static final List<String> STORE_FUNCTIONS = FUNCTIONS.stream()
            .filter(f -> !f.equals("DashboardFunction")).toList();

    @TempDir
    Path dir;

    private static Map<String, String> parameters(String... more) {
        Map<String, String> all = new HashMap<>(PARAMETERS);
        for (int i = 0; i < more.length; i += 2) {
            all.put(more[i], more[i + 1]);
        }
        return all;
    }

    @Test
    void theTemplateGivesEveryFunctionWhatItsCodeNeeds() {
        TemplateStructure.Result result = TemplateStructure.check(TEMPLATE, PARAMETERS);
        Map<String, List<String>> reads = TemplateStructure.describe(result);
        reads.forEach((function, names) -> System.out.println("reads of " + function + ": " + names));
        assertEquals(List.of(), result.problems());

        // The scan sees what each function is known to read, so an empty or partial scan cannot pass.
        assertEquals(FUNCTIONS, reads.keySet().stream().sorted().toList());
        for (String function : STORE_FUNCTIONS) {
            assertEquals(!function.equals("DeadLetterFunction") && !function.equals("MigrateSchemaFunction"),
                    reads.get(function).contains("CONVEYOR_QUEUE_URL (required)"), function + ": " + reads);
            assertTrue(reads.get(function).contains("CONVEYOR_DB_URL (required)"), function + ": " + reads);
            assertTrue(reads.get(function).contains("AWS_REGION (required)"), function + ": " + reads);
            assertTrue(reads.get(function).contains("CONVEYOR_LOG_LEVEL"), function + ": " + reads);
            assertTrue(reads.get(function).contains("AWS_ENDPOINT_URL_*"), function + ": " + reads);
        }
        assertTrue(reads.get("DeadLetterFunction").contains("CONVEYOR_DLQ_URL (required)"), reads.toString());
        assertTrue(reads.get("DeadLetterFunction").contains("CONVEYOR_MAX_RECEIVE_COUNT"), reads.toString());
        assertTrue(reads.get("SweepJobsFunction").contains("CONVEYOR_STALL_SECONDS"), reads.toString());
        assertTrue(reads.get("MigrateSchemaFunction").contains("CONVEYOR_DB_CLUSTER_ARN (required)"), reads.toString());
        assertTrue(!reads.get("SubmitJobFunction").contains("CONVEYOR_STALL_SECONDS"),
                "the sweeper's setting is not the submit function's: " + reads);
        // The dashboard wires no store and no queue: its cold start reads files only.
        assertTrue(reads.get("DashboardFunction").contains("CONVEYOR_LOG_LEVEL"), reads.toString());
        assertEquals(List.of(), reads.get("DashboardFunction").stream()
                .filter(name -> name.startsWith("CONVEYOR_DB_") || name.startsWith("CONVEYOR_QUEUE")
                        || name.startsWith("CONVEYOR_STORE"))
                .toList(), "the dashboard reads the store's or the queue's settings");
    }

    @Test
    void theDashboardsRoutesTakeNoApiKey() throws IOException {
        assertRejected(broken("            Path: /openapi.yaml\n            Method: get\n            Auth:\n"
                        + "              ApiKeyRequired: false\n", "            Path: /openapi.yaml\n            Method: get\n"),
                "route GET /openapi.yaml: the dashboard's files take no API key (the dashboard asks for one)");
        assertRejected(broken("            Path: /dashboard/{proxy+}\n", "            Path: /dashboard/{file}\n"),
                "route /dashboard/{file}: the template routes [GET], the API (Routes.METHODS and "
                        + "DashboardHandler.ROUTES) has []");
    }

    /** The read-only key is in the usage plan SAM makes, and every function gets its id. */
    @Test
    void theReadOnlyKeyIsInTheUsagePlanAndEveryFunctionKnowsItsId() {
        Template template = Template.load(TEMPLATE);
        Map<String, Object> planKey = template.resources().get("ReadOnlyUsagePlanKey").properties();
        assertEquals(Map.of("Ref", "ReadOnlyApiKey"), planKey.get("KeyId"));
        assertEquals("API_KEY", planKey.get("KeyType"));
        // SAM's name for the usage plan it makes for CreateUsagePlan: PER_API.
        assertEquals(Map.of("Ref", "ConveyorApiUsagePlan"), planKey.get("UsagePlanId"));
        assertEquals("AWS::ApiGateway::ApiKey", template.resources().get("ReadOnlyApiKey").type());
        Stack stack = Stack.of(template, "conveyor", PARAMETERS);
        stack.queues().forEach(q -> stack.queueCreated(q.logicalId(), "https://sqs/" + q.name()));
        assertEquals(List.of("ReadOnlyApiKey"), stack.apiKeys());
        for (Stack.FunctionSpec function : stack.functions()) {
            assertEquals(Stack.apiKeyId("ReadOnlyApiKey"), function.environment().get("CONVEYOR_READ_ONLY_API_KEY_IDS"),
                    function.logicalId());
        }
    }

    @Test
    void everyStoreAndNetworkChoiceGivesTheFunctionsWhatTheyNeed() {
        assertEquals(List.of(), TemplateStructure.check(TEMPLATE, parameters("Store", "dataapi",
                "DatabaseUrl", "", "DatabaseClusterArn", "arn:aws:rds:us-east-1:000000000000:cluster:c")).problems());
        assertEquals(List.of(), TemplateStructure.check(TEMPLATE, parameters(
                "VpcSubnetIds", "subnet-1,subnet-2", "VpcSecurityGroupIds", "sg-1")).problems());
    }

    @Test
    void aHandlerThatDoesNotExistIsFound() throws IOException {
        assertRejected(broken("dev.conveyor.functions.submit.SubmitJobHandler::handleRequest",
                        "dev.conveyor.functions.submit.SubmitJobsHandler::handleRequest"),
                "SubmitJobFunction: Handler dev.conveyor.functions.submit.SubmitJobsHandler::handleRequest: no class "
                        + "dev.conveyor.functions.submit.SubmitJobsHandler");
        assertRejected(broken("dev.conveyor.functions.get.GetJobHandler::handleRequest",
                        "dev.conveyor.functions.get.GetJobHandler::handle"),
                "GetJobFunction: Handler dev.conveyor.functions.get.GetJobHandler::handle: "
                        + "dev.conveyor.functions.get.GetJobHandler has no method handle");
    }

    @Test
    void aRouteTheApiDoesNotHaveIsFound() throws IOException {
        assertRejected(broken("            Path: /jobs/{id}/events\n            Method: get\n",
                        "            Path: /jobs/{id}/event\n            Method: get\n"),
                "route /jobs/{id}/event: the template routes [GET], the API (Routes.METHODS and "
                        + "DashboardHandler.ROUTES) has []");
    }

    @Test
    void aVariableTheFunctionsNeedIsFoundMissingInEachThatReadsIt() throws IOException {
        Path copy = broken("        CONVEYOR_QUEUE_URL: !Ref JobsQueue\n", "");
        for (String function : STORE_FUNCTIONS.stream()
                .filter(f -> !f.equals("DeadLetterFunction") && !f.equals("MigrateSchemaFunction")).toList()) {
            assertRejected(copy, function + ": CONVEYOR_QUEUE_URL is not set by the template (required by "
                    + "dev.conveyor.config.Wiring.queue)");
        }
    }

    @Test
    void aVariableOneFunctionReadsWithADefaultIsFoundMissingInThatOne() throws IOException {
        TemplateStructure.Result result = TemplateStructure.check(
                broken("          CONVEYOR_STALL_SECONDS: !Ref StallSeconds\n", "          CONVEYOR_STALL_SECOND: !Ref StallSeconds\n"),
                PARAMETERS);
        assertEquals(List.of("SweepJobsFunction: CONVEYOR_STALL_SECONDS is not set by the template (read by "
                + "dev.conveyor.config.Wiring.sweeper)"), result.problems());
    }

    @Test
    void withoutTheSecretTheDatabaseCredentialsAreMissing() throws IOException {
        assertRejected(broken("        CONVEYOR_DB_SECRET_ARN: !Ref DatabaseSecretArn\n", ""),
                "SubmitJobFunction: CONVEYOR_DB_USER is not set by the template (read by "
                        + "dev.conveyor.config.DatabaseLogin.from; without CONVEYOR_DB_SECRET_ARN nothing gives it on AWS)");
    }

    /**
     * With SnapStart Lambda gives no AWS_ACCESS_KEY_ID (the credentials come from the container credentials
     * endpoint), and the functions take them from there: every function is ready for SnapStart, which is on by
     * default.
     */
    @Test
    void everyFunctionIsReadyForSnapStart() {
        assertEquals("PublishedVersions", Template.load(TEMPLATE).parameters().get("SnapStart").defaultValue());
        TemplateStructure.Result result = TemplateStructure.check(TEMPLATE, parameters("SnapStart", "PublishedVersions"));
        assertEquals(java.util.List.of(), result.problems());
    }

    /** Reads three ways: a constant, a constant prefix, and a name the scan cannot know. */
    static final class ReadsNames {
        ReadsNames(dev.conveyor.config.Config config, String name) {
            config.required("CONSTANT_NAME");
            config.get("SOME_PREFIX_" + name, "fallback");
            config.integer(name, 1);
        }
    }

    @Test
    void theScanNamesConstantsAndPrefixesAndSaysWhenItCannotNameARead() {
        String reader = ReadsNames.class.getName();
        List<EnvironmentReads.Read> reads = EnvironmentReads.of(java.util.Set.of(reader),
                java.util.Set.of(reader.replace('.', '/'))).get(reader);
        String where = reader + ".<init>";
        assertEquals(List.of(new EnvironmentReads.Read("CONSTANT_NAME", true, where),
                new EnvironmentReads.Read("SOME_PREFIX_*", false, where),
                new EnvironmentReads.Read("?(a name that is not a constant)", false, where)), reads);
    }

    private static void assertRejected(Path copy, String problem) {
        List<String> problems = TemplateStructure.check(copy, PARAMETERS).problems();
        assertTrue(problems.contains(problem), "expected\n  " + problem + "\namong\n  "
                + String.join("\n  ", problems));
    }

    /** template.yaml with its one occurrence of {@code find} replaced. */
    private Path broken(String find, String replace) throws IOException {
        String template = Files.readString(TEMPLATE);
        int at = template.indexOf(find);
        assertTrue(at >= 0 && template.indexOf(find, at + 1) < 0,
                "template.yaml no longer has exactly one\n" + find + "update this broken copy");
        Path copy = Files.createTempFile(dir, "broken-", ".yaml");
        Files.writeString(copy, template.substring(0, at) + replace + template.substring(at + find.length()));
        return copy;
    }
}

package dev.conveyor.local.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conveyor.api.Routes;
import dev.conveyor.functions.dashboard.DashboardHandler;
import dev.conveyor.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** template.yaml as the local runtime reads it: what it would create, resolved. */
class StackTest {
    private static final Path TEMPLATE = Path.of("..", "template.yaml").toAbsolutePath().normalize();
    private static final String SECRET = "arn:aws:secretsmanager:us-east-1:000000000000:secret:conveyor-db-AbCdEf";
    private static final String CLUSTER = "arn:aws:rds:us-east-1:000000000000:cluster:conveyor";
    private static final Map<String, String> DATABASE = Map.of(
            "DatabaseUrl", "jdbc:postgresql://db/conveyor", "DatabaseSecretArn", SECRET);

    private static Stack stack(Map<String, String> overrides) {
        Map<String, String> parameters = new HashMap<>(DATABASE);
        parameters.putAll(overrides);
        return Stack.of(Template.load(TEMPLATE), "conveyor", parameters);
    }

    /** Resolves everything, with made-up URLs for the queues. */
    private static List<Stack.FunctionSpec> functions(Stack stack) {
        for (Stack.QueueSpec queue : stack.queues()) {
            stack.queueCreated(queue.logicalId(), "http://sqs/000000000000/" + queue.name());
        }
        return stack.functions();
    }

    @Test
    void theDeadLetterQueueIsCreatedBeforeTheQueueThatRedrivesToIt() {
        List<Stack.QueueSpec> queues = stack(Map.of()).queues();
        assertEquals(List.of("conveyor-jobs-dlq", "conveyor-jobs"), queues.stream().map(Stack.QueueSpec::name).toList());
        assertEquals("{\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:000000000000:conveyor-jobs-dlq\","
                + "\"maxReceiveCount\":\"30\"}", queues.get(1).attributes().get("RedrivePolicy"));
    }

    @Test
    void theJobsQueueHidesAMessageAtLeastSixTimesAsLongAsItsConsumerMayRun() {
        Stack stack = stack(Map.of());
        int visibility = Integer.parseInt(stack.queues().get(1).attributes().get("VisibilityTimeout"));
        Stack.FunctionSpec consumer = functions(stack).stream()
                .filter(f -> !f.queues().isEmpty()).findFirst().orElseThrow();
        assertTrue(visibility >= 6 * consumer.timeoutSeconds(), visibility + " < 6 x " + consumer.timeoutSeconds());
    }

    @Test
    void functionsGetTheGlobalEnvironmentTheirOwnAndTheQueueUrl() {
        Map<String, Stack.FunctionSpec> functions = new HashMap<>();
        functions(stack(Map.of("ProcessJobTimeout", "120"))).forEach(f -> functions.put(f.logicalId(), f));

        Stack.FunctionSpec submit = functions.get("SubmitJobFunction");
        assertEquals("jdbc", submit.environment().get("CONVEYOR_STORE"));
        assertEquals("jdbc:postgresql://db/conveyor", submit.environment().get("CONVEYOR_DB_URL"));
        assertEquals(SECRET, submit.environment().get("CONVEYOR_DB_SECRET_ARN"));
        assertEquals(null, submit.environment().get("CONVEYOR_DB_PASSWORD"), "credentials come from the secret");
        assertEquals("conveyor-submit-job", submit.name());
        assertEquals("http://sqs/000000000000/conveyor-jobs", submit.environment().get("CONVEYOR_QUEUE_URL"));
        assertEquals("120", submit.environment().get("CONVEYOR_CONSUMER_TIMEOUT_SECONDS"));
        assertEquals(List.of(new Stack.ApiRoute("POST", "/jobs", true), new Stack.ApiRoute("POST", "/jobs/batch", true),
                new Stack.ApiRoute("POST", "/jobs/validate", true)), submit.routes());

        Stack.FunctionSpec process = functions.get("ProcessJobFunction");
        assertEquals(120, process.timeoutSeconds());
        assertEquals(1024, process.memoryMb());
        Stack.SqsSource source = process.queues().get(0);
        assertEquals("arn:aws:sqs:us-east-1:000000000000:conveyor-jobs", source.queueArn());
        assertEquals(10, source.batchSize());
        assertTrue(source.reportBatchItemFailures());
    }

    @Test
    void theRoutesAreTheApisEachResourceAnswersOtherMethodsAndOnlyHealthIsOpen() {
        List<Stack.FunctionSpec> functions = functions(stack(Map.of()));
        List<Stack.ApiRoute> routes = functions.stream().filter(f -> !f.logicalId().equals("DashboardFunction"))
                .flatMap(f -> f.routes().stream()).toList();
        Map<String, List<String>> declared = new TreeMap<>();
        routes.stream().filter(r -> !r.method().equals("ANY"))
                .forEach(r -> declared.computeIfAbsent(r.path(), p -> new ArrayList<>()).add(r.method()));
        declared.values().forEach(Collections::sort);
        assertEquals(new TreeMap<>(Routes.METHODS), declared, "template.yaml's routes against the API's");

        Set<String> any = new TreeSet<>();
        routes.stream().filter(r -> r.method().equals("ANY")).forEach(r -> any.add(r.path()));
        Set<String> expected = new TreeSet<>(Routes.METHODS.keySet());
        expected.add("/{proxy+}");
        assertEquals(expected, any, "every resource answers the methods it lacks with 405, and other paths 404");

        routes.forEach(r -> assertEquals(!r.path().equals("/health"), r.apiKeyRequired(), r.toString()));

        List<Stack.ApiRoute> files = functions.stream().filter(f -> f.logicalId().equals("DashboardFunction"))
                .flatMap(f -> f.routes().stream()).toList();
        assertEquals(DashboardHandler.ROUTES, files.stream().map(r -> r.method() + " " + r.path()).toList());
        files.forEach(r -> assertFalse(r.apiKeyRequired(), r + ": the dashboard's files take no API key"));
    }

    @Test
    void theApiHasAUsagePlanAndAnswersItsOwnErrorsAsProblems() {
        Stack.ApiSpec api = stack(Map.of("ApiRateLimit", "50", "ApiBurstLimit", "100")).api();
        assertTrue(api.apiKeyRequired());
        assertEquals(new Stack.Throttle(50, 100), api.throttle());
        assertEquals(404, api.gatewayResponses().get("MISSING_AUTHENTICATION_TOKEN").statusCode());
        for (String type : List.of("MISSING_AUTHENTICATION_TOKEN", "INVALID_API_KEY", "THROTTLED", "QUOTA_EXCEEDED",
                "REQUEST_TOO_LARGE", "INTEGRATION_TIMEOUT", "DEFAULT_4XX", "DEFAULT_5XX")) {
            Stack.GatewayResponse response = api.gatewayResponses().get(type);
            assertEquals("'application/problem+json'", response.headers().get("Content-Type"), type);
            String body = response.templates().get("application/json")
                    .replace("$context.error.messageString", "\"message\"").replace("$context.requestId", "r");
            assertTrue(Json.parse(body).has("detail"), type + ": " + body);
        }
    }

    @Test
    void parametersAreCheckedAsCloudFormationChecksThem() {
        assertThrows(IllegalArgumentException.class, () -> stack(Map.of("ProcessJobTimeout", "5")));
        assertThrows(IllegalArgumentException.class, () -> stack(Map.of("LogLevel", "LOUD")));
        assertThrows(IllegalArgumentException.class, () -> stack(Map.of("NoSuchParameter", "x")));
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> Stack.of(Template.load(TEMPLATE), "conveyor", Map.of()));
        assertTrue(missing.getMessage().contains("DatabaseSecretArn"), missing.getMessage());
    }

    @Test
    void theFunctionsJoinTheVpcOnlyWhenJdbcIsGivenSubnets() {
        for (Stack.FunctionSpec f : functions(stack(Map.of()))) {
            assertEquals(null, f.properties().get("VpcConfig"), f.logicalId());
        }
        Map<String, String> subnets = Map.of("VpcSubnetIds", "subnet-1,subnet-2", "VpcSecurityGroupIds", "sg-1");
        for (Stack.FunctionSpec f : functions(stack(subnets))) {
            // The dashboard reaches nothing in the VPC: outside it, it starts without a network interface to attach.
            assertEquals(f.logicalId().equals("DashboardFunction") ? null
                    : Map.of("SubnetIds", List.of("subnet-1", "subnet-2"), "SecurityGroupIds", List.of("sg-1")),
                    f.properties().get("VpcConfig"), f.logicalId());
        }
        Map<String, String> dataApi = new HashMap<>(subnets);
        dataApi.put("Store", "dataapi");
        for (Stack.FunctionSpec f : functions(stack(dataApi))) {
            assertEquals(null, f.properties().get("VpcConfig"), "the Data API needs no VPC: " + f.logicalId());
            assertEquals("dataapi", f.environment().get("CONVEYOR_STORE"));
        }
    }

    @Test
    void globalsMergeAsSamMergesThem() {
        Map<String, Object> globals = Map.of("Layers", List.of("a"), "Environment", Map.of("Variables", Map.of("X", "1")),
                "VpcConfig", Map.of("Fn::If", List.of("C", Map.of("SubnetIds", List.of("s")), Map.of("Ref", "AWS::NoValue"))));
        Map<String, Object> own = Map.of("Layers", List.of("b"), "Environment", Map.of("Variables", Map.of("Y", "2")),
                "VpcConfig", Map.of("SubnetIds", List.of("t")));
        Map<String, Object> merged = Stack.merge(globals, own);
        assertEquals(List.of("a", "b"), merged.get("Layers"), "lists: the global entries, then the resource's");
        assertEquals(Map.of("Variables", Map.of("X", "1", "Y", "2")), merged.get("Environment"));
        assertEquals(Map.of("SubnetIds", List.of("t")), merged.get("VpcConfig"), "an intrinsic is one value, replaced");
    }

    @Test
    void intrinsicFunctionsResolveAsCloudFormationResolvesThem(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        Path file = dir.resolve("t.yaml");
        Files.writeString(file, """
                Parameters:
                  Env: {Type: String, Default: prod}
                Conditions:
                  IsProd: !Equals [!Ref Env, prod]
                  IsDev: !Not [!Condition IsProd]
                Resources:
                  Q:
                    Type: AWS::SQS::Queue
                    Properties:
                      QueueName: !Join ['-', [!Ref 'AWS::StackName', !Select [1, !Split [',', 'a,b,c']]]]
                      DelaySeconds: !If [IsProd, 5, !Ref 'AWS::NoValue']
                      VisibilityTimeout: !If [IsDev, 1, !Ref 'AWS::NoValue']
                  Dev:
                    Type: AWS::SQS::Queue
                    Condition: IsDev
                  F:
                    Type: AWS::Serverless::Function
                    Properties:
                      Handler: x.Y::handleRequest
                      Environment:
                        Variables:
                          ARN: !GetAtt Q.Arn
                          TEXT: !Sub '${AWS::Region}/${Q.QueueName}/${!Literal}'
                          OTHER: !Sub ['${Name}', {Name: n}]
                """);
        Stack stack = Stack.of(Template.load(file), "s", Map.of());
        List<Stack.QueueSpec> queues = stack.queues();
        assertEquals(1, queues.size());
        assertEquals("s-b", queues.get(0).name());
        assertEquals(Map.of("DelaySeconds", "5"), queues.get(0).attributes());
        stack.queueCreated("Q", "http://q");
        Map<String, String> environment = stack.functions().get(0).environment();
        assertEquals("arn:aws:sqs:us-east-1:000000000000:s-b", environment.get("ARN"));
        assertEquals("us-east-1/s-b/${Literal}", environment.get("TEXT"));
        assertEquals("n", environment.get("OTHER"));
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> stack.intrinsics().resolve(Map.of("Ref", "Nothing")));
        assertTrue(unknown.getMessage().contains("Nothing"), unknown.getMessage());
    }

    @Test
    void theSchemaMigrationIsACustomResourceOfTheMigrateFunctionThatEveryServingFunctionWaitsFor() {
        Stack stack = stack(Map.of());
        List<Stack.FunctionSpec> functions = functions(stack);

        List<Stack.CustomResourceSpec> custom = stack.customResources();
        assertEquals(1, custom.size());
        Stack.CustomResourceSpec migration = custom.get(0);
        assertEquals("SchemaMigration", migration.logicalId());
        assertEquals("MigrateSchemaFunction", migration.functionLogicalId());
        assertEquals("arn:aws:lambda:us-east-1:000000000000:function:conveyor-MigrateSchemaFunction:1",
                migration.properties().get("CodeVersion"));
        assertEquals("jdbc:postgresql://db/conveyor", migration.properties().get("Database"));
        assertEquals(CLUSTER + "/conveyor", stack(Map.of("Store", "dataapi",
                "DatabaseClusterArn", CLUSTER)).customResources().get(0).properties().get("Database"));

        Map<String, Object> resources = Template.load(TEMPLATE).section("Resources");
        for (Stack.FunctionSpec function : functions) {
            if (function.logicalId().equals("MigrateSchemaFunction") || function.logicalId().equals("DashboardFunction")) {
                continue; // the migration itself, and the dashboard's files, which need no database
            }
            Object dependsOn = Template.map(resources.get(function.logicalId()), function.logicalId()).get("DependsOn");
            assertTrue(dependsOn instanceof List<?> list && list.contains("SchemaMigration"),
                    function.logicalId() + " must wait for the schema: DependsOn " + dependsOn);
        }
    }
}

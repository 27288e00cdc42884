package dev.conveyor.local.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** template.yaml as the local runtime reads it: what it would create, resolved. */
class StackTest {
    private static final Path TEMPLATE = Path.of("..", "template.yaml").toAbsolutePath().normalize();
    private static final Map<String, String> DATABASE = Map.of(
            "DatabaseUrl", "jdbc:postgresql://db/conveyor", "DatabasePassword", "secret");

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
        assertEquals("jdbc:postgresql://db/conveyor", submit.environment().get("CONVEYOR_DB_URL"));
        assertEquals("http://sqs/000000000000/conveyor-jobs", submit.environment().get("CONVEYOR_QUEUE_URL"));
        assertEquals("120", submit.environment().get("CONVEYOR_CONSUMER_TIMEOUT_SECONDS"));
        assertEquals(List.of(new Stack.ApiRoute("POST", "/jobs"), new Stack.ApiRoute("POST", "/jobs/batch")),
                submit.routes());

        Stack.FunctionSpec process = functions.get("ProcessJobFunction");
        assertEquals(120, process.timeoutSeconds());
        assertEquals(1024, process.memoryMb());
        Stack.SqsSource source = process.queues().get(0);
        assertEquals("arn:aws:sqs:us-east-1:000000000000:conveyor-jobs", source.queueArn());
        assertEquals(10, source.batchSize());
        assertTrue(source.reportBatchItemFailures());
        assertEquals(List.of(new Stack.ApiRoute("GET", "/health"), new Stack.ApiRoute("GET", "/jobs/{id}"), new Stack.ApiRoute("GET", "/jobs"),
                new Stack.ApiRoute("GET", "/jobs/{id}/events")), functions.get("GetJobFunction").routes());
    }

    @Test
    void everyHandlerIsAClassOnTheClasspathThatLambdaCanInvoke() throws ClassNotFoundException {
        for (Stack.FunctionSpec function : functions(stack(Map.of()))) {
            String className = function.handler().substring(0, function.handler().indexOf("::"));
            assertTrue(RequestHandler.class.isAssignableFrom(Class.forName(className)), function.handler());
        }
    }

    @Test
    void parametersAreCheckedAsCloudFormationChecksThem() {
        assertThrows(IllegalArgumentException.class, () -> stack(Map.of("ProcessJobTimeout", "5")));
        assertThrows(IllegalArgumentException.class, () -> stack(Map.of("LogLevel", "LOUD")));
        assertThrows(IllegalArgumentException.class, () -> stack(Map.of("NoSuchParameter", "x")));
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> Stack.of(Template.load(TEMPLATE), "conveyor", Map.of()));
        assertTrue(missing.getMessage().contains("DatabaseUrl"), missing.getMessage());
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
}

package dev.conveyor.local.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** template.yaml resolved for the template checks: parameters in, references to resources kept. */
class ResolvedTemplateTest {
    private static final Template TEMPLATE = Template.load(Path.of("..", "template.yaml").toAbsolutePath().normalize());

    @SuppressWarnings("unchecked")
    private static Map<String, Object> at(Map<String, Object> map, String... keys) {
        Object value = map;
        for (String key : keys) {
            value = ((Map<String, Object>) value).get(key);
        }
        return (Map<String, Object>) value;
    }

    @Test
    void parametersTakeTheirDefaultsOrAPlaceholderAndNumbersStayNumbers() {
        Map<String, Object> resolved = ResolvedTemplate.resolve(TEMPLATE, "conveyor", Map.of());
        Map<String, Object> queue = at(resolved, "Resources", "JobsQueue", "Properties");
        assertEquals(360L, queue.get("VisibilityTimeout"));
        assertEquals("conveyor-jobs", queue.get("QueueName"));
        assertEquals(Map.of("Fn::GetAtt", "JobsDeadLetterQueue.Arn"), at(queue, "RedrivePolicy").get("deadLetterTargetArn"));
        assertEquals("placeholder-DatabaseSecretArn",
                at(resolved, "Metadata", "ConveyorResolved", "Parameters").get("DatabaseSecretArn"));
    }

    @Test
    void functionsGetTheirGlobalsAndSixTimesTheirTimeoutAsMetadata() {
        Map<String, Object> resolved = ResolvedTemplate.resolve(TEMPLATE, "conveyor", Map.of("ProcessJobTimeout", "90"));
        Map<String, Object> process = at(resolved, "Resources", "ProcessJobFunction");
        assertEquals(90L, at(process, "Properties").get("Timeout"));
        assertEquals(540L, at(process, "Metadata", "ConveyorResolved").get("MinimumQueueVisibilityTimeout"));
        Map<String, Object> submit = at(resolved, "Resources", "SubmitJobFunction", "Properties");
        assertEquals(29, submit.get("Timeout"), "from Globals");
        assertEquals(Map.of("Ref", "JobsQueue"), at(submit, "Environment", "Variables").get("CONVEYOR_QUEUE_URL"));
        assertFalse(submit.containsKey("VpcConfig"), "no subnets, no VpcConfig");
    }

    @Test
    void conditionsAreDecided() {
        Map<String, Object> jdbc = ResolvedTemplate.resolve(TEMPLATE, "conveyor", Map.of());
        assertEquals(1, ((List<?>) at(jdbc, "Resources", "DatabaseAccessPolicy", "Properties", "PolicyDocument")
                .get("Statement")).size(), "the Data API statement is only there for Store dataapi");
        Map<String, Object> dataApi = ResolvedTemplate.resolve(TEMPLATE, "conveyor", Map.of("Store", "dataapi",
                "DatabaseClusterArn", "arn:aws:rds:us-east-1:000000000000:cluster:c"));
        assertEquals(2, ((List<?>) at(dataApi, "Resources", "DatabaseAccessPolicy", "Properties", "PolicyDocument")
                .get("Statement")).size());
        assertNull(at(jdbc, "Resources", "DeadLetterAlarm", "Properties").get("AlarmActions"), "no topic, no actions");
    }

    @Test
    void aSubThatNamesAResourceKeepsItAndResolvesTheRest() {
        Map<String, Object> resolved = ResolvedTemplate.resolve(TEMPLATE, "conveyor", Map.of());
        assertEquals(Map.of("Fn::Sub", "https://${ConveyorApi}.execute-api.us-east-1.amazonaws.com/Prod"),
                at(resolved, "Outputs", "ApiUrl").get("Value"));
    }

    @Test
    void anUnknownParameterIsRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> ResolvedTemplate.resolve(TEMPLATE, "conveyor", Map.of("Nothing", "x")));
    }
}

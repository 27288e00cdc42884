package dev.conveyor.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.conveyor.handler.HandlerRegistry;
import dev.conveyor.job.FieldError;
import dev.conveyor.job.NewJob;
import dev.conveyor.json.Json;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JobRequestsTest {
    private final JobRequests requests = new JobRequests(HandlerRegistry.load(), 55);

    private NewJob parse(String json) {
        return requests.parse(Json.parse(json), "");
    }

    private List<FieldError> errors(String json) {
        return assertThrows(ApiException.class, () -> parse(json)).errors();
    }

    @Test
    void defaultsFillWhatTheClientLeftOut() {
        NewJob job = parse("{\"type\":\"echo\",\"payload\":{\"message\":\"hi\"}}");
        assertEquals("echo", job.type());
        assertEquals(3, job.maxRetries());
        assertEquals(1.0, job.retryDelaySeconds());
        assertEquals(30.0, job.timeoutSeconds());
        assertEquals(0, job.delaySeconds());
    }

    @Test
    void everyFieldIsRead() {
        NewJob job = parse("{\"type\":\"sleep\",\"payload\":{\"seconds\":0.5},\"max_retries\":0,"
                + "\"retry_delay_seconds\":0.25,\"timeout_seconds\":2,\"delay_seconds\":900}");
        assertEquals(0, job.maxRetries());
        assertEquals(0.25, job.retryDelaySeconds());
        assertEquals(2.0, job.timeoutSeconds());
        assertEquals(900, job.delaySeconds());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "{\"payload\":{}}                                         | type",
        "{\"type\":7}                                             | type",
        "{\"type\":\"nope\"}                                      | type",
        "{\"type\":\"echo\",\"payload\":{}}                       | payload.message",
        "{\"type\":\"echo\",\"payload\":{\"message\":\"\"}}       | payload.message",
        "{\"type\":\"echo\",\"payload\":{\"message\":5}}          | payload.message",
        "{\"type\":\"echo\",\"payload\":[1]}                      | payload",
        "{\"type\":\"echo\",\"payload\":{\"message\":\"a\",\"x\":1}} | payload.x",
        "{\"type\":\"sleep\",\"payload\":{\"seconds\":0}}         | payload.seconds",
        "{\"type\":\"sleep\",\"payload\":{\"seconds\":\"1\"}}     | payload.seconds",
        "{\"type\":\"sleep\",\"payload\":{\"seconds\":31}}        | payload.seconds",
        "{\"type\":\"fail\",\"payload\":{\"times\":-2}}           | payload.times",
        "{\"type\":\"fail\",\"payload\":{\"times\":1.5}}          | payload.times",
        "{\"type\":\"echo\",\"payload\":{\"message\":\"a\"},\"max_retries\":-1}   | max_retries",
        "{\"type\":\"echo\",\"payload\":{\"message\":\"a\"},\"max_retries\":11}   | max_retries",
        "{\"type\":\"echo\",\"payload\":{\"message\":\"a\"},\"max_retries\":3.0}  | max_retries",
        "{\"type\":\"echo\",\"payload\":{\"message\":\"a\"},\"max_retries\":\"3\"} | max_retries",
        "{\"type\":\"echo\",\"payload\":{\"message\":\"a\"},\"max_retries\":99999999999999999999} | max_retries",
        "{\"type\":\"echo\",\"payload\":{\"message\":\"a\"},\"retry_delay_seconds\":-0.1} | retry_delay_seconds",
        "{\"type\":\"echo\",\"payload\":{\"message\":\"a\"},\"timeout_seconds\":0}  | timeout_seconds",
        "{\"type\":\"echo\",\"payload\":{\"message\":\"a\"},\"timeout_seconds\":56} | timeout_seconds",
        "{\"type\":\"echo\",\"payload\":{\"message\":\"a\"},\"delay_seconds\":1.5}  | delay_seconds",
        "{\"type\":\"echo\",\"payload\":{\"message\":\"a\"},\"delay_seconds\":604801} | delay_seconds",
        "{\"type\":\"echo\",\"payload\":{\"message\":\"a\"},\"priority\":1}       | priority",
        "{\"type\":\"echo\",\"payload\":{\"message\":\"a\\u0000b\"}}             | payload.message",
        "{\"type\":\"echo\",\"payload\":{\"message\":\"\\ud800\"}}               | payload.message",
        "{\"type\":\"echo\",\"payload\":{\"message\":\"a\\udc00\\ud800b\"}}        | payload.message",
        "{\"type\":\"fail\",\"payload\":{\"times\":1,\"error\":\"x\\udfff\"}}       | payload.error",
        "{\"type\":\"fail\",\"payload\":{\"times\":1,\"error\":1e999999}}        | payload.error",
    })
    void badInputNamesTheField(String json, String field) {
        List<FieldError> errors = errors(json);
        assertEquals(true, errors.stream().anyMatch(e -> e.field().equals(field)), errors.toString());
    }

    @Test
    void aSurrogatePairIsNoUnpairedSurrogate() {
        assertEquals("\uD83D\uDCA9", parse("{\"type\":\"echo\",\"payload\":{\"message\":\"\\ud83d\\udca9\"}}")
                .payload().get("message").textValue());
    }

    @Test
    void aNumberWithAnExponentNearTheLimitOfAnIntIsTooLongForJsonb() {
        List<FieldError> errors = new java.util.ArrayList<>();
        JobRequests.checkValues(Json.parse("{\"n\":1e2147483647}"), "payload", errors);
        assertEquals(List.of("payload.n"), errors.stream().map(FieldError::field).toList());
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        List<FieldError> errors = errors("{\"type\":\"echo\",\"payload\":{},\"max_retries\":20,\"delay_seconds\":-1}");
        assertEquals(List.of("max_retries", "delay_seconds", "payload.message"),
                errors.stream().map(FieldError::field).toList());
    }

    @Test
    void theBodyMustBeAnObject() {
        assertEquals("body", errors("[1,2]").get(0).field());
    }

    @Test
    void prefixesNameTheItemOfABatch() {
        List<FieldError> errors = new java.util.ArrayList<>();
        requests.parse(Json.parse("{\"type\":\"echo\"}"), "jobs[4].", errors);
        assertEquals("jobs[4].payload.message", errors.get(0).field());
    }

    @Test
    void malformedJsonIsRefusedStrictly() {
        for (String bad : new String[] {"{\"a\":1,\"a\":2}", "{\"type\":\"echo\"} x", "{'type':'echo'}",
                "{\"type\":\"echo\",}", "{\"n\":NaN}", "", "{\"type\":\"echo\"", "{\"n\":1e2147483648}",
                "{\"n\":1e-2147483649}", "{\"n\":0e-2147483648}", "{\"n\":1E+999999999999}"}) {
            assertThrows(Json.MalformedJsonException.class, () -> Json.parse(bad), bad);
        }
        assertThrows(Json.MalformedJsonException.class, () -> Json.parse("[".repeat(100) + "]".repeat(100)));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "{} {}           | more follows the JSON value",
        "{\"n\": NaN}  | Non-standard token 'NaN' (line 1, column 10)",
        "{\"n\": +1}   | JSON spec does not allow numbers to have plus signs (line 1, column 8)",
        "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]] | exceeds the maximum allowed (32)",
        "{\"a\": 1, /* c */ \"b\": 2} | (JSON has no comments)",
    })
    void malformedJsonIsDescribedWithoutJacksonsClassesOrFeatures(String body, String expected) {
        String message = assertThrows(Json.MalformedJsonException.class, () -> Json.parse(body)).getMessage();
        assertEquals(true, message.contains(expected), message);
        for (String internal : new String[] {"`", "jackson", "Feature", "bound as", "StreamReadConstraints"}) {
            assertEquals(false, message.contains(internal), message);
        }
    }
}

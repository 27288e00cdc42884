package dev.conveyor.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * A few hundred malformed requests over HTTP to the local runtime: broken, truncated and non-JSON bodies, wrong
 * types and out-of-range values in every field of a submission and of a batch item, payloads each job type refuses,
 * huge and deeply nested bodies, invalid UTF-8, control characters and SQL where they do not belong, bad
 * idempotency keys, bad listing parameters, ids that are not UUIDs or name no job, unknown routes, methods a
 * resource lacks, wrong content types, a missing or wrong API key, and conflicts with jobs that exist. Each must be
 * answered with the exact 4xx expected as {@code application/problem+json} (naming the offending field where there
 * is one), never a 5xx or a stack trace; and the database and the queues must be as they were before the suite.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BadInputIT extends LocalRuntimeTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROBLEM = "application/problem+json";
    private static final String SQL = "'; DROP TABLE jobs; --";
    private static final String UNKNOWN_ID = "01a207c6-dc6d-733e-a09e-7622527f8a06";
    private static final String VALID = "{\"type\": \"echo\", \"payload\": {\"message\": \"hi\"}}";
    /** A submission spelling out every field, valid: truncated, it is not. */
    private static final String FULL = "{\"type\": \"echo\", \"payload\": {\"message\": \"hello\"}, \"max_retries\": 2,"
            + " \"retry_delay_seconds\": 0.5, \"timeout_seconds\": 10, \"delay_seconds\": 0}";
    private static final int FUNCTION_LIMIT = 256 * 1024;
    private static final int GATEWAY_LIMIT = 10 * 1024 * 1024;
    private static final String SETUP_KEY = "bad-input-setup-key";

    /** Jobs that exist before the suite's snapshot, finished, for the conflicts: each in a state no case changes. */
    private static String succeeded;
    private static String failed;
    private static String cancelled;

    @BeforeAll
    static void createTheJobsTheConflictsNeed() {
        succeeded = submit(http.postJson("/jobs", "{\"type\": \"echo\", \"payload\": {\"message\": \"setup\"}}"));
        failed = submit(http.postJson("/jobs",
                "{\"type\": \"fail\", \"payload\": {\"times\": -1, \"permanent\": true}, \"max_retries\": 0}"));
        cancelled = submit(http.postJson("/jobs",
                "{\"type\": \"echo\", \"payload\": {\"message\": \"never\"}, \"delay_seconds\": 3600}"));
        Http.Response cancel = http.postJson("/jobs/" + cancelled + "/cancel", "");
        assertEquals(200, cancel.status(), cancel::toString);
        String keyed = submit(http.send(HttpRequest.newBuilder(URI.create(runtime.url() + "/jobs"))
                .header("Content-Type", "application/json").header("Idempotency-Key", SETUP_KEY)
                .POST(HttpRequest.BodyPublishers.ofString("{\"type\": \"echo\", \"payload\": {\"message\": \"once\"}}"))
                .build()));
        EndToEndIT.awaitState(http, succeeded, "SUCCESS", Duration.ofSeconds(15), new ArrayList<>());
        EndToEndIT.awaitState(http, failed, "FAILED", Duration.ofSeconds(15), new ArrayList<>());
        EndToEndIT.awaitState(http, keyed, "SUCCESS", Duration.ofSeconds(15), new ArrayList<>());
        // The consumer deletes a message after its batch is recorded: wait until the queues are empty too.
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!queues().values().stream().allMatch("0"::equals) && System.nanoTime() < deadline) {
            sleep(100);
        }
    }

    private static String submit(Http.Response response) {
        assertEquals(202, response.status(), response::toString);
        return response.json().get("id").asText();
    }

    @Test
    @Order(1)
    void everyMalformedRequestIsA4xxProblemAndChangesNothing() {
        List<Case> cases = cases();
        Snapshot before = snapshot();
        assertTrue(before.queues().values().stream().allMatch("0"::equals), "the queues are not idle: " + before);

        long started = System.nanoTime();
        Http anonymous = http.withoutKey();
        List<String> failures = new ArrayList<>();
        Map<String, Integer> families = new TreeMap<>();
        for (Case c : cases) {
            families.merge(c.family, 1, Integer::sum);
            Http.Response response;
            try {
                response = (c.anonymous ? anonymous : http).send(c.request);
            } catch (RuntimeException e) {
                failures.add(c.label() + ": expected " + c.status + ", got no answer: " + e);
                continue;
            }
            String problem = check(c, response);
            if (problem != null) {
                String body = response.text().length() > 400 ? response.text().substring(0, 400) + "..." : response.text();
                failures.add(c.label() + ": expected " + c.expectation() + "; " + problem + "; got " + response.status()
                        + " " + response.header("Content-Type").orElse("(no Content-Type)") + " " + body);
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;

        Snapshot after = snapshot();
        boolean changed = !before.equals(after);
        System.out.printf(Locale.ROOT, "bad-input: requests=%d unexpected=%d db_changed=%b%n", cases.size(),
                failures.size(), changed);
        System.out.printf(Locale.ROOT, "bad-input: %.1f s; families %s%n", seconds, families);
        StringBuilder report = new StringBuilder();
        failures.forEach(f -> report.append("\n  ").append(f));
        if (changed) {
            report.append("\n  the database or the queues changed:\n    before ").append(before)
                    .append("\n    after  ").append(after);
        }
        assertTrue(failures.isEmpty() && !changed, failures.size() + " of " + cases.size()
                + " requests were not answered as expected" + report);
    }

    /** Valid input, not bad: SQL and control characters in an echo message are stored and echoed as sent. */
    @Test
    @Order(2)
    void sqlAndControlCharactersInAMessageRoundTripUnchanged() throws JsonProcessingException {
        String message = SQL + " \" \\ \t\n\u0007 \u2028 \u202e ☃ \uD83D\uDCA9 %s ${x} <b>";
        Http.Response accepted = http.postJson("/jobs",
                "{\"type\": \"echo\", \"payload\": {\"message\": " + JSON.writeValueAsString(message) + "}}");
        String id = submit(accepted);
        assertEquals(message, accepted.json().at("/payload/message").textValue());
        JsonNode done = EndToEndIT.awaitState(http, id, "SUCCESS", Duration.ofSeconds(15), new ArrayList<>());
        assertEquals(message, done.at("/payload/message").textValue());
        assertEquals(message, done.at("/result/message").textValue());
        assertTrue(LocalRuntimeFixture.count(runtime, "SELECT count(*) FROM jobs") > 0, "the jobs table is there");
    }

    // ---------------------------------------------------------------------------------------------------------
    // The cases

    private List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        fieldTypes(cases);
        jobTypes(cases);
        unknownFields(cases);
        payloads(cases);
        syntax(cases);
        truncations(cases);
        notObjects(cases);
        invalidUtf8(cases);
        sizes(cases);
        nesting(cases);
        batches(cases);
        contentTypes(cases);
        idempotencyKeys(cases);
        conflicts(cases);
        listing(cases);
        ids(cases);
        routes(cases);
        methods(cases);
        apiKeys(cases);
        return cases;
    }

    /** Integers: max_retries 0..10, delay_seconds 0..604800. Numbers: retry_delay_seconds 0..43200, timeout 0<..55. */
    private static final Map<String, List<String>> WRONG_VALUES = wrongValues();

    private static Map<String, List<String>> wrongValues() {
        List<String> anyField = List.of("true", "null", "[]", "[1]", "{}", "\"NaN\"", "\"Infinity\"", "1e400", "-1");
        Map<String, List<String>> values = new LinkedHashMap<>();
        values.put("max_retries", concat(anyField, "\"3\"", "\"three\"", "1.5", "-0.5", "3.0", "11",
                "99999999999999999999", "1e1"));
        values.put("delay_seconds", concat(anyField, "\"60\"", "2.5", "604801", "1e6", "9223372036854775808",
                "-9223372036854775809", "60.0"));
        values.put("retry_delay_seconds", concat(anyField, "\"1\"", "\"1e3\"", "-0.001", "43200.001", "1e5"));
        values.put("timeout_seconds", concat(anyField, "\"10\"", "0", "-0.0", "0.0", "55.001", "56", "1e-400"));
        return values;
    }

    private static List<String> concat(List<String> first, String... more) {
        List<String> all = new ArrayList<>(first);
        all.addAll(List.of(more));
        return all;
    }

    private void fieldTypes(List<Case> cases) {
        WRONG_VALUES.forEach((field, values) -> {
            for (String value : values) {
                cases.add(postJson("field-values", field + "=" + value, "/jobs", job(field, value)).invalid(field));
            }
        });
    }

    /** A valid echo submission with one field set to a raw JSON value (or added, when it is not a field). */
    private static String job(String field, String rawValue) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("type", "\"echo\"");
        fields.put("payload", "{\"message\": \"hi\"}");
        fields.put(field, rawValue);
        StringBuilder out = new StringBuilder("{");
        fields.forEach((name, value) -> out.append(out.length() > 1 ? ", " : "").append(quote(name)).append(": ")
                .append(value));
        return out.append('}').toString();
    }

    private static final List<String> BAD_TYPES = List.of("7", "true", "null", "[]", "[\"echo\"]", "{}",
            quote(""), quote(" echo"), quote("echo "), quote("ECHO"),
            quote("teleport"), quote("echo\u0000"), quote("\u0000"), quote("echo\n"), quote("\u0007"),
            quote("\u001b[31mecho"), quote("\u202eohce"), quote("\u200becho"), quote("\u0435cho"), quote(SQL),
            quote("echo" + SQL), quote("echo\" OR \"1\"=\"1"), quote("1; SELECT pg_sleep(10)"),
            quote("${jndi:ldap://example.invalid/a}"), quote("../../etc/passwd"), "\"\\ud800\"",
            quote("e".repeat(65)), quote("x".repeat(100_000)));

    private void jobTypes(List<Case> cases) {
        for (String type : BAD_TYPES) {
            cases.add(postJson("types", "type=" + type, "/jobs",
                    "{\"type\": " + type + ", \"payload\": {\"message\": \"hi\"}}").invalid("type"));
        }
        cases.add(postJson("types", "no type", "/jobs", "{\"payload\": {\"message\": \"hi\"}}").invalid("type"));
        cases.add(postJson("types", "type only", "/jobs", "{\"type\": \"nope\"}").invalid("type"));
    }

    private static final List<String> UNKNOWN_NAMES = List.of("priority", "Type", "TYPE", "id", "state", "created_at",
            "maxRetries", "max-retries", "payload ", "", SQL, "\u0000", "\u001b[31m", "__proto__", "x".repeat(10_000));

    private void unknownFields(List<Case> cases) {
        for (String name : UNKNOWN_NAMES) {
            cases.add(postJson("unknown-fields", "field " + quote(name), "/jobs", job(name, "1"))
                    .invalid(printable(name)));
        }
        cases.add(postJson("unknown-fields", "a name of 60000 characters", "/jobs", job("n".repeat(60_000), "1"))
                .invalid("body"));
        cases.add(postJson("unknown-fields", "unknown field with SQL as its value", "/jobs", job("note", quote(SQL)))
                .invalid("note"));
        StringBuilder many = new StringBuilder("{\"type\": \"echo\", \"payload\": {\"message\": \"hi\"}");
        for (int i = 0; i < 2000; i++) {
            many.append(", \"f").append(i).append("\": ").append(i);
        }
        cases.add(postJson("unknown-fields", "2000 unknown fields", "/jobs", many.append('}').toString())
                .invalid("f99")); // errors lists the first 100
    }

    private void payloads(List<Case> cases) {
        for (String payload : List.of("\"hi\"", "1", "true", "[]", "[\"message\", \"hi\"]", "1.5", quote(SQL))) {
            cases.add(postJson("payloads", "payload=" + payload, "/jobs", job("payload", payload)).invalid("payload"));
        }
        String[][] echo = {
            {"{}", "payload.message"}, {"null", "payload.message"},
            {"{\"message\": \"\"}", "payload.message"}, {"{\"message\": 1}", "payload.message"},
            {"{\"message\": null}", "payload.message"}, {"{\"message\": []}", "payload.message"}, {"{\"message\": [\"hi\"]}", "payload.message"},
            {"{\"message\": {}}", "payload.message"}, {"{\"message\": 1e400}", "payload.message"},
            {"{\"message\": \"a\\u0000b\"}", "payload.message"}, {"{\"message\": \"\\ud800\"}", "payload.message"},
            {"{\"message\": \"x\\udc00y\"}", "payload.message"}, {"{\"message\": \"hi\", \"extra\": 1}", "payload.extra"},
            {"{\"Message\": \"hi\"}", "payload.Message"},
            {"{\"message\": \"hi\", " + quote(SQL) + ": 1}", "payload." + SQL},
            {"{\"message\": \"hi\", \"\\u0000\": 1}", "payload"},
            {"{\"message\": \"hi\", \"n\": 1e-1001}", "payload.n"},
        };
        for (String[] row : echo) {
            cases.add(postJson("payloads", "echo " + row[0], "/jobs", job("payload", row[0])).invalid(row[1]));
        }
        String[][] typed = {
            {"sleep", "{}", "payload.seconds"}, {"sleep", "{\"seconds\": 0}", "payload.seconds"},
            {"sleep", "{\"seconds\": -1}", "payload.seconds"}, {"sleep", "{\"seconds\": -0.0}", "payload.seconds"},
            {"sleep", "{\"seconds\": \"1\"}", "payload.seconds"}, {"sleep", "{\"seconds\": null}", "payload.seconds"},
            {"sleep", "{\"seconds\": true}", "payload.seconds"},
            {"sleep", "{\"seconds\": 1e400}", "payload.seconds"}, {"sleep", "{\"seconds\": 1e-400}", "payload.seconds"},
            {"sleep", "{\"seconds\": \"NaN\"}", "payload.seconds"},
            {"sleep", "{\"seconds\": 31}", "payload.seconds"}, // above the default timeout, 30
            {"sleep", "{\"seconds\": 1, \"x\": 1}", "payload.x"},
            {"fail", "{}", "payload.times"}, {"fail", "{\"times\": -2}", "payload.times"},
            {"fail", "{\"times\": 1.5}", "payload.times"}, {"fail", "{\"times\": \"1\"}", "payload.times"},
            {"fail", "{\"times\": null}", "payload.times"},
            {"fail", "{\"times\": 2147483648}", "payload.times"}, {"fail", "{\"times\": 1e400}", "payload.times"},
            {"fail", "{\"times\": 1, \"error\": \"\"}", "payload.error"},
            {"fail", "{\"times\": 1, \"error\": 5}", "payload.error"},
            {"fail", "{\"times\": 1, \"error\": null}", "payload.error"},
            {"fail", "{\"times\": 1, \"error\": \"x\\ud800\"}", "payload.error"},
            {"fail", "{\"times\": 1, \"permanent\": \"yes\"}", "payload.permanent"},
            {"fail", "{\"times\": 1, \"permanent\": 1}", "payload.permanent"},
            {"fail", "{\"times\": 1, \"permanent\": null}", "payload.permanent"},
            {"fail", "{\"times\": 1, \"x\": 1}", "payload.x"},
        };
        for (String[] row : typed) {
            cases.add(postJson("payloads", row[0] + " " + row[1], "/jobs",
                    "{\"type\": \"" + row[0] + "\", \"payload\": " + row[1] + "}").invalid(row[2]));
        }
        cases.add(postJson("payloads", "sleep longer than its own timeout", "/jobs",
                "{\"type\": \"sleep\", \"payload\": {\"seconds\": 10}, \"timeout_seconds\": 5}").invalid("payload.seconds"));
    }

    private void syntax(List<Case> cases) {
        String[] bodies = {
            "{'type': 'echo', 'payload': {'message': 'hi'}}",
            "{type: \"echo\", payload: {message: \"hi\"}}",
            "{\"type\": \"echo\", \"payload\": {\"message\": \"hi\"},}",
            "{\"type\": \"echo\", \"payload\": {\"message\": \"hi\",}}",
            "{\"type\": \"echo\" \"payload\": {\"message\": \"hi\"}}",
            "{\"type\" \"echo\", \"payload\": {\"message\": \"hi\"}}",
            "{\"type\" = \"echo\", \"payload\": {\"message\": \"hi\"}}",
            "{\"type\": \"echo\", /* c */ \"payload\": {\"message\": \"hi\"}}",
            "{\"type\": \"echo\", # c\n \"payload\": {\"message\": \"hi\"}}",
            "{\"type\": \"ec\nho\", \"payload\": {\"message\": \"hi\"}}",
            "{\"type\": \"echo\", \"payload\": {\"message\": \"h\ti\"}}",
            "{\"type\": \"echo\", \"payload\": {\"message\": \"h\u0001i\"}}",
            "{\"type\": \"echo\", \"payload\": {\"message\": \"\\x41\"}}",
            "{\"type\": \"echo\", \"payload\": {\"message\": \"\\u12\"}}",
            "{\"type\": \"echo\", \"payload\": {\"message\": \"\\U0041\"}}",
            "{\"type\": \"echo\", \"payload\": {\"message\": \"hi}}",
            "{\"type\": \"echo\", \"payload\": {\"message\": hi}}",
            "{\"type\": \"echo\", \"payload\": {\"message\": \"hi\"}, \"max_retries\": 1e2147483648}",
            "{\"type\": \"echo\", \"payload\": {\"message\": \"hi\"}, \"timeout_seconds\": 0e-2147483648}",
            "{\"type\": \"echo\", \"payload\": {\"message\": \"hi\"}, \"delay_seconds\": 1E+999999999999}",
            "{\"type\": \"echo\", \"payload\": {\"message\": \"hi\"}, \"max_retries\": " + "1".repeat(101) + "}",
            "{\"type\": \"echo\", \"type\": \"echo\", \"payload\": {\"message\": \"hi\"}}",
            "{\"type\": \"echo\", \"type\": \"sleep\", \"payload\": {\"message\": \"hi\"}}",
            "{\"type\": \"echo\", \"payload\": {\"message\": \"hi\"}, \"payload\": {\"message\": \"hi\"}}",
            "{\"type\": \"echo\", \"payload\": {\"message\": \"hi\"}, \"max_retries\": 1, \"max_retries\": 2}",
            "{\"type\": \"echo\", \"payload\": {\"message\": \"hi\", \"message\": \"ho\"}}",
            "\uFEFF" + VALID,
        };
        for (String body : bodies) {
            cases.add(postJson("syntax", body, "/jobs", body).invalid("body"));
        }
        for (String number : List.of("NaN", "Infinity", "-Infinity", "+1", "01", ".5", "1.", "0x10", "TRUE",
                "undefined", "1e+")) {
            cases.add(postJson("syntax", "max_retries=" + number, "/jobs", job("max_retries", number)).invalid("body"));
        }
        for (String garbage : List.of(" x", "}", "]", ",{}", " {}", " null", " 1", ";", " // c", " /* c */",
                "\u0000", "\n" + VALID)) {
            cases.add(postJson("trailing-garbage", "after the object: " + quote(garbage), "/jobs", VALID + garbage)
                    .invalid("body"));
        }
    }

    private void truncations(List<Case> cases) {
        for (int length = 0; length < FULL.length(); length += 6) {
            String body = FULL.substring(0, length);
            cases.add(postJson("truncations", "first " + length + " of " + FULL.length() + " characters", "/jobs", body)
                    .invalid(length == 0 ? null : "body"));
        }
    }

    private void notObjects(List<Case> cases) {
        for (String body : List.of("[]", "[\"echo\"]", "[" + VALID + "]", "\"echo\"", "42", "-1.5", "true", "false", "null",
                " ", "\n\t\r ", "{\"type\": \"echo\"} {\"type\": \"echo\"}")) {
            cases.add(postJson("not-objects", quote(body), "/jobs", body).invalid("body"));
        }
        cases.add(postJson("not-objects", "an empty body", "/jobs", "").invalid(null));
        cases.add(postJson("not-objects", "an empty object", "/jobs", "{}").invalid("type"));
    }

    private void invalidUtf8(List<Case> cases) {
        byte[][][] rows = {
            {ascii("{\"type\": \"ech"), {(byte) 0xff}, ascii("\", \"payload\": {\"message\": \"hi\"}}")},
            {ascii("{\"type\": \""), {(byte) 0xc0, (byte) 0xaf}, ascii("\", \"payload\": {\"message\": \"hi\"}}")},
            {ascii("{\"type\": \""), {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, ascii("\", \"payload\": {}}")},
            {ascii("{\"type\": \""), {(byte) 0xe9}, ascii("cho\", \"payload\": {\"message\": \"hi\"}}")},
            {ascii("{\"type\": \"echo"), {(byte) 0xe2, (byte) 0x82}, ascii("\", \"payload\": {\"message\": \"hi\"}}")},
            {ascii("{\"type\": \"\u0080"), {(byte) 0x80, (byte) 0xbf}, ascii("\"}")},
        };
        for (byte[][] row : rows) {
            byte[] body = join(row);
            cases.add(post("utf-8", "type with bytes " + hex(row[1]), "/jobs", "application/json", body)
                    .invalid("type"));
        }
        byte[] key = {(byte) 0xff, (byte) 0xfe};
        cases.add(post("utf-8", "unknown field named ff fe", "/jobs", "application/json",
                join(ascii("{\"type\": \"echo\", \"payload\": {\"message\": \"hi\"}, \""), key, ascii("\": 1}")))
                .invalid(new String(key, StandardCharsets.UTF_8)));
        cases.add(post("utf-8", "byte ff between tokens", "/jobs", "application/json",
                join(ascii("{\"type\": \"echo\","), new byte[] {(byte) 0xff}, ascii(" \"payload\": {}}")))
                .invalid("body"));
        cases.add(post("utf-8", "truncated sequence after the object", "/jobs", "application/json",
                join(ascii(VALID), new byte[] {(byte) 0xe2, (byte) 0x82})).invalid("body"));
        cases.add(post("utf-8", "UTF-16BE with a byte order mark", "/jobs", "application/json",
                join(new byte[] {(byte) 0xfe, (byte) 0xff}, VALID.getBytes(StandardCharsets.UTF_16BE))).invalid("body"));
        cases.add(post("utf-8", "UTF-16LE", "/jobs", "application/json", VALID.getBytes(StandardCharsets.UTF_16LE))
                .invalid("body"));
        cases.add(post("utf-8", "UTF-32", "/jobs", "application/json", VALID.getBytes(java.nio.charset.Charset.forName("UTF-32")))
                .invalid("body"));
        cases.add(post("utf-8", "a raw NUL byte in the type", "/jobs", "application/json",
                join(ascii("{\"type\": \"echo"), new byte[] {0}, ascii("\", \"payload\": {\"message\": \"hi\"}}")))
                .invalid("body"));
    }

    private void sizes(List<Case> cases) {
        String over = "{\"type\": \"echo\", \"payload\": {\"message\": \"" + "x".repeat(300 * 1024) + "\"}}";
        cases.add(postJson("sizes", "a 300 KB message", "/jobs", over).status(413));
        cases.add(postJson("sizes", "one byte over 256 KB", "/jobs", ofLength(FUNCTION_LIMIT + 1, "x", "echo"))
                .status(413));
        cases.add(postJson("sizes", "one byte over 256 KB in two-byte characters", "/jobs",
                ofLength(FUNCTION_LIMIT + 1, "\u00e9", "echo")).status(413));
        cases.add(postJson("sizes", "exactly 256 KB, an unknown type", "/jobs", ofLength(FUNCTION_LIMIT, "x", "nope"))
                .invalid("type"));
        cases.add(postJson("sizes", "1 MB of what is not JSON", "/jobs", "x".repeat(1024 * 1024)).status(413));
        cases.add(postJson("sizes", "5 MB", "/jobs", ofLength(5 * 1024 * 1024, "x", "echo")).status(413));
        cases.add(postJson("sizes", "a 300 KB batch", "/jobs/batch", "{\"jobs\": [" + over + "]}").status(413));
        cases.add(postJson("sizes", "a 300 KB type", "/jobs", "{\"type\": \"" + "x".repeat(300 * 1024) + "\"}")
                .status(413));
        cases.add(post("sizes", "300 KB as text/plain", "/jobs", "text/plain", utf8(over)).status(415));
        cases.add(postJson("sizes", "300 KB without the API key", "/jobs", over).anonymous().gateway(403));
        byte[] huge = new byte[GATEWAY_LIMIT + 1024];
        java.util.Arrays.fill(huge, (byte) ' ');
        cases.add(post("sizes", "10 MB + 1 KB", "/jobs", "application/json", huge).gateway(413));
        cases.add(post("sizes", "10 MB + 1 KB batch", "/jobs/batch", "application/json", huge).gateway(413));
        cases.add(post("sizes", "10 MB + 1 KB to an unknown path", "/nope", "application/json", huge).gateway(413));
        cases.add(post("sizes", "10 MB + 1 KB to cancel", "/jobs/" + succeeded + "/cancel", "application/json", huge)
                .gateway(413));
    }

    /** An echo submission of {@code type} padded with {@code fill} to exactly {@code bytes} bytes of UTF-8. */
    private static String ofLength(int bytes, String fill, String type) {
        String head = "{\"type\": \"" + type + "\", \"payload\": {\"message\": \"";
        String tail = "\"}}";
        int room = bytes - utf8(head + tail).length;
        int each = utf8(fill).length;
        String body = head + fill.repeat(room / each) + "z".repeat(room % each) + tail;
        assertEquals(bytes, utf8(body).length);
        return body;
    }

    private void nesting(List<Case> cases) {
        cases.add(postJson("nesting", "payload 33 objects deep", "/jobs",
                "{\"type\": \"echo\", \"payload\": " + "{\"a\": ".repeat(32) + "1" + "}".repeat(32) + "}").invalid("body"));
        cases.add(postJson("nesting", "40 arrays in the payload", "/jobs",
                job("payload", "{\"message\": " + "[".repeat(40) + "]".repeat(40) + "}")).invalid("body"));
        cases.add(postJson("nesting", "100000 open arrays", "/jobs", "[".repeat(100_000)).invalid("body"));
        cases.add(postJson("nesting", "100000 nested arrays, closed", "/jobs",
                "[".repeat(100_000) + "]".repeat(100_000)).invalid("body"));
        cases.add(postJson("nesting", "10000 unclosed objects", "/jobs", "{\"a\": ".repeat(10_000)).invalid("body"));
        cases.add(postJson("nesting", "33 levels in an unknown field", "/jobs",
                job("deep", "[".repeat(32) + "]".repeat(32))).invalid("body"));
        cases.add(postJson("nesting", "32 levels: parsed, then refused by the type", "/jobs",
                job("payload", "{\"message\": \"hi\", \"x\": " + "[".repeat(30) + "]".repeat(30) + "}"))
                .invalid("payload.x"));
        cases.add(postJson("nesting", "a batch item 40 deep", "/jobs/batch",
                "{\"jobs\": [" + "{\"a\": ".repeat(40) + "1" + "}".repeat(40) + "]}").invalid("body"));
        StringBuilder wide = new StringBuilder("{\"message\": \"hi\", \"list\": [0");
        for (int i = 0; i < 50_000; i++) {
            wide.append(",0");
        }
        cases.add(postJson("nesting", "a 50000-element array in the payload", "/jobs",
                job("payload", wide.append("]}").toString())).invalid("payload.list"));
    }

    private void batches(List<Case> cases) {
        String[][] whole = {
            {"{}", "jobs"}, {"{\"jobs\": null}", "jobs"}, {"{\"jobs\": {}}", "jobs"}, {"{\"jobs\": \"x\"}", "jobs"},
            {"{\"jobs\": 1}", "jobs"}, {"{\"jobs\": []}", "jobs"}, {"{\"jobs\": " + VALID + "}", "jobs"},
            {"{\"jobs\": [" + (VALID + ",").repeat(100) + VALID + "]}", "jobs"},
            {"{\"jobs\": [" + VALID + "], \"extra\": 1}", "extra"}, {"{\"Jobs\": [" + VALID + "]}", "Jobs"},
            {"{\"jobs\": [" + VALID + "], " + quote(SQL) + ": 1}", SQL},
            {"{\"jobs\": [" + VALID + "], \"\\u0007\": 1}", "\\u0007"},
            {"[]", "body"}, {"[" + VALID + "]", "body"}, {"\"jobs\"", "body"}, {"null", "body"}, {"42", "body"},
            {"{\"jobs\": [" + VALID + "], \"jobs\": [" + VALID + "]}", "body"}, {"{\"jobs\": [" + VALID + "]} x", "body"},
            {"{\"jobs\": [" + VALID + "]", "body"}, {"{\"jobs\": [" + VALID + ",]}", "body"}, {" ", "body"},
            {"{\"jobs\": [1]}", "jobs[0]"}, {"{\"jobs\": [null]}", "jobs[0]"}, {"{\"jobs\": [[]]}", "jobs[0]"},
            {"{\"jobs\": [\"echo\"]}", "jobs[0]"}, {"{\"jobs\": [" + VALID + ", 1]}", "jobs[1]"},
            {"{\"jobs\": [{}]}", "jobs[0].type"},
        };
        for (String[] row : whole) {
            cases.add(postJson("batch", row[0].length() > 80 ? row[0].substring(0, 80) + "..." : row[0], "/jobs/batch",
                    row[0]).invalid(row[1]));
        }
        cases.add(postJson("batch", "an empty body", "/jobs/batch", "").invalid(null));
        // One bad item among good ones: all or nothing, the error names the item by its index.
        int n = 0;
        List<String[]> items = new ArrayList<>();
        WRONG_VALUES.forEach((field, values) -> {
            for (int i = 0; i < values.size(); i += 4) {
                items.add(new String[] {job(field, values.get(i)), field, field + "=" + values.get(i)});
            }
        });
        for (int i = 0; i < BAD_TYPES.size(); i += 4) {
            String type = BAD_TYPES.get(i);
            items.add(new String[] {"{\"type\": " + type + ", \"payload\": {\"message\": \"hi\"}}", "type",
                "type=" + type});
        }
        items.add(new String[] {job("payload", "\"hi\""), "payload", "payload=\"hi\""});
        items.add(new String[] {job("payload", "{}"), "payload.message", "payload={}"});
        items.add(new String[] {job("payload", "{\"message\": \"\"}"), "payload.message", "empty message"});
        items.add(new String[] {job("payload", "{\"message\": \"\\ud800\"}"), "payload.message", "lone surrogate"});
        items.add(new String[] {"{\"type\": \"sleep\", \"payload\": {\"seconds\": 0}}", "payload.seconds", "sleep 0"});
        items.add(new String[] {"{\"type\": \"fail\", \"payload\": {\"times\": -2}}", "payload.times", "fail -2"});
        items.add(new String[] {job("priority", "1"), "priority", "priority"});
        items.add(new String[] {job(SQL, "1"), SQL, "field " + SQL});
        for (String[] item : items) {
            int index = n++ % 3;
            String body = "{\"jobs\": [" + (VALID + ", ").repeat(index) + item[0] + "]}";
            cases.add(postJson("batch-items", "jobs[" + index + "] " + item[2], "/jobs/batch", body)
                    .invalid("jobs[" + index + "]." + item[1]));
        }
        String full = "{\"jobs\": [" + FULL + ", " + FULL + "]}";
        for (int length = 1; length < full.length(); length += 40) {
            cases.add(postJson("batch-truncations", "first " + length + " of " + full.length() + " characters",
                    "/jobs/batch", full.substring(0, length)).invalid("body"));
        }
    }

    private void contentTypes(List<Case> cases) {
        List<String> wrong = List.of("text/plain", "text/plain; charset=utf-8", "text/json", "application/xml",
                "text/html", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                "application/octet-stream", "application/jsonp", "application/x-json", "application/json+xml",
                "json", "*/*", "", ";", "application / json");
        for (String type : wrong) {
            cases.add(post("content-types", "/jobs as " + quote(type), "/jobs", type, utf8(VALID)).status(415));
        }
        for (String type : List.of("text/plain", "application/x-www-form-urlencoded", "", "application/xml")) {
            cases.add(post("content-types", "/jobs/batch as " + quote(type), "/jobs/batch", type,
                    utf8("{\"jobs\": [" + VALID + "]}")).status(415));
        }
        cases.add(post("content-types", "text/plain and a malformed body", "/jobs", "text/plain", utf8("{")).status(415));
        cases.add(post("content-types", "form-encoded", "/jobs", "application/x-www-form-urlencoded",
                utf8("type=echo&payload=hi")).status(415));
        // No Content-Type at all is read as JSON: the body decides.
        cases.add(post("content-types", "no Content-Type, unknown type", "/jobs", null, utf8("{\"type\": \"nope\"}"))
                .invalid("type"));
        cases.add(post("content-types", "no Content-Type, not JSON", "/jobs", null, utf8("type=echo")).invalid("body"));
        cases.add(post("content-types", "no Content-Type, empty batch", "/jobs/batch", null, utf8("{}")).invalid("jobs"));
    }

    private void idempotencyKeys(List<Case> cases) {
        // Java's HTTP client sends a character beyond ASCII as '?', which is a valid key: none of those here.
        for (String key : List.of("", "k".repeat(256), "k".repeat(5000), "a b", "a\tb", "a\tb c")) {
            cases.add(postJson("idempotency-keys", "key " + quote(key.length() > 20 ? key.length() + " chars" : key),
                    "/jobs", VALID).header("Idempotency-Key", key).invalid("Idempotency-Key"));
        }
        cases.add(postJson("idempotency-keys", "a key on a batch", "/jobs/batch", "{\"jobs\": [" + VALID + "]}")
                .header("Idempotency-Key", "batch-key-1").invalid("Idempotency-Key"));
        cases.add(postJson("idempotency-keys", "the setup key on a batch", "/jobs/batch", "{\"jobs\": [" + VALID + "]}")
                .header("Idempotency-Key", SETUP_KEY).invalid("Idempotency-Key"));
        cases.add(postJson("idempotency-keys", "a new key and a bad body", "/jobs", "{\"type\": \"nope\"}")
                .header("Idempotency-Key", "fresh-key-1").invalid("type"));
        cases.add(postJson("idempotency-keys", "the setup key and a bad body", "/jobs", "{\"type\": \"nope\"}")
                .header("Idempotency-Key", SETUP_KEY).invalid("type"));
        cases.add(post("idempotency-keys", "a new key and text/plain", "/jobs", "text/plain", utf8(VALID))
                .header("Idempotency-Key", "fresh-key-2").status(415));
    }

    private void conflicts(List<Case> cases) {
        String[] others = {
            "{\"type\": \"echo\", \"payload\": {\"message\": \"twice\"}}",
            "{\"type\": \"sleep\", \"payload\": {\"seconds\": 0.1}}",
            "{\"type\": \"echo\", \"payload\": {\"message\": \"once\"}, \"max_retries\": 5}",
            "{\"type\": \"echo\", \"payload\": {\"message\": \"once\"}, \"delay_seconds\": 10}",
            "{\"type\": \"echo\", \"payload\": {\"message\": \"once\"}, \"timeout_seconds\": 10}",
        };
        for (String body : others) {
            cases.add(postJson("conflicts", "the setup key, another job: " + body, "/jobs", body)
                    .header("Idempotency-Key", SETUP_KEY).status(409));
        }
        cases.add(postJson("conflicts", "cancel a SUCCESS job", "/jobs/" + succeeded + "/cancel", "").status(409));
        cases.add(postJson("conflicts", "cancel a FAILED job", "/jobs/" + failed + "/cancel", "").status(409));
        cases.add(postJson("conflicts", "cancel a CANCELLED job", "/jobs/" + cancelled + "/cancel", "").status(409));
        cases.add(postJson("conflicts", "retry a SUCCESS job", "/jobs/" + succeeded + "/retry", "").status(409));
        cases.add(postJson("conflicts", "cancel a SUCCESS job by its upper-case id",
                "/jobs/" + succeeded.toUpperCase(Locale.ROOT) + "/cancel", "").status(409));
        cases.add(postJson("conflicts", "retry a SUCCESS job, a body sent along",
                "/jobs/" + succeeded + "/retry", VALID).status(409));
    }

    private void listing(List<Case> cases) {
        String[][] rows = {
            {"state=DONE", "state"}, {"state=pending", "state"}, {"state=", "state"},
            {"state=PENDING%00", "state"}, {"state=PENDING,SUCCESS", "state"}, {"state=" + encode("' OR '1'='1"), "state"},
            {"state=%FF", "state"}, {"state=PENDING&state=SUCCESS", "state"},
            {"limit=0", "limit"}, {"limit=-1", "limit"}, {"limit=101", "limit"},
            {"limit=99999999999999999999", "limit"}, {"limit=1.5", "limit"}, {"limit=1e2", "limit"},
            {"limit=abc", "limit"}, {"limit=", "limit"}, {"limit=%205", "limit"}, {"limit=%2B5", "limit"},
            {"limit=%D9%A3", "limit"}, {"limit=%EF%BC%95", "limit"}, {"limit=5%00", "limit"},
            {"limit=5&limit=5", "limit"},
            {"cursor=bm9wZQ", "cursor"}, {"cursor=", "cursor"}, {"cursor=!!!", "cursor"}, {"cursor=%00", "cursor"},
            {"cursor=" + "A".repeat(8_000), "cursor"}, {"cursor=" + cursor("2026-01-01T00:00:00Z|nope"), "cursor"},
            {"cursor=" + cursor("nope|" + UNKNOWN_ID), "cursor"},
            {"cursor=" + cursor("+999999999-12-31T23:59:59Z|" + UNKNOWN_ID), "cursor"},
            {"cursor=" + cursor("-999999999-01-01T00:00:00Z|" + UNKNOWN_ID), "cursor"},
            {"cursor=" + cursor("2026-01-01T00:00:00Z|" + SQL), "cursor"},
            {"cursor=" + cursor("2026-01-01T00:00:00Z|" + UNKNOWN_ID) + "&cursor=x", "cursor"},
            {"type=", "type"}, {"type=" + "e".repeat(65), "type"}, {"type=%00", "type"}, {"type=echo%00", "type"},
            {"type=a%0Ab", "type"}, {"type=echo&type=sleep", "type"},
            {"sort=asc", "sort"}, {"offset=10", "offset"}, {"STATE=PENDING", "STATE"}, {"foo", "foo"}, {"=1", ""}, {"%00=1", "\\u0000"}, {encode(SQL) + "=1", SQL},
            {"state%5B%5D=PENDING", "state[]"},
        };
        for (String[] row : rows) {
            cases.add(get("listing", "GET /jobs?" + (row[0].length() > 80 ? row[0].substring(0, 80) + "..." : row[0]),
                    "/jobs?" + row[0]).invalid(row[1]));
        }
        // Over API Gateway's 10,240 bytes of request line and headers: the front door refuses it.
        cases.add(get("listing", "GET /jobs?cursor=(20,000 chars)", "/jobs?cursor=" + "A".repeat(20_000)).gateway(414));
    }

    private static String cursor(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(utf8(text));
    }

    private void ids(List<Case> cases) {
        List<String> invalid = List.of("nope", "1", "null", UNKNOWN_ID.replace("-", ""),
                "%7B" + UNKNOWN_ID + "%7D", "urn:uuid:" + UNKNOWN_ID, UNKNOWN_ID + "0", UNKNOWN_ID.substring(0, 35),
                UNKNOWN_ID.substring(0, 35) + "g", UNKNOWN_ID.replace('-', '_'), "%20" + UNKNOWN_ID,
                UNKNOWN_ID + "%0A", encode(SQL), "1%20OR%201%3D1", "%00", "%FF", "%C0%AF", "%2e%2e",
                "%F0%9F%92%A9", "x".repeat(1000), UNKNOWN_ID.replace("-", "%E2%80%90"));
        List<String> unknown = List.of(UNKNOWN_ID, "00000000-0000-0000-0000-000000000000",
                "ffffffff-ffff-ffff-ffff-ffffffffffff", UNKNOWN_ID.toUpperCase(Locale.ROOT));
        String[][] routes = {{"GET", ""}, {"GET", "/events"}, {"POST", "/retry"}, {"POST", "/cancel"}};
        for (String[] route : routes) {
            for (int i = 0; i < invalid.size(); i += route[1].isEmpty() ? 1 : 4) {
                String id = invalid.get(i);
                String path = "/jobs/" + id + route[1];
                String name = route[0] + " /jobs/" + (id.length() > 40 ? id.length() + " chars" : id) + route[1];
                Case c = route[0].equals("GET") ? get("ids", name, path) : postJson("ids", name, path, "");
                // A NUL in a path is refused by the front door (Jetty, as most servers) before any route.
                cases.add(id.equals("%00") ? c.gateway(400) : c.invalid("id"));
            }
            for (String id : unknown) {
                String path = "/jobs/" + id + route[1];
                cases.add((route[0].equals("GET") ? get("ids", route[0] + " " + path, path)
                        : postJson("ids", route[0] + " " + path, path, "")).status(404));
            }
        }
    }

    private void routes(List<Case> cases) {
        List<String> paths = List.of("/job", "/JOBS", "/Jobs", "/jobs.json", "/jobs/batch/1",
                "/jobs/" + succeeded + "/start", "/jobs/" + succeeded + "/events/1", "/jobs/" + failed + "/retry/now",
                "/jobs/" + UNKNOWN_ID + "/cancel/x", "/api/jobs", "/v1/jobs", "/Prod/jobs", "/metrics/x", "/health/x",
                "/.env", "/%00", "/jobs;x=1", "/../etc/passwd");
        for (int i = 0; i < paths.size(); i++) {
            String path = paths.get(i);
            // A NUL in a path, or a ".." above its root, is refused by the front door before any route.
            boolean unreadable = path.contains("%00") || path.startsWith("/..");
            Case c = get("routes", "GET " + path, path);
            cases.add(unreadable ? c.gateway(400) : c.status(404));
            if (i % 3 == 0) {
                c = postJson("routes", "POST " + path + " a valid job", path, VALID);
                cases.add(unreadable ? c.gateway(400) : c.status(404));
            }
        }
        cases.add(get("routes", "GET /", "/").gateway(404));
        cases.add(postJson("routes", "POST / a valid job", "/", VALID).gateway(404));
        cases.add(request("routes", "DELETE /", "DELETE", "/", null, null).gateway(404));
    }

    private void methods(List<Case> cases) {
        Object[][] rows = {
            {"/jobs", "GET, POST", new String[] {"PUT", "PATCH", "DELETE", "OPTIONS", "FOO"}},
            {"/jobs/batch", "POST", new String[] {"GET", "PUT", "PATCH", "DELETE"}},
            {"/jobs/" + succeeded, "GET", new String[] {"POST", "PUT", "PATCH", "DELETE"}},
            {"/jobs/" + succeeded + "/events", "GET", new String[] {"POST", "PUT", "DELETE"}},
            {"/jobs/" + failed + "/retry", "POST", new String[] {"GET", "PUT", "PATCH", "DELETE"}},
            {"/jobs/" + cancelled + "/cancel", "POST", new String[] {"GET", "PUT", "DELETE"}},
            {"/jobs/nope", "GET", new String[] {"DELETE"}},
            {"/jobs/nope/cancel", "POST", new String[] {"PUT"}},
            {"/health", "GET", new String[] {"POST", "PUT", "PATCH", "DELETE"}},
            {"/metrics", "GET", new String[] {"POST", "PUT", "DELETE"}},
        };
        for (Object[] row : rows) {
            String path = (String) row[0];
            for (String method : (String[]) row[2]) {
                boolean body = !method.equals("GET") && !method.equals("DELETE") && !method.equals("OPTIONS");
                cases.add(request("methods", method + " " + path, method, path, body ? "application/json" : null,
                        body ? utf8(VALID) : null).status(405).allow((String) row[1]));
            }
        }
        cases.add(request("methods", "DELETE /health without the API key", "DELETE", "/health", null, null)
                .anonymous().status(405).allow("GET"));
    }

    private void apiKeys(List<Case> cases) {
        String key = runtime.apiKey();
        String flipped = key.chars().mapToObj(c -> Character.isUpperCase(c) ? String.valueOf((char) Character.toLowerCase(c))
                : String.valueOf((char) Character.toUpperCase(c))).reduce("", String::concat);
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("no key", null);
        keys.put("a wrong key", "not-the-key-0123456789");
        keys.put("an empty key", "");
        keys.put("the key in flipped case", flipped);
        keys.put("the key less its last character", key.substring(0, key.length() - 1));
        String[][] routes = {
            {"GET", "/jobs", null}, {"POST", "/jobs", VALID}, {"POST", "/jobs/batch", "{\"jobs\": [" + VALID + "]}"},
            {"GET", "/jobs/" + succeeded, null}, {"GET", "/jobs/" + succeeded + "/events", null},
            {"POST", "/jobs/" + failed + "/retry", ""}, {"POST", "/jobs/" + cancelled + "/cancel", ""},
            {"GET", "/metrics", null}, {"DELETE", "/jobs", null}, {"GET", "/nope", null},
        };
        keys.forEach((name, value) -> {
            for (String[] route : routes) {
                if (keys.size() > 3 && !List.copyOf(keys.keySet()).subList(0, 3).contains(name)
                        && !route[0].equals("POST")) {
                    continue; // the key in flipped case or cut short: on the routes that write
                }
                Case c = request("api-keys", route[0] + " " + route[1] + " with " + name, route[0], route[1],
                        route[2] == null ? null : "application/json", route[2] == null ? null : utf8(route[2]));
                cases.add(value == null ? c.anonymous().gateway(403) : c.header("x-api-key", value).gateway(403));
            }
        });
    }

    // ---------------------------------------------------------------------------------------------------------
    // Checking an answer

    /** What is wrong with the answer to {@code c}, or null. */
    private static String check(Case c, Http.Response response) {
        List<String> wrong = new ArrayList<>();
        if (response.status() != c.status) {
            wrong.add("status");
        }
        if (!PROBLEM.equals(response.header("Content-Type").orElse(null))) {
            wrong.add("Content-Type");
        }
        String text = response.text();
        String lower = text.toLowerCase(Locale.ROOT);
        if (text.contains("Exception") || text.contains("at dev.conveyor") || text.contains("\tat ")
                || lower.contains("jackson") || text.contains("StreamReadConstraints")) {
            wrong.add("a stack trace or an exception's name");
        }
        JsonNode problem;
        try {
            problem = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            problem = null;
        }
        if (problem == null || !problem.isObject()) {
            wrong.add("not a JSON object");
            return String.join(", ", wrong) + " wrong";
        }
        if (problem.path("status").asInt() != response.status()) {
            wrong.add("the body's status");
        }
        if (!problem.path("detail").isTextual() || problem.path("detail").asText().isBlank()) {
            wrong.add("detail");
        }
        if (!problem.path("request_id").isTextual() || problem.path("request_id").asText().isBlank()) {
            wrong.add("request_id");
        }
        if (c.gateway == problem.has("instance")) {
            wrong.add(c.gateway ? "an instance in a gateway answer" : "no instance in a function answer");
        }
        if (c.field != null) {
            boolean named = false;
            for (JsonNode error : problem.path("errors")) {
                named |= c.field.equals(error.path("field").asText(null));
            }
            if (!named) {
                wrong.add("no error names the field");
            }
        }
        if (c.allow != null && !c.allow.equals(response.header("Allow").orElse(null))) {
            wrong.add("Allow: " + response.header("Allow").orElse("(none)"));
        }
        return wrong.isEmpty() ? null : String.join(", ", wrong) + " wrong";
    }

    // ---------------------------------------------------------------------------------------------------------
    // The database and the queues

    private record Snapshot(String jobs, String events, Map<String, String> queues) {
    }

    private static Snapshot snapshot() {
        return new Snapshot(
                row("SELECT count(*), coalesce(sum(hashtext(j::text)), 0) FROM jobs j"),
                row("SELECT count(*), coalesce(sum(hashtext(e::text)), 0) FROM job_events e"),
                queues());
    }

    private static String row(String sql) {
        try (Connection c = DriverManager.getConnection(runtime.jdbcUrl(), LocalPostgres.USER, "");
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return "count " + rs.getLong(1) + " hash " + rs.getLong(2);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The approximate counts of the jobs queue and its dead-letter queue. */
    private static Map<String, String> queues() {
        String jobs = runtime.functions().get(0).environment().get("CONVEYOR_QUEUE_URL");
        String deadLetters = runtime.functions().stream().map(f -> f.environment().get("CONVEYOR_DLQ_URL"))
                .filter(java.util.Objects::nonNull).findFirst().orElseThrow();
        Map<String, String> counts = new TreeMap<>();
        for (String url : List.of(jobs, deadLetters)) {
            runtime.queues().client().getQueueAttributes(b -> b.queueUrl(url).attributeNames(
                    QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                    QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
                    QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED)).attributes()
                    .forEach((name, value) -> counts.put(url.substring(url.lastIndexOf('/') + 1) + " " + name, value));
        }
        return counts;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Building the cases

    /** A request and the answer it must get. */
    private static final class Case {
        final String family;
        final String name;
        HttpRequest request;
        int status;
        String field;
        String allow;
        boolean gateway;
        boolean anonymous;

        Case(String family, String name, HttpRequest request) {
            this.family = family;
            this.name = name;
            this.request = request;
        }

        /** A 400 naming {@code field} among its errors (or naming none, when null). */
        Case invalid(String field) {
            this.field = field;
            return status(400);
        }

        Case status(int status) {
            this.status = status;
            return this;
        }

        /** An answer of API Gateway's own, which has no instance. */
        Case gateway(int status) {
            this.gateway = true;
            return status(status);
        }

        Case allow(String allow) {
            this.allow = allow;
            return this;
        }

        Case anonymous() {
            this.anonymous = true;
            return this;
        }

        Case header(String name, String value) {
            request = HttpRequest.newBuilder(request, (n, v) -> true).header(name, value).build();
            return this;
        }

        String label() {
            String shown = printable(name);
            return "[" + family + "] " + (shown.length() > 120 ? shown.substring(0, 120) + "..." : shown);
        }

        String expectation() {
            return status + (field == null ? "" : " naming " + field) + (allow == null ? "" : " Allow: " + allow)
                    + (gateway ? " (gateway)" : "");
        }
    }

    private Case request(String family, String name, String method, String path, String contentType, byte[] body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(runtime.url() + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        return new Case(family, name, request.build());
    }

    private Case post(String family, String name, String path, String contentType, byte[] body) {
        return request(family, name, "POST", path, contentType, body);
    }

    private Case postJson(String family, String name, String path, String body) {
        return post(family, name, path, "application/json", utf8(body));
    }

    private Case get(String family, String name, String path) {
        return request(family, name, "GET", path, null, null);
    }

    private static String quote(String text) {
        try {
            return JSON.writeValueAsString(text);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] join(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static String hex(byte[] bytes) {
        StringBuilder out = new StringBuilder();
        for (byte b : bytes) {
            out.append(String.format("%02x ", b & 0xff));
        }
        return out.toString().trim();
    }

    /** As the API quotes a client's text back in a field name: at most 64 characters, control characters escaped. */
    private static String printable(String text) {
        String shortened = text.length() > 64 ? text.substring(0, 64) + "..." : text;
        StringBuilder out = new StringBuilder(shortened.length());
        shortened.codePoints().forEach(c -> {
            if (Character.isISOControl(c)) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.toString();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

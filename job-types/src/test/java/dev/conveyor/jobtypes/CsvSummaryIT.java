package dev.conveyor.jobtypes;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.conveyor.job.FieldError;
import dev.conveyor.job.JobState;
import dev.conveyor.json.Json;
import dev.conveyor.testkit.JobRun;
import dev.conveyor.testkit.JobTypeTester;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code csv-summary} through the real processor, store and queue (the test kit). */
// [START test]
class CsvSummaryIT {
    private final JobTypeTester tester = new JobTypeTester(new CsvSummaryHandler());

    @AfterEach
    void close() {
        tester.close();
    }

    @Test
    void summarisesEachColumn() {
        JobRun run = tester.run("""
                {"type": "csv-summary", "payload": {"csv": "city,price\\nParis,3\\nOslo,4.5\\nParis,\\n"}}""");
        assertEquals(JobState.SUCCESS, run.state());
        assertEquals(1, run.attempts());
        assertEquals(Json.parse("""
                {"rows":3,"columns":[\
                {"name":"city","count":3,"empty":0,"kind":"text","distinct":2},\
                {"name":"price","count":2,"empty":1,"kind":"number","min":3,"max":4.5,"sum":7.5,"mean":3.75}]}"""),
                run.result());
    }

    @Test
    void aRaggedRowFailsAtOnceWithoutRetries() {
        JobRun run = tester.run("""
                {"type": "csv-summary", "payload": {"csv": "a,b\\n1,2\\n3\\n"}, "max_retries": 3}""");
        assertEquals(JobState.FAILED, run.state());
        assertEquals(1, run.attempts());
        assertEquals("row 2 has 1 fields; the header has 2", run.lastError());
        assertEquals(List.of("created", "started", "failed"), run.eventNames());
    }

    @Test
    void aHeaderThatDoesNotNameEveryColumnIsRefusedAtSubmission() {
        assertEquals(List.of(new FieldError("payload.csv", "the header line must name every column once")),
                tester.validate("""
                        {"type": "csv-summary", "payload": {"csv": "a,,a\\n1,2,3"}}"""));
    }
}
// [END test]

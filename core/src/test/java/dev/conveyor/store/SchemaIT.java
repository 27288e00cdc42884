package dev.conveyor.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conveyor.job.JobState;
import dev.conveyor.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The database enforces the state machine on its own, against any SQL, not only the store's. */
class SchemaIT {
    /** SET clauses that give a row the shape its new state requires. */
    private static final Map<JobState, String> SHAPE = Map.of(
            JobState.PENDING, "attempt = 0, started_at = NULL, finished_at = NULL, lease_expires_at = NULL,"
                    + " result = NULL, next_attempt_at = now()",
            JobState.RUNNING, "attempt = attempt + 1, started_at = now(), lease_expires_at = now() + interval '1 hour',"
                    + " finished_at = NULL, result = NULL, next_attempt_at = NULL",
            JobState.SUCCESS, "attempt = greatest(attempt, 1), result = '{}', started_at = coalesce(started_at, now()),"
                    + " finished_at = now(), lease_expires_at = NULL",
            JobState.RETRYING, "attempt = greatest(attempt, 1), next_attempt_at = now(), last_error = 'x',"
                    + " lease_expires_at = NULL, finished_at = NULL, result = NULL",
            JobState.FAILED, "attempt = greatest(attempt, 1), last_error = 'x', finished_at = now(), lease_expires_at = NULL",
            JobState.DEAD_LETTERED, "finished_at = now(), lease_expires_at = NULL",
            JobState.CANCELLED, "finished_at = now(), lease_expires_at = NULL, next_attempt_at = NULL");

    /** A legal way into each state from PENDING. */
    private static final Map<JobState, List<JobState>> PATH = Map.of(
            JobState.PENDING, List.of(),
            JobState.RUNNING, List.of(JobState.RUNNING),
            JobState.SUCCESS, List.of(JobState.RUNNING, JobState.SUCCESS),
            JobState.RETRYING, List.of(JobState.RUNNING, JobState.RETRYING),
            JobState.FAILED, List.of(JobState.RUNNING, JobState.FAILED),
            JobState.DEAD_LETTERED, List.of(JobState.DEAD_LETTERED),
            JobState.CANCELLED, List.of(JobState.CANCELLED));

    private static TestDatabase db;

    @BeforeAll
    static void database() {
        db = TestDatabase.create();
    }

    @Test
    void theDatabaseAllowsExactlyTheTransitionsJobStateAllows() throws SQLException {
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            for (JobState from : JobState.values()) {
                for (JobState to : JobState.values()) {
                    if (from == to) {
                        continue;
                    }
                    UUID id = insertIn(s, from);
                    String sql = "UPDATE jobs SET state = '" + to + "', " + SHAPE.get(to) + " WHERE id = '" + id + "'";
                    boolean accepted = accepts(s, sql);
                    assertEquals(from.canBecome(to), accepted, from + " -> " + to);
                }
            }
        }
    }

    @Test
    void aRowMustHaveTheShapeOfItsState() throws SQLException {
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            UUID id = insertIn(s, JobState.PENDING);
            assertTrue(!accepts(s, "UPDATE jobs SET state = 'RUNNING', attempt = 1, started_at = now() WHERE id = '"
                    + id + "'"), "RUNNING without a lease");
            UUID running = insertIn(s, JobState.RUNNING);
            assertTrue(!accepts(s, "UPDATE jobs SET state = 'SUCCESS', finished_at = now(), lease_expires_at = NULL"
                    + " WHERE id = '" + running + "'"), "SUCCESS without a result");
            assertTrue(!accepts(s, "UPDATE jobs SET attempt = 9 WHERE id = '" + running + "'"),
                    "more attempts than the budget");
            assertTrue(!accepts(s, "UPDATE jobs SET state = 'RETRYING', attempt = 4, next_attempt_at = now(),"
                    + " last_error = 'x', lease_expires_at = NULL WHERE id = '" + running + "'"),
                    "RETRYING with no attempt left (max_retries 3)");
        }
    }

    @Test
    void aNewJobIsPending() throws SQLException {
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            assertThrows(SQLException.class, () -> s.execute(insert(UUID.randomUUID(), "SUCCESS")));
        }
    }

    @Test
    void anAttemptCountsUpByOne() throws SQLException {
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            UUID id = insertIn(s, JobState.RETRYING);
            assertTrue(!accepts(s, "UPDATE jobs SET state = 'RUNNING', attempt = attempt + 2, started_at = now(),"
                    + " lease_expires_at = now(), next_attempt_at = NULL WHERE id = '" + id + "'"));
        }
    }

    @Test
    void theJobsTableIsVacuumedAndAnalyzedAfterAThousandChangesWhateverItsSize() throws SQLException {
        try (Connection c = db.connect(); Statement s = c.createStatement();
             var rs = s.executeQuery("SELECT array_to_string(reloptions, ',') FROM pg_class WHERE relname = 'jobs'")) {
            assertTrue(rs.next());
            List<String> options = List.of(String.valueOf(rs.getString(1)).split(","));
            for (String option : List.of("autovacuum_vacuum_scale_factor=0", "autovacuum_vacuum_threshold=1000",
                    "autovacuum_analyze_scale_factor=0", "autovacuum_analyze_threshold=1000")) {
                assertTrue(options.contains(option), options::toString);
            }
        }
    }

    private static UUID insertIn(Statement s, JobState state) throws SQLException {
        UUID id = UUID.randomUUID();
        s.execute(insert(id, "PENDING"));
        for (JobState step : PATH.get(state)) {
            s.execute("UPDATE jobs SET state = '" + step + "', " + SHAPE.get(step) + " WHERE id = '" + id + "'");
        }
        return id;
    }

    private static String insert(UUID id, String state) {
        return "INSERT INTO jobs (id, type, state, payload, max_retries, retry_delay_seconds, timeout_seconds,"
                + " created_at, updated_at, next_attempt_at) VALUES ('" + id + "', 'echo', '" + state
                + "', '{}', 3, 1, 30, now(), now(), now())";
    }

    private static boolean accepts(Statement s, String sql) {
        try {
            s.execute(sql);
            return true;
        } catch (SQLException e) {
            assertEquals("23514", e.getSQLState(), "a CHECK violation, not another error: " + e.getMessage());
            return false;
        }
    }
}

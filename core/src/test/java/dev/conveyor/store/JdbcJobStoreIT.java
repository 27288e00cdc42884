package dev.conveyor.store;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conveyor.store.jdbc.JdbcJobStore;
import dev.conveyor.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The store contract over JDBC on a real PostgreSQL. */
class JdbcJobStoreIT extends JobStoreContract {
    @Override
    protected JobStore newStore() {
        return TestDatabase.create().store(8);
    }

    /**
     * GET /jobs?payload= on 200,000 jobs of 20,000 customers: the planner reads the GIN index, not every row. The
     * statement is the listing's, prepared with the store's connection settings (custom plans).
     */
    @Test
    void aPayloadFilterReadsTheGinIndexOnATableOfRealisticSize() throws SQLException {
        TestDatabase db = TestDatabase.create();
        try (Connection c = java.sql.DriverManager.getConnection(db.jdbcUrl(), db.user(), "");
             java.sql.Statement fill = c.createStatement()) {
            fill.execute("SET session_replication_role = replica"); // no history rows: only the table matters here
            fill.execute("SET statement_timeout = 0");
            fill.setQueryTimeout(0);
            fill.execute("""
                INSERT INTO jobs (id, type, state, payload, max_retries, retry_delay_seconds, timeout_seconds,
                                  created_at, updated_at, next_attempt_at)
                SELECT gen_random_uuid(), 'echo', 'PENDING',
                       jsonb_build_object('customer_id', i % 20000, 'order', jsonb_build_object('lines', i % 7)),
                       3, 1, 30, now() - make_interval(secs => i), now(), now()
                FROM generate_series(1, 200000) AS i""");
            fill.execute("ANALYZE jobs");
        }
        Properties properties = JdbcJobStore.connectionProperties(db.user(), null);
        String plan;
        try (Connection c = java.sql.DriverManager.getConnection(db.jdbcUrl(), properties);
             PreparedStatement explain = c.prepareStatement("EXPLAIN SELECT id FROM jobs WHERE true"
                     + " AND payload @> CAST(? AS jsonb) ORDER BY created_at DESC, id DESC LIMIT ?")) {
            explain.setString(1, "{\"customer_id\": 4242}");
            explain.setInt(2, 21);
            StringBuilder lines = new StringBuilder();
            try (ResultSet rs = explain.executeQuery()) {
                while (rs.next()) {
                    lines.append(rs.getString(1)).append('\n');
                }
            }
            plan = lines.toString();
        }
        System.out.println("plan of GET /jobs?payload={\"customer_id\":4242} on 200,000 jobs:\n" + plan);
        assertTrue(plan.contains("Bitmap Index Scan on jobs_payload"), plan);
    }
}

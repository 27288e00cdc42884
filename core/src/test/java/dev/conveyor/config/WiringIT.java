package dev.conveyor.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.conveyor.store.JobStore;
import dev.conveyor.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a SnapStart restore renews in the stores {@link Wiring} built: their connections, frozen in the snapshot. */
class WiringIT {
    private final TestDatabase db = TestDatabase.create();

    private long storeConnections() throws SQLException {
        try (Connection c = db.connect();
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE datname = '" + db.name()
                     + "' AND application_name = 'conveyor' AND pid <> pg_backend_pid()")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void afterARestoreEveryStoreDropsItsIdleConnectionsAndStillWorks() throws Exception {
        Config config = new Config(Map.of("CONVEYOR_DB_URL", db.jdbcUrl(), "CONVEYOR_DB_USER", db.user(),
                "CONVEYOR_DB_POOL_SIZE", "2")::get);
        JobStore store = Wiring.store(config, 1);
        try {
            store.ping();
            assertEquals(1, storeConnections(), "the pool keeps the connection it opened");

            Wiring.afterRestore();

            assertEquals(0, storeConnections(), "connections from before the snapshot are closed");
            store.ping();
            assertEquals(1, storeConnections(), "and a new one opened on the next call");
        } finally {
            store.close();
        }
    }
}

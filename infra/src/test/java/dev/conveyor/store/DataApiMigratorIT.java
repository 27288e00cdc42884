package dev.conveyor.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.conveyor.local.LocalDataApi;
import dev.conveyor.store.dataapi.DataApiMigrator;
import dev.conveyor.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.rdsdata.RdsDataClient;

/** The schema's migrations through the Data API, as the migrate-schema function runs them on a dataapi stack. */
class DataApiMigratorIT {
    private final TestDatabase db = TestDatabase.createUnmigrated();
    private final LocalDataApi api = LocalDataApi.start(0, db.serverUrl(), TestDatabase.properties(), db.name());
    private final RdsDataClient client = DataApiJobStoreIT.client(api.endpoint());

    @AfterEach
    void stop() {
        client.close();
        api.close();
    }

    private List<String> migrate() {
        return DataApiMigrator.migrate(client, LocalDataApi.CLUSTER_ARN, LocalDataApi.SECRET_ARN, db.name());
    }

    @Test
    void migratesAnEmptyDatabaseOnceAndRecordsWhatItApplied() throws Exception {
        assertEquals(Migrations.FILES, migrate());
        assertEquals(List.of(), migrate());
        assertEquals(Migrations.FILES.size(), count("SELECT count(*) FROM conveyor_schema_history"));
        assertEquals(0, count("SELECT count(*) FROM jobs"));
    }

    @Test
    void concurrentMigrationsApplyEachFileOnce() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<String>>> runs = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                runs.add(pool.submit(this::migrate));
            }
            List<String> applied = new ArrayList<>();
            for (Future<List<String>> run : runs) {
                applied.addAll(run.get());
            }
            assertEquals(Migrations.FILES, applied);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aFailedMigrationLeavesNothingBehind() throws Exception {
        db.execute("CREATE TABLE jobs (taken integer)"); // V1 creates jobs: it fails, and rolls back whole

        assertThrows(IllegalStateException.class, this::migrate);

        assertEquals(0, count("SELECT count(*) FROM information_schema.tables WHERE table_name = 'job_events'"));
        assertEquals(0, count("SELECT count(*) FROM information_schema.tables "
                + "WHERE table_name = 'conveyor_schema_history'"));
    }

    private long count(String sql) throws Exception {
        try (Connection c = db.connect(); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}

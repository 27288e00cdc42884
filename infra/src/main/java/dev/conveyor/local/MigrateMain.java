package dev.conveyor.local;

import dev.conveyor.config.Config;
import dev.conveyor.store.jdbc.JdbcJobStore;
import dev.conveyor.store.jdbc.JdbcMigrator;
import java.util.List;

/**
 * {@code ./conveyor migrate}: applies the schema migrations to the database named by {@code CONVEYOR_DB_URL},
 * {@code CONVEYOR_DB_USER} and {@code CONVEYOR_DB_PASSWORD}, the step a deployment runs before its functions take
 * traffic. Safe to run again and from several places at once: applied files are recorded, and an advisory lock
 * serializes concurrent runs.
 */
public final class MigrateMain {
    private MigrateMain() {
    }

    public static void main(String[] args) {
        Config config = Config.fromEnvironment();
        try {
            String url = config.required("CONVEYOR_DB_URL");
            List<String> applied = JdbcMigrator.migrate(url, JdbcJobStore.connectionProperties(
                    config.required("CONVEYOR_DB_USER"), config.get("CONVEYOR_DB_PASSWORD")));
            System.out.println(applied.isEmpty() ? "The schema is up to date." : "Applied " + applied + ".");
        } catch (RuntimeException e) {
            System.err.println("Migration failed: " + e.getMessage());
            System.exit(1);
        }
    }
}

package dev.conveyor.testing;

import dev.conveyor.store.jdbc.JdbcJobStore;
import dev.conveyor.store.jdbc.JdbcMigrator;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real PostgreSQL for tests: one embedded server per test JVM, a schema-migrated template database, and a fresh
 * copy of it for each caller, so that tests never see each other's rows.
 */
public final class TestDatabase {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static EmbeddedPostgres server;

    private final String name;

    private TestDatabase(String name) {
        this.name = name;
    }

    /** A new, migrated, empty database. */
    public static TestDatabase create() {
        return create("conveyor_template");
    }

    /** A new database with no schema at all, as a deployment's first migration finds it. */
    public static TestDatabase createUnmigrated() {
        return create("template0");
    }

    private static synchronized TestDatabase create(String template) {
        try {
            if (server == null) {
                server = EmbeddedPostgres.builder()
                        .setServerConfig("max_connections", "300")
                        .setServerConfig("fsync", "off")
                        .start();
                try (Connection c = DriverManager.getConnection(server.getJdbcUrl("postgres", "postgres"))) {
                    execute(c, "CREATE DATABASE conveyor_template");
                }
                JdbcMigrator.migrate(server.getJdbcUrl("postgres", "conveyor_template"), properties());
            }
            String name = "conveyor_test_" + COUNTER.incrementAndGet();
            try (Connection c = DriverManager.getConnection(server.getJdbcUrl("postgres", "postgres"))) {
                execute(c, "CREATE DATABASE " + name + " TEMPLATE " + template);
            }
            return new TestDatabase(name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public String jdbcUrl() {
        return serverUrl() + name;
    }

    /** The server's URL without a database, for what connects to several (the local Data API). */
    public String serverUrl() {
        return "jdbc:postgresql://localhost:" + server.getPort() + "/";
    }

    public String name() {
        return name;
    }

    public String user() {
        return "postgres";
    }

    public static Properties properties() {
        return JdbcJobStore.connectionProperties("postgres", null);
    }

    public JdbcJobStore store(int poolSize) {
        return JdbcJobStore.connect(jdbcUrl(), user(), null, poolSize);
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), properties());
    }

    /** Runs one statement, for tests that reach past the store. */
    public void execute(String sql) {
        try (Connection c = connect()) {
            execute(c, sql);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void execute(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}

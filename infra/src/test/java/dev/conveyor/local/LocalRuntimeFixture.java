package dev.conveyor.local;

import dev.conveyor.log.Log;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

/** Starts the local runtime from the repository's template.yaml on free ports and a fresh data directory. */
final class LocalRuntimeFixture {
    static final Path TEMPLATE = Path.of("..", "template.yaml").toAbsolutePath().normalize();

    private LocalRuntimeFixture() {
    }

    static Path tempDirectory() {
        try {
            return Files.createTempDirectory("conveyor-local-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static LocalRuntime.Options options(Path dataDirectory, Map<String, String> parameters) {
        return new LocalRuntime.Options(TEMPLATE, dataDirectory, false, 0, 0, parameters, 4, "conveyor");
    }

    static LocalRuntime start(Path dataDirectory, Map<String, String> parameters) {
        Log.configure(System.out, Log.Level.WARN);
        return LocalRuntime.start(options(dataDirectory, parameters));
    }

    /** Changes the runtime's database behind the API's back: for a test that stands in for time passing. */
    static int update(LocalRuntime runtime, String sql) {
        try (Connection c = DriverManager.getConnection(runtime.jdbcUrl(), LocalPostgres.USER, "");
             Statement s = c.createStatement()) {
            return s.executeUpdate(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One number from the runtime's database, for checks that nothing was written. */
    static long count(LocalRuntime runtime, String sql) {
        try (Connection c = DriverManager.getConnection(runtime.jdbcUrl(), LocalPostgres.USER, "");
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}

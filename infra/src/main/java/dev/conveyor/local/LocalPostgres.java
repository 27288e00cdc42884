package dev.conveyor.local;

import dev.conveyor.log.Log;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A real PostgreSQL server from embedded binaries, its data kept in a directory between runs, with the
 * {@code conveyor} database created (the template's schema migration fills it, as on a deployment). A server left running by a killed earlier run is stopped
 * first, so that a crash never prevents the next start.
 */
public final class LocalPostgres implements AutoCloseable {
    private static final Log LOG = Log.of(LocalPostgres.class);
    public static final String DATABASE = "conveyor";
    public static final String USER = "postgres";

    private final Path dataDirectory;
    private final int port;
    private volatile EmbeddedPostgres server;

    private LocalPostgres(Path dataDirectory, EmbeddedPostgres server) {
        this.dataDirectory = dataDirectory;
        this.port = server.getPort();
        this.server = server;
    }

    /** Starts the server on {@code dataDirectory}, creating it (or, with {@code fresh}, recreating it). */
    public static LocalPostgres start(Path dataDirectory, boolean fresh) {
        try {
            stopOrphan(dataDirectory);
            if (fresh) {
                deleteRecursively(dataDirectory);
            }
            Files.createDirectories(dataDirectory.getParent());
            EmbeddedPostgres server = server(dataDirectory, 0);
            try (Connection c = DriverManager.getConnection(server.getJdbcUrl(USER, "postgres"));
                 Statement s = c.createStatement()) {
                boolean exists;
                try (ResultSet rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'")) {
                    exists = rs.next();
                }
                if (!exists) {
                    s.execute("CREATE DATABASE " + DATABASE);
                }
            }
            return new LocalPostgres(dataDirectory, server);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start PostgreSQL in " + dataDirectory, e);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot prepare the database", e);
        }
    }

    private static EmbeddedPostgres server(Path dataDirectory, int port) throws IOException {
        return EmbeddedPostgres.builder()
                .setDataDirectory(dataDirectory)
                .setCleanDataDirectory(false)
                .setRegisterShutdownHook(false)
                .setPort(port)
                .setPGStartupWait(Duration.ofSeconds(30))
                .setServerConfig("max_connections", "400")
                .setServerConfig("listen_addresses", "127.0.0.1")
                // The jobs table asks to be vacuumed and analyzed after a thousand changes (V2); autovacuum looks
                // every minute by default, long enough for a burst to leave claims reading dead index entries.
                .setServerConfig("autovacuum_naptime", "1s")
                .start();
    }

    /** Stops the server (a fast shutdown: connections are cut), waits {@code downtime}, starts it again. */
    public synchronized void restart(Duration downtime) {
        close();
        try {
            Thread.sleep(downtime.toMillis());
            server = server(dataDirectory, port);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot restart PostgreSQL", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public String jdbcUrl() {
        return serverUrl() + DATABASE;
    }

    /** The server's URL without a database: the Data API adds the one a request names. */
    public String serverUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/";
    }

    public int port() {
        return port;
    }


    /**
     * A process of a killed run may still serve this data directory: PostgreSQL notes its pid in
     * {@code postmaster.pid}. Asks it to stop (SIGTERM, a fast shutdown), then forces it.
     */
    static void stopOrphan(Path dataDirectory) throws IOException {
        Path pidFile = dataDirectory.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
        Optional<ProcessHandle> process;
        try {
            process = lines.isEmpty() ? Optional.empty() : ProcessHandle.of(Long.parseLong(lines.get(0).strip()));
        } catch (NumberFormatException e) {
            process = Optional.empty();
        }
        if (process.isPresent() && process.get().isAlive()
                && process.get().info().command().map(c -> c.endsWith("postgres")).orElse(true)) {
            ProcessHandle postmaster = process.get();
            LOG.warn("stopping a PostgreSQL server left running by an earlier run", "pid", postmaster.pid());
            postmaster.destroy();
            try {
                postmaster.onExit().get(15, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                postmaster.destroyForcibly();
                postmaster.descendants().forEach(ProcessHandle::destroyForcibly);
            }
        }
    }

    private static void deleteRecursively(Path directory) throws IOException {
        if (!Files.exists(directory)) {
            return;
        }
        try (var paths = Files.walk(directory)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    @Override
    public synchronized void close() {
        try {
            server.close();
        } catch (IOException e) {
            LOG.warn("PostgreSQL did not stop cleanly", e);
        }
    }
}

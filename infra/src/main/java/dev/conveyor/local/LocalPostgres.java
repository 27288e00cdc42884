package dev.conveyor.local;

import dev.conveyor.log.Log;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
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
 *
 * <p>The functions connect as {@link #APP_USER} with a password, checked by the server (SCRAM), as they connect to
 * RDS: the password is new at every start and reaches them through the local Secrets Manager, so that a rotated
 * password can be tried here ({@link #changeAppPassword}). The role is a member of {@code postgres}, which owns
 * the schema and the tables of data directories made before it existed. The runtime's own connections (the local
 * Data API, the redispatch at start) stay those of the {@code postgres} superuser, trusted on loopback.
 */
public final class LocalPostgres implements AutoCloseable {
    private static final Log LOG = Log.of(LocalPostgres.class);
    public static final String DATABASE = "conveyor";
    public static final String USER = "postgres";
    /** The role the functions log in as, with a password. */
    public static final String APP_USER = "conveyor";
    /** Put before zonky's "trust" lines of pg_hba.conf: the first line that matches a connection decides. */
    static final String APP_HBA_LINE = "host    all             " + APP_USER + "        127.0.0.1/32            scram-sha-256";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path dataDirectory;
    private final int port;
    private volatile EmbeddedPostgres server;
    private volatile String appPassword;

    private LocalPostgres(Path dataDirectory, EmbeddedPostgres server, String appPassword) {
        this.dataDirectory = dataDirectory;
        this.port = server.getPort();
        this.server = server;
        this.appPassword = appPassword;
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
                requirePassword(dataDirectory, s);
                try (ResultSet rs = s.executeQuery("SELECT 1 FROM pg_roles WHERE rolname = '" + APP_USER + "'")) {
                    exists = rs.next();
                }
                if (!exists) {
                    s.execute("CREATE ROLE " + APP_USER + " LOGIN");
                    s.execute("GRANT " + USER + " TO " + APP_USER);
                }
            }
            LocalPostgres postgres = new LocalPostgres(dataDirectory, server, null);
            postgres.changeAppPassword(newPassword());
            return postgres;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start PostgreSQL in " + dataDirectory, e);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot prepare the database", e);
        }
    }

    /** Puts {@link #APP_HBA_LINE} first in pg_hba.conf, once, and has the server read it again. */
    private static void requirePassword(Path dataDirectory, Statement statement) throws IOException, SQLException {
        Path hba = dataDirectory.resolve("pg_hba.conf");
        List<String> lines = Files.readAllLines(hba, StandardCharsets.UTF_8);
        if (!lines.contains(APP_HBA_LINE)) {
            List<String> changed = new java.util.ArrayList<>(List.of(
                    "# Conveyor: the functions' role logs in with a password, as on RDS.", APP_HBA_LINE));
            changed.addAll(lines);
            Files.write(hba, changed, StandardCharsets.UTF_8);
            statement.execute("SELECT pg_reload_conf()");
        }
    }

    /** A password of 32 letters and digits. */
    public static String newPassword() {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder password = new StringBuilder();
        for (int i = 0; i < 32; i++) {
            password.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return password.toString();
    }

    /**
     * Sets {@link #APP_USER}'s password, as a rotation does: connections already open stay open, new ones need
     * it.
     *
     * @param password letters and digits only
     */
    public synchronized void changeAppPassword(String password) {
        if (!password.matches("[A-Za-z0-9]{8,}")) {
            throw new IllegalArgumentException("a local password is 8 or more letters and digits");
        }
        try (Connection c = DriverManager.getConnection(server.getJdbcUrl(USER, "postgres"));
             Statement s = c.createStatement()) {
            s.execute("ALTER ROLE " + APP_USER + " PASSWORD '" + password + "'");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot set the password of " + APP_USER, e);
        }
        appPassword = password;
    }

    public String appPassword() {
        return appPassword;
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

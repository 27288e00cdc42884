package dev.conveyor.store.jdbc;

import dev.conveyor.store.StoreException;
import dev.conveyor.store.sql.SqlStates;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Properties;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A few reusable connections, enough for one Lambda execution environment: a function needs one connection per
 * concurrent statement, and RDS Proxy (or PgBouncer) pools across environments. A connection that breaks is
 * dropped along with every idle one, since a broken connection usually means the server restarted. A new
 * connection refused for its password is tried once more after the {@link LoginSource} read the login again.
 */
public final class ConnectionPool implements AutoCloseable {
    /**
     * A connection idle for longer than this is checked before it is lent out again (HikariCP's window): long
     * enough that a busy function never pays for the check, short enough that the first request after a database
     * restart is not answered 503 by a connection that died while idle.
     */
    private static final long VALIDATE_AFTER_IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    /** PostgreSQL's answers to a wrong user or password: invalid_password, invalid_authorization_specification. */
    private static final java.util.Set<String> LOGIN_REFUSED = java.util.Set.of("28P01", "28000");

    private final String url;
    private final Properties settings;
    private final LoginSource logins;
    private final Semaphore permits;
    private final long borrowTimeoutMillis;
    private final Deque<Idle> idle = new ArrayDeque<>();
    private volatile boolean closed;

    private record Idle(Connection connection, long since) {
    }

    /**
     * @param url a {@code jdbc:postgresql:} URL
     * @param settings driver options
     * @param logins the user and password
     * @param maxSize how many connections may be open at once
     */
    public ConnectionPool(String url, Properties settings, LoginSource logins, int maxSize, long borrowTimeoutMillis) {
        this.url = url;
        this.settings = settings;
        this.logins = logins;
        this.permits = new Semaphore(maxSize, true);
        this.borrowTimeoutMillis = borrowTimeoutMillis;
    }

    /** What to do with a borrowed connection. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    /** Runs {@code work} on a pooled connection; SQL errors become {@link StoreException}s. */
    public <T> T with(Work<T> work) {
        acquire();
        Connection connection = null;
        try {
            connection = take();
            T result = work.run(connection);
            giveBack(connection);
            connection = null;
            return result;
        } catch (SQLException e) {
            if (connection != null && !isBroken(e, connection)) {
                giveBack(connection);
                connection = null;
            } else {
                discardIdle();
            }
            throw translate(e);
        } finally {
            if (connection != null) {
                closeQuietly(connection);
            }
            permits.release();
        }
    }

    private void acquire() {
        try {
            if (!permits.tryAcquire(borrowTimeoutMillis, TimeUnit.MILLISECONDS)) {
                throw new StoreException("no database connection free within " + borrowTimeoutMillis + " ms", null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while waiting for a database connection", e);
        }
    }

    private Connection take() throws SQLException {
        while (true) {
            Idle next;
            synchronized (idle) {
                next = idle.pollFirst();
            }
            if (next == null) {
                return connect();
            }
            boolean stale = System.nanoTime() - next.since() > VALIDATE_AFTER_IDLE_NANOS;
            if (!stale || next.connection().isValid(2)) {
                return next.connection();
            }
            closeQuietly(next.connection());
        }
    }

    private Connection connect() throws SQLException {
        try {
            return DriverManager.getConnection(url, properties(logins.login()));
        } catch (SQLException e) {
            if (!LOGIN_REFUSED.contains(e.getSQLState()) || !logins.reread()) {
                throw e;
            }
            return DriverManager.getConnection(url, properties(logins.login()));
        }
    }

    private Properties properties(LoginSource.Login login) {
        Properties properties = new Properties();
        properties.putAll(settings);
        properties.setProperty("user", login.user());
        if (login.password() != null) {
            properties.setProperty("password", login.password());
        }
        return properties;
    }

    /**
     * Closes the idle connections and reads the login again: after a SnapStart restore, whose snapshot holds
     * connections long dead and a password perhaps rotated since.
     */
    public void reconnect() {
        discardIdle();
        logins.reread();
    }

    private void giveBack(Connection connection) {
        if (closed) {
            closeQuietly(connection);
            return;
        }
        synchronized (idle) {
            idle.addFirst(new Idle(connection, System.nanoTime()));
        }
    }

    private void discardIdle() {
        synchronized (idle) {
            idle.forEach(i -> closeQuietly(i.connection()));
            idle.clear();
        }
    }

    /** Connection-class errors (SQLSTATE 08), a server shutting down (57P0x), or a connection that is gone. */
    private static boolean isBroken(SQLException e, Connection connection) {
        String state = e.getSQLState();
        if (state != null && (state.startsWith("08") || state.startsWith("57P"))) {
            return true;
        }
        try {
            return connection.isClosed();
        } catch (SQLException ignored) {
            return true;
        }
    }

    /**
     * An unavailable database (no answer, no SQLSTATE: the driver lost it; or a state {@link SqlStates} calls
     * unavailable) is a {@link StoreException}; anything else means a statement is wrong, a bug.
     */
    static RuntimeException translate(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String message = "database error: " + e.getMessage() + (state.isEmpty() ? "" : " [SQLSTATE " + state + "]");
        boolean unavailable = state.isEmpty() || SqlStates.unavailable(state);
        return unavailable ? new StoreException(message, e) : new IllegalStateException(message, e);
    }

    private static void closeQuietly(Connection connection) {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // already broken; nothing to release
        }
    }

    @Override
    public void close() {
        closed = true;
        discardIdle();
    }
}

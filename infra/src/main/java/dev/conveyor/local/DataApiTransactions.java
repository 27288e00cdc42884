package dev.conveyor.local;

import dev.conveyor.log.Log;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The Data API's transactions: {@code BeginTransaction} opens a connection and answers an id; calls naming the id
 * run on that connection until {@code CommitTransaction} or {@code RollbackTransaction} ends it. As on AWS, a
 * transaction no call used for three minutes is rolled back, and so is any transaction 24 hours old and one whose
 * statement failed; an id that names no open transaction is {@code TransactionNotFoundException} with the reason
 * appended. Each call checks, under the transaction's lock, that it is still open and within those limits (the
 * reaper only cleans up behind them), so a call that waited for another one never runs on an ended transaction.
 */
final class DataApiTransactions implements AutoCloseable {
    private static final Log LOG = Log.of(DataApiTransactions.class);
    static final long IDLE_LIMIT_NANOS = TimeUnit.MINUTES.toNanos(3);
    static final long AGE_LIMIT_NANOS = TimeUnit.HOURS.toNanos(24);

    /** An open transaction: its connection, used by one call at a time. */
    static final class Transaction {
        private final Connection connection;
        private final long begun;
        private volatile long lastUsed;

        private Transaction(Connection connection, long now) {
            this.connection = connection;
            this.begun = now;
            this.lastUsed = now;
        }

        Connection connection() {
            return connection;
        }
    }

    /** What a call on a transaction does with its connection. */
    @FunctionalInterface
    interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    private final Map<String, Transaction> open = new ConcurrentHashMap<>();
    private final Map<String, String> ended = Collections.synchronizedMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > 10_000;
        }
    });
    private final ScheduledExecutorService reaper = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "data-api-transaction-reaper");
        t.setDaemon(true);
        return t;
    });

    private final LongSupplier clock;

    DataApiTransactions() {
        this(System::nanoTime);
    }

    /** @param clock {@link System#nanoTime()}, or a clock a test moves */
    DataApiTransactions(LongSupplier clock) {
        this.clock = clock;
        reaper.scheduleWithFixedDelay(this::expireIdle, 10, 10, TimeUnit.SECONDS);
    }

    /** Starts a transaction on {@code connection}, which it now owns; answers its id. */
    String begin(Connection connection) throws SQLException {
        connection.setAutoCommit(false);
        byte[] bytes = new byte[48];
        ThreadLocalRandom.current().nextBytes(bytes);
        String id = Base64.getEncoder().encodeToString(bytes);
        open.put(id, new Transaction(connection, clock.getAsLong()));
        return id;
    }

    /** Runs {@code work} in the transaction; a statement that fails rolls it back and ends it. */
    <T> T in(String id, Work<T> work) {
        Transaction transaction = get(id);
        synchronized (transaction) {
            checkOpen(id, transaction);
            try {
                T result = work.run(transaction.connection);
                transaction.lastUsed = clock.getAsLong();
                return result;
            } catch (SQLException e) {
                end(id, "Transaction has been aborted due to an error from a previous call");
                throw DataApiError.of(e);
            } catch (RuntimeException e) {
                end(id, "Transaction has been aborted due to an error from a previous call");
                throw e;
            }
        }
    }

    void commit(String id) {
        Transaction transaction = get(id);
        synchronized (transaction) {
            checkOpen(id, transaction);
            try {
                transaction.connection.commit();
            } catch (SQLException e) {
                throw DataApiError.of(e);
            } finally {
                end(id, "One previous call resulted in a termination of your transaction");
            }
        }
    }

    void rollback(String id) {
        Transaction transaction = get(id);
        synchronized (transaction) {
            checkOpen(id, transaction);
            end(id, "One previous call resulted in a termination of your transaction");
        }
    }

    private Transaction get(String id) {
        Transaction transaction = open.get(id);
        if (transaction == null) {
            throw DataApiError.transactionNotFound(id, ended.getOrDefault(id,
                    "Transaction may be expired, or was never begun"));
        }
        return transaction;
    }

    /**
     * Under the transaction's lock: throws {@code TransactionNotFoundException} when it ended while the caller
     * waited, or ends it first when it is past a limit.
     */
    private void checkOpen(String id, Transaction transaction) {
        String expired = expiry(transaction, clock.getAsLong());
        if (expired != null) {
            end(id, expired);
        }
        if (open.get(id) != transaction) {
            throw DataApiError.transactionNotFound(id, ended.getOrDefault(id, "Transaction may be expired"));
        }
    }

    /** Why the transaction is over at {@code now}, or null while it is within AWS's limits. */
    private static String expiry(Transaction transaction, long now) {
        if (now - transaction.begun > AGE_LIMIT_NANOS) {
            return "Transaction may be expired: it ran for 24 hours";
        }
        if (now - transaction.lastUsed > IDLE_LIMIT_NANOS) {
            return "Transaction may be expired";
        }
        return null;
    }

    /** Forgets the transaction, rolling back what it did not commit, and closes its connection. */
    private void end(String id, String reason) {
        Transaction transaction = open.remove(id);
        if (transaction == null) {
            return;
        }
        ended.put(id, reason);
        try (Connection connection = transaction.connection) {
            if (!connection.getAutoCommit()) {
                connection.rollback();
            }
        } catch (SQLException e) {
            LOG.debug("closing a transaction's connection failed", "error", e.getMessage());
        }
    }

    /** Ends the transactions past a limit; a call that held one while the reaper waited may have saved it. */
    void expireIdle() {
        open.forEach((id, transaction) -> {
            if (expiry(transaction, clock.getAsLong()) != null) {
                synchronized (transaction) {
                    String expired = expiry(transaction, clock.getAsLong());
                    if (expired != null && open.get(id) == transaction) {
                        end(id, expired);
                    }
                }
            }
        });
    }

    @Override
    public void close() {
        reaper.shutdownNow();
        open.keySet().forEach(id -> end(id, "The server stopped"));
    }
}

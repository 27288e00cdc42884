package dev.conveyor.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conveyor.testing.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The local Data API's transactions on a real PostgreSQL, with a clock the test moves. */
class DataApiTransactionsIT {
    private static final long MINUTE = Duration.ofMinutes(1).toNanos();

    private TestDatabase db;
    private final AtomicLong clock = new AtomicLong();
    private DataApiTransactions transactions;

    @BeforeEach
    void start() {
        db = TestDatabase.create();
        db.execute("CREATE TABLE notes (body text)");
        transactions = new DataApiTransactions(clock::get);
    }

    @AfterEach
    void stop() {
        transactions.close();
    }

    private String begin() throws SQLException {
        return transactions.begin(DriverManager.getConnection(db.jdbcUrl(), TestDatabase.properties()));
    }

    private void insert(String tx, String body) {
        transactions.in(tx, c -> {
            try (Statement s = c.createStatement()) {
                return s.executeUpdate("INSERT INTO notes VALUES ('" + body + "')");
            }
        });
    }

    private int selectOne(String tx) {
        return transactions.in(tx, c -> {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
                rs.next();
                return rs.getInt(1);
            }
        });
    }

    private long committedNotes() throws SQLException {
        try (Connection c = db.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM notes")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static DataApiError notFound(Runnable call) {
        DataApiError error = assertThrows(DataApiError.class, call::run);
        assertEquals("TransactionNotFoundException", error.type(), error.getMessage());
        return error;
    }

    private static void awaitBlocked(Thread thread) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (thread.getState() != Thread.State.BLOCKED) {
            assertTrue(System.nanoTime() < deadline, "the thread never waited for the transaction: " + thread);
            Thread.sleep(5);
        }
    }

    @Test
    void aTransactionIdleForThreeMinutesIsGoneAtItsNextCall() throws Exception {
        String tx = begin();
        insert(tx, "idle");
        clock.addAndGet(3 * MINUTE - 1);
        assertEquals(1, selectOne(tx), "used just within three minutes");

        clock.addAndGet(3 * MINUTE + 1);
        assertTrue(notFound(() -> selectOne(tx)).getMessage().contains("expired"));
        assertEquals(0, committedNotes());
    }

    @Test
    void aTransactionEndsAfter24HoursHoweverBusy() throws Exception {
        String tx = begin();
        insert(tx, "busy");
        for (long t = 2 * MINUTE; t < TimeUnit.HOURS.toNanos(24); t += 2 * MINUTE) {
            clock.set(t);
            selectOne(tx);
        }

        clock.set(TimeUnit.HOURS.toNanos(24) + 1);
        notFound(() -> selectOne(tx));
        notFound(() -> transactions.commit(tx));
        assertEquals(0, committedNotes());
    }

    @Test
    void theReaperRollsBackAnIdleTransaction() throws Exception {
        String tx = begin();
        insert(tx, "reaped");
        clock.addAndGet(3 * MINUTE + 1);

        transactions.expireIdle();
        notFound(() -> transactions.rollback(tx));
        assertEquals(0, committedNotes());
    }

    @Test
    void theReaperSparesATransactionThatACallUsedWhileTheReaperWaited() throws Exception {
        String tx = begin();
        clock.set(2 * MINUTE);
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Integer> call = CompletableFuture.supplyAsync(() -> transactions.in(tx, c -> {
            entered.countDown();
            await(release);
            return 1;
        }));
        assertTrue(entered.await(10, TimeUnit.SECONDS));
        clock.set(3 * MINUTE + 1); // three minutes since the last call ended, but one is running
        Thread reaper = new Thread(transactions::expireIdle);
        reaper.start();
        awaitBlocked(reaper);

        release.countDown();
        assertEquals(1, call.get(10, TimeUnit.SECONDS));
        reaper.join(10_000);
        assertEquals(1, selectOne(tx), "the call just used the transaction");
    }

    @Test
    void aCallThatWaitedForATransactionThatThenEndedIsToldItIsGone() throws Exception {
        String tx = begin();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Integer> failing = CompletableFuture.supplyAsync(() -> transactions.in(tx, c -> {
            entered.countDown();
            await(release);
            throw new SQLException("relation \"nowhere\" does not exist", "42P01");
        }));
        assertTrue(entered.await(10, TimeUnit.SECONDS));
        CompletableFuture<DataApiError> waiting = new CompletableFuture<>();
        Thread next = new Thread(() -> {
            try {
                selectOne(tx);
                waiting.completeExceptionally(new AssertionError("the call ran on an ended transaction"));
            } catch (DataApiError e) {
                waiting.complete(e);
            }
        });
        next.start();
        awaitBlocked(next);

        release.countDown();
        assertEquals("DatabaseErrorException",
                assertThrows(Exception.class, () -> failing.get(10, TimeUnit.SECONDS)).getCause() instanceof DataApiError e
                        ? e.type() : "not a DataApiError");
        DataApiError error = waiting.get(10, TimeUnit.SECONDS);
        assertEquals("TransactionNotFoundException", error.type(), error.getMessage());
        assertTrue(error.getMessage().contains("aborted due to an error"), error.getMessage());
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("never released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

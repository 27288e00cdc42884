package dev.conveyor.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conveyor.fault.FailPoints;
import dev.conveyor.job.Job;
import dev.conveyor.log.Log;
import dev.conveyor.process.LostAttempt;
import dev.conveyor.queue.JobMessage;
import dev.conveyor.queue.JobQueue;
import dev.conveyor.queue.QueueException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Conveyor's delivery promise under injected faults: a few thousand jobs of mixed kinds go through the local
 * runtime while consumers die mid-batch, messages are duplicated, PostgreSQL and the SQS server restart, sends
 * fail after the insert and submits meet a database outage. At least 90 % of the submits must be accepted (the
 * others are printed with their answers); every accepted job must reach its expected terminal state with its
 * expected attempt count, and no handler may run concurrently with itself.
 *
 * <p>The expected attempt count of a job is what its kind needs (1, or 3 for fail-twice-then-succeed; the whole
 * budget for a job that always fails) plus the attempts lost to injected faults. A lost attempt is one the job's
 * history records as "did not finish"; each must be explained by the fault that caused it: the kill of the
 * consumer that held that attempt, or a database outage that overlapped that attempt's own lease (from its
 * {@code started} event to that plus its timeout and the lease grace, as the claim set it), both as they happened.
 * An unexplained one is a wrong count.
 *
 * <p>Nothing here sends a job's message again: the SQS server's restart loses its messages and the sweeper must
 * find them (a short {@code StallSeconds}). Duplicates are made where SQS makes them, with the message they copy:
 * a send now and then goes out twice.
 *
 * <p>{@code -Dfaults.jobs=N} sets the number of jobs (2,000 by default).
 */
class FaultInjectionIT {
    private static final int JOBS = Integer.getInteger("faults.jobs", 2000);
    private static final int SUBMITTERS = 8;
    private static final double SUBMIT_RATE = 100; // jobs/s, so that the faults land among the submits
    private static final Duration SETTLE_TIMEOUT = Duration.ofMinutes(4);
    private static final int LEASE_GRACE_SECONDS = 10;
    private static final double MIN_ACCEPTED = 0.9;

    private static LocalRuntime runtime;

    @AfterAll
    static void stop() {
        FailPoints.install(null);
        if (runtime != null) {
            runtime.close();
        }
    }

    /** A kind of job: its submission, and the outcome it must reach absent faults. */
    private enum Kind {
        ECHO(35, "{\"type\": \"echo\", \"payload\": {\"message\": \"hi\"}, \"max_retries\": 10}", "SUCCESS", 0),
        CONSUMER_DIES(8, "{\"type\": \"echo\", \"payload\": {\"message\": \"" + Chaos.DIE + "\"}, \"max_retries\": 10}",
                "SUCCESS", 0),
        SLEEP(12, "{\"type\": \"sleep\", \"payload\": {\"seconds\": 0.2}, \"timeout_seconds\": 3, \"max_retries\": 10}",
                "SUCCESS", 0),
        FAIL_TWICE(15, "{\"type\": \"fail\", \"payload\": {\"times\": 2}, \"max_retries\": 10,"
                + " \"retry_delay_seconds\": 0.05}", "SUCCESS", 2),
        ALWAYS_FAIL(15, "{\"type\": \"fail\", \"payload\": {\"times\": -1}, \"max_retries\": 2,"
                + " \"retry_delay_seconds\": 0.05}", "FAILED", 3),
        OVER_TIMEOUT(15, "{\"type\": \"stall\", \"payload\": {\"seconds\": 3}, \"timeout_seconds\": 0.5,"
                + " \"max_retries\": 1, \"retry_delay_seconds\": 0.05}", "FAILED", 2);

        final int weight;
        final String body;
        final String state;
        /** For a kind that succeeds, the attempts its handler fails first; for one that fails, its budget. */
        final int attempts;

        Kind(int weight, String body, String state, int attempts) {
            this.weight = weight;
            this.body = body;
            this.state = state;
            this.attempts = attempts;
        }

        static Kind pick(int i) {
            int total = 0;
            for (Kind kind : values()) {
                total += kind.weight;
            }
            int n = Math.floorMod(i * 7919, total);
            for (Kind kind : values()) {
                n -= kind.weight;
                if (n < 0) {
                    return kind;
                }
            }
            throw new AssertionError();
        }
    }

    /** The injector: kills consumers, fails and duplicates sends, and watches every handler run. */
    private static final class Chaos implements FailPoints.Injector {
        static final String DIE = "the consumer dies on my first attempt";
        final SqsClient sqs;
        final String queueUrl;
        final Map<String, AtomicLong> faults = new ConcurrentHashMap<>();
        final Set<String> killedAttempts = ConcurrentHashMap.newKeySet();
        final Map<String, AtomicInteger> running = new ConcurrentHashMap<>();
        final AtomicLong concurrentRuns = new AtomicLong();
        /** Messages the sweeper sent: the only way back for a job whose message the queue server lost. */
        final AtomicLong sweeperSends = new AtomicLong();
        /** The attempts the consumer on this thread holds: a crash loses those not yet recorded. */
        final ThreadLocal<List<Job>> holding = new ThreadLocal<>();
        volatile boolean active = true;

        Chaos(SqsClient sqs, String queueUrl) {
            this.sqs = sqs;
            this.queueUrl = queueUrl;
        }

        void count(String fault) {
            faults.computeIfAbsent(fault, k -> new AtomicLong()).incrementAndGet();
        }

        /** A second copy of a message, sent with it: what SQS's at-least-once delivery can make of one. */
        void duplicate(JobQueue.Dispatch dispatch) {
            long delay = Math.min(900, (dispatch.delay().toMillis() + 999) / 1000);
            try {
                sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody(JobMessage.encode(dispatch.id()))
                        .delaySeconds((int) delay));
                count("duplicate_message");
            } catch (RuntimeException e) {
                // the queue server is restarting: the original will not get through either
            }
        }

        @Override
        @SuppressWarnings("unchecked")
        public void hit(String point, Object subject) {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            switch (point) {
                case "handler.started" -> {
                    if (running.computeIfAbsent(((Job) subject).id().toString(), k -> new AtomicInteger())
                            .incrementAndGet() > 1) {
                        concurrentRuns.incrementAndGet();
                    }
                }
                case "handler.finished" -> running.get(((Job) subject).id().toString()).decrementAndGet();
                case "process.claimed" -> {
                    List<Job> claimed = (List<Job>) subject;
                    holding.set(claimed);
                    boolean asked = claimed.stream().anyMatch(j -> j.attempt() == 1
                            && DIE.equals(j.payload().path("message").asText()));
                    if (asked || (active && random.nextDouble() < 0.02)) {
                        claimed.forEach(j -> killedAttempts.add(j.id() + "/" + j.attempt()));
                        count(asked ? "consumer_died_as_its_job_asked" : "consumer_died_after_claim");
                        throw new FailPoints.Crash(point);
                    }
                }
                case "process.recording" -> {
                    if (active && random.nextDouble() < 0.02) {
                        holding.get().forEach(j -> killedAttempts.add(j.id() + "/" + j.attempt()));
                        count("consumer_died_before_recording");
                        throw new FailPoints.Crash(point);
                    }
                }
                case "process.hiding" -> {
                    if (active && random.nextDouble() < 0.02) {
                        count("consumer_died_after_recording");
                        throw new FailPoints.Crash(point);
                    }
                }
                case "dispatch.send" -> {
                    List<JobQueue.Dispatch> dispatches = (List<JobQueue.Dispatch>) subject;
                    if (Thread.currentThread().getName().startsWith("SweepJobsFunction")) {
                        sweeperSends.addAndGet(dispatches.size());
                    }
                    if (active && random.nextDouble() < 0.05) {
                        count("send_failed_after_insert");
                        throw new QueueException("injected SendMessage failure", null);
                    }
                    if (active) {
                        dispatches.stream().filter(d -> random.nextDouble() < 0.15).forEach(this::duplicate);
                    }
                }
                case "submit.stored" -> {
                    if (active && random.nextDouble() < 0.01) {
                        count("submit_died_after_insert");
                        throw new FailPoints.Crash(point);
                    }
                }
                default -> {
                }
            }
        }
    }

    @Test
    void everyAcceptedJobReachesItsExpectedStateWithItsExpectedAttemptsUnderFaults() throws Exception {
        Log.configure(System.out, Log.Level.valueOf(System.getProperty("faults.log", "ERROR")));
        runtime = LocalRuntime.start(LocalRuntimeFixture.options(LocalRuntimeFixture.tempDirectory(), Map.of(
                "ProcessJobTimeout", "10",
                "QueueVisibilityTimeout", "10",
                "StallSeconds", "5",
                "LeaseGraceSeconds", Integer.toString(LEASE_GRACE_SECONDS),
                "SweepSchedule", "rate(2 seconds)",
                "Store", System.getProperty("faults.store", "jdbc"))));
        System.out.println("fault-injection: the functions' store is " + runtime.store());
        String queueUrl = runtime.functions().get(0).environment().get("CONVEYOR_QUEUE_URL");
        Chaos chaos = new Chaos(runtime.queues().client(), queueUrl);
        FailPoints.install(chaos);
        Http http = new Http(runtime.url(), runtime.apiKey());

        Map<String, Kind> accepted = new ConcurrentHashMap<>();
        List<Outage> outages = Collections.synchronizedList(new ArrayList<>());
        AtomicLong refused = new AtomicLong();
        List<String> failedSubmits = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger next = new AtomicInteger();
        long started = System.nanoTime();

        ExecutorService pool = Executors.newFixedThreadPool(SUBMITTERS + 1);
        for (int t = 0; t < SUBMITTERS; t++) {
            pool.submit(() -> {
                for (int i = next.getAndIncrement(); i < JOBS; i = next.getAndIncrement()) {
                    long due = started + (long) (i / SUBMIT_RATE * 1e9);
                    sleepNanos(due - System.nanoTime());
                    Kind kind = Kind.pick(i);
                    String failure = null;
                    for (int tries = 0; tries < 50; tries++) {
                        Http.Response response;
                        try {
                            response = http.postJson("/jobs", kind.body);
                        } catch (RuntimeException e) {
                            failure = "no answer: " + e;
                            sleepNanos(200_000_000L);
                            continue;
                        }
                        if (response.status() == 202) {
                            accepted.put(response.json().get("id").asText(), kind);
                            failure = null;
                            break;
                        } else if (response.status() == 503) {
                            refused.incrementAndGet();
                            failure = response.toString();
                            sleepNanos(Math.min(1, Long.parseLong(response.header("Retry-After").orElse("1")))
                                    * 1_000_000_000L);
                        } else {
                            failure = response.toString(); // 502: the submit died; the job may be stored
                            break;
                        }
                    }
                    if (failure != null) {
                        failedSubmits.add(failure);
                    }
                }
                return null;
            });
        }
        pool.submit(() -> {
            sleepNanos(3_000_000_000L);
            outages.add(Outage.of(() -> runtime.restartDatabase(Duration.ofSeconds(2))));
            chaos.count("postgres_restarted");
            sleepNanos(4_000_000_000L);
            runtime.restartQueues();
            chaos.count("sqs_server_restarted");
            sleepNanos(4_000_000_000L);
            outages.add(Outage.of(() -> runtime.restartDatabase(Duration.ofSeconds(3))));
            chaos.count("postgres_restarted");
            return null;
        });
        pool.shutdown();
        assertTrue(pool.awaitTermination(5, TimeUnit.MINUTES), "the submits did not end within 5 minutes");
        chaos.active = false;

        long settleStart = System.nanoTime();
        Instant deadline = Instant.now().plus(SETTLE_TIMEOUT);
        while (Instant.now().isBefore(deadline) && count("SELECT count(*) FROM jobs WHERE state NOT IN"
                + " ('SUCCESS', 'FAILED', 'CANCELLED', 'DEAD_LETTERED')") > 0) {
            Thread.sleep(500);
        }
        double settleSeconds = (System.nanoTime() - settleStart) / 1e9;

        List<String> excuses = new ArrayList<>();
        Map<String, Verdict> verdicts = verdicts(accepted, chaos, outages, excuses);
        long lost = verdicts.values().stream().filter(v -> v == Verdict.LOST).count();
        // Every stored job, accepted or not (a submit that died after its insert still stored a job that must run).
        long stuck = count("SELECT count(*) FROM jobs WHERE state NOT IN"
                + " ('SUCCESS', 'FAILED', 'CANCELLED', 'DEAD_LETTERED')");
        long wrongState = verdicts.values().stream().filter(v -> v == Verdict.WRONG_STATE).count();
        long wrongAttempts = verdicts.values().stream().filter(v -> v == Verdict.WRONG_ATTEMPTS).count();
        long excusedByOutage = excuses.stream().filter(e -> e.contains(" outage ")).count();
        Map<String, Long> faults = new TreeMap<>();
        chaos.faults.forEach((k, v) -> faults.put(k, v.get()));
        faults.put("submits_refused_by_outage", refused.get());
        System.out.printf("fault-injection: submitted=%d accepted=%d failed_submits=%d stored=%d faults=%s"
                        + " sweeper_sends=%d lost_attempts_excused={killed=%d, outage=%d} lost=%d stuck=%d"
                        + " wrong_state=%d wrong_attempts=%d concurrent_runs=%d settled_in=%.1fs%n",
                JOBS, accepted.size(), failedSubmits.size(), count("SELECT count(*) FROM jobs"), faults,
                chaos.sweeperSends.get(), excuses.size() - excusedByOutage, excusedByOutage, lost, stuck,
                wrongState, wrongAttempts, chaos.concurrentRuns.get(), settleSeconds);
        outages.forEach(o -> System.out.println("  outage: the database was down " + o.down() + " .. " + o.up()));
        new TreeMap<>(failedSubmits.stream().collect(Collectors.groupingBy(f -> f, Collectors.counting())))
                .forEach((failure, n) -> System.out.println("  failed submit x" + n + ": " + failure));
        excuses.stream().filter(e -> e.contains(" outage ")).forEach(e -> System.out.println("  excused: " + e));
        verdicts.forEach((id, v) -> {
            if (v != Verdict.OK) {
                System.out.println("  " + v + " " + id + " " + accepted.get(id) + " " + describe(id));
            }
        });

        assertTrue(accepted.size() >= MIN_ACCEPTED * JOBS, "fewer than 90 % of the submits were accepted: "
                + accepted.size() + " of " + JOBS + " (the failed ones are printed above)");
        assertEquals(0, lost, "lost");
        assertEquals(0, stuck, "stuck");
        assertEquals(0, wrongState, "wrong state");
        assertEquals(0, wrongAttempts, "wrong attempt count");
        assertEquals(0, chaos.concurrentRuns.get(), "concurrent runs of one job");
    }

    private enum Verdict { OK, LOST, STUCK, WRONG_STATE, WRONG_ATTEMPTS }

    /** The database was down from {@code down} (its stop began) to {@code up} (its start returned). */
    private record Outage(Instant down, Instant up) {
        static Outage of(Runnable restart) {
            Instant down = Instant.now();
            restart.run();
            return new Outage(down, Instant.now());
        }

        boolean overlaps(Instant from, Instant to) {
            return down.isBefore(to) && up.isAfter(from);
        }
    }

    /**
     * Each accepted job's verdict. A lost attempt is excused, with the excuse added to {@code excuses}, only by the
     * kill of the consumer that held it or by an outage that overlapped its lease.
     */
    private static Map<String, Verdict> verdicts(Map<String, Kind> accepted, Chaos chaos, List<Outage> outages,
                                                 List<String> excuses) throws SQLException {
        Map<String, String> states = new HashMap<>();
        Map<String, Integer> attempts = new HashMap<>();
        Map<String, Double> timeouts = new HashMap<>();
        Map<String, List<Integer>> lostAttempts = new HashMap<>();
        Map<String, Map<Integer, Instant>> starts = new HashMap<>();
        Map<String, Integer> handlerFailures = new HashMap<>();
        try (Connection c = connect(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT id, state, attempt, timeout_seconds FROM jobs")) {
                while (rs.next()) {
                    states.put(rs.getString(1), rs.getString(2));
                    attempts.put(rs.getString(1), rs.getInt(3));
                    timeouts.put(rs.getString(1), rs.getDouble(4));
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT job_id, event, attempt, at, error FROM job_events"
                    + " WHERE event IN ('started', 'failed')")) {
                while (rs.next()) {
                    String id = rs.getString(1);
                    String event = rs.getString(2);
                    int attempt = rs.getInt(3);
                    String error = rs.getString(5);
                    if (event.equals("started")) {
                        starts.computeIfAbsent(id, k -> new HashMap<>()).put(attempt, rs.getTimestamp(4).toInstant());
                    } else if (LostAttempt.error(attempt).equals(error)) {
                        lostAttempts.computeIfAbsent(id, k -> new ArrayList<>()).add(attempt);
                    } else if (error != null) {
                        handlerFailures.merge(id, 1, Integer::sum);
                    }
                }
            }
        }
        Map<String, Verdict> verdicts = new HashMap<>();
        accepted.forEach((id, kind) -> {
            String state = states.get(id);
            if (state == null) {
                verdicts.put(id, Verdict.LOST);
                return;
            }
            if (!Set.of("SUCCESS", "FAILED", "CANCELLED", "DEAD_LETTERED").contains(state)) {
                verdicts.put(id, Verdict.STUCK);
                return;
            }
            if (!state.equals(kind.state)) {
                verdicts.put(id, Verdict.WRONG_STATE);
                return;
            }
            List<Integer> lost = lostAttempts.getOrDefault(id, List.of());
            for (int attempt : lost) {
                String excuse = excuse(id, attempt, starts.getOrDefault(id, Map.of()).get(attempt), timeouts.get(id),
                        chaos, outages);
                if (excuse == null) {
                    verdicts.put(id, Verdict.WRONG_ATTEMPTS);
                    return;
                }
                excuses.add(excuse);
            }
            if (kind.state.equals("FAILED")) {
                verdicts.put(id, attempts.get(id) == kind.attempts ? Verdict.OK : Verdict.WRONG_ATTEMPTS);
                return;
            }
            // fail {times: n} fails attempts 1..n by number, so a lost one among them is not made up for;
            // the job succeeds on the first attempt after n that was not lost.
            int succeededOn = kind.attempts + 1;
            while (lost.contains(succeededOn)) {
                succeededOn++;
            }
            long lostAmongFailures = lost.stream().filter(a -> a <= kind.attempts).count();
            boolean failures = handlerFailures.getOrDefault(id, 0) == kind.attempts - lostAmongFailures;
            boolean died = kind != Kind.CONSUMER_DIES || lost.contains(1);
            verdicts.put(id, attempts.get(id) == succeededOn && failures && died ? Verdict.OK : Verdict.WRONG_ATTEMPTS);
        });
        return verdicts;
    }

    /**
     * What explains the loss of an attempt, or null: the kill of its consumer, or a database outage during its
     * lease as the claim set it (from its start, its timeout plus the lease grace).
     */
    private static String excuse(String id, int attempt, Instant start, Double timeoutSeconds, Chaos chaos,
                                 List<Outage> outages) {
        if (chaos.killedAttempts.contains(id + "/" + attempt)) {
            return id + "#" + attempt + ": its consumer was killed";
        }
        if (start == null) {
            return null;
        }
        Instant leaseEnd = start.plusMillis((long) (timeoutSeconds * 1000) + LEASE_GRACE_SECONDS * 1000L);
        return outages.stream().filter(o -> o.overlaps(start, leaseEnd)).findFirst()
                .map(o -> id + "#" + attempt + ": lease " + start + " .. " + leaseEnd + " overlaps the outage "
                        + o.down() + " .. " + o.up())
                .orElse(null);
    }

    private static String describe(String id) {
        StringBuilder out = new StringBuilder();
        try (Connection c = connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT event, attempt, error, at FROM job_events WHERE job_id = '" + id
                     + "' ORDER BY id")) {
            while (rs.next()) {
                out.append(rs.getTimestamp(4).toInstant()).append(' ').append(rs.getString(1)).append('#').append(rs.getInt(2))
                        .append(rs.getString(3) == null ? "" : "(" + rs.getString(3) + ")").append(' ');
            }
        } catch (SQLException e) {
            out.append(e.getMessage());
        }
        return out.toString();
    }

    private static long count(String sql) {
        try (Connection c = connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            return Long.MAX_VALUE;
        }
    }

    private static Connection connect() throws SQLException {
        return DriverManager.getConnection(runtime.jdbcUrl(), LocalPostgres.USER, "");
    }

    private static void sleepNanos(long nanos) {
        if (nanos > 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(nanos);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

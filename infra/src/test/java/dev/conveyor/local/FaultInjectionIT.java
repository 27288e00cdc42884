package dev.conveyor.local;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.conveyor.fault.FailPoints;
import dev.conveyor.job.Job;
import dev.conveyor.log.Log;
import dev.conveyor.process.LostAttempt;
import dev.conveyor.queue.JobMessage;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Conveyor's delivery promise under injected faults: a few thousand jobs of mixed kinds go through the local
 * runtime while consumers die mid-batch, messages are duplicated, PostgreSQL and the SQS server restart, sends
 * fail after the insert and submits meet a database outage. Every accepted job must reach its expected terminal
 * state with its expected attempt count, and no handler may run concurrently with itself.
 *
 * <p>The expected attempt count of a job is what its kind needs (1, or 3 for fail-twice-then-succeed; the whole
 * budget for a job that always fails) plus the attempts lost to injected faults. A lost attempt is one the job's
 * history records as "did not finish"; each must be explained by an injected fault: a consumer this test killed
 * while it held that attempt, or a database outage during that attempt's lease (the consumer could not record
 * its outcome). An unexplained one is a wrong count.
 *
 * <p>{@code -Dfaults.jobs=N} sets the number of jobs (2,000 by default).
 */
class FaultInjectionIT {
    private static final int JOBS = Integer.getInteger("faults.jobs", 2000);
    private static final int SUBMITTERS = 8;
    private static final double SUBMIT_RATE = 100; // jobs/s, so that the faults land among the submits
    private static final Duration SETTLE_TIMEOUT = Duration.ofMinutes(4);

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

    /** The injector: kills consumers, fails sends, and watches every handler run. */
    private static final class Chaos implements FailPoints.Injector {
        static final String DIE = "the consumer dies on my first attempt";
        final Map<String, AtomicLong> faults = new ConcurrentHashMap<>();
        final Set<String> killedAttempts = ConcurrentHashMap.newKeySet();
        final Map<String, AtomicInteger> running = new ConcurrentHashMap<>();
        final AtomicLong concurrentRuns = new AtomicLong();
        /** The attempts the consumer on this thread holds: a crash loses those not yet recorded. */
        final ThreadLocal<List<Job>> holding = new ThreadLocal<>();
        volatile boolean active = true;

        void count(String fault) {
            faults.computeIfAbsent(fault, k -> new AtomicLong()).incrementAndGet();
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
                    if (active && random.nextDouble() < 0.05) {
                        count("send_failed_after_insert");
                        throw new QueueException("injected SendMessage failure", null);
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
                "SweepSchedule", "rate(2 seconds)",
                "Store", System.getProperty("faults.store", "jdbc"))));
        System.out.println("fault-injection: the functions' store is " + runtime.store());
        Chaos chaos = new Chaos();
        FailPoints.install(chaos);
        Http http = new Http(runtime.url(), runtime.apiKey());
        String queueUrl = runtime.functions().get(0).environment().get("CONVEYOR_QUEUE_URL");

        Map<String, Kind> accepted = new ConcurrentHashMap<>();
        List<Instant[]> outages = Collections.synchronizedList(new ArrayList<>());
        AtomicLong refused = new AtomicLong();
        AtomicLong failedSubmits = new AtomicLong();
        AtomicInteger next = new AtomicInteger();
        long started = System.nanoTime();

        ExecutorService pool = Executors.newFixedThreadPool(SUBMITTERS + 1);
        for (int t = 0; t < SUBMITTERS; t++) {
            pool.submit(() -> {
                for (int i = next.getAndIncrement(); i < JOBS; i = next.getAndIncrement()) {
                    long due = started + (long) (i / SUBMIT_RATE * 1e9);
                    sleepNanos(due - System.nanoTime());
                    Kind kind = Kind.pick(i);
                    for (int tries = 0; tries < 50; tries++) {
                        Http.Response response;
                        try {
                            response = http.postJson("/jobs", kind.body);
                        } catch (RuntimeException e) {
                            sleepNanos(200_000_000L);
                            continue;
                        }
                        if (response.status() == 202) {
                            accepted.put(response.json().get("id").asText(), kind);
                            break;
                        } else if (response.status() == 503) {
                            refused.incrementAndGet();
                            sleepNanos(Math.min(1, Long.parseLong(response.header("Retry-After").orElse("1")))
                                    * 1_000_000_000L);
                        } else {
                            failedSubmits.incrementAndGet(); // 502: the submit died; the job may be stored
                            break;
                        }
                    }
                }
                return null;
            });
        }
        pool.submit(() -> {
            sleepNanos(3_000_000_000L);
            outages.add(new Instant[] {Instant.now(), null});
            runtime.restartDatabase(Duration.ofSeconds(2));
            outages.get(0)[1] = Instant.now();
            chaos.count("postgres_restarted");
            sleepNanos(4_000_000_000L);
            runtime.restartQueues();
            chaos.count("sqs_server_restarted");
            sleepNanos(4_000_000_000L);
            outages.add(new Instant[] {Instant.now(), null});
            runtime.restartDatabase(Duration.ofSeconds(3));
            outages.get(1)[1] = Instant.now();
            chaos.count("postgres_restarted");
            return null;
        });
        // Duplicated deliveries: messages for jobs already accepted, whatever their state.
        while (next.get() < JOBS) {
            List<String> ids = new ArrayList<>(accepted.keySet());
            if (!ids.isEmpty()) {
                String id = ids.get(ThreadLocalRandom.current().nextInt(ids.size()));
                try {
                    runtime.queues().client().sendMessage(b -> b.queueUrl(queueUrl)
                            .messageBody(JobMessage.encode(dev.conveyor.job.JobId.parse(id))));
                    chaos.count("duplicate_message");
                } catch (RuntimeException e) {
                    // the queue server is restarting
                }
            }
            sleepNanos(20_000_000L);
        }
        pool.shutdown();
        pool.awaitTermination(2, TimeUnit.MINUTES);
        chaos.active = false;

        long settleStart = System.nanoTime();
        Instant deadline = Instant.now().plus(SETTLE_TIMEOUT);
        while (Instant.now().isBefore(deadline) && count("SELECT count(*) FROM jobs WHERE state NOT IN"
                + " ('SUCCESS', 'FAILED', 'CANCELLED', 'DEAD_LETTERED')") > 0) {
            Thread.sleep(500);
        }
        double settleSeconds = (System.nanoTime() - settleStart) / 1e9;

        Map<String, Verdict> verdicts = verdicts(accepted, chaos, outages);
        long lost = verdicts.values().stream().filter(v -> v == Verdict.LOST).count();
        long stuck = verdicts.values().stream().filter(v -> v == Verdict.STUCK).count()
                + count("SELECT count(*) FROM jobs WHERE state NOT IN ('SUCCESS', 'FAILED', 'CANCELLED', 'DEAD_LETTERED')")
                - verdicts.values().stream().filter(v -> v == Verdict.STUCK).count();
        long wrongState = verdicts.values().stream().filter(v -> v == Verdict.WRONG_STATE).count();
        long wrongAttempts = verdicts.values().stream().filter(v -> v == Verdict.WRONG_ATTEMPTS).count();
        Map<String, Long> faults = new TreeMap<>();
        chaos.faults.forEach((k, v) -> faults.put(k, v.get()));
        faults.put("submits_refused_by_outage", refused.get());
        System.out.printf("fault-injection: submitted=%d accepted=%d stored=%d faults=%s lost=%d stuck=%d"
                        + " wrong_state=%d wrong_attempts=%d concurrent_runs=%d settled_in=%.1fs%n",
                JOBS, accepted.size(), count("SELECT count(*) FROM jobs"), faults, lost, stuck, wrongState,
                wrongAttempts, chaos.concurrentRuns.get(), settleSeconds);
        outages.forEach(o -> System.out.println("  outage " + o[0] + " .. " + o[1]));
        verdicts.forEach((id, v) -> {
            if (v != Verdict.OK) {
                System.out.println("  " + v + " " + id + " " + accepted.get(id) + " " + describe(id));
            }
        });

        assertEquals(0, lost, "lost");
        assertEquals(0, stuck, "stuck");
        assertEquals(0, wrongState, "wrong state");
        assertEquals(0, wrongAttempts, "wrong attempt count");
        assertEquals(0, chaos.concurrentRuns.get(), "concurrent runs of one job");
    }

    private enum Verdict { OK, LOST, STUCK, WRONG_STATE, WRONG_ATTEMPTS }

    private static Map<String, Verdict> verdicts(Map<String, Kind> accepted, Chaos chaos, List<Instant[]> outages)
            throws SQLException {
        Map<String, String> states = new HashMap<>();
        Map<String, Integer> attempts = new HashMap<>();
        Map<String, List<Integer>> lostAttempts = new HashMap<>();
        Map<String, Map<Integer, Instant>> starts = new HashMap<>();
        Map<String, Integer> handlerFailures = new HashMap<>();
        try (Connection c = connect(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT id, state, attempt FROM jobs")) {
                while (rs.next()) {
                    states.put(rs.getString(1), rs.getString(2));
                    attempts.put(rs.getString(1), rs.getInt(3));
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
                Instant start = starts.getOrDefault(id, Map.of()).get(attempt);
                boolean killed = chaos.killedAttempts.contains(id + "/" + attempt);
                // The attempt's lease: its deadline (at most the consumer's 10 s less 3) plus the 10 s grace.
                Instant leaseEnd = start == null ? null : start.plusSeconds(7 + 10);
                boolean outage = start != null && outages.stream().anyMatch(o -> o[1] != null
                        && start.isBefore(o[1].plusSeconds(1)) && leaseEnd.isAfter(o[0]));
                if (!killed && !outage) {
                    verdicts.put(id, Verdict.WRONG_ATTEMPTS);
                    return;
                }
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

package dev.conveyor.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.bench.OpenModelClient.ErrorKind;
import dev.conveyor.bench.OpenModelClient.Exchange;
import dev.conveyor.json.Json;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.client.Connection;

/**
 * Request latency as a client sees it, under an open model as Artillery runs one: arrival phases of new users a
 * second, each user starting on its schedule whatever became of the users before it (a closed loop would slow its
 * offered rate down whenever the server slows, and hide exactly what this measures). Each user opens a new
 * connection, sends {@code POST /jobs} with an echo job, then {@code GET /jobs/{id}} of the job it got back on the
 * same keep-alive connection, and closes it: the shape of a script or a browser tab that submits one job and looks
 * at it. A user whose POST failed sends no GET.
 */
final class OpenModel {
    /** Users run before the measured ones, one after another and not counted: the client's code and get-job warm. */
    static final int WARM_UP_USERS = 100;
    /** How long the phase waits after its last user started: more than a connect and two requests can take. */
    private static final long DRAIN_SECONDS = 4 * OpenModelClient.TIMEOUT.toSeconds();
    private static final Pattern PHASE = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)x([0-9]+(?:\\.[0-9]+)?)");

    private final OpenModelClient client;
    private final RequestTally post = new RequestTally();
    private final RequestTally get = new RequestTally();
    private final Queue<Double> connectMs = new ConcurrentLinkedQueue<>();

    private OpenModel(OpenModelClient client) {
        this.client = client;
    }

    /** {@code usersPerSecond} new users each second for {@code seconds}, spaced evenly. */
    record ArrivalPhase(double usersPerSecond, double seconds) {
        int users() {
            return (int) Math.round(usersPerSecond * seconds);
        }

        String spec() {
            return number(usersPerSecond) + "x" + number(seconds);
        }

        String label() {
            return number(usersPerSecond) + " users/s x " + number(seconds) + " s";
        }
    }

    /** Arrival phases, one after another. */
    record Profile(List<ArrivalPhase> phases) {
        static final String DEFAULT = "10x60,50x120,100x60";

        /** {@code RATExSECONDS,...}, such as {@value #DEFAULT}; an IllegalArgumentException says what is wrong. */
        static Profile parse(String spec) {
            List<ArrivalPhase> phases = new ArrayList<>();
            for (String part : spec.split(",", -1)) {
                Matcher m = PHASE.matcher(part.strip());
                if (!m.matches()) {
                    throw new IllegalArgumentException("--open-model takes RATExSECONDS,... (new users a second, for"
                            + " how many seconds; e.g. " + DEFAULT + ") or none, not " + spec);
                }
                ArrivalPhase phase = new ArrivalPhase(Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2)));
                if (!(phase.usersPerSecond() > 0) || !(phase.seconds() > 0)) {
                    throw new IllegalArgumentException("--open-model: each rate and duration must be above 0, not "
                            + part.strip());
                }
                phases.add(phase);
            }
            return new Profile(List.copyOf(phases));
        }

        /** Every phase's duration times {@code factor}, its rate the same. */
        Profile scaled(double factor) {
            return new Profile(phases.stream()
                    .map(p -> new ArrivalPhase(p.usersPerSecond(), p.seconds() * factor)).toList());
        }

        int users() {
            return phases.stream().mapToInt(ArrivalPhase::users).sum();
        }

        String spec() {
            return String.join(",", phases.stream().map(ArrivalPhase::spec).toList());
        }

        /**
         * When each user starts, in nanoseconds from the start of the first phase: within a phase the i-th user at
         * {@code i / rate}, so that arrivals are evenly spaced (Artillery's arrivalRate), not bunched each second.
         */
        long[] schedule() {
            long[] starts = new long[users()];
            int user = 0;
            double phaseStart = 0;
            for (ArrivalPhase phase : phases) {
                for (int i = 0; i < phase.users(); i++) {
                    starts[user++] = Math.round((phaseStart + i / phase.usersPerSecond()) * 1e9);
                }
                phaseStart += phase.seconds();
            }
            return starts;
        }
    }

    /**
     * What one arrival phase offered.
     *
     * @param offeredUsersPerSecond users started over the span from its first start to its last, on the client's
     *                              clock: below the phase's rate if the client could not keep its schedule
     */
    record PhaseRun(ArrivalPhase phase, int users, double offeredUsersPerSecond) {
    }

    /**
     * What the phase measured.
     *
     * @param connections the TCP connections the client opened while the users ran: one a user, unless one failed
 * @param connectMs each connection's opening, not part of the requests' latencies; null when none opened
     * @param maxStartLagMs how late the latest user started after its scheduled time: the client's own delay
     * @param seconds wall time, from the first user's start to the last user's end
     */
    record Result(Profile profile, List<PhaseRun> phases, RequestTally.Figures post, RequestTally.Figures get,
                  int connections, Percentiles connectMs, double maxStartLagMs, double seconds) {
        int users() {
            return profile.users();
        }
    }

    /** {@link #WARM_UP_USERS} users one after another, then {@code profile}, measured. */
    static Result run(OpenModelClient client, Profile profile) throws InterruptedException {
        OpenModel warmUp = new OpenModel(client);
        for (int i = 0; i < WARM_UP_USERS; i++) {
            warmUp.user().join();
        }
        return new OpenModel(client).measure(profile);
    }

    private Result measure(Profile profile) throws InterruptedException {
        long[] schedule = profile.schedule();
        long[] started = new long[schedule.length];
        List<CompletableFuture<Void>> users = new ArrayList<>(schedule.length);
        int connectionsBefore = client.connectionsOpened();
        long start = System.nanoTime();
        for (int i = 0; i < schedule.length; i++) {
            long due = start + schedule[i];
            for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                LockSupport.parkNanos(wait);
            }
            started[i] = System.nanoTime();
            users.add(user());
        }
        try {
            CompletableFuture.allOf(users.toArray(CompletableFuture[]::new)).get(DRAIN_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("open model: users still running " + DRAIN_SECONDS + " s after the last"
                    + " one started", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("open model: a user failed: " + e.getCause(), e.getCause());
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long lag = 0;
        for (int i = 0; i < schedule.length; i++) {
            lag = Math.max(lag, started[i] - (start + schedule[i]));
        }
        int connections = client.connectionsOpened() - connectionsBefore;
        return new Result(profile, phaseRuns(profile, started), post.figures(), get.figures(), connections,
                connectMs.isEmpty() ? null : Percentiles.of(connectMs), lag / 1e6, seconds);
    }

    /** One user: a new connection, POST then GET on it, closed. Never fails: what went wrong is counted. */
    private CompletableFuture<Void> user() {
        long connecting = System.nanoTime();
        return client.connect().handle((connection, error) -> {
            if (error != null) {
                post.failed(ErrorKind.CONNECT, OpenModelClient.describe(error));
                get.notSent();
                return CompletableFuture.<Void>completedFuture(null);
            }
            connectMs.add((System.nanoTime() - connecting) / 1e6);
            return postThenGet(connection).whenComplete((done, failure) -> connection.close());
        }).thenCompose(Function.identity());
    }

    private CompletableFuture<Void> postThenGet(Connection connection) {
        return client.post(connection, "/jobs", Load.ECHO).thenCompose(posted -> {
            String id = post.record(posted, 202) ? jobId(posted) : null;
            if (id == null) {
                get.notSent();
                return CompletableFuture.<Void>completedFuture(null);
            }
            return client.get(connection, "/jobs/" + id).thenAccept(got -> get.record(got, 200));
        });
    }

    /** The job id in a 202's body; null, and counted as an error of the POST, when there is none. */
    private String jobId(Exchange posted) {
        try {
            JsonNode id = Json.parse(posted.body()).get("id");
            if (id != null && id.isTextual()) {
                return id.asText();
            }
        } catch (RuntimeException e) {
            // counted below
        }
        post.unusable(posted);
        return null;
    }

    private static List<PhaseRun> phaseRuns(Profile profile, long[] started) {
        List<PhaseRun> runs = new ArrayList<>();
        int first = 0;
        for (ArrivalPhase phase : profile.phases()) {
            int users = phase.users();
            double offered = users < 2 ? phase.usersPerSecond()
                    : (users - 1) / ((started[first + users - 1] - started[first]) / 1e9);
            runs.add(new PhaseRun(phase, users, offered));
            first += users;
        }
        return runs;
    }

    /** 60, 0.5, 3.333: a rate or a duration as the spec would give it. */
    private static String number(double value) {
        return BigDecimal.valueOf(value).setScale(3, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
    }
}

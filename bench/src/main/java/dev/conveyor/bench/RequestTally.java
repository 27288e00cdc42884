package dev.conveyor.bench;

import dev.conveyor.bench.OpenModelClient.ErrorKind;
import dev.conveyor.bench.OpenModelClient.Exchange;
import java.util.EnumMap;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/** One request type's figures in the open model, counted from whichever thread an answer comes in on. */
final class RequestTally {
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger notSent = new AtomicInteger();
    private final Map<ErrorKind, AtomicInteger> errors = new EnumMap<>(ErrorKind.class);
    private final Queue<Double> millis = new ConcurrentLinkedQueue<>();
    private final Map<ErrorKind, String> firstErrors = new ConcurrentHashMap<>();

    RequestTally() {
        for (ErrorKind kind : ErrorKind.values()) {
            errors.put(kind, new AtomicInteger());
        }
    }

    /**
     * A request's figures. The latencies are those of every whole response, whatever its status: a request that
     * failed before one (closed, timed out) has no latency, only an error.
     *
     * @param notSent requests a user did not send because its request before failed (not errors of this type)
     * @param firstErrors the first error of each kind that occurred, as people read it: what to look into
     * @param latencyMs null when no request was answered
     */
    record Figures(int requests, int notSent, Map<ErrorKind, Integer> errorsByKind, Map<ErrorKind, String> firstErrors,
                   Percentiles latencyMs) {
        int errors() {
            return errorsByKind.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    /** Counts a request sent; answers whether it was answered with {@code expectedStatus}. */
    boolean record(Exchange exchange, int expectedStatus) {
        requests.incrementAndGet();
        if (!exchange.answered()) {
            error(exchange.failure(), exchange.error());
            return false;
        }
        millis.add(exchange.millis());
        if (exchange.status() != expectedStatus) {
            error(ErrorKind.STATUS, "expected " + expectedStatus + ", got " + answer(exchange));
            return false;
        }
        return true;
    }

    /** Counts a request that could not be sent at all, and its error (a connection that could not be opened). */
    void failed(ErrorKind kind, String error) {
        requests.incrementAndGet();
        error(kind, error);
    }

    /** An answer already recorded with the expected status turned out unusable (no job id in it). */
    void unusable(Exchange exchange) {
        error(ErrorKind.OTHER, "no job id in " + answer(exchange));
    }

    void notSent() {
        notSent.incrementAndGet();
    }

    Figures figures() {
        Map<ErrorKind, Integer> byKind = new EnumMap<>(ErrorKind.class);
        errors.forEach((kind, count) -> byKind.put(kind, count.get()));
        Map<ErrorKind, String> first = new EnumMap<>(ErrorKind.class);
        first.putAll(firstErrors);
        return new Figures(requests.get(), notSent.get(), byKind, first,
                millis.isEmpty() ? null : Percentiles.of(millis));
    }

    private void error(ErrorKind kind, String description) {
        errors.get(kind).incrementAndGet();
        firstErrors.putIfAbsent(kind, description);
    }

    private static String answer(Exchange exchange) {
        String body = exchange.body().length() > 150 ? exchange.body().substring(0, 150) + "..." : exchange.body();
        return exchange.status() + " " + body;
    }
}

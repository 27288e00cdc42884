package dev.conveyor.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Submits echo jobs over HTTP: closed-loop from concurrent clients, each sending its next request when the last
 * one is answered (one job per {@code POST /jobs}, or up to 100 per {@code POST /jobs/batch}); or open-loop at a
 * fixed rate, each request sent on schedule whatever the answers before it.
 */
final class Load {
    static final String ECHO = "{\"type\":\"echo\",\"payload\":{\"message\":\"bench\"}}";
    /** Consecutive refusals (429, 5xx, connection errors) one client tolerates before the phase fails. */
    private static final int MAX_CONSECUTIVE_REFUSALS = 200;

    private Load() {
    }

    /**
     * What a phase submitted.
     *
     * @param ids the accepted jobs
     * @param seconds from the first request sent to the last answer received, on the client's clock
     * @param refused requests answered with anything but 202 (sent again in a closed loop, not in an open one)
     * @param offeredPerSecond the rate requests were sent at, in jobs
     */
    record Submitted(List<String> ids, double seconds, int refused, double offeredPerSecond) {
        double jobsPerSecond() {
            return ids.size() / seconds;
        }
    }

    /** {@code jobs} jobs from {@code clients} clients, {@code perRequest} per request (1: {@code POST /jobs}). */
    static Submitted closedLoop(Api api, int jobs, int clients, int perRequest) throws InterruptedException {
        Queue<String> ids = new ConcurrentLinkedQueue<>();
        AtomicInteger left = new AtomicInteger(jobs);
        AtomicInteger refused = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(clients);
        String path = perRequest == 1 ? "/jobs" : "/jobs/batch";
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            threads.add(new Thread(() -> {
                try {
                    int take;
                    while ((take = take(left, perRequest)) > 0) {
                        ids.addAll(submit(api, path, body(take, perRequest), take, refused));
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                    left.set(0);
                } finally {
                    done.countDown();
                }
            }, "bench-client-" + c));
        }
        long start = System.nanoTime();
        threads.forEach(Thread::start);
        done.await();
        double seconds = (System.nanoTime() - start) / 1e9;
        if (failure.get() != null) {
            throw new IllegalStateException("submitting failed: " + failure.get().getMessage(), failure.get());
        }
        return new Submitted(List.copyOf(ids), seconds, refused.get(), ids.size() / seconds);
    }

    /** {@code jobs} single-job requests sent at {@code perSecond}, each on its own schedule (an open loop). */
    static Submitted paced(Api api, int jobs, double perSecond) {
        Queue<String> ids = new ConcurrentLinkedQueue<>();
        AtomicInteger refused = new AtomicInteger();
        List<CompletableFuture<Void>> answers = new ArrayList<>(jobs);
        long period = (long) (TimeUnit.SECONDS.toNanos(1) / perSecond);
        long start = System.nanoTime();
        long lastSent = start;
        for (int i = 0; i < jobs; i++) {
            long due = start + i * period;
            for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                LockSupport.parkNanos(wait);
            }
            lastSent = System.nanoTime();
            answers.add(api.postAsync("/jobs", ECHO).handle((response, error) -> {
                if (error == null && response.status() == 202) {
                    ids.add(response.json().get("id").asText());
                } else {
                    refused.incrementAndGet();
                }
                return null;
            }));
        }
        CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).join();
        double seconds = (System.nanoTime() - start) / 1e9;
        double offered = jobs < 2 ? perSecond : (jobs - 1) / ((lastSent - start) / 1e9);
        return new Submitted(List.copyOf(ids), seconds, refused.get(), offered);
    }

    private static int take(AtomicInteger left, int perRequest) {
        while (true) {
            int now = left.get();
            int take = Math.min(now, perRequest);
            if (take <= 0 || left.compareAndSet(now, now - take)) {
                return Math.max(take, 0);
            }
        }
    }

    private static String body(int jobs, int perRequest) {
        if (perRequest == 1) {
            return ECHO;
        }
        StringBuilder body = new StringBuilder("{\"jobs\":[");
        for (int i = 0; i < jobs; i++) {
            body.append(i == 0 ? "" : ",").append(ECHO);
        }
        return body.append("]}").toString();
    }

    /** Sends one request until it is accepted; a refusal is counted and the request sent again after a pause. */
    private static List<String> submit(Api api, String path, String body, int jobs, AtomicInteger refused)
            throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            Api.Response response = null;
            IOException error = null;
            try {
                response = api.post(path, body);
            } catch (IOException e) {
                error = e;
            }
            if (response != null && response.status() == 202) {
                return ids(response.json(), jobs);
            }
            refused.incrementAndGet();
            if (attempt >= MAX_CONSECUTIVE_REFUSALS) {
                throw new IllegalStateException("POST " + path + " refused " + attempt + " times in a row; last: "
                        + (response != null ? response : error));
            }
            Thread.sleep(Math.min(1000, 10L * attempt));
        }
    }

    private static List<String> ids(JsonNode answer, int jobs) {
        if (answer.has("id")) {
            return List.of(answer.get("id").asText());
        }
        List<String> ids = new ArrayList<>(jobs);
        answer.get("jobs").forEach(job -> ids.add(job.get("id").asText()));
        if (ids.size() != jobs) {
            throw new IllegalStateException("asked for " + jobs + " jobs, the batch answered " + ids.size());
        }
        return ids;
    }
}

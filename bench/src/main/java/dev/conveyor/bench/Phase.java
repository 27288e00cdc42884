package dev.conveyor.bench;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One measured phase: what was submitted, how fast, and how long each job took from submission to SUCCESS by the
 * server's timestamps ({@code finished_at - created_at}).
 *
 * @param succeeded the submitted jobs that reached SUCCESS
 * @param unfinished the submitted jobs that did not (still waiting, failed, or not found) when the wait ended
 * @param e2eJobsPerSecond succeeded jobs over the window from the first {@code created_at} to the last
 *                         {@code finished_at}
 */
record Phase(String label, Load.Submitted submitted, int succeeded, int unfinished, double e2eJobsPerSecond,
             Percentiles latencyMs) {

    static Phase of(String label, Load.Submitted submitted, Map<String, JobTimes.Job> jobs) {
        List<Double> latencies = new ArrayList<>();
        Instant first = null;
        Instant last = null;
        for (String id : submitted.ids()) {
            JobTimes.Job job = jobs.get(id);
            if (job == null || !job.succeeded()) {
                continue;
            }
            latencies.add(job.latencyMillis());
            first = first == null || job.created().isBefore(first) ? job.created() : first;
            last = last == null || job.finished().isAfter(last) ? job.finished() : last;
        }
        if (latencies.isEmpty()) {
            throw new IllegalStateException(label + ": no job reached SUCCESS");
        }
        double window = Math.max(1e-6, Duration.between(first, last).toNanos() / 1e9);
        return new Phase(label, submitted, latencies.size(), submitted.ids().size() - latencies.size(),
                latencies.size() / window, Percentiles.of(latencies));
    }
}

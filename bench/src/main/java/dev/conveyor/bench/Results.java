package dev.conveyor.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Everything one run measured, and the targets judged against it.
 *
 * @param loadAtStart the machine's 1-minute load average before the run: what else was running
 * @param othersCpuShare the share of the machine's CPU that other processes used during the load phases; NaN where
 *     there is no /proc to tell (macOS)
 * @param target what was measured: the local runtime, or the URL given
 * @param artifactBytes each function's deployment artifact, by function name
 * @param openModel the open-model phase; null when it was skipped
 * @param memory the local runtime's peak memory, before the open model ran; null when a URL was given
 */
record Results(BenchOptions options, Machine machine, double loadAtStart, double othersCpuShare, String target,
               Ceiling.Result ceiling, List<ColdStarts.Result> coldStarts, Map<String, Long> artifactBytes,
               Phase single, Phase batch, Phase paced, OpenModel.Result openModel, RuntimeProcess.Memory memory,
               double seconds) {

    static final double E2E_TARGET_JOBS_PER_S = 1000;
    static final double CEILING_FRACTION_TARGET = 0.5;
    static final double PACED_P50_TARGET_MS = 50;
    static final double COLD_START_TARGET_MS = 1000;
    static final long ARTIFACT_TARGET_BYTES = 15_000_000;
    static final double OPEN_MODEL_P95_TARGET_MS = 6;
    static final double OPEN_MODEL_P99_TARGET_MS = 15;

    /** A target, the figure it is judged on, and whether it was met. */
    record Target(String name, String figure, boolean met) {
    }

    /** A phase's end-to-end throughput as a fraction of the ceiling. */
    double fractionOfCeiling(Phase phase) {
        return phase.e2eJobsPerSecond() / ceiling.jobsPerSecond();
    }

    List<Target> targets() {
        List<Target> targets = new ArrayList<>();
        for (Phase phase : List.of(single, batch)) {
            targets.add(new Target("e2e >= 1,000 jobs/s (" + phase.label() + ")",
                    String.format("%.0f jobs/s", phase.e2eJobsPerSecond()),
                    phase.e2eJobsPerSecond() >= E2E_TARGET_JOBS_PER_S));
            targets.add(new Target("e2e >= 1/2 of the ceiling (" + phase.label() + ")",
                    String.format("%.0f%% of %.0f jobs/s", 100 * fractionOfCeiling(phase), ceiling.jobsPerSecond()),
                    fractionOfCeiling(phase) >= CEILING_FRACTION_TARGET));
        }
        targets.add(new Target(String.format("p50 submission -> SUCCESS <= 50 ms at %.0f jobs/s offered",
                        options.pacedRate()),
                String.format("%.1f ms at %.1f jobs/s", paced.latencyMs().p50(), paced.submitted().offeredPerSecond()),
                paced.latencyMs().p50() <= PACED_P50_TARGET_MS));
        for (ColdStarts.Result cold : coldStarts) {
            if (cold.function().equals("submit-job")) {
                targets.add(new Target("submit-job cold start <= 1 s", String.format("%.0f ms (median of %d)",
                        cold.medianMs(), cold.totalMs().size()), cold.medianMs() <= COLD_START_TARGET_MS));
            }
        }
        if (openModel != null) {
            int errors = openModel.post().errors() + openModel.get().errors();
            targets.add(new Target("open model: 0 errors, POST /jobs and GET /jobs/{id}", String.format(
                    "%d errors of %,d requests", errors, openModel.post().requests() + openModel.get().requests()),
                    errors == 0));
            targets.add(openModelTarget("p95", OPEN_MODEL_P95_TARGET_MS, Percentiles::p95));
            targets.add(openModelTarget("p99", OPEN_MODEL_P99_TARGET_MS, Percentiles::p99));
        }
        Map.Entry<String, Long> largest = artifactBytes.entrySet().stream().max(Map.Entry.comparingByValue())
                .orElseThrow();
        targets.add(new Target("every function artifact <= 15 MB", String.format("largest %s, %,d bytes",
                largest.getKey(), largest.getValue()), largest.getValue() <= ARTIFACT_TARGET_BYTES));
        return targets;
    }

    /** A percentile of the open model that each request type must meet: the worse of the two is judged. */
    private Target openModelTarget(String name, double targetMs, ToDoubleFunction<Percentiles> percentile) {
        Percentiles post = openModel.post().latencyMs();
        Percentiles get = openModel.get().latencyMs();
        boolean met = post != null && get != null
                && percentile.applyAsDouble(post) <= targetMs && percentile.applyAsDouble(get) <= targetMs;
        return new Target(String.format("open model: %s <= %.0f ms, the worse of POST and GET", name, targetMs),
                "POST " + Report.millis(post, percentile) + ", GET " + Report.millis(get, percentile), met);
    }
}

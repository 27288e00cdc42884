package dev.conveyor.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveyor.json.Json;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/** The figures as a table for people and as one JSON object for machines. */
final class Report {
    static final String LATENCY_DEFINITION = "latency = finished_at - created_at of each job, the server's own "
            + "timestamps: from submit-job's clock reading before its INSERT to process-job's when it records "
            + "SUCCESS (the HTTP round trip to the gateway is not in it)";
    static final String CLIENT_LATENCY_DEFINITION = "open model latency = the client's clock (nanoTime), from just"
            + " before a request is written to its whole response read; the connection's opening is not in it";

    private Report() {
    }

    static String table(Results r) {
        StringBuilder out = new StringBuilder();
        BenchOptions o = r.options();
        out.append(String.format(Locale.ROOT,
                "Conveyor benchmark: %,d echo jobs per phase, %d HTTP clients, target %s%n",
                o.jobs(), o.clients(), r.target()));
        out.append("Machine: ").append(r.machine()).append("; load average ")
                .append(Double.isNaN(r.loadAtStart()) ? "unknown" : String.format(Locale.ROOT, "%.2f", r.loadAtStart()))
                .append(" at the start\n");
        if (o.url() == null) {
            out.append(String.format(Locale.ROOT, "The usage plan is raised to %,d requests/s, burst %,d, for this run "
                    + "(template default: 1,000/s, burst 2,000); %d pollers; %,d warm-up jobs not counted.%n",
                    o.apiRateLimit(), o.apiRateLimit(), o.pollers(), o.warmup()));
        }
        out.append('\n');
        out.append(String.format(Locale.ROOT, "%-34s %7s %8s %9s %9s %8s %8s %8s %8s%n", "phase", "jobs",
                "submit/s", "e2e/s", "of ceil.", "p50 ms", "p95 ms", "p99 ms", "max ms"));
        for (Phase phase : List.of(r.single(), r.batch(), r.paced())) {
            Percentiles l = phase.latencyMs();
            String fraction = phase == r.paced() ? "-" // its rate is the one offered
                    : String.format(Locale.ROOT, "%.0f%%", 100 * r.fractionOfCeiling(phase));
            out.append(String.format(Locale.ROOT, "%-34s %7d %8.0f %9.0f %9s %8.1f %8.1f %8.1f %8.1f%n",
                    phase.label(), phase.succeeded(), phase.submitted().jobsPerSecond(), phase.e2eJobsPerSecond(),
                    fraction, l.p50(), l.p95(), l.p99(), l.max()));
        }
        for (Phase phase : List.of(r.single(), r.batch(), r.paced())) {
            if (phase.unfinished() > 0 || phase.submitted().refused() > 0) {
                out.append(String.format(Locale.ROOT, "  %s: %d jobs did not reach SUCCESS, %d requests refused%n",
                        phase.label(), phase.unfinished(), phase.submitted().refused()));
            }
        }
        String others = Double.isNaN(r.othersCpuShare()) ? "an unknown share (no /proc)"
                : String.format(Locale.ROOT, "%.0f%%", 100 * r.othersCpuShare());
        out.append(String.format(Locale.ROOT, "  (paced: offered %.1f jobs/s, open loop; other processes used %s"
                + " of the machine's CPU during these phases%s)%n", r.paced().submitted().offeredPerSecond(),
                others, r.openModel() == null ? "" : " and the open model"));
        out.append("  ").append(LATENCY_DEFINITION).append("; e2e/s = jobs that reached SUCCESS / (last finished_at"
                + " - first created_at); submit/s = jobs accepted / (last answer - first request), client clock\n\n");
        if (r.openModel() != null) {
            openModel(out, r.openModel(), o.openModelScale());
        }

        Ceiling.Result c = r.ceiling();
        out.append(String.format(Locale.ROOT, "Ceiling (bare local infrastructure, runtime not running; %d+%d threads,"
                + " batches of %d, %,d jobs after as many unmeasured)%n", c.threads(), c.threads(), Ceiling.BATCH,
                c.jobs()));
        out.append(String.format(Locale.ROOT, "  %-54s %8.0f jobs/s%n",
                "PostgreSQL: the store's insert + claim + finish", c.postgresJobsPerSecond()));
        out.append(String.format(Locale.ROOT, "  %-54s %8.0f jobs/s%n",
                "ElasticMQ: SendMessageBatch + Receive + DeleteBatch", c.sqsJobsPerSecond()));
        out.append(String.format(Locale.ROOT, "  %-54s %8.0f jobs/s%n",
                "ceiling: the lower, " + c.limitedBy(), c.jobsPerSecond()));
        out.append(String.format(Locale.ROOT, "  %-54s %8.0f jobs/s%n%n",
                "(ElasticMQ, one message a send, as POST /jobs sends)", c.sqsSingleSendJobsPerSecond()));

        String flags = r.coldStarts().isEmpty() ? "" : r.coldStarts().get(0).javaToolOptions();
        out.append(String.format(Locale.ROOT, "Cold start: fresh JVM to first completed invocation, artifact only on "
                + "the classpath, JAVA_TOOL_OPTIONS=%s%n", flags));
        out.append(String.format(Locale.ROOT, "  %-14s %10s %8s %8s %9s %11s %14s%n", "function", "median ms", "min",
                "max", "init ms", "invoke ms", "artifact bytes"));
        for (ColdStarts.Result cold : r.coldStarts()) {
            out.append(String.format(Locale.ROOT, "  %-14s %10.0f %8.0f %8.0f %9.0f %11.0f %,14d%n", cold.function(),
                    cold.medianMs(), min(cold.totalMs()), max(cold.totalMs()), Percentiles.median(cold.initMs()),
                    Percentiles.median(cold.invokeMs()), r.artifactBytes().getOrDefault(cold.function(), 0L)));
        }
        r.artifactBytes().forEach((function, bytes) -> {
            if (r.coldStarts().stream().noneMatch(cold -> cold.function().equals(function))) {
                out.append(String.format(Locale.ROOT, "  %-14s %10s %8s %8s %9s %11s %,14d%n", function, "-", "", "",
                        "", "", bytes));
            }
        });
        out.append(String.format(Locale.ROOT, "  (median of %d runs; init = the handler's constructor, invoke = the "
                + "first handleRequest with its event read and answer written)%n%n", o.coldStartRuns()));

        if (r.memory() != null && Double.isNaN(r.memory().runtimeJvmPeakRssMb())) {
            out.append("Memory: unknown (read from /proc, which this OS lacks)\n\n");
        } else if (r.memory() != null) {
            out.append(String.format(Locale.ROOT, "Memory: runtime JVM peak RSS %.0f MB (VmHWM); PostgreSQL peak"
                    + " %.0f MB (its processes' PSS summed, sampled every 250 ms)%n%n",
                    r.memory().runtimeJvmPeakRssMb(), r.memory().postgresPeakPssMb()));
        }

        out.append("Targets\n");
        for (Results.Target target : r.targets()) {
            out.append(String.format(Locale.ROOT, "  %-6s %-58s %s%n", target.met() ? "met" : "MISSED", target.name(),
                    target.figure()));
        }
        out.append(String.format(Locale.ROOT, "%nTook %.0f s.%n", r.seconds()));
        return out.toString();
    }

    static ObjectNode json(Results r) {
        BenchOptions o = r.options();
        ObjectNode json = Json.object();
        json.put("jobs", o.jobs()).put("clients", o.clients()).put("target", r.target());
        phase(json, r.single(), r);
        json.put("ceiling_jobs_per_s", round(r.ceiling().jobsPerSecond()));
        ObjectNode batch = json.putObject("batch").put("jobs_per_request", o.batchSize());
        phase(batch, r.batch(), r);
        ObjectNode paced = json.putObject("paced").put("offered_jobs_per_s", round(r.paced().submitted()
                .offeredPerSecond()));
        phase(paced, r.paced(), r);
        paced.remove("fraction_of_ceiling");
        json.putObject("ceiling")
                .put("postgres_jobs_per_s", round(r.ceiling().postgresJobsPerSecond()))
                .put("sqs_jobs_per_s", round(r.ceiling().sqsJobsPerSecond()))
                .put("sqs_single_send_jobs_per_s", round(r.ceiling().sqsSingleSendJobsPerSecond()))
                .put("limited_by", r.ceiling().limitedBy())
                .put("threads", r.ceiling().threads())
                .put("batch", Ceiling.BATCH)
                .put("jobs", r.ceiling().jobs());
        ObjectNode cold = json.putObject("cold_start_ms");
        ObjectNode init = Json.object();
        ObjectNode invoke = Json.object();
        for (ColdStarts.Result result : r.coldStarts()) {
            cold.put(result.function(), round(result.medianMs()));
            init.put(result.function(), round(Percentiles.median(result.initMs())));
            invoke.put(result.function(), round(Percentiles.median(result.invokeMs())));
        }
        ObjectNode coldDetail = json.putObject("cold_start").put("runs", o.coldStartRuns());
        coldDetail.set("init_ms", init);
        coldDetail.set("first_invoke_ms", invoke);
        coldDetail.put("java_tool_options", r.coldStarts().isEmpty() ? "" : r.coldStarts().get(0).javaToolOptions());
        ObjectNode artifacts = json.putObject("artifact_bytes");
        r.artifactBytes().forEach(artifacts::put);
        if (r.memory() != null) {
            json.put("peak_rss_mb", roundOrNull(r.memory().runtimeJvmPeakRssMb()));
            json.put("postgres_peak_pss_mb", roundOrNull(r.memory().postgresPeakPssMb()));
        } else {
            json.putNull("peak_rss_mb");
        }
        if (o.url() == null) {
            json.put("api_rate_limit", o.apiRateLimit()).put("pollers", o.pollers()).put("warmup", o.warmup());
        }
        json.putObject("machine")
                .put("cores", r.machine().cores())
                .put("load_average_at_start", Double.isNaN(r.loadAtStart()) ? null
                        : Math.round(100 * r.loadAtStart()) / 100.0)
                .put("others_cpu_percent", roundOrNull(100 * r.othersCpuShare()))
                .put("memory_mb", r.machine().memoryMb())
                .put("cpu", r.machine().cpu())
                .put("os", r.machine().os())
                .put("jvm", r.machine().jvm());
        if (r.openModel() != null) {
            json.set("open_model", openModelJson(r.openModel(), o.openModelScale()));
        } else {
            json.putNull("open_model");
        }
        ArrayNode targets = json.putArray("targets");
        for (Results.Target target : r.targets()) {
            targets.addObject().put("target", target.name()).put("figure", target.figure()).put("met", target.met());
        }
        json.put("latency", LATENCY_DEFINITION);
        json.put("seconds", round(r.seconds()));
        return json;
    }

    private static void phase(ObjectNode json, Phase phase, Results r) {
        Percentiles l = phase.latencyMs();
        json.put("submitted", phase.submitted().ids().size())
                .put("succeeded", phase.succeeded())
                .put("refused", phase.submitted().refused())
                .put("submit_jobs_per_s", round(phase.submitted().jobsPerSecond()))
                .put("e2e_jobs_per_s", round(phase.e2eJobsPerSecond()))
                .put("fraction_of_ceiling", Math.round(r.fractionOfCeiling(phase) * 1000) / 1000.0)
                .put("p50_ms", round(l.p50()))
                .put("p95_ms", round(l.p95()))
                .put("p99_ms", round(l.p99()))
                .put("max_ms", round(l.max()));
    }

    private static void openModel(StringBuilder out, OpenModel.Result m, double scale) {
        out.append(String.format(Locale.ROOT, "Open model: request latency as a client sees it; %,d users (%s at"
                + " scale %s), each a new connection: POST /jobs, then GET /jobs/{id} on it, closed; %.0f s%n",
                m.users(), m.profile().spec(), scale, m.seconds()));
        out.append(String.format(Locale.ROOT, "  %-24s %7s %16s%n", "arrival phase", "users", "offered users/s"));
        for (OpenModel.PhaseRun run : m.phases()) {
            out.append(String.format(Locale.ROOT, "  %-24s %7d %16.1f%n", run.phase().label(), run.users(),
                    run.offeredUsersPerSecond()));
        }
        StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "  %-16s %8s %7s", "request", "requests",
                "errors"));
        for (OpenModelClient.ErrorKind kind : OpenModelClient.ErrorKind.values()) {
            header.append(String.format(Locale.ROOT, " %7s", kind.label()));
        }
        out.append(header).append(String.format(Locale.ROOT, " %8s %8s %8s %8s%n", "p50 ms", "p95 ms", "p99 ms",
                "max ms"));
        requestRow(out, "POST /jobs", m.post());
        requestRow(out, "GET /jobs/{id}", m.get());
        firstErrors(out, "POST /jobs", m.post());
        firstErrors(out, "GET /jobs/{id}", m.get());
        out.append(String.format(Locale.ROOT, "  (%d GETs not sent, their POST having failed; %,d connections opened,"
                + " connect p50 / p99 %s / %s; users started at most %.1f ms late)%n", m.get().notSent(),
                m.connections(), millis(m.connectMs(), Percentiles::p50), millis(m.connectMs(), Percentiles::p99),
                m.maxStartLagMs()));
        out.append("  ").append(CLIENT_LATENCY_DEFINITION).append("\n\n");
    }

    private static void requestRow(StringBuilder out, String label, RequestTally.Figures f) {
        out.append(String.format(Locale.ROOT, "  %-16s %8d %7d", label, f.requests(), f.errors()));
        f.errorsByKind().values().forEach(count -> out.append(String.format(Locale.ROOT, " %7d", count)));
        for (ToDoubleFunction<Percentiles> p : List.<ToDoubleFunction<Percentiles>>of(Percentiles::p50,
                Percentiles::p95, Percentiles::p99, Percentiles::max)) {
            out.append(String.format(Locale.ROOT, " %8s", f.latencyMs() == null ? "-"
                    : String.format(Locale.ROOT, "%.1f", p.applyAsDouble(f.latencyMs()))));
        }
        out.append('\n');
    }

    private static void firstErrors(StringBuilder out, String label, RequestTally.Figures f) {
        f.firstErrors().forEach((kind, error) -> out.append(String.format(Locale.ROOT, "  first %s error of %s: %s%n",
                kind.label(), label, error)));
    }

    /** A percentile as "3.4 ms", or "-" when nothing was answered. */
    static String millis(Percentiles percentiles, ToDoubleFunction<Percentiles> percentile) {
        return percentiles == null ? "-"
                : String.format(Locale.ROOT, "%.1f ms", percentile.applyAsDouble(percentiles));
    }

    private static ObjectNode openModelJson(OpenModel.Result m, double scale) {
        ObjectNode json = Json.object()
                .put("spec", m.profile().spec())
                .put("scale", scale)
                .put("users", m.users())
                .put("connections", m.connections())
                .put("seconds", round(m.seconds()))
                .put("max_start_lag_ms", round(m.maxStartLagMs()));
        ArrayNode profile = json.putArray("profile");
        for (OpenModel.PhaseRun run : m.phases()) {
            profile.addObject()
                    .put("users_per_s", run.phase().usersPerSecond())
                    .put("seconds", run.phase().seconds())
                    .put("users", run.users())
                    .put("offered_users_per_s", round(run.offeredUsersPerSecond()));
        }
        percentiles(json.putObject("connect"), m.connectMs());
        requestJson(json.putObject("post"), m.post());
        requestJson(json.putObject("get"), m.get());
        json.put("latency", CLIENT_LATENCY_DEFINITION);
        return json;
    }

    private static void requestJson(ObjectNode json, RequestTally.Figures f) {
        json.put("requests", f.requests()).put("errors", f.errors());
        ObjectNode byKind = json.putObject("errors_by_kind");
        f.errorsByKind().forEach((kind, count) -> byKind.put(kind.label(), count));
        json.put("not_sent", f.notSent());
        ObjectNode firstErrors = json.putObject("first_errors");
        f.firstErrors().forEach((kind, error) -> firstErrors.put(kind.label(), error));
        percentiles(json, f.latencyMs());
    }

    /** p50_ms .. max_ms, each null when nothing was measured. */
    private static void percentiles(ObjectNode json, Percentiles p) {
        if (p == null) {
            json.putNull("p50_ms").putNull("p95_ms").putNull("p99_ms").putNull("max_ms");
            return;
        }
        json.put("p50_ms", round(p.p50())).put("p95_ms", round(p.p95())).put("p99_ms", round(p.p99()))
                .put("max_ms", round(p.max()));
    }

    private static double round(double value) {
        return Math.round(value * 10) / 10.0;
    }

    /** Rounded, or null for a figure this machine could not measure (NaN, which Math.round would make 0). */
    private static Double roundOrNull(double value) {
        return Double.isNaN(value) ? null : round(value);
    }

    private static double min(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    private static double max(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }
}

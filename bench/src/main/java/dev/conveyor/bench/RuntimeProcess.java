package dev.conveyor.bench;

import dev.conveyor.local.LocalMain;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The local runtime as {@code ./conveyor local} runs it, in a child JVM of its own (so that its memory is its own):
 * a fresh data directory, a free port, an API key given through {@code CONVEYOR_API_KEY}, and template parameters
 * to override. While it runs, its memory is sampled: the JVM's resident set, and PostgreSQL's, whose server
 * processes are not the JVM's children (pg_ctl detaches them) but are found through {@code postmaster.pid}. The
 * figures come from /proc: without it (macOS) they are unknown, NaN.
 */
final class RuntimeProcess implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(90);

    private final Process process;
    private final Path dataDirectory;
    private final String url;
    private final String apiKey;
    private final Path log;
    private final AtomicLong postgresPeakPssKb = new AtomicLong();
    private final Thread sampler;

    /**
     * Peak memory, in MB: the runtime JVM's (VmHWM) and PostgreSQL's (its processes' PSS summed, sampled); NaN
     * where there is no /proc to read them from.
     */
    record Memory(double runtimeJvmPeakRssMb, double postgresPeakPssMb) {
    }

    private RuntimeProcess(Process process, Path dataDirectory, String url, String apiKey, Path log) {
        this.process = process;
        this.dataDirectory = dataDirectory;
        this.url = url;
        this.apiKey = apiKey;
        this.log = log;
        this.sampler = new Thread(this::sample, "bench-memory-sampler");
        this.sampler.setDaemon(true);
        this.sampler.start();
    }

    /** Starts the runtime and returns once it printed "Ready in". */
    static RuntimeProcess start(Path template, Path dataDirectory, int pollers, Map<String, String> parameters)
            throws IOException, InterruptedException {
        Files.createDirectories(dataDirectory);
        int port = freePort();
        String apiKey = randomKey();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String options = System.getenv().getOrDefault("CONVEYOR_JAVA_OPTS", "-Xss512k"); // as ./conveyor local
        for (String option : options.strip().split("\\s+")) {
            if (!option.isEmpty()) {
                command.add(option);
            }
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), LocalMain.class.getName(),
                "--fresh", "--data", dataDirectory.toString(), "--port", Integer.toString(port),
                "--template", template.toString(), "--pollers", Integer.toString(pollers)));
        parameters.forEach((name, value) -> command.addAll(List.of("--parameter", name + "=" + value)));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("CONVEYOR_API_KEY", apiKey);
        builder.environment().remove("CONVEYOR_STORE");
        Process process = builder.start();
        Path log = dataDirectory.resolve("runtime.log");
        CountDownLatch ready = new CountDownLatch(1);
        Thread reader = new Thread(() -> copyOutput(process, log, ready), "bench-runtime-output");
        reader.setDaemon(true);
        reader.start();
        RuntimeProcess runtime = new RuntimeProcess(process, dataDirectory, "http://127.0.0.1:" + port, apiKey, log);
        if (!ready.await(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS) || !process.isAlive()) {
            runtime.close();
            throw new IllegalStateException("the local runtime did not start; its output:\n" + runtime.logTail());
        }
        return runtime;
    }

    String url() {
        return url;
    }

    String apiKey() {
        return apiKey;
    }

    long pid() {
        return process.pid();
    }

    /** The runtime's processes: its JVM, and its PostgreSQL server's. */
    List<Long> pids() {
        List<Long> pids = new ArrayList<>(List.of(process.pid()));
        postmaster().ifPresent(postmaster -> {
            pids.add(postmaster.pid());
            postmaster.descendants().forEach(child -> pids.add(child.pid()));
        });
        return pids;
    }

    /** The peaks so far; read it before {@link #close()}. */
    Memory memory() {
        if (!Machine.hasProc()) {
            return new Memory(Double.NaN, Double.NaN);
        }
        long jvmKb = statusKb(process.pid(), "VmHWM");
        return new Memory(jvmKb / 1024.0, postgresPeakPssKb.get() / 1024.0);
    }

    private void sample() {
        boolean measurable = Machine.hasProc();
        while (measurable && process.isAlive()) {
            postmaster().ifPresent(postmaster -> {
                long total = pssKb(postmaster.pid())
                        + postmaster.descendants().mapToLong(child -> pssKb(child.pid())).sum();
                postgresPeakPssKb.accumulateAndGet(total, Math::max);
            });
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private Optional<ProcessHandle> postmaster() {
        try {
            List<String> lines = Files.readAllLines(dataDirectory.resolve("postgres").resolve("postmaster.pid"));
            return lines.isEmpty() ? Optional.empty() : ProcessHandle.of(Long.parseLong(lines.get(0).strip()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** A process's proportional set size: its private pages, and its share of the pages it shares. */
    private static long pssKb(long pid) {
        return kilobytes(Machine.PROC.resolve(Long.toString(pid)).resolve("smaps_rollup"), "Pss");
    }

    private static long statusKb(long pid, String field) {
        return kilobytes(Machine.PROC.resolve(Long.toString(pid)).resolve("status"), field);
    }

    /** A {@code /proc} figure such as {@code VmHWM:  123456 kB}; 0 when the process or the line is gone. */
    private static long kilobytes(Path file, String field) {
        String digits = Machine.procValue(file, field, "0 kB").replaceAll("[^0-9]", "");
        return digits.isEmpty() ? 0 : Long.parseLong(digits);
    }

    String logTail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    private static void copyOutput(Process process, Path log, CountDownLatch ready) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8));
             PrintWriter out = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8), true)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                out.println(line);
                if (line.startsWith("Ready in")) {
                    ready.countDown();
                }
            }
        } catch (IOException e) {
            // the runtime is gone; start() and close() say so
        } finally {
            ready.countDown();
        }
    }

    /** Stops it as Ctrl-C does (its shutdown hook stops PostgreSQL too); forcibly if it does not stop in time. */
    @Override
    public void close() {
        Optional<ProcessHandle> postmaster = postmaster();
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            sampler.interrupt();
            sampler.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // A runtime that had to be killed leaves its PostgreSQL server behind: stop it, as the next start would.
        postmaster.filter(ProcessHandle::isAlive).ifPresent(ProcessHandle::destroy);
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String randomKey() {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        SecureRandom random = new SecureRandom();
        StringBuilder key = new StringBuilder("bench");
        while (key.length() < 40) {
            key.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return key.toString();
    }
}

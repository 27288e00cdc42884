package dev.conveyor.bench;

import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The machine the figures come from: they mean little without it. */
record Machine(int cores, long memoryMb, String cpu, String os, String jvm) {
    /**
     * Linux's process file system, for what the JDK does not tell: the CPU's model, and per-process CPU ticks and
     * memory (see {@link CpuShare} and {@link RuntimeProcess}). macOS has none: there those figures are unknown
     * (NaN, null in the JSON), never 0.
     */
    static final Path PROC = Path.of("/proc");

    static boolean hasProc() {
        return Files.isReadable(PROC.resolve("self").resolve("status"));
    }

    /**
     * The 1-minute load average: whatever else ran on the machine (counted with the bench's own threads). From
     * getloadavg(3) through the JDK, on Linux and macOS alike; NaN where the OS has none.
     */
    static double loadAverage() {
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        return load < 0 ? Double.NaN : load;
    }

    static Machine describe() {
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        return new Machine(
                Runtime.getRuntime().availableProcessors(),
                os.getTotalMemorySize() / (1024 * 1024),
                procValue(PROC.resolve("cpuinfo"), "model name", "unknown CPU"),
                osName(),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
    }

    @Override
    public String toString() {
        return cores + " cores (" + cpu + "), " + String.format("%.1f", memoryMb / 1024.0) + " GiB, " + os + ", "
                + jvm;
    }

    private static String osName() {
        String pretty = procValue(Path.of("/etc/os-release"), "PRETTY_NAME", null);
        String kernel = System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch");
        return pretty == null ? kernel : pretty.replace("\"", "") + " (" + kernel + ")";
    }

    /** The value of the first {@code key: value} or {@code key=value} line of a file, or the fallback. */
    static String procValue(Path file, String key, String fallback) {
        try {
            List<String> lines = Files.readAllLines(file);
            for (String line : lines) {
                if (line.startsWith(key)) {
                    int at = line.indexOf(':') >= 0 ? line.indexOf(':') : line.indexOf('=');
                    if (at > 0 && line.substring(0, at).strip().equals(key)) {
                        return line.substring(at + 1).strip();
                    }
                }
            }
        } catch (IOException e) {
            // not Linux (no /proc, no /etc/os-release), or not readable: say what we can
        }
        return fallback;
    }
}

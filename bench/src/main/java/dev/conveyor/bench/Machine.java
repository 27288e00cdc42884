package dev.conveyor.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The machine the figures come from: they mean little without it. */
record Machine(int cores, long memoryMb, String cpu, String os, String jvm) {

    /** The 1-minute load average: whatever else ran on the machine (counted with the bench's own threads). */
    static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    static Machine describe() {
        return new Machine(
                Runtime.getRuntime().availableProcessors(),
                memTotalKb() / 1024,
                procValue(Path.of("/proc/cpuinfo"), "model name", "unknown CPU"),
                osName(),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
    }

    @Override
    public String toString() {
        return cores + " cores (" + cpu + "), " + String.format("%.1f", memoryMb / 1024.0) + " GiB, " + os + ", "
                + jvm;
    }

    private static long memTotalKb() {
        String value = procValue(Path.of("/proc/meminfo"), "MemTotal", "0 kB");
        return Long.parseLong(value.replaceAll("[^0-9]", ""));
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
            // not Linux, or not readable: say what we can
        }
        return fallback;
    }
}
